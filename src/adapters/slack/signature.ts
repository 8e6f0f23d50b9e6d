import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a request timestamp may be from now, either way (Slack's replay window). */
export const MAX_SKEW_SECONDS = 300;

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'future' | 'mismatch' };

/** The v0 signature Slack computes: HMAC-SHA256 over `v0:timestamp:body`, hex, prefixed `v0=`. */
export function signSlackRequest(signingSecret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/**
 * Verifies a Slack request signature. Unlike Bolt it also refuses timestamps from the
 * future: a captured request signed ahead of time must not be replayable later.
 */
export function verifySlackSignature(args: { signingSecret: string; body: string; timestamp: string | undefined; signature: string | undefined; nowMs: number }): SignatureCheck {
  const { timestamp, signature } = args;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing' };
  const skew = Math.floor(args.nowMs / 1000) - Number(timestamp);
  if (skew > MAX_SKEW_SECONDS) return { ok: false, reason: 'stale' };
  if (skew < -MAX_SKEW_SECONDS) return { ok: false, reason: 'future' };
  const want = Buffer.from(signSlackRequest(args.signingSecret, timestamp, args.body));
  const got = Buffer.from(signature);
  return want.length === got.length && timingSafeEqual(want, got) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
