import { randomUUID } from 'node:crypto';
import type { Channel } from '../domain/plan.js';
import type { AppDeps } from '../app/deps.js';
import type { Delivery } from '../app/ports/deliveries.js';
import { NOT_WANTED } from '../app/ports/notifier.js';
import type { Notifier, SendContext, SendResult } from '../app/ports/notifier.js';
import type { TimelineEvent } from '../app/ports/timeline.js';
import { pool } from '../lib/pool.js';
import { GroupCommit } from './group-commit.js';
import { WriteTurns } from '../lib/write-turns.js';
import { chunks } from '../lib/chunks.js';
import { fallbackDelivery } from '../app/use-cases/notify.js';
import type { BuiltFiring } from './step-materializer.js';
import { merge, mergeWaves, storeFresh, wavesOf, writeOutcomes } from './dispatch-waves.js';
import type { Outcome } from './dispatch-waves.js';

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

/** Our own pacers' codes (the Twilio pacer, the destination throttle, Teams' conversation limit). */
const PACING_CODES = new Set(['THROTTLED', 'RATE_LIMITED']);

/** "Not now" from a provider or our own pacing: wait, do not count the attempt. */
export function isRateLimited(r: SendResult): boolean {
  return !r.ok && r.retryable && r.retryAfterMs !== undefined && (r.rateLimited === true || PACING_CODES.has(r.code));
}

/**
 * The wait after a rate limit: never earlier than the provider asked, plus up to half of it
 * (at least 250 ms) of random spread, so deliveries sent away together do not all come back
 * at the same instant and meet the same limit again.
 */
export function rateLimitWait(retryAfterMs: number, random: () => number = Math.random): number {
  return Math.min(300_000, Math.round(retryAfterMs + random() * Math.max(250, retryAfterMs / 2)));
}

/**
 * Sends queued deliveries through the notifier of their channel; the outbox when none is configured.
 *
 * Deliveries are handed over to their provider in waves of `concurrency`, with a conditional
 * update right before the calls (an acknowledgement that cancelled one first wins), and a
 * wave's outcomes are written before the next wave is sent: at most `concurrency` sends are
 * ever unrecorded. A SIGKILL re-sends at most those (their claims expire and they are requeued);
 * a clean stop (an aborted signal) hands nothing new over, waits for the sends in flight,
 * records them and gives the rest back to the queue.
 */
export class Dispatcher {
  private readonly writer: GroupCommit<Outcome, void>;
  /**
   * One fresh wave at a time across step passes (a burst runs up to 3 at once: one claims
   * while another sends): so at most `concurrency` sends are ever unrecorded, whatever the
   * number of passes.
   */
  private readonly waveTurns = new WriteTurns(1);

  constructor(
    private readonly deps: AppDeps,
    private readonly notifiers: Map<Channel, Notifier>,
    private readonly fallback: Notifier,
    private readonly opts: DispatcherOptions,
  ) {
    this.writer = new GroupCommit((items) => writeOutcomes(deps, items, opts.leaseMs));
  }

  /** One pass: claim ready deliveries, cancel those whose escalation stopped, send the rest. Returns how many were handled. */
  async runOnce(signal?: AbortSignal): Promise<number> {
    const { deps } = this;
    if (signal?.aborted) return 0;
    const now = deps.clock.now();
    await deps.deliveries.requeueExpired(now);
    const claim = randomUUID();
    const batch = await deps.deliveries.claimReady(now, this.opts.batch, this.opts.leaseMs, claim);
    return this.process(batch, claim, signal);
  }

