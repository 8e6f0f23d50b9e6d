import { randomUUID } from 'node:crypto';
import type { Channel } from '../domain/plan.js';
import type { AppDeps } from '../app/deps.js';
import type { Delivery } from '../app/ports/deliveries.js';
import type { Notifier, SendResult } from '../app/ports/notifier.js';
import type { TimelineEvent } from '../app/ports/timeline.js';
import { pool } from './pool.js';
import { chunks } from '../lib/chunks.js';
import { fallbackDelivery } from '../app/use-cases/notify.js';

export interface DispatcherOptions {
  /** How many deliveries one pass claims. */
  batch: number;
  /** Sends in flight at once. */
  concurrency: number;
  /** How long a claim holds before another process may take the delivery over. */
  leaseMs: number;
  maxAttempts: number;
  /** Backoff base: attempt n waits base × 2^(n-1), ±20 % jitter, capped at 5 minutes. */
  backoffMs: number;
}

const ENGINE = { personId: null, via: 'engine' } as const;

/** Sends between two writes of their outcomes. */
const SEND_CHUNK = 50;

interface Outcome {
  events: TimelineEvent[];
  updates: { id: string; claim: string; update: Partial<Delivery> }[];
  fallbacks: Delivery[];
}

/** Sends queued deliveries through the notifier of their channel; the outbox when none is configured. */
export class Dispatcher {
  constructor(
    private readonly deps: AppDeps,
    private readonly notifiers: Map<Channel, Notifier>,
    private readonly fallback: Notifier,
    private readonly opts: DispatcherOptions,
  ) {}

  get leaseMs(): number {
    return this.opts.leaseMs;
  }

  /** One pass: claim ready deliveries, cancel those whose escalation was acknowledged, send the rest. Returns how many were handled. */
  async runOnce(): Promise<number> {
    const { deps } = this;
    const now = deps.clock.now();
    await deps.deliveries.requeueExpired(now);
    const claim = randomUUID();
    const batch = await deps.deliveries.claimReady(now, this.opts.batch, this.opts.leaseMs, claim);
    return this.process(batch, claim);
  }

  /** Sends deliveries that were stored already claimed under `claim` (by the engine's step pass); `known` saves reading them back. */
  async sendClaimed(claim: string, known?: Delivery[] | null): Promise<number> {
    return this.process(known ?? (await this.deps.deliveries.claimedBy(claim)), claim);
  }

  private async process(batch: Delivery[], claim: string): Promise<number> {
    const { deps } = this;
    if (batch.length === 0) return 0;
    const escIds = [...new Set(batch.map((d) => d.escalationId).filter((x): x is string => !!x))];
    const statuses = escIds.length ? await deps.escalations.statuses(escIds) : new Map();
    // A message is sent only while this claim still has a safe margin of its lease left: once the
    // lease runs out another pass may requeue and send it, and both must never send.
    const margin = Math.min(5000, this.opts.leaseMs / 4);
    for (const part of chunks(batch, SEND_CHUNK)) {
      const out: Outcome = { events: [], updates: [], fallbacks: [] };
      const errors = await pool(part, this.opts.concurrency, async (d) => {
        const st = d.escalationId ? statuses.get(d.escalationId) : undefined;
        // An acknowledgement wins: a message of an escalation that stopped is not sent.
        if (d.escalationId && st && st !== 'active' && st !== 'exhausted') {
          out.updates.push({ id: d.id, claim, update: { status: 'cancelled', error: { code: st.toUpperCase(), message: `escalation ${st} before sending` } } });
          out.events.push(this.event(d, 'delivery.cancelled', { reason: st }));
          return;
        }
        if (d.leaseUntil && new Date(d.leaseUntil).getTime() - deps.clock.now().getTime() < margin) return; // left for the requeue
        await this.send(d, claim, out);
      });
      for (const e of errors) deps.log.error({ err: e }, 'dispatch failed unexpectedly');
      // Outcomes chunk by chunk, so a sent message stops being 'sending' soon after it left.
      // A crash before this leaves the claims to expire and the messages to be sent again:
      // at most one duplicate, never a loss.
      await deps.deliveries.finishMany(out.updates);
      await deps.deliveries.enqueue(out.fallbacks);
      await deps.timeline.append(out.events);
    }
    return batch.length;
  }

