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
  /** Keys whose ticket is being settled one alert at a time, with the alerts that came meanwhile. */
  private readonly settling = new Map<string, Waiter[]>();
  /**
   * The open ticket of each key as this process last saw it, so a storm costs no read of the
   * keys. Never trusted blindly: the count only applies to a ticket still open, else the key
   * is settled from the database.
   */
  private readonly known = new Map<string, string>();

  constructor(private readonly deps: AppDeps) {}

  submit(input: AlertInput, actor: Actor): Promise<AlertOutcome> {
    return new Promise((resolve, reject) => {
      this.pending.push({ input, actor, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    // The first alert waits one turn of the event loop for the others that arrived with it.
    setImmediate(() => void this.drain());
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
    for (const [key, ws] of byKey) {
      const held = this.settling.get(key);
      if (!held) continue;
      byKey.delete(key);
      held.push(...ws);
    }
    if (byKey.size === 0) return;
    const unknown = [...byKey.keys()].filter((k) => !this.known.has(k));
    const holders = unknown.length > 0 ? await deps.alertKeys.getMany(unknown) : new Map<string, { ticketId: string; state: 'creating' | 'open' }>();
    const now = deps.clock.now();
    const events: TimelineEvent[] = [];
    const answers: (() => void)[] = [];
    const slow: [string, Waiter[]][] = [];
    const target = new Map<string, string>();
    for (const key of byKey.keys()) {
      const h = holders.get(key);
      const ticketId = this.known.get(key) ?? (h?.state === 'open' ? h.ticketId : null);
      if (ticketId) target.set(key, ticketId);
    }
    const counted = await deps.tickets.addAlertRepeatsMany([...target].map(([key, id]) => ({ id, count: byKey.get(key)!.length })), now);
    for (const [key, ws] of byKey) {
      const saved = counted.get(target.get(key) ?? '') ?? null;
      if (!saved) {
        this.known.delete(key);
        slow.push([key, ws]);
        continue;
      }
      this.known.set(key, saved.id);
      events.push(...repeatEvents(deps, saved, ws, now));
      answers.push(() => ws.forEach((w) => w.resolve({ ticket: saved, created: false })));
    }
    await deps.timeline.append(events);
    answers.forEach((a) => a());
    // New keys, keys whose ticket resolved meanwhile, keys another request is opening: settled
    // beside the groups (opening a ticket takes many round trips), one key at a time.
    for (const [key, ws] of slow) this.settle(key, ws);
  }

  /** Settles the key's ticket with its first alert; the alerts held meanwhile then join the next group. */
  private settle(key: string, ws: Waiter[]): void {
    this.settling.set(key, []);
    void this.oneKey(ws)
      .catch((e: unknown) => ws.forEach((w) => w.reject(e)))
      .then(() => {
        const held = this.settling.get(key) ?? [];
        this.settling.delete(key);
        if (held.length === 0) return;
        this.pending.push(...held);
        this.kick();
      });
  }

  /** The first alert of a key settles its ticket (maybe opening one); the others of the group count on it at once. */
  private async oneKey(ws: Waiter[]): Promise<void> {
    const [first, ...rest] = ws as [Waiter, ...Waiter[]];
    const out = await intakeOne(this.deps, first.input, first.actor);
    first.resolve(out);
    this.known.set(first.input.dedupKey, out.ticket.id);
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

/**
 * One `alert.repeated` event per key per group: the count it reached, how many repeats the
 * group added, and the last one's text (a storm would otherwise write one event per alert).
 */
function repeatEvents(deps: AppDeps, saved: Ticket, ws: Waiter[], now: Date): TimelineEvent[] {
  const last = ws.at(-1)!;
  return [event(deps, saved.id, 'alert.repeated', now, last.actor, { count: saved.alertCount, repeats: ws.length, title: last.input.title, description: last.input.description ?? null })];
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
