import { randomUUID } from 'node:crypto';
import type { Impact, Priority, Ticket } from '../../domain/ticket.js';
import type { AppDeps } from '../deps.js';
import type { Actor, TimelineEvent } from '../ports/timeline.js';
import { event, openTicket } from './tickets.js';

export interface AlertInput {
  dedupKey: string;
  title: string;
  description?: string;
  priority: Priority;
  impact?: Impact;
  teamId?: string;
  source?: string;
}

export interface AlertOutcome {
  ticket: Ticket;
  created: boolean;
}

/** A ticket being created by another request gets this long before we take its key over. */
const CREATOR_GRACE_MS = 30_000;
/** Alerts taken into one group at most (the rest wait for the next). */
const MAX_GROUP = 1000;

/**
 * Alert intake for monitoring systems. One open ticket per dedup key: a repeat while it is
 * open adds to it; a trigger after it resolved opens a new one. Safe under concurrent copies.
 *
 * Grouped (issue 18): alerts that arrive while a group is being written wait for the next
 * group, so a storm costs per group, not per alert: one read of the keys' holders, then one
 * atomic `$inc` per key (all keys at once) and one grouped timeline write for every repeat.
 * Each caller is answered only after its repeat is counted, so an answered alert is never
 * lost; a crash in the middle leaves the unanswered ones for the sender to retry.
 */
export function intakeAlert(deps: AppDeps, input: AlertInput, actor: Actor): Promise<AlertOutcome> {
  let q = queues.get(deps);
  if (!q) queues.set(deps, (q = new AlertGroups(deps)));
  return q.submit(input, actor);
}

const queues = new WeakMap<AppDeps, AlertGroups>();

interface Waiter {
  input: AlertInput;
  actor: Actor;
  resolve(v: AlertOutcome): void;
  reject(e: unknown): void;
}

class AlertGroups {
  private pending: Waiter[] = [];
  private running = false;

  constructor(private readonly deps: AppDeps) {}

  submit(input: AlertInput, actor: Actor): Promise<AlertOutcome> {
    return new Promise((resolve, reject) => {
      this.pending.push({ input, actor, resolve, reject });
      if (this.running) return;
      this.running = true;
      // The first alert waits one turn of the event loop for the others that arrived with it.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const group = this.pending.splice(0, MAX_GROUP);
      await this.write(group).catch((e: unknown) => group.forEach((w) => w.reject(e)));
    }
    this.running = false;
  }

  private async write(group: Waiter[]): Promise<void> {
    const { deps } = this;
    const byKey = new Map<string, Waiter[]>();
    for (const w of group) byKey.set(w.input.dedupKey, [...(byKey.get(w.input.dedupKey) ?? []), w]);
    const holders = await deps.alertKeys.getMany([...byKey.keys()]);
    const now = deps.clock.now();
    const events: TimelineEvent[] = [];
    const answers: (() => void)[] = [];
    const slow: Waiter[][] = [];
    await Promise.all(
      [...byKey].map(async ([key, ws]) => {
        const h = holders.get(key);
        const saved = h?.state === 'open' ? await deps.tickets.addAlertRepeats(h.ticketId, ws.length, now) : null;
        if (!saved) return void slow.push(ws);
        events.push(...repeatEvents(deps, saved, ws, now));
        answers.push(() => ws.forEach((w) => w.resolve({ ticket: saved, created: false })));
      }),
    );
    // The counts are stored; the events of the group go in one write, then the callers hear.
    await deps.timeline.append(events);
    answers.forEach((a) => a());
    // New keys, keys whose ticket resolved meanwhile, keys another request is opening.
    await Promise.all(slow.map((ws) => this.oneKey(ws).catch((e: unknown) => ws.forEach((w) => w.reject(e)))));
  }

  /** The first alert of a key settles its ticket (maybe opening one); the others of the group count on it at once. */
  private async oneKey(ws: Waiter[]): Promise<void> {
    const [first, ...rest] = ws as [Waiter, ...Waiter[]];
    const out = await intakeOne(this.deps, first.input, first.actor);
    first.resolve(out);
    if (rest.length === 0) return;
    const now = this.deps.clock.now();
    const saved = await this.deps.tickets.addAlertRepeats(out.ticket.id, rest.length, now);
    if (!saved) {
      for (const w of rest) await intakeOne(this.deps, w.input, w.actor).then(w.resolve, w.reject);
      return;
    }
    await this.deps.timeline.append(repeatEvents(this.deps, saved, rest, now));
    rest.forEach((w) => w.resolve({ ticket: saved, created: false }));
  }
}

/** One `alert.repeated` event per repeat, numbered up to the stored count. */
function repeatEvents(deps: AppDeps, saved: Ticket, ws: Waiter[], now: Date): TimelineEvent[] {
  return ws.map((w, i) =>
    event(deps, saved.id, 'alert.repeated', now, w.actor, { count: saved.alertCount - ws.length + i + 1, title: w.input.title, description: w.input.description ?? null }),
  );
}

/** One alert on its own: claims the key (or finds its holder), opens or counts. */
async function intakeOne(deps: AppDeps, input: AlertInput, actor: Actor): Promise<AlertOutcome> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = randomUUID();
    const now = deps.clock.now();
    const claim = await deps.alertKeys.claim(input.dedupKey, candidate, now);
    if (claim.owner) {
      let ticket: Ticket;
      try {
        ticket = await openTicket(deps, { ...input, id: candidate, source: 'alert', alertKey: input.dedupKey, requesterId: null }, actor);
      } catch (e) {
        // Refused (unknown team, bad input) or failed: free the key at once, so the next valid
        // alert with it opens a ticket instead of waiting out the creator's grace period.
        await deps.alertKeys.release(input.dedupKey, candidate).catch((err: unknown) => deps.log.warn({ err, dedupKey: input.dedupKey }, 'could not release an alert key'));
        throw e;
      }
      await deps.alertKeys.markOpen(input.dedupKey, candidate);
      return { ticket, created: true };
    }
    const saved = await deps.tickets.addAlertRepeats(claim.ticketId, 1, now);
    if (saved) {
      await deps.timeline.append([event(deps, saved.id, 'alert.repeated', now, actor, { count: saved.alertCount, title: input.title, description: input.description ?? null })]);
      return { ticket: saved, created: false };
    }
    const existing = await deps.tickets.get(claim.ticketId);
    if (!existing) {
      // Its creator is still writing it, or died before it could.
      if (now.getTime() - new Date(claim.at).getTime() > CREATOR_GRACE_MS) await deps.alertKeys.takeOver(input.dedupKey, claim.ticketId, candidate, now);
      await new Promise((r) => setTimeout(r, 20 + attempt * 10));
      continue;
    }
    // Resolved (or closed): the key is free for a new ticket.
    await deps.alertKeys.release(input.dedupKey, existing.id);
  }
  throw new Error(`alert ${input.dedupKey}: could not settle on a ticket`);
}
