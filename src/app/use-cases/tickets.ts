import { randomUUID } from 'node:crypto';
import { DomainError } from '../../domain/errors.js';
import type { Impact, Priority, Ticket, TicketAction, TicketSource } from '../../domain/ticket.js';
import { applyTicketAction, isOpen } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import { startClock } from '../../domain/sla/sla-clock.js';
import { authorize } from '../authorize.js';
import type { AppDeps } from '../deps.js';
import type { Actor, TimelineEvent } from '../ports/timeline.js';
import type { TicketFilter } from '../ports/tickets.js';
import { majorTicketChanged } from './major.js';

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
}

export function event(deps: Pick<AppDeps, 'newId'>, ticketId: string, type: string, at: Date, actor: Actor | null, data: Record<string, unknown> = {}, key?: string): TimelineEvent {
  const id = deps.newId();
  return { id, key: key ?? id, ticketId, at, type, actor, data };
}

/** Opens a ticket: a unique number, its SLA clock started on the team's calendar, an event on its timeline. */
export async function openTicket(deps: AppDeps, input: OpenTicketInput, actor: Actor): Promise<Ticket> {
  const dir = deps.directory();
  authorize(deps, actor, input.requesterId && input.requesterId !== actor.personId ? 'open_for_other' : 'open');
  const teamId = input.teamId ?? dir.org.defaultTeamId;
  if (!dir.team(teamId)) throw new DomainError('UNKNOWN_TEAM', `There is no team "${teamId}". Teams: ${dir.allTeams().map((t) => t.id).join(', ')}.`, { field: 'teamId' });
  for (const [field, pid] of [['requesterId', input.requesterId], ['assigneeId', input.assigneeId]] as const) {
    if (pid && !dir.person(pid)) throw new DomainError('UNKNOWN_PERSON', `There is no person "${pid}" in the directory.`, { field });
  }
  const policy = dir.slaPolicy(input.priority);
  const cal = dir.calendarFor(teamId, input.priority);
  if (!policy) throw new DomainError('VALIDATION', `No SLA policy for ${input.priority}.`, { field: 'priority' });
  const now = deps.clock.now();
  const number = await deps.tickets.nextNumber();
  const ticket: Ticket = {
    id: input.id ?? randomUUID(),
    number,
    title: input.title.trim(),
    description: input.description?.trim() ?? '',
    requesterId: input.requesterId ?? actor.personId ?? null,
    priority: input.priority,
    impact: input.impact ?? 'medium',
    teamId,
    assigneeId: input.assigneeId ?? null,
    status: input.assigneeId ? 'assigned' : 'new',
    sla: startClock(policy, cal, now),
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
  };
  await deps.tickets.insert(ticket);
  await deps.timeline.append([
    event(deps, ticket.id, 'ticket.opened', now, actor, {
      number,
      key: formatTicketKey(number),
      title: ticket.title,
      priority: ticket.priority,
      impact: ticket.impact,
      teamId,
      assigneeId: ticket.assigneeId,
      responseDueAt: ticket.sla.responseDueAt,
      resolutionDueAt: ticket.sla.resolutionDueAt,
      source: ticket.source,
    }),
  ]);
  deps.nudge?.();
  return ticket;
}

/** Finds a ticket by id or number, or refuses with NOT_FOUND. */
export async function requireTicket(deps: AppDeps, ref: string | number): Promise<Ticket> {
  const t = typeof ref === 'number' ? await deps.tickets.getByNumber(ref) : await deps.tickets.get(ref);
  if (!t) throw new DomainError('NOT_FOUND', `There is no ticket ${typeof ref === 'number' ? formatTicketKey(ref) : ref}.`);
  return t;
}

/**
 * Applies an action with compare-and-set, retrying on a concurrent write. Returns the
 * ticket after the action, and whether it changed (false for idempotent repeats).
 */
export async function changeTicket(
  deps: AppDeps,
  ref: string | number,
  build: (t: Ticket) => TicketAction | null,
  actor: Actor,
  data: Record<string, unknown> = {},
): Promise<{ ticket: Ticket; changed: boolean }> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const t = await requireTicket(deps, ref);
    const action = build(t);
    if (!action) return { ticket: t, changed: false };
    const now = deps.clock.now();
    const cal = deps.directory().calendarFor(t.teamId, t.priority);
    const next = applyTicketAction(t, action, cal, now);
    const saved = await deps.tickets.save(next);
    if (!saved) continue;
    // A resume (or a resolve from on hold) recomputes the SLA due times: the reports need the new ones.
    const due = action.type === 'resume' || action.type === 'resolve' ? { responseDueAt: next.sla.responseDueAt, resolutionDueAt: next.sla.resolutionDueAt } : {};
    await deps.timeline.append([event(deps, t.id, eventType(action.type), now, actor, { from: t.status, to: next.status, ...data, ...actionData(action), ...due })]);
    if (t.alertKey && !isOpen(next)) await deps.alertKeys.release(t.alertKey, t.id);
    // Issue 7: a major escalation goes to warranty on resolution, and reopens on a recurrence.
    if (action.type === 'resolve' || action.type === 'reopen') {
      await majorTicketChanged(deps, saved, action.type, actor).catch((e: unknown) => deps.log.error({ ticketId: t.id, err: (e as Error).stack ?? String(e) }, 'major escalation hook failed after a ticket change'));
    }
    return { ticket: saved, changed: true };
  }
  throw new DomainError('CONFLICT', 'The ticket is changing too fast; try again.');
}

function eventType(a: TicketAction['type']): string {
  const map: Record<TicketAction['type'], string> = {
    assign: 'ticket.assigned',
    acknowledge: 'ticket.acknowledged',
    start: 'ticket.started',
    pend: 'ticket.pending',
    resume: 'ticket.resumed',
    resolve: 'ticket.resolved',
    close: 'ticket.closed',
    reopen: 'ticket.reopened',
  };
  return map[a];
}

function actionData(a: TicketAction): Record<string, unknown> {
  const { type: _t, ...rest } = a;
  return rest;
}

export async function commentOnTicket(deps: AppDeps, ref: string | number, text: string, actor: Actor) {
  const t = await requireTicket(deps, ref);
  const e = event(deps, t.id, 'ticket.commented', deps.clock.now(), actor, { text });
  await deps.timeline.append([e]);
  return e;
}

export async function listTickets(deps: AppDeps, filter: TicketFilter, limit = 50, skip = 0) {
  return deps.tickets.list(filter, Math.min(Math.max(limit, 1), 500), skip);
}

export async function ticketTimeline(deps: AppDeps, ref: string | number) {
  const t = await requireTicket(deps, ref);
  return { ticket: t, events: await deps.timeline.forTicket(t.id) };
}
