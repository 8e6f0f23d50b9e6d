import type { Channel } from '../../domain/plan.js';
import type { Person } from '../../domain/directory.js';
import type { Delivery } from './deliveries.js';

/**
 * What a send attempt achieved. `retryable` failures are retried with backoff; permanent
 * ones are recorded and the plan moves on (or falls back to another contact method).
 * `rateLimited`: the provider (or our own pacing) said "not now, come back after
 * `retryAfterMs`" (HTTP 429, Retry-After, Slack `ratelimited`): the delivery waits that long
 * plus jitter and the attempt is NOT counted, so a rate limit never turns into a fallback.
 */
export type SendResult =
  | { ok: true; status: 'sent' | 'delivered'; providerId?: string }
  | { ok: false; retryable: boolean; code: string; message: string; retryAfterMs?: number; rateLimited?: boolean };

/** A channel that can carry a Notice to a person or a chat channel. */
export interface Notifier {
  readonly channel: Channel;
  /** Human name for logs and the start-up summary, e.g. "Twilio SMS". */
  readonly name: string;
  /**
   * Sends one delivery. Must not throw for provider errors: return a failed result.
   * `delivery.key` is the idempotency key to pass to providers that accept one.
   */
  send(delivery: Delivery, recipient: Person | undefined): Promise<SendResult>;
}
