import { DomainError } from '../../domain/errors.js';
import type { Ticket, TicketAction } from '../../domain/ticket.js';
import { applyTicketAction, isOpen } from '../../domain/ticket.js';
import { isReactedChange, withReaction } from '../../domain/ticket-reaction.js';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../ports/timeline.js';
import { releaseAlertKey } from './alert-keys.js';
import { event, requireTicket } from './ticket-access.js';
import { informRequester } from './requester-updates.js';
import type { RequesterUpdate } from './requester-updates.js';

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
    const applied = applyTicketAction(t, action, cal, now);
    // A resume (or a resolve from on hold) recomputes the SLA due times: the reports need the new ones.
    const due = action.type === 'resume' || action.type === 'resolve' ? { responseDueAt: applied.sla.responseDueAt, resolutionDueAt: applied.sla.resolutionDueAt } : {};
    const e = event(deps, t.id, eventType(action.type), now, actor, { from: t.status, to: applied.status, ...data, ...actionData(action), ...due });
    // Resolving and reopening owe the escalations a reaction (a request closed, a major escalation's
    // warranty or recurrence): stored in this same write, carried out by the engine (ticket-reactions).
    const next = isReactedChange(action.type) ? withReaction(applied, { key: e.key, change: action.type, at: now, actor }) : applied;
    const saved = await deps.tickets.save(next);
    if (!saved) continue;
    await deps.timeline.append([e]);
    if (t.alertKey && !isOpen(next)) await releaseAlertKey(deps, t.alertKey, t.id);
    if (isReactedChange(action.type)) deps.nudge?.();
    const update = requesterUpdate(action);
    if (update) await informRequester(deps, saved, update, actor, e.key);
    return { ticket: saved, changed: true };
  }
  throw new DomainError('CONFLICT', 'The ticket is changing too fast; try again.');
}

/** What the requester is told about a change, if anything (issue 14). */
function requesterUpdate(a: TicketAction): RequesterUpdate | null {
  if (a.type === 'acknowledge') return { kind: 'acknowledged', by: a.by };
  if (a.type === 'pend') return { kind: 'on_hold', reason: a.reason ?? null };
  if (a.type === 'resolve') return { kind: 'resolved', note: a.note ?? null };
  return null;
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
