import type { Ticket } from '../../domain/ticket.js';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../ports/timeline.js';
import type { OpenTicketInput } from './tickets.js';
import { buildTicket, checkOpen, openedEvent, withOpeningOwed } from './tickets.js';
import type { CheckedOpen } from './tickets.js';
import { startClock } from '../../domain/sla/sla-clock.js';
import type { SlaClock, SlaPolicy } from '../../domain/sla/sla-clock.js';
import type { BusinessCalendar } from '../../domain/sla/calendar.js';
import type { WriteTurn } from '../../lib/write-turns.js';

export type Opened = { ok: true; ticket: Ticket; created: boolean } | { ok: false; error: Error };

/**
 * Opens several tickets with grouped writes (issue 18): one read for tickets that already
 * exist (a retried or recovered request), one block of numbers (`$inc` by the group's size),
 * one insert of the tickets, one timeline write of their `ticket.opened` events (keyed by the
 * ticket: written twice, stored once). Every input carries its ticket id, so doing a group
 * again after a crash opens nothing twice. What follows an opening (team post, a plan that
 * starts on open) is stored with each ticket and carried out by the engine (ticket-reactions).
 */
export async function openTicketsGrouped(deps: AppDeps, items: { input: OpenTicketInput & { id: string }; actor: Actor }[]): Promise<Opened[]> {
  const out = await insertTicketsGrouped(deps, items);
  await afterOpenMany(deps, out);
  return out;
}

/**
 * The grouped writes of openTicketsGrouped, without what follows an opening (afterOpenMany).
 * `repeated`: the caller does the same group again after a crash until it has succeeded (the
 * ticket intake): the timeline's marks are then written once (TimelineRepository.append).
 * `turn`: runs each write when the caller's turns allow (the intake's WriteTurns).
 * A crash between two parts of the ticket insert leaves the numbers of the parts not stored
 * unused when the group is done again (a gap, as for a crash between the block and the insert).
 */
export async function insertTicketsGrouped(
  deps: AppDeps,
  items: { input: OpenTicketInput & { id: string }; actor: Actor }[],
  opts: { repeated?: boolean; turn?: WriteTurn; insertPart?: number } = {},
): Promise<Opened[]> {
  const turn: WriteTurn = opts.turn ?? ((write) => write());
  const out: (Opened | undefined)[] = items.map(() => undefined);
  const checked = items.map((it, i) => {
    try {
      return checkOpen(deps, it.input, it.actor);
    } catch (e) {
      out[i] = { ok: false, error: e as Error };
      return null;
    }
  });
  const valid = items.map((_, i) => i).filter((i) => checked[i]);
  const existing = valid.length > 0 ? await deps.tickets.getMany(valid.map((i) => items[i]!.input.id)) : new Map<string, Ticket>();
  for (const i of valid) {
    const t = existing.get(items[i]!.input.id);
    if (t) out[i] = { ok: true, ticket: t, created: false };
  }
  const fresh = valid.filter((i) => !out[i]);
  if (fresh.length > 0) {
    // Numbers in one block, handed out in the order the requests came.
    const first = await turn(() => deps.tickets.nextNumbers(fresh.length));
    const now = deps.clock.now();
    const clock = sameClocks(now);
    const built = fresh.map((i, k) => withOpeningOwed(deps, buildTicket(items[i]!.input, items[i]!.actor, checked[i]!, first + k, now, clock(checked[i]!)), items[i]!.actor));
    // In parts of `insertPart` when the caller takes turns (the largest write of a group: a
    // ticket has ten indexes): a part is what an acknowledgement may wait behind.
    const already = new Set<string>();
    const part = opts.insertPart ?? built.length;
    for (let k = 0; k < built.length; k += part) for (const id of await turn(() => deps.tickets.insertMany(built.slice(k, k + part)))) already.add(id);
    // Stored meanwhile by another process (its number wins; ours stays unused: a gap).
    const raced = already.size > 0 ? await deps.tickets.getMany([...already]) : new Map<string, Ticket>();
    fresh.forEach((i, k) => {
      const t = built[k]!;
      out[i] = already.has(t.id) ? { ok: true, ticket: raced.get(t.id)!, created: false } : { ok: true, ticket: t, created: true };
    });
  }
  const opened = out.map((o, i) => (o?.ok ? { ticket: o.ticket, actor: items[i]!.actor } : null)).filter((x) => x !== null);
  // Every ticket's opening event, also for those found stored (a crash may have come between).
  const events = opened.map((o) => openedEvent(deps, o.ticket, o.actor));
  const evPart = opts.insertPart ? opts.insertPart * 2 : events.length;
  for (let k = 0; k < events.length; k += evPart) await turn(() => deps.timeline.append(events.slice(k, k + evPart), { repeated: opts.repeated }));
  return out.map((o) => o!);
}

/**
 * SLA clocks of tickets opened at the same instant: one business-calendar computation per
 * policy and calendar (luxon zone maths, the costliest part of building a ticket), a copy
 * for each ticket.
 */
function sameClocks(now: Date): (c: CheckedOpen) => SlaClock {
  const done = new Map<SlaPolicy, Map<BusinessCalendar, SlaClock>>();
  return (c) => {
    let byCal = done.get(c.policy);
    if (!byCal) done.set(c.policy, (byCal = new Map()));
    let s = byCal.get(c.cal);
    if (!s) byCal.set(c.cal, (s = startClock(c.policy, c.cal, now)));
    const copy = (d: Date | null) => (d ? new Date(d.getTime()) : null);
    return { ...s, startedAt: new Date(now.getTime()), responseDueAt: copy(s.responseDueAt), resolutionDueAt: copy(s.resolutionDueAt) };
  };
}

/** After a group: what the openings owe is stored with the tickets; wake the engine to carry it out. */
export async function afterOpenMany(deps: AppDeps, opened: Opened[]): Promise<void> {
  if (opened.some((o) => o.ok)) deps.nudge?.();
}
