import { randomUUID } from 'node:crypto';
import { DomainError } from '../../domain/errors.js';
import type { Impact, Priority, Ticket, TicketSource } from '../../domain/ticket.js';
import { isOpen } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import { startClock } from '../../domain/sla/sla-clock.js';
import type { SlaClock } from '../../domain/sla/sla-clock.js';
import { actorMaySee, authorize } from '../authorize.js';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../ports/timeline.js';
import type { TicketFilter } from '../ports/tickets.js';
import { event, requireTicket, requireVisibleTicket, touchTicket } from './ticket-access.js';
import { openedReaction, withReaction } from '../../domain/ticket-reaction.js';
import { owesOpening } from './ticket-announce.js';

// The ticket API the adapters use (the helpers live where the other use cases import them without a cycle).
export { changeTicket } from './change-ticket.js';
export { event, requireTicket, requireVisibleTicket } from './ticket-access.js';

export interface OpenTicketInput {
  title: string;
  description?: string;
  priority: Priority;
  impact?: Impact;
  teamId?: string;
  requesterId?: string | null;
  assigneeId?: string | null;
  source: TicketSource;
  alertKey?: string | null;
  /** Pre-chosen id (alert intake reserves it before creating). */
  id?: string;
  /** Opened confidential (issue 16): allowed to those who may mark a ticket confidential. */
  confidential?: boolean;
}

/** Opens a ticket: a unique number, its SLA clock started on the team's calendar, an event on its timeline. */
export async function openTicket(deps: AppDeps, input: OpenTicketInput, actor: Actor): Promise<Ticket> {
  const checked = checkOpen(deps, input, actor);
  const now = deps.clock.now();
  const ticket = withOpeningOwed(deps, buildTicket(input, actor, checked, await deps.tickets.nextNumber(), now), actor);
  await deps.tickets.insert(ticket);
  await deps.timeline.append([openedEvent(deps, ticket, actor)]);
  deps.nudge?.();
  return ticket;
}

export interface CheckedOpen {
  teamId: string;
  policy: NonNullable<ReturnType<ReturnType<AppDeps['directory']>['slaPolicy']>>;
  cal: ReturnType<ReturnType<AppDeps['directory']>['calendarFor']>;
}

/** Who may open it and whether its team, people and priority exist: refuses with a DomainError. */
export function checkOpen(deps: AppDeps, input: OpenTicketInput, actor: Actor): CheckedOpen {
  const dir = deps.directory();
  authorize(deps, actor, input.requesterId && input.requesterId !== actor.personId ? 'open_for_other' : 'open');
  const teamId = input.teamId ?? dir.org.defaultTeamId;
  if (!dir.team(teamId)) throw new DomainError('UNKNOWN_TEAM', `There is no team "${teamId}". Teams: ${dir.allTeams().map((t) => t.id).join(', ')}.`, { field: 'teamId' });
  for (const [field, pid] of [['requesterId', input.requesterId], ['assigneeId', input.assigneeId]] as const) {
    if (pid && !dir.person(pid)) throw new DomainError('UNKNOWN_PERSON', `There is no person "${pid}" in the directory.`, { field });
  }
  // As `confidential <ticket>` later: judged on the ticket it would be (its team, requester, assignee).
  if (input.confidential) authorize(deps, actor, 'mark_confidential', { teamId, assigneeId: input.assigneeId ?? null, requesterId: input.requesterId ?? actor.personId ?? null });
  const policy = dir.slaPolicy(input.priority);
  const cal = dir.calendarFor(teamId, input.priority);
  if (!policy) throw new DomainError('VALIDATION', `No SLA policy for ${input.priority}.`, { field: 'priority' });
  return { teamId, policy, cal };
}

/** `sla`: the clock when the caller already has it (tickets opened together share `now`); computed otherwise. */
export function buildTicket(input: OpenTicketInput, actor: Actor, c: CheckedOpen, number: number, now: Date, sla: SlaClock = startClock(c.policy, c.cal, now)): Ticket {
  return {
    id: input.id ?? randomUUID(),
    number,
    title: input.title.trim(),
    description: input.description?.trim() ?? '',
    requesterId: input.requesterId ?? actor.personId ?? null,
    priority: input.priority,
    impact: input.impact ?? 'medium',
    teamId: c.teamId,
    assigneeId: input.assigneeId ?? null,
    status: input.assigneeId ? 'assigned' : 'new',
    sla,
    elevated: false,
    escalated: false,
    level: 0,
    source: input.source,
    alertKey: input.alertKey ?? null,
    alertCount: input.alertKey ? 1 : 0,
    reopenCount: 0,
    acknowledgedBy: null,
    acknowledgedAt: null,
    resolvedBy: null,
    resolvedAt: null,
    resolution: null,
    createdAt: now,
    updatedAt: now,
    version: 0,
    ...(input.confidential ? { confidential: true } : {}),
  };
}

/** The `ticket.opened` event, keyed by the ticket: written again after a crash, it is stored once. */
export function openedEvent(deps: AppDeps, ticket: Ticket, actor: Actor) {
  return event(
    deps,
    ticket.id,
    'ticket.opened',
    ticket.createdAt,
    actor,
    {
      number: ticket.number,
      key: formatTicketKey(ticket.number),
      title: ticket.title,
      priority: ticket.priority,
      impact: ticket.impact,
      teamId: ticket.teamId,
      assigneeId: ticket.assigneeId,
      responseDueAt: ticket.sla.responseDueAt,
      resolutionDueAt: ticket.sla.resolutionDueAt,
      source: ticket.source,
      ...(ticket.confidential ? { confidential: true } : {}),
    },
    `ticket.opened:${ticket.id}`,
  );
}

/**
 * What the opening owes (the team-channel post, a plan that starts on open) is stored in the
 * ticket's own write, and the engine's ticket-reactions module carries it out: a crash loses
 * nothing. Nothing owed (no channel, the plan waits for the breach): no reaction, no engine work.
 */
export function withOpeningOwed(deps: AppDeps, ticket: Ticket, actor: Actor): Ticket {
  return owesOpening(deps, ticket) ? withReaction(ticket, openedReaction(ticket, actor)) : ticket;
}

export async function commentOnTicket(deps: AppDeps, ref: string | number, text: string, actor: Actor) {
  const t = await requireTicket(deps, ref);
  authorize(deps, actor, 'comment', t);
  const e = event(deps, t.id, 'ticket.commented', deps.clock.now(), actor, { text });
  await deps.timeline.append([e]);
  // A comment is an update: an acknowledged ticket is not chased while people work on it.
  if (isOpen(t)) await touchTicket(deps, t.id);
  return e;
}

/** Tickets matching the filter; with a viewer, only those they may see (confidential ones are left out). */
export async function listTickets(deps: AppDeps, filter: TicketFilter, limit = 50, skip = 0, viewer?: Actor) {
  const list = await deps.tickets.list(filter, Math.min(Math.max(limit, 1), 500), skip);
  return viewer ? list.filter((t) => actorMaySee(deps, viewer, t)) : list;
}

export async function ticketTimeline(deps: AppDeps, ref: string | number, viewer?: Actor) {
  const t = await requireVisibleTicket(deps, ref, viewer);
  return { ticket: t, events: await deps.timeline.forTicket(t.id) };
}