  /**
   * Sends a step pass's new firings wave by wave and stores each delivery once, with its
   * outcome, right after its send (one write where a queued row would take two or three). Per
   * wave: read the escalations' statuses (an acknowledgement recorded before this read cancels
   * the wave here), send, then store the wave's deliveries (sent, failed, queued for a retry or
   * cancelled) and only then its events: a firing's step event proves its deliveries stored.
   *
   * What keeps each message single (DESIGN.md §2.2-2.3) is the escalation's claim: until its
   * step event exists, a claim younger than `leaseMs` is this pass's alone. Recovery takes over
   * only older claims (Engine `pendingStaleMs`, set to the lease), and a wave is sent only while its claim has a
   * safe margin of that lease left, as `process` does for a delivery's lease; waves past it, and
   * all waves once stopping, are stored queued for the lease-guarded way. An acknowledgement
   * that commits after a wave's read waits for the firing's step event before it answers.
   * One wave at a time across passes (`waveTurns`): at most one wave is ever unrecorded.
   * Returns the escalations whose firings are stored.
   */
  async sendFresh(built: BuiltFiring[], claim: string, claimedAt: Date, signal?: AbortSignal): Promise<Set<string>> {
    const { deps } = this;
    const stored = new Set<string>();
    const waves = wavesOf(built, this.opts.concurrency, deps.clock.now());
    const margin = Math.min(5000, this.opts.leaseMs / 4);
    for (let i = 0; i < waves.length; i++) {
      const wave = waves[i]!;
      const sent = await this.waveTurns.later(async () => {
        const now = deps.clock.now();
        // Stopping, or too late to send under this claim: not this wave (nor the rest).
        if (signal?.aborted || now.getTime() - claimedAt.getTime() > this.opts.leaseMs - margin) return false;
        const due = wave.deliveries.filter((d) => d.nextAttemptAt.getTime() <= now.getTime());
        const { live, stopped } = await this.splitStopped(due, claim);
        for (const d of live) d.handedAt = now;
        const outcomes: Outcome[] = [{ events: wave.events, updates: [], fallbacks: [] }, stopped];
        await pool(live, this.opts.concurrency, async (d) => void outcomes.push(await this.send(d, claim)));
        const o = merge(outcomes);
        const updates = new Map(o.updates.map((u) => [u.id, u.update]));
        const rows = wave.deliveries.map((d) => (updates.has(d.id) ? ({ ...d, ...updates.get(d.id), claim: null, leaseUntil: null } as Delivery) : d));
        // The patient way: these sends happened, and storing them is what keeps them from being sent again.
        const inserted = await storeFresh(deps, { rows, events: o.events, fallbacks: o.fallbacks }, this.opts.leaseMs - margin);
        // Stored first by someone else: only a recovery that took this claim over can have (the claim outlived its lease).
        if (inserted < rows.length + o.fallbacks.length) deps.log.warn({ stored: inserted, wave: rows.length + o.fallbacks.length, escalations: wave.escalations.slice(0, 5) }, 'engine: messages of this pass were stored by another process meanwhile (a claim outlived its lease; they may have gone out twice)');
        return true;
      });
      if (!sent) {
        // Every wave left is stored queued, for the lease-guarded way.
        const rest = mergeWaves(waves.slice(i))!;
        await storeFresh(deps, { rows: rest.deliveries, events: rest.events, fallbacks: [] }, 0);
        for (const id of rest.escalations) stored.add(id);
        break;
      }
      for (const id of wave.escalations) stored.add(id);
    }
    return stored;
  }

