import type { Connection } from 'mongoose';
import { z } from 'zod/v4';
import type { AppDeps, Clock } from '../app/deps.js';
import type { Notifier } from '../app/ports/notifier.js';
import type { HttpMount } from '../adapters/http/server.js';
import { TwilioReplyStore } from '../adapters/twilio/reply-store.js';
import { SmsOptOutStore } from '../adapters/twilio/opt-out-store.js';
import { SmsConsent } from '../adapters/twilio/sms-consent.js';
import { TwilioSmsNotifier } from '../adapters/twilio/sms-notifier.js';
import { createTwilioClient } from '../adapters/twilio/twilio-client.js';
import { twilioRouter } from '../adapters/twilio/twilio-router.js';
import { TwilioVoiceNotifier } from '../adapters/twilio/voice-notifier.js';
import { DestinationThrottle, ThrottledNotifier } from '../adapters/twilio/destination-throttle.js';
import { Pacer } from '../adapters/twilio/pacer.js';
import { MongoPaceSlots } from '../adapters/mongo/pace-slots.js';
import { emailAdapters } from '../adapters/email/email-wiring.js';
import { WebhookNotifier } from '../adapters/webhook/webhook-notifier.js';
import { PushNotifier } from '../adapters/push/push-notifier.js';
import { Secret } from './env.js';

const opt = z.string().trim().min(1).optional();
const secret = (min: number) => z.string().min(min, `must be at least ${min} characters`).transform((s) => new Secret(s)).optional();

/** The channel variables. Every one is optional: a channel whose variables are unset is disabled. */
export const channelsEnvSchema = z.object({
  ESC_PUBLIC_URL: z.url().default('http://localhost:3000'),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC\w{8,}$/, 'must start with AC').optional(),
  TWILIO_AUTH_TOKEN: secret(8),
  TWILIO_FROM_NUMBER: z.string().regex(/^\+\d{6,15}$/, 'must be an E.164 number like +15105550100').optional(),
  TWILIO_MESSAGING_SERVICE_SID: z.string().regex(/^MG[0-9a-fA-F]{32}$/, 'must be a Messaging Service SID: MG followed by 32 hex digits').optional(),
  TWILIO_API_URL: z.url().optional(),
  TWILIO_MIN_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  ESC_CONTACT_THROTTLE_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').transform((s) => new Secret(s)).optional(),
  EMAIL_FROM: opt,
  ESC_LINK_SECRET: secret(16),
  ESC_LINK_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(24),
  WEBHOOK_URL: z.url().optional(),
  WEBHOOK_SECRET: secret(16),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  NTFY_URL: z.url().optional(),
  NTFY_TOKEN: secret(1),
  PUSHOVER_TOKEN: secret(1),
  PUSHOVER_URL: z.url().default('https://api.pushover.net'),
});
export type ChannelsEnv = z.output<typeof channelsEnvSchema>;

/** Bad channel variables, all at once, each by name with what to do. */
export class ChannelConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Channel configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ChannelConfigError';
  }
}

