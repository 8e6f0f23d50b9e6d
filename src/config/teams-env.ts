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
  /** Every Bot Framework endpoint, set together; null: botbuilder's public-cloud defaults. */
  endpoints: TeamsEndpoints | null;
  /** Major-escalation war rooms through Microsoft Graph; null when neither a team nor the app's catalog id is set. */
  warRoom?: TeamsWarRoomConfig | null;
}

/** The Microsoft endpoints the bot talks to (TEAMS_CLOUD picks a set; each TEAMS_* below overrides one). */
export interface TeamsEndpoints {
  /** TEAMS_OPENID_METADATA_URL: where channel-token signing keys are published. */
  openIdMetadataUrl: string;
  /** TEAMS_TOKEN_ISSUER: the issuer of tokens the channel sends. */
  tokenIssuer: string;
  emulatorOpenIdMetadataUrl: string;
  /** TEAMS_LOGIN_URL: where Esc gets its own tokens to call the connector. */
  loginUrl: string;
  /** TEAMS_OAUTH_SCOPE: the audience of those tokens. */
  oauthScope: string;
  /** TEAMS_OAUTH_URL: the Bot Framework token service. */
  oauthUrl: string;
  callerId: string;
}

/** Published endpoint sets (botframework-connector's AuthenticationConstants / GovernmentConstants; Graph national clouds). */
export const TEAMS_CLOUDS = {
  public: {
    bot: { openIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration', tokenIssuer: 'https://api.botframework.com', emulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration', loginUrl: 'https://login.microsoftonline.com/botframework.com', oauthScope: 'https://api.botframework.com', oauthUrl: 'https://api.botframework.com', callerId: 'urn:botframework:azure' },
    graphBaseUrl: 'https://graph.microsoft.com/v1.0',
    authorityHost: 'https://login.microsoftonline.com',
  },
  usgov: {
    bot: { openIdMetadataUrl: 'https://login.botframework.azure.us/v1/.well-known/openidconfiguration', tokenIssuer: 'https://api.botframework.us', emulatorOpenIdMetadataUrl: 'https://login.microsoftonline.us/cab8a31a-1906-4287-a0d8-4eef66b95f6e/v2.0/.well-known/openid-configuration', loginUrl: 'https://login.microsoftonline.us/MicrosoftServices.onmicrosoft.us', oauthScope: 'https://api.botframework.us', oauthUrl: 'https://api.botframework.azure.us', callerId: 'urn:botframework:azureusgov' },
    graphBaseUrl: 'https://graph.microsoft.us/v1.0',
    authorityHost: 'https://login.microsoftonline.us',
  },
} as const satisfies Record<string, { bot: TeamsEndpoints; graphBaseUrl: string; authorityHost: string }>;

/** War rooms in Teams (issue 7): a channel per major escalation in one team, or a group chat. */
export interface TeamsWarRoomConfig {
  /** GRAPH_BASE_URL, default https://graph.microsoft.com/v1.0. */
  graphBaseUrl: string;
  /** GRAPH_AUTHORITY_HOST, default https://login.microsoftonline.com (the client-credentials token endpoint's host). */
  authorityHost: string;
  /** TEAMS_WAR_ROOM_TEAM_ID: the team (its group id) that gets a channel per major escalation; null: group chats. */
  teamId: string | null;
  /** TEAMS_APP_CATALOG_ID: Esc's app id in the tenant app catalog, to install the bot into group chats. */
  appCatalogId: string | null;
  /** TEAMS_FILE_LINK_TTL_HOURS: how long links to war-room files (the after-action PDF) work. */
  fileLinkTtlHours: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const shape = z.object({
  TEAMS_APP_ID: z.string().regex(GUID, 'must be the bot\'s Microsoft App ID, a GUID (Azure Bot > Configuration)').optional(),
  TEAMS_APP_PASSWORD: z.string().min(1).optional(),
  TEAMS_TENANT_ID: z.string().regex(GUID, 'must be the Entra tenant id, a GUID').optional(),
  // Single-tenant by default: new multi-tenant bot registrations cannot be created any more.
  TEAMS_APP_TYPE: z.enum(TEAMS_APP_TYPES, { message: `must be one of ${TEAMS_APP_TYPES.join(', ')}` }).default('SingleTenant'),
  TEAMS_CLOUD: z.enum(['public', 'usgov'], { message: 'must be public or usgov' }).default('public'),
  TEAMS_OPENID_METADATA_URL: z.url('must be a URL to an OpenID configuration document').optional(),
  TEAMS_TOKEN_ISSUER: z.url('must be the issuer URL of channel tokens, e.g. https://api.botframework.com').optional(),
  TEAMS_LOGIN_URL: z.url('must be the token endpoint base, e.g. https://login.microsoftonline.com/<tenant>').optional(),
  TEAMS_OAUTH_SCOPE: z.url('must be the connector audience, e.g. https://api.botframework.com').optional(),
  TEAMS_OAUTH_URL: z.url('must be the Bot Framework token service, e.g. https://api.botframework.com').optional(),
  TEAMS_WAR_ROOM_TEAM_ID: z.string().regex(GUID, "must be the team's group id, a GUID (Teams > team > Get link to team: groupId=…)").optional(),
  TEAMS_APP_CATALOG_ID: z.string().regex(GUID, "must be Esc's id in the tenant app catalog, a GUID (Teams admin center > Manage apps > Esc > App ID)").optional(),
  TEAMS_FILE_LINK_TTL_HOURS: z.coerce.number({ message: 'must be a number of hours' }).int('must be a whole number of hours').min(1, 'must be at least 1').max(720, 'must be at most 720 (30 days)').default(72),
  GRAPH_BASE_URL: z.url('must be the Microsoft Graph base URL, e.g. https://graph.microsoft.com/v1.0').optional(),
  GRAPH_AUTHORITY_HOST: z.url('must be the Entra ID authority host, e.g. https://login.microsoftonline.com').optional(),
});

/**
 * Reads the TEAMS_* variables. Returns null when Teams is not configured (no TEAMS_APP_ID
 * and no password); throws one error naming every bad or missing variable otherwise.
 */
export function loadTeamsConfig(env: Record<string, string | undefined>): TeamsConfig | null {
  const clean = Object.fromEntries(Object.entries(env).filter(([k, v]) => (k.startsWith('TEAMS_') || k.startsWith('GRAPH_')) && v !== undefined && v !== ''));
  if (!clean.TEAMS_APP_ID && !clean.TEAMS_APP_PASSWORD) return null;
  const r = shape.safeParse(clean);
  const problems: string[] = r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const type = r.success ? r.data.TEAMS_APP_TYPE : clean.TEAMS_APP_TYPE;
  if (!clean.TEAMS_APP_ID) problems.push('TEAMS_APP_ID: required when Teams is configured (the Azure Bot\'s Microsoft App ID)');
  if (!clean.TEAMS_APP_PASSWORD && type !== 'UserAssignedMSI') problems.push('TEAMS_APP_PASSWORD: required unless TEAMS_APP_TYPE=UserAssignedMSI (a client secret of the app registration)');
  if (!clean.TEAMS_TENANT_ID && (type === 'SingleTenant' || type === 'UserAssignedMSI')) problems.push(`TEAMS_TENANT_ID: required when TEAMS_APP_TYPE=${type}`);
  const warRoom = !!(clean.TEAMS_WAR_ROOM_TEAM_ID || clean.TEAMS_APP_CATALOG_ID);
  if (warRoom && !clean.TEAMS_TENANT_ID) problems.push('TEAMS_TENANT_ID: required for war rooms (TEAMS_WAR_ROOM_TEAM_ID / TEAMS_APP_CATALOG_ID): Microsoft Graph app-only tokens are issued per tenant');
  if (warRoom && !clean.TEAMS_APP_PASSWORD) problems.push('TEAMS_APP_PASSWORD: required for war rooms: Esc gets Microsoft Graph tokens with the app registration\'s client secret');
  if (!r.success || problems.length > 0) throw new Error(`Teams configuration is invalid:\n  ${problems.join('\n  ')}\nUnset every TEAMS_* variable to run without Teams.`);
  const d = r.data;
  const cloud = TEAMS_CLOUDS[d.TEAMS_CLOUD];
  const overrides = { openIdMetadataUrl: d.TEAMS_OPENID_METADATA_URL, tokenIssuer: d.TEAMS_TOKEN_ISSUER, loginUrl: d.TEAMS_LOGIN_URL, oauthScope: d.TEAMS_OAUTH_SCOPE, oauthUrl: d.TEAMS_OAUTH_URL };
  const custom = d.TEAMS_CLOUD !== 'public' || Object.values(overrides).some((v) => v !== undefined);
  const endpoints: TeamsEndpoints | null = custom ? { ...cloud.bot, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) } : null;
  const graphBaseUrl = d.GRAPH_BASE_URL ?? cloud.graphBaseUrl;
  const authorityHost = d.GRAPH_AUTHORITY_HOST ?? cloud.authorityHost;
  return {
    appId: d.TEAMS_APP_ID!,
    appPassword: d.TEAMS_APP_PASSWORD ? new Secret(d.TEAMS_APP_PASSWORD) : null,
    tenantId: d.TEAMS_TENANT_ID ?? null,
    appType: d.TEAMS_APP_TYPE,
    openIdMetadataUrl: endpoints?.openIdMetadataUrl ?? null,
    endpoints,
    warRoom: warRoom
      ? { graphBaseUrl: graphBaseUrl.replace(/\/+$/, ''), authorityHost: authorityHost.replace(/\/+$/, ''), teamId: d.TEAMS_WAR_ROOM_TEAM_ID ?? null, appCatalogId: d.TEAMS_APP_CATALOG_ID ?? null, fileLinkTtlHours: d.TEAMS_FILE_LINK_TTL_HOURS }
      : null,
  };
}