  private async process(batch: Delivery[], claim: string, signal?: AbortSignal): Promise<number> {
    const { deps } = this;
    if (batch.length === 0) return 0;
    // Read after the claim: a delivery stored or queued after an acknowledgement committed is
    // seen stopped here; one claimed before it is cancelled by the acknowledgement itself
    // (not handed over yet) and its hand-over below fails.
    const { live, stopped } = await this.splitStopped(batch, claim);
    if (stopped.updates.length > 0) await this.writer.run(stopped);
    // A message is handed over only while this claim still has a safe margin of its lease left:
    // once the lease runs out another pass may requeue and send it, and both must never send.
    const margin = Math.min(5000, this.opts.leaseMs / 4);
    // Handed over (or found cancelled): not ours to give back at the end.
    const touched = new Set<string>();
    const errors: unknown[] = [];
    // Waves of `concurrency`: hand a wave over (one conditional update), send it, write its
    // outcomes while the next wave is handed over, and send that wave only once the previous
    // outcomes are stored. So at most one wave (`concurrency` sends) is ever unrecorded.
    const waves = chunks(live, this.opts.concurrency);
    const handOver = async (wave: Delivery[] | undefined): Promise<Delivery[]> => {
      if (!wave || signal?.aborted) return []; // stopping, or the engine lease was lost: given back below
      const now = deps.clock.now().getTime();
      const ready = wave.filter((d) => !d.leaseUntil || new Date(d.leaseUntil).getTime() - now >= margin);
      if (ready.length === 0) return [];
      const handed = await deps.deliveries.handOver(ready.map((d) => ({ id: d.id, claim })), deps.clock.now());
      for (const d of ready) touched.add(d.id);
      return ready.filter((d) => handed.has(d.id));
    };
    // The next wave, if it may still be handed over (marked touched: its fate is decided now).
    const nextOf = (wave: Delivery[] | undefined): Delivery[] => {
      if (!wave || signal?.aborted) return []; // stopping, or the engine lease was lost: given back below
      const now = deps.clock.now().getTime();
      const ready = wave.filter((d) => !d.leaseUntil || new Date(d.leaseUntil).getTime() - now >= margin);
      for (const d of ready) touched.add(d.id);
      return ready;
    };
    try {
      let current = await handOver(waves[0]);
      for (let i = 0; i < waves.length; i++) {
        const outcomes: Outcome[] = [];
        const failed = await pool(current, this.opts.concurrency, async (d) => void outcomes.push(await this.send(d, claim)));
        errors.push(...failed);
        const merged = merge(outcomes);
        const next = nextOf(waves[i + 1]);
        const handed = await this.writeWave(merged, next.map((d) => ({ id: d.id, claim })));
        current = next.filter((d) => handed.has(d.id));
      }
    } catch (e) {
      errors.push(e);
    }
    // Claimed but never handed over: back to the queue now, not when the lease runs out.
    const rest = live.filter((d) => !touched.has(d.id)).map((d) => d.id);
    if (rest.length > 0) await deps.deliveries.release(rest, claim).catch((e: unknown) => errors.push(e));
    // Only database writes throw here (sends never do): one error for the pass, which the
    // runner logs once per outage, not once per message. Claims left behind expire and requeue.
    if (errors.length > 0) throw errors[0];
    return batch.length;
  }

  /**
   * Records a wave's outcomes and hands the next wave over in the same grouped write (one
   * command on deliveries, one on the timeline). If the database fails, the outcomes are
   * written the patient way (retried until the lease is nearly over) and nothing more is
   * handed over: those claims expire and requeue.
   */
  private async writeWave(o: Outcome, next: { id: string; claim: string }[]): Promise<Set<string>> {
    const { deps } = this;
    try {
      // Fallbacks before the failed status (see writeOutcomes).
      if (o.fallbacks.length > 0) await deps.deliveries.enqueue(o.fallbacks);
      const [handed] = await Promise.all([deps.deliveries.finishAndHandOver(o.updates, next, deps.clock.now()), o.events.length > 0 ? deps.timeline.append(o.events) : null]);
      return handed;
    } catch {
      await this.writer.run(o);
      return new Set();
    }
  }