export function parseChannelsEnv(env: Record<string, string | undefined>): ChannelsEnv {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = channelsEnvSchema.safeParse(clean);
  if (!r.success) throw new ChannelConfigError(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const e = r.data;
  const problems: string[] = [];
  const group = (name: string, vars: [string, unknown][]) => {
    const set = vars.filter(([, v]) => v !== undefined).map(([k]) => k);
    if (set.length > 0 && set.length < vars.length) problems.push(`${name}: set ${vars.map(([k]) => k).join(', ')} together (missing ${vars.filter(([, v]) => v === undefined).map(([k]) => k).join(', ')})`);
  };
  group('Twilio', [['TWILIO_ACCOUNT_SID', e.TWILIO_ACCOUNT_SID], ['TWILIO_AUTH_TOKEN', e.TWILIO_AUTH_TOKEN], ['TWILIO_FROM_NUMBER', e.TWILIO_FROM_NUMBER]]);
  group('email', [['SMTP_URL', e.SMTP_URL], ['EMAIL_FROM', e.EMAIL_FROM], ['ESC_LINK_SECRET', e.ESC_LINK_SECRET]]);
  group('webhook', [['WEBHOOK_URL', e.WEBHOOK_URL], ['WEBHOOK_SECRET', e.WEBHOOK_SECRET]]);
  if (problems.length > 0) throw new ChannelConfigError(problems);
  return e;
}

export interface ChannelContext {
  clock: Clock;
  /** The open database: start-up connects first, then builds the channels on it. */
  conn: Connection;
}

export interface ChannelAdapters {
  notifiers: Notifier[];
  /** Pass as createEsc({ mounts }). */
  mounts: (deps: AppDeps) => HttpMount[];
  /** One line per disabled channel, with the variables that would enable it (log once at start). */
  disabled: string[];
}

/** Builds the configured channels; each unconfigured one is listed in `disabled`. Throws ChannelConfigError on bad values. */
export function buildChannelAdapters(env: Record<string, string | undefined>, ctx: ChannelContext): ChannelAdapters {
  const e = parseChannelsEnv(env);
  const now = () => ctx.clock.now();
  const notifiers: Notifier[] = [];
  const mounts: ((deps: AppDeps) => HttpMount)[] = [];
  const disabled: string[] = [];
  const publicUrl = e.ESC_PUBLIC_URL.replace(/\/$/, '');
  const connection = () => ctx.conn;
  const throttle = new DestinationThrottle(connection, e.ESC_CONTACT_THROTTLE_MS);
  // SMS, calls and email: at most one per destination per window (0 turns it off).
  const limited = (n: Notifier) => (e.ESC_CONTACT_THROTTLE_MS > 0 ? new ThrottledNotifier(n, throttle, now) : n);

  if (e.TWILIO_ACCOUNT_SID && e.TWILIO_AUTH_TOKEN && e.TWILIO_FROM_NUMBER) {
    const authToken = e.TWILIO_AUTH_TOKEN.reveal();
    const client = createTwilioClient({ accountSid: e.TWILIO_ACCOUNT_SID, authToken, apiUrl: e.TWILIO_API_URL });
    const store = new TwilioReplyStore(connection);
    const consent = new SmsConsent(new SmsOptOutStore(connection), store);
    // One pace per number and kind, shared with every other Esc process through the database.
    const slots = new MongoPaceSlots(connection);
    const sender = e.TWILIO_MESSAGING_SERVICE_SID ?? e.TWILIO_FROM_NUMBER;
    const pace = (kind: string) => new Pacer(e.TWILIO_MIN_INTERVAL_MS, undefined, undefined, undefined, slots.for(`${kind}:${sender}`));
    notifiers.push(limited(new TwilioSmsNotifier({ client, from: e.TWILIO_FROM_NUMBER, messagingServiceSid: e.TWILIO_MESSAGING_SERVICE_SID, consent, publicUrl, store, now, pacer: pace('sms') })));
    notifiers.push(limited(new TwilioVoiceNotifier({ client, from: e.TWILIO_FROM_NUMBER, publicUrl, now, pacer: pace('voice') })));
    mounts.push((deps) => {
      consent.bind(deps);
      return { path: '/twilio', router: twilioRouter(deps, { authToken, publicUrl, store, consent }) };
    });
  } else disabled.push('sms, voice (Twilio): set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER');

  if (e.SMTP_URL && e.EMAIL_FROM && e.ESC_LINK_SECRET) {
    const email = emailAdapters({ smtpUrl: e.SMTP_URL.reveal(), from: e.EMAIL_FROM, linkSecret: e.ESC_LINK_SECRET.reveal(), linkTtlMs: e.ESC_LINK_TTL_HOURS * 3_600_000, publicUrl, now, connection });
    notifiers.push(limited(email.notifier));
    mounts.push(email.mount);
  } else disabled.push('email: set SMTP_URL, EMAIL_FROM, ESC_LINK_SECRET');

  if (e.WEBHOOK_URL && e.WEBHOOK_SECRET) {
    notifiers.push(new WebhookNotifier({ url: e.WEBHOOK_URL, secret: e.WEBHOOK_SECRET.reveal(), timeoutMs: e.WEBHOOK_TIMEOUT_MS, publicUrl, now }));
  } else disabled.push('webhook: set WEBHOOK_URL, WEBHOOK_SECRET');

  if (e.NTFY_URL || e.PUSHOVER_TOKEN) {
    notifiers.push(new PushNotifier({ ntfy: e.NTFY_URL ? { url: e.NTFY_URL, token: e.NTFY_TOKEN?.reveal() } : undefined, pushover: e.PUSHOVER_TOKEN ? { url: e.PUSHOVER_URL, token: e.PUSHOVER_TOKEN.reveal() } : undefined, publicUrl }));
  } else disabled.push('push: set NTFY_URL (ntfy) or PUSHOVER_TOKEN (Pushover)');

  return { notifiers, mounts: (deps) => mounts.map((m) => m(deps)), disabled };
}
