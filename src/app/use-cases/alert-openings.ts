import { randomUUID } from 'node:crypto';
import { DomainError } from '../../domain/errors.js';
import type { Impact, Priority, Ticket } from '../../domain/ticket.js';
import { isOpen } from '../../domain/ticket.js';
import type { AppDeps } from '../deps.js';
import type { Actor, TimelineEvent } from '../ports/timeline.js';
import { releaseAlertKey } from './alert-keys.js';
import type { CheckedOpen } from './tickets.js';
import { buildTicket, checkOpen, event, openTicket, openedEvent, withOpeningOwed } from './tickets.js';

// Opening alert tickets (issue 18): the grouped opening of the keys that need a ticket, and
// the one-at-a-time path for a key held by a ticket another process is still creating. The
// intake that counts repeats and calls these is in alerts.ts.

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

/** One alert waiting for its answer. */
export interface Waiter {
  input: AlertInput;
  actor: Actor;
  resolve(v: AlertOutcome): void;
  reject(e: unknown): void;
}

export interface OpenAsk {
  key: string;
  batch: Waiter[];
}
/** opened: the key's new ticket (every waiter answered); held: another ticket holds the key; refused: every waiter refused. */
export type OpenResult = { kind: 'opened'; ticket: Ticket } | { kind: 'held' } | { kind: 'refused' };

/** One `alert.repeated` event per key per batch: the count it reached, how many repeats the batch added, and the last one's text. */
export function repeatEvent(deps: AppDeps, saved: Ticket, ws: Waiter[], now: Date): TimelineEvent {
  const last = ws.at(-1)!;
  return event(deps, saved.id, 'alert.repeated', now, last.actor, { count: saved.alertCount, repeats: ws.length, title: last.input.title, description: last.input.description ?? null });
}

const openInput = (input: AlertInput, id?: string) => ({ ...input, id, source: 'alert' as const, alertKey: input.dedupKey, requesterId: null });

/**
 * Opens a ticket for each asking key, grouped: per key the first alert that may open one
 * (those refused before it are answered with their error) opens it, counting all the key's
 * alerts of the batch. One insert claims the keys (a key another ticket holds is left to the
 * one-at-a-time path), one `$inc` takes a block of numbers, one insert writes the tickets,
 * one timeline write their events. A crash before the tickets are written leaves keys
 * claimed for a ticket that does not exist: taken over after CREATOR_GRACE_MS, as before.
 */
export async function openGrouped(deps: AppDeps, asks: OpenAsk[]): Promise<OpenResult[]> {
  const out: OpenResult[] = asks.map(() => ({ kind: 'refused' }));
  const opening: { i: number; id: string; opener: Waiter; checked: CheckedOpen; count: Waiter[] }[] = [];
  asks.forEach((a, i) => {
    while (a.batch.length > 0) {
      const w = a.batch[0]!;
      try {
        const checked = checkOpen(deps, openInput(w.input), w.actor);
        opening.push({ i, id: randomUUID(), opener: w, checked, count: a.batch });
        return;
      } catch (e) {
        a.batch.shift();
        w.reject(e);
      }
    }
  });
  if (opening.length === 0) return out;
  const now = deps.clock.now();
  const won = await deps.alertKeys.claimMany(opening.map((o) => ({ key: asks[o.i]!.key, ticketId: o.id, count: o.count.length })), now);
  for (const o of opening) if (!won.has(asks[o.i]!.key)) out[o.i] = { kind: 'held' };
  const mine = opening.filter((o) => won.has(asks[o.i]!.key));
  if (mine.length === 0) return out;
  let tickets: Ticket[];
  try {
    const first = await deps.tickets.nextNumbers(mine.length);
    tickets = mine.map((o, k) => {
      const t = buildTicket(openInput(o.opener.input, o.id), o.opener.actor, o.checked, first + k, now);
      return withOpeningOwed(deps, { ...t, alertCount: o.count.length }, o.opener.actor);
    });
    // Fresh ids: nobody else can have stored them.
    await deps.tickets.insertMany(tickets);
  } catch (e) {
    // Free the keys at once, so the next alert opens instead of waiting out the grace period.
    await deps.alertKeys.releaseMany(mine.map((o) => ({ key: asks[o.i]!.key, ticketId: o.id }))).catch((err: unknown) => deps.log.warn({ err }, 'could not release alert keys'));
    throw e;
  }
  const events = mine.flatMap((o, k) => {
    const t = tickets[k]!;
    const rest = o.count.slice(1);
    return [openedEvent(deps, t, o.opener.actor), ...(rest.length > 0 ? [repeatEvent(deps, t, rest, now)] : [])];
  });
  await Promise.all([deps.timeline.append(events), deps.alertKeys.markOpenMany(mine.map((o) => ({ key: asks[o.i]!.key, ticketId: o.id })))]);
  deps.nudge?.();
  mine.forEach((o, k) => {
    const ticket = tickets[k]!;
    o.count.forEach((w) => w.resolve({ ticket, created: w === o.opener }));
    out[o.i] = { kind: 'opened', ticket };
  });
  return out;
}

