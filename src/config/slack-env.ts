import { z } from 'zod/v4';
import { Secret } from './env.js';

/** The Slack slice of the environment. Documented in .env.example. */
export interface SlackConfig {
  signingSecret: Secret;
  botToken: Secret;
  /** Set: Socket Mode (no public URL needed); unset: HTTP at /slack/events. */
  appToken: Secret | null;
  /** Web API base URL, ending in a slash. */
  apiUrl: string;
  /** War rooms of major escalations as private channels (SLACK_WAR_ROOM_PRIVATE=true); public by default. */
  warRoomPrivate: boolean;
}

const shape = z.object({
  SLACK_SIGNING_SECRET: z.string().min(16, 'must be the app\'s Signing Secret (Basic Information > App Credentials)').optional(),
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'must be a bot token starting with xoxb- (OAuth & Permissions)').optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'must be an app-level token starting with xapp- (needed only for Socket Mode)').optional(),
  SLACK_API_URL: z.url('must be a URL such as https://slack.com/api/').default('https://slack.com/api/'),
  SLACK_WAR_ROOM_PRIVATE: z.enum(['true', 'false'], 'must be true or false').default('false'),
});

/**
 * Reads the Slack variables. Returns null when Slack is not configured at all (neither
 * token nor secret set); throws one error naming every bad or missing variable otherwise.
 */
export function loadSlackConfig(env: Record<string, string | undefined>): SlackConfig | null {
  const clean = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('SLACK_') && v !== undefined && v !== ''));
  if (!clean.SLACK_BOT_TOKEN && !clean.SLACK_SIGNING_SECRET && !clean.SLACK_APP_TOKEN) return null;
  const r = shape.safeParse(clean);
  const problems: string[] = r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  if (!clean.SLACK_BOT_TOKEN) problems.push('SLACK_BOT_TOKEN: required when Slack is configured (xoxb-...)');
  if (!clean.SLACK_SIGNING_SECRET && !clean.SLACK_APP_TOKEN) problems.push('SLACK_SIGNING_SECRET: required for HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)');
  if (!r.success || problems.length > 0) throw new Error(`Slack configuration is invalid:\n  ${problems.join('\n  ')}\nUnset every SLACK_* variable to run without Slack.`);
  const d = r.data;
  const apiUrl = d.SLACK_API_URL.endsWith('/') ? d.SLACK_API_URL : `${d.SLACK_API_URL}/`;
  return {
    signingSecret: new Secret(d.SLACK_SIGNING_SECRET ?? ''),
    botToken: new Secret(d.SLACK_BOT_TOKEN!),
    appToken: d.SLACK_APP_TOKEN ? new Secret(d.SLACK_APP_TOKEN) : null,
    apiUrl,
    warRoomPrivate: d.SLACK_WAR_ROOM_PRIVATE === 'true',
  };
}
