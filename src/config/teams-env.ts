import { z } from 'zod/v4';
import { Secret } from './env.js';

export const TEAMS_APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;

/** The Microsoft Teams slice of the environment. Documented in .env.example. */
export interface TeamsConfig {
  /** The Azure Bot's Microsoft App ID (a GUID). */
  appId: string;
  /** Client secret of the app registration; null for UserAssignedMSI. */
  appPassword: Secret | null;
  /** Required for SingleTenant and UserAssignedMSI. */
  tenantId: string | null;
  appType: (typeof TEAMS_APP_TYPES)[number];
  /** Overrides where channel-token signing keys come from (tests, sovereign clouds). */
  openIdMetadataUrl: string | null;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const shape = z.object({
  TEAMS_APP_ID: z.string().regex(GUID, 'must be the bot\'s Microsoft App ID, a GUID (Azure Bot > Configuration)').optional(),
  TEAMS_APP_PASSWORD: z.string().min(1).optional(),
  TEAMS_TENANT_ID: z.string().regex(GUID, 'must be the Entra tenant id, a GUID').optional(),
  TEAMS_APP_TYPE: z.enum(TEAMS_APP_TYPES, { message: `must be one of ${TEAMS_APP_TYPES.join(', ')}` }).default('MultiTenant'),
  TEAMS_OPENID_METADATA_URL: z.url('must be a URL to an OpenID configuration document').optional(),
});

/**
 * Reads the TEAMS_* variables. Returns null when Teams is not configured (no TEAMS_APP_ID
 * and no password); throws one error naming every bad or missing variable otherwise.
 */
export function loadTeamsConfig(env: Record<string, string | undefined>): TeamsConfig | null {
  const clean = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('TEAMS_') && v !== undefined && v !== ''));
  if (!clean.TEAMS_APP_ID && !clean.TEAMS_APP_PASSWORD) return null;
  const r = shape.safeParse(clean);
  const problems: string[] = r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const type = r.success ? r.data.TEAMS_APP_TYPE : clean.TEAMS_APP_TYPE;
  if (!clean.TEAMS_APP_ID) problems.push('TEAMS_APP_ID: required when Teams is configured (the Azure Bot\'s Microsoft App ID)');
  if (!clean.TEAMS_APP_PASSWORD && type !== 'UserAssignedMSI') problems.push('TEAMS_APP_PASSWORD: required unless TEAMS_APP_TYPE=UserAssignedMSI (a client secret of the app registration)');
  if (!clean.TEAMS_TENANT_ID && (type === 'SingleTenant' || type === 'UserAssignedMSI')) problems.push(`TEAMS_TENANT_ID: required when TEAMS_APP_TYPE=${type}`);
  if (!r.success || problems.length > 0) throw new Error(`Teams configuration is invalid:\n  ${problems.join('\n  ')}\nUnset every TEAMS_* variable to run without Teams.`);
  const d = r.data;
  return {
    appId: d.TEAMS_APP_ID!,
    appPassword: d.TEAMS_APP_PASSWORD ? new Secret(d.TEAMS_APP_PASSWORD) : null,
    tenantId: d.TEAMS_TENANT_ID ?? null,
    appType: d.TEAMS_APP_TYPE,
    openIdMetadataUrl: d.TEAMS_OPENID_METADATA_URL ?? null,
  };
}