/** One alert on its own: claims the key (or finds its holder), opens or counts. */
export async function intakeOne(deps: AppDeps, input: AlertInput, actor: Actor): Promise<AlertOutcome> {
  const key = input.dedupKey;
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = randomUUID();
    const now = deps.clock.now();
    const claim = await deps.alertKeys.claim(key, candidate, now, 1);
    if (claim.owner) return openClaimed(deps, input, actor, candidate);
    const existing = await deps.tickets.get(claim.ticketId);
    if (!existing) {
      // Its creator is still writing it, or died before it could: past the grace period the
      // key is taken over for our candidate, which we then open (else it would stay held by a
      // ticket nobody writes).
      if (now.getTime() - new Date(claim.at).getTime() > CREATOR_GRACE_MS && (await deps.alertKeys.takeOver(key, claim.ticketId, candidate, now))) {
        return openClaimed(deps, input, actor, candidate);
      }
      await new Promise((r) => setTimeout(r, 20 + attempt * 10));
      continue;
    }
    // Resolved (or closed): the key is free for a new ticket.
    if (!isOpen(existing)) {
      await releaseAlertKey(deps, key, existing.id);
      continue;
    }
    // Written but not marked open (its creator died in between), or stored without a count (an older Esc).
    if (claim.state !== 'open' || attempt > 0) await deps.alertKeys.markOpen(key, existing.id, existing.alertCount);
    const n = await deps.alertKeys.count(key, existing.id, 1);
    if (n === null) continue;
    await deps.timeline.append([event(deps, existing.id, 'alert.repeated', now, actor, { count: n, title: input.title, description: input.description ?? null })]);
    return { ticket: { ...existing, alertCount: n }, created: false };
  }
  // Another process holds the key for a ticket it is still writing (or it died and the grace
  // period has not run out): a retryable refusal (503 + Retry-After), never a 500.
  throw new DomainError('BUSY', `Alert key "${key}" is being opened by another Esc process; retry in a few seconds.`, { retryAfterSeconds: 5 });
}

/** Opens the ticket of a key this caller holds for `candidate`. */
async function openClaimed(deps: AppDeps, input: AlertInput, actor: Actor, candidate: string): Promise<AlertOutcome> {
  let ticket: Ticket;
  try {
    ticket = await openTicket(deps, openInput(input, candidate), actor);
  } catch (e) {
    // Refused (unknown team, bad input) or failed: free the key at once, so the next valid
    // alert with it opens a ticket instead of waiting out the creator's grace period.
    await deps.alertKeys.release(input.dedupKey, candidate).catch((err: unknown) => deps.log.warn({ err, dedupKey: input.dedupKey }, 'could not release an alert key'));
    throw e;
  }
  await deps.alertKeys.markOpen(input.dedupKey, candidate);
  return { ticket, created: true };
}
