import type { Logger as BoltLogger } from '@slack/bolt';
import type { webApi } from '@slack/bolt';
import { ErrorCode, LogLevel } from './bolt.js';
import type { Logger } from '../../app/deps.js';
import type { SendResult } from '../../app/ports/notifier.js';

/**
 * The Web client's default policy retries for about 30 minutes: far too long for an
 * escalation step. Two quick retries, then the dispatcher's own backoff takes over.
 */
export const SHORT_RETRY: webApi.RetryOptions = { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2000, maxRetryTime: 5000 };

export function webClientOptions(apiUrl: string, logger: BoltLogger, rejectRateLimitedCalls: boolean): webApi.WebClientOptions {
  // Without rejection the client itself waits Retry-After and retries (inside SHORT_RETRY).
  return { slackApiUrl: apiUrl, retryConfig: SHORT_RETRY, timeout: 10_000, rejectRateLimitedCalls, logger };
}

const PERMANENT = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'no_permission', 'missing_scope', 'channel_not_found', 'user_not_found', 'users_not_found', 'is_archived', 'not_in_channel', 'cannot_dm_bot', 'user_disabled', 'invalid_blocks', 'msg_too_long', 'invalid_arguments']);

/** Maps a Web API failure to what the dispatcher should do about it. */
export function sendFailure(err: unknown): Extract<SendResult, { ok: false }> {
  const e = err as { code?: string; data?: { error?: string }; retryAfter?: number; statusCode?: number; message?: string };
  const message = e.message ?? String(err);
  if (e.code === ErrorCode.RateLimitedError) return { ok: false, retryable: true, rateLimited: true, code: 'SLACK_RATE_LIMITED', message, retryAfterMs: (e.retryAfter ?? 1) * 1000 };
  if (e.code === ErrorCode.PlatformError) {
    const code = e.data?.error ?? 'unknown';
    return { ok: false, retryable: !PERMANENT.has(code), code: `SLACK_${code.toUpperCase()}`, message };
  }
  if (e.code === ErrorCode.HTTPError) return { ok: false, retryable: (e.statusCode ?? 500) >= 500, code: `SLACK_HTTP_${e.statusCode ?? 0}`, message };
  if (e.code === ErrorCode.RequestError) return { ok: false, retryable: true, code: 'SLACK_UNREACHABLE', message };
  return { ok: false, retryable: true, code: 'SLACK_ERROR', message };
}

/** Bolt and the Web client log through Esc's logger. */
export function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const line = (args: unknown[]) => args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
  return {
    // Bolt logs several debug lines per event: format them only when asked for.
    debug: (...a: unknown[]) => {
      if (level === LogLevel.DEBUG) log.debug({ component: 'slack' }, line(a));
    },
    info: (...a: unknown[]) => log.info({ component: 'slack' }, line(a)),
    warn: (...a: unknown[]) => log.warn({ component: 'slack' }, line(a)),
    error: (...a: unknown[]) => log.error({ component: 'slack' }, line(a)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
