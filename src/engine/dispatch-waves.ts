// The dispatcher's waves and the writes of their outcomes (src/engine/dispatcher.ts sends them).
import type { AppDeps } from '../app/deps.js';
import type { Delivery } from '../app/ports/deliveries.js';
import type { TimelineEvent } from '../app/ports/timeline.js';
import type { BuiltFiring } from './step-materializer.js';

/** What one send changed: written together, right after the send (see writeOutcomes). */
export interface Outcome {
  events: TimelineEvent[];
  updates: { id: string; claim: string; update: Partial<Delivery> }[];
  fallbacks: Delivery[];
}

/**
 * Writes the outcomes of a group of sends. A failed write (the database went away) is retried
 * until it succeeds or the claims' lease is nearly over: the sends it records happened, and
 * writing them down is what keeps them from being sent again.
 */
export async function writeOutcomes(deps: AppDeps, items: Outcome[], leaseMs: number): Promise<void[]> {
  const all = merge(items);
  await patiently(leaseMs * 0.75, async () => {
    // Fallbacks before the failed status: whoever waits for this delivery's outcome (an
    // acknowledgement) then finds its fallback already queued, and cancels it.
    if (all.fallbacks.length > 0) await deps.deliveries.enqueue(all.fallbacks);
    await Promise.all([all.updates.length > 0 ? deps.deliveries.finishMany(all.updates) : null, all.events.length > 0 ? deps.timeline.append(all.events) : null]);
  });
  return items.map(() => undefined);
}

/** Runs a write until it succeeds, waiting 100 ms, 200 ms… (at most 2 s) between tries, for up to `patienceMs`; then throws its error. */
async function patiently<T>(patienceMs: number, write: () => Promise<T>): Promise<T> {
  const end = Date.now() + patienceMs;
  for (let wait = 100; ; wait = Math.min(2000, wait * 2)) {
    try {
      return await write();
    } catch (e) {
      if (Date.now() + wait >= end) throw e;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/**
 * Stores a fresh wave: its deliveries (with their fallbacks) first, then its events, since a
 * firing's step event is what says its deliveries exist. A row whose key is stored already
 * (a recovery stored it) is left as stored. A failed write is retried for up to `patienceMs`.
 * Returns how many of its rows are stored under their own ids (not taken over by a recovery).
 */
export async function storeFresh(deps: AppDeps, w: { rows: Delivery[]; events: TimelineEvent[]; fallbacks: Delivery[] }, patienceMs: number): Promise<number> {
  const all = [...w.rows, ...w.fallbacks];
  let inserted: number | null = null;
  return patiently(patienceMs, async () => {
    // After a failed try, rows it stored exist already: enqueue counts them as ours (same ids).
    inserted ??= await deps.deliveries.enqueue(all);
    if (w.events.length > 0) await deps.timeline.append(w.events);
    return inserted;
  });
}

export interface Wave {
  deliveries: Delivery[];
  events: TimelineEvent[];
  escalations: string[];
}

/**
 * Cuts a pass's firings into waves of at most `size` deliveries due now (deferred ones ride
 * along); a firing's events go with the wave that holds its last delivery.
 */
export function wavesOf(built: BuiltFiring[], size: number, now: Date): Wave[] {
  const waves: Wave[] = [];
  let cur: Wave = { deliveries: [], events: [], escalations: [] };
  let n = 0;
  for (const b of built) {
    for (const d of b.deliveries) {
      if (n >= size) {
        waves.push(cur);
        cur = { deliveries: [], events: [], escalations: [] };
        n = 0;
      }
      cur.deliveries.push(d);
      if (d.nextAttemptAt.getTime() <= now.getTime()) n++;
    }
    cur.events.push(...b.events);
    cur.escalations.push(b.escalationId);
  }
  if (cur.escalations.length > 0) waves.push(cur);
  return waves;
}

export function mergeWaves(waves: Wave[]): Wave | undefined {
  if (waves.length === 0) return undefined;
  return { deliveries: waves.flatMap((w) => w.deliveries), events: waves.flatMap((w) => w.events), escalations: waves.flatMap((w) => w.escalations) };
}

export function merge(outcomes: Outcome[]): Outcome {
  return { events: outcomes.flatMap((o) => o.events), updates: outcomes.flatMap((o) => o.updates), fallbacks: outcomes.flatMap((o) => o.fallbacks) };
}