  /** Reads the escalations' statuses: deliveries of one that stopped (acknowledged, resolved) are cancelled, not sent (their outcome returned unwritten). */
  private async splitStopped(batch: Delivery[], claim: string): Promise<{ live: Delivery[]; stopped: Outcome }> {
    const escIds = [...new Set(batch.map((d) => d.escalationId).filter((x): x is string => !!x))];
    const statuses = escIds.length ? await this.deps.escalations.stoppedAmong(escIds) : new Map<string, string>();
    const stopped: Outcome = { events: [], updates: [], fallbacks: [] };
    const live: Delivery[] = [];
    for (const d of batch) {
      // Only stopped escalations are in the map (acknowledged, resolved, cancelled).
      const st = d.escalationId ? statuses.get(d.escalationId) : undefined;
      if (st) {
        stopped.updates.push({ id: d.id, claim, update: { status: 'cancelled', error: { code: st.toUpperCase(), message: `escalation ${st} before sending` } } });
        stopped.events.push(this.event(d, 'delivery.cancelled', { reason: st }));
      } else live.push(d);
    }
    return { live, stopped };
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

  /** What a notifier may ask right before its provider call: is the escalation still live? */
  private context(d: Delivery): SendContext | undefined {
    const escalationId = d.escalationId;
    if (!escalationId) return undefined;
    return {
      stillWanted: async () => {
        const st = (await this.deps.escalations.statuses([escalationId])).get(escalationId);
        return st === undefined || st === 'active' || st === 'exhausted';
      },
    };
  }

  /** Calls the provider and decides what to record; writes nothing. */
  private async send(d: Delivery, claim: string): Promise<Outcome> {
    const out: Outcome = { events: [], updates: [], fallbacks: [] };
    const { events } = out;
    const finish = (update: Partial<Delivery>) => out.updates.push({ id: d.id, claim, update });
    const { deps } = this;
    const notifier = this.notifiers.get(d.channel) ?? this.fallback;
    const person = deps.directory().person(d.recipient.personId);
    let result: SendResult;
    try {
      result = await notifier.send(d, person, this.context(d));
    } catch (e) {
      result = { ok: false, retryable: true, code: 'EXCEPTION', message: (e as Error).message };
    }
    if (!result.ok && result.code === NOT_WANTED) {
      // Held back by pacing while an acknowledgement landed: nothing went out.
      finish({ status: 'cancelled', error: { code: 'ACKNOWLEDGED', message: result.message } });
      events.push(this.event(d, 'delivery.cancelled', { reason: 'escalation stopped while the message waited for its slot' }));
      return out;
    }
    const now = deps.clock.now();
    // Waiting for a rate limit, a throttle or a provider's pace is not a failed attempt.
    const pacing = isRateLimited(result);
    const attempts = d.attempts + (pacing ? 0 : 1);
    if (result.ok) {
      const outboxed = notifier === this.fallback;
      const lateMs = Math.max(0, now.getTime() - new Date(d.dueAt).getTime());
      finish({ status: outboxed ? 'outboxed' : result.status, attempts, sentAt: now, lateMs, providerId: result.providerId ?? null, error: null, ...(result.status === 'delivered' ? { deliveredAt: now } : {}) });
      events.push(this.event({ ...d, attempts }, outboxed ? 'delivery.outboxed' : 'delivery.sent', { sentAt: now, lateMs, providerId: result.providerId ?? null, via: notifier.name, notSent: outboxed }));
      return out;
    }
    if (pacing) {
      const wait = rateLimitWait(result.retryAfterMs!);
      finish({ status: 'queued', attempts, handedAt: null, nextAttemptAt: new Date(now.getTime() + wait), error: { code: result.code, message: result.message } });
      // One event per wait would flood the timeline under a long limit: keyed by the minute.
      events.push(this.event({ ...d, attempts }, 'delivery.rate_limited', { code: result.code, message: result.message, retryInMs: wait }, `:${Math.floor(now.getTime() / 60_000)}`));
      return out;
    }
    if (result.retryable && attempts < this.opts.maxAttempts) {
      const base = result.retryAfterMs ?? this.opts.backoffMs * 2 ** (attempts - 1);
      const wait = Math.min(300_000, Math.round(base * (0.8 + Math.random() * 0.4)));
      finish({ status: 'queued', attempts, handedAt: null, nextAttemptAt: new Date(now.getTime() + wait), error: { code: result.code, message: result.message } });
      events.push(this.event({ ...d, attempts }, 'delivery.retrying', { code: result.code, message: result.message, retryInMs: wait }));
      return out;
    }
    finish({ status: 'failed', attempts, error: { code: result.code, message: result.message } });
    const fallback = fallbackDelivery(this.deps, d);
    events.push(this.event({ ...d, attempts }, 'delivery.failed', { code: result.code, message: result.message, attempts, fallbackTo: fallback?.channel ?? null }));
    if (fallback) out.fallbacks.push(fallback);
    deps.log.warn({ ticketId: d.ticketId, channel: d.channel, code: result.code, attempts, fallbackTo: fallback?.channel ?? null }, 'delivery failed; falling back or moving on');
    return out;
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