  private event(d: Delivery, type: string, data: Record<string, unknown>, keySuffix = ''): TimelineEvent {
    const now = this.deps.clock.now();
    return {
      id: this.deps.newId(),
      key: `${type}:${d.key}:${d.attempts}${keySuffix}`,
      ticketId: d.ticketId,
      at: now,
      type,
      actor: ENGINE,
      data: { deliveryId: d.id, escalationId: d.escalationId, seq: d.seq, step: d.stepIndex === null ? null : d.stepIndex + 1, channel: d.channel, personId: d.recipient.personId, channelId: d.recipient.channelId, address: maskAddress(d.address), dueAt: d.dueAt, ...data },
    };
  }

  private async send(d: Delivery, claim: string, out: Outcome): Promise<void> {
    const { events } = out;
    const finish = (update: Partial<Delivery>) => out.updates.push({ id: d.id, claim, update });
    const { deps } = this;
    const notifier = this.notifiers.get(d.channel) ?? this.fallback;
    const person = deps.directory().person(d.recipient.personId);
    let result: SendResult;
    try {
      result = await notifier.send(d, person);
    } catch (e) {
      result = { ok: false, retryable: true, code: 'EXCEPTION', message: (e as Error).message };
    }
    const now = deps.clock.now();
    // Waiting for a throttle or a provider's pace is not a failed attempt.
    const pacing = !result.ok && result.retryable && result.retryAfterMs !== undefined && (result.code === 'THROTTLED' || result.code === 'RATE_LIMITED');
    const attempts = d.attempts + (pacing ? 0 : 1);
    if (result.ok) {
      const outboxed = notifier === this.fallback;
      const lateMs = Math.max(0, now.getTime() - new Date(d.dueAt).getTime());
      finish({ status: outboxed ? 'outboxed' : result.status, attempts, sentAt: now, lateMs, providerId: result.providerId ?? null, error: null, ...(result.status === 'delivered' ? { deliveredAt: now } : {}) });
      events.push(this.event({ ...d, attempts }, outboxed ? 'delivery.outboxed' : 'delivery.sent', { sentAt: now, lateMs, providerId: result.providerId ?? null, via: notifier.name, notSent: outboxed }));
      return;
    }
    if (result.retryable && attempts < this.opts.maxAttempts) {
      const base = result.retryAfterMs ?? this.opts.backoffMs * 2 ** (attempts - 1);
      const wait = Math.min(300_000, Math.round(base * (0.8 + Math.random() * 0.4)));
      finish({ status: 'queued', attempts, nextAttemptAt: new Date(now.getTime() + wait), error: { code: result.code, message: result.message } });
      events.push(this.event({ ...d, attempts }, 'delivery.retrying', { code: result.code, message: result.message, retryInMs: wait }));
      return;
    }
    finish({ status: 'failed', attempts, error: { code: result.code, message: result.message } });
    const fallback = fallbackDelivery(this.deps, d);
    events.push(this.event({ ...d, attempts }, 'delivery.failed', { code: result.code, message: result.message, attempts, fallbackTo: fallback?.channel ?? null }));
    if (fallback) out.fallbacks.push(fallback);
    deps.log.warn({ ticketId: d.ticketId, channel: d.channel, code: result.code, attempts, fallbackTo: fallback?.channel ?? null }, 'delivery failed; falling back or moving on');
  }

}

/** Shows enough of a phone or address to recognise it, not enough to harvest it. */
export function maskAddress(a: string | null): string | null {
  if (!a) return null;
  if (/^\+?\d{6,}$/.test(a)) return `${a.slice(0, 3)}…${a.slice(-4)}`;
  const at = a.indexOf('@');
  if (at > 0) return `${a[0]}…${a.slice(at)}`;
  if (/^https?:\/\//.test(a)) return a.replace(/^(https?:\/\/[^/]+).*/, '$1/…');
  return a;
}
