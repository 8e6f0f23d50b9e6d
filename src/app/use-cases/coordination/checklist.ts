/** The coordinator's checklist (seed 000): reviewed, ETA sent, manager informed, owner engaged. */
import { STEP_LABELS, stepsLeft, withStep } from '../../../domain/coordination.js';
import type { CoordinationStep, EscalationRequest, RequestPendingEffects } from '../../../domain/coordination.js';
import { DomainError } from '../../../domain/errors.js';
import type { Channel } from '../../../domain/plan.js';
import { formatTicketKey } from '../../../domain/ticket-number.js';
import type { Ticket } from '../../../domain/ticket.js';
import type { AppDeps } from '../../deps.js';
import type { Actor } from '../../ports/timeline.js';
import { actingPerson, personName, requireAllowed } from '../actors.js';
import { noticeFor, notifyPeople } from '../notify.js';
import { event, requireTicket } from '../ticket-access.js';
import { when } from './support.js';
import type { RequestResult } from './support.js';

type PendingNotice = RequestPendingEffects['notices'][number];

/**
 * One checklist step by a coordinator on the claimed request. The step and what it must send
 * (its notices and its `coordination.<step>` event, all keyed) are stored in one
 * compare-and-set write, then sent and cleared; a batch a crash left behind is sent by the
 * engine (`sendLeftovers`), so a recorded action is never left unsent, nor sent twice.
 */
async function checklist(
  deps: AppDeps,
  ref: string | number,
  actor: Actor,
  step: CoordinationStep,
  doing: string,
  act: (ctx: { t: Ticket; req: EscalationRequest; pid: string; now: Date; key: string }) => { patch?: Partial<EscalationRequest>; data: Record<string, unknown>; notices: PendingNotice[]; done: string },
): Promise<RequestResult> {
  const pid = actingPerson(deps, actor, doing);
  requireAllowed(deps, pid, 'coordinate', doing);
  const t = await requireTicket(deps, ref);
  const key = formatTicketKey(t.number);
  for (let attempt = 0; attempt < 8; attempt++) {
    const req = await deps.requests.latestForTicket(t.id);
    if (!req || req.status === 'cancelled') throw new DomainError('NOT_FOUND', `${key} has no escalation request: a manager must request one first.`);
    if (req.closedAt) throw new DomainError('INVALID_TRANSITION', `The escalation request on ${key} is closed (${req.closedReason ?? 'closed'}); if the ticket needs it again, a manager requests a new escalation.`);
    if (req.status === 'open') throw new DomainError('INVALID_TRANSITION', `The escalation request on ${key} is not claimed yet: claim it first.`);
    const now = deps.clock.now();
    const a = act({ t, req, pid, now, key });
    const batch: RequestPendingEffects = {
      id: deps.newId(),
      at: now,
      attempts: 0,
      notices: a.notices,
      events: [event(deps, t.id, `coordination.${step}`, now, actor, { requestId: req.id, ...a.data }, `coordination.${step}:${req.id}:${now.getTime()}`)],
    };
    const saved = await deps.requests.save(withStep({ ...req, ...a.patch, pending: [...(req.pending ?? []), batch] }, step, now));
    if (!saved) continue;
    const sent = await flushRequestPending(deps, saved, [batch.id]);
    const left = stepsLeft(sent);
    return { ticket: t, request: sent, changed: true, message: `${a.done} ${left.length ? `Still to do: ${left.map((s) => STEP_LABELS[s]).join(', ')}.` : 'The checklist is complete.'}` };
  }
  throw new DomainError('CONFLICT', 'The request is changing too fast; try again.');
}

/**
 * Sends the pending batches `ids` of a request (notices and events keyed: sent and stored once
 * however often this runs), then removes them from the record with compare-and-set. A failure
 * leaves them for the engine. Returns the record after.
 */
export async function flushRequestPending(deps: AppDeps, r: EscalationRequest, ids: string[]): Promise<EscalationRequest> {
  const batches = (r.pending ?? []).filter((b) => ids.includes(b.id));
  if (batches.length === 0) return r;
  const t = await deps.tickets.get(r.ticketId);
  for (const b of batches) {
    if (t) for (const n of b.notices) await notifyPeople(deps, t, n.personIds, n.channels, n.notice, n.key);
    if (b.events.length > 0) await deps.timeline.append(b.events.map((e) => ({ ...e, at: new Date(e.at) })));
  }
  for (let i = 0; i < 8; i++) {
    const cur = (await deps.requests.get(r.id)) ?? r;
    if (!(cur.pending ?? []).some((b) => ids.includes(b.id))) return cur;
    const saved = await deps.requests.save({ ...cur, pending: (cur.pending ?? []).filter((b) => !ids.includes(b.id)) });
    if (saved) return saved;
  }
  return (await deps.requests.get(r.id)) ?? r;
}

function requireText(v: string | undefined, field: string, what: string): string {
  const s = (v ?? '').trim();
  if (!s) throw new DomainError('VALIDATION', `${field}: ${what}.`, { field });
  if (s.length > 2000) throw new DomainError('VALIDATION', `${field}: at most 2000 characters.`, { field });
  return s;
}

/** Records the estimated time and sends it to the user (the requester) with a copy to the executives. */
export async function sendEta(deps: AppDeps, args: { ticket: string | number; eta: Date; message: string; actor: Actor }): Promise<RequestResult> {
  if (!(args.eta instanceof Date) || Number.isNaN(args.eta.getTime())) throw new DomainError('VALIDATION', 'eta: an ISO 8601 date-time, e.g. 2026-11-24T15:00:00-08:00.', { field: 'eta' });
  if (args.eta.getTime() <= deps.clock.now().getTime()) throw new DomainError('VALIDATION', `eta: ${args.eta.toISOString()} is in the past; give the time you expect it resolved.`, { field: 'eta' });
  const message = requireText(args.message, 'message', 'say what the user should know with the estimated time');
  return checklist(deps, args.ticket, args.actor, 'eta_sent', 'send the user an estimated time', ({ t, req, pid, now, key }) => {
    const to = t.requesterId;
    const dir = deps.directory();
    const execs = dir.org.executives.filter((id) => dir.person(id));
    const etaText = when(deps, args.eta);
    const facts = [{ label: 'Estimated time', value: etaText }, { label: 'Coordinator', value: personName(deps, pid) }];
    const text = `${message} We expect ${key} to be resolved by ${etaText}. ${personName(deps, pid)}, escalation coordinator, will keep you informed.`;
    return {
      patch: { eta: { at: args.eta, message, sentAt: now } },
      data: { eta: args.eta, message, to, copy: execs },
      done: `Estimated time ${etaText} sent to ${to ? personName(deps, to) : 'nobody (the ticket has no requester)'}${execs.length ? `, copy to ${execs.map((id) => personName(deps, id)).join(', ')}` : ''}.`,
      notices: [
        ...(to ? [{ key: `eta:${req.id}:${now.getTime()}:user`, personIds: [to], channels: ['chat', 'email'] as Channel[], notice: noticeFor(deps, t, { kind: 'info', title: `${key}: estimated time ${etaText}`, text, facts }) }] : []),
        ...(execs.length ? [{ key: `eta:${req.id}:${now.getTime()}:copy`, personIds: execs, channels: ['email'] as Channel[], notice: noticeFor(deps, t, { kind: 'info', title: `Copy: ${key} estimated time ${etaText}`, text: `Sent to ${to ? personName(deps, to) : 'the user'}: ${text}`, facts }) }] : []),
      ],
    };
  });
}

/** Tells the requesting manager the status. */
export async function informManager(deps: AppDeps, args: { ticket: string | number; message: string; actor: Actor }): Promise<RequestResult> {
  const message = requireText(args.message, 'message', 'the status to tell the requesting manager');
  return checklist(deps, args.ticket, args.actor, 'manager_informed', 'inform the requesting manager', ({ t, req, pid, now, key }) => ({
    data: { to: req.requestedBy, message },
    done: `${personName(deps, req.requestedBy)} was told the status of ${key}.`,
    notices: [{ key: `inform:${req.id}:${now.getTime()}`, personIds: [req.requestedBy], channels: ['chat', 'email'], notice: noticeFor(deps, t, { kind: 'info', title: `Status of your escalation request: ${key}`, text: `${personName(deps, pid)} (escalation coordinator): ${message}`, facts: [{ label: 'Your reason', value: req.reason }] }) }],
  }));
}

/** Engages the service owner / responsible manager (default: the ticket team's manager). */
export async function engageOwner(deps: AppDeps, args: { ticket: string | number; ownerId?: string; message: string; actor: Actor }): Promise<RequestResult> {
  const message = requireText(args.message, 'message', 'say what you ask of the service owner');
  const dir = deps.directory();
  if (args.ownerId && !dir.person(args.ownerId)) throw new DomainError('UNKNOWN_PERSON', `There is no person "${args.ownerId}" in the directory.`, { field: 'ownerId' });
  return checklist(deps, args.ticket, args.actor, 'owner_engaged', 'engage the service owner', ({ t, req, pid, now, key }) => {
    const ownerId = args.ownerId ?? dir.team(t.teamId)?.managerId;
    if (!ownerId) throw new DomainError('VALIDATION', `ownerId: team ${t.teamId} has no manager; name the service owner to engage.`, { field: 'ownerId' });
    const text = `${personName(deps, pid)} (escalation coordinator) engages you on ${key}: ${message} Please follow up with the user${t.requesterId ? ` (${personName(deps, t.requesterId)})` : ''}, copying ${personName(deps, pid)}, and document the follow-up on the ticket.`;
    return {
      patch: { ownerId },
      data: { ownerId, message },
      done: `${personName(deps, ownerId)} was engaged on ${key} and asked to follow up with the user.`,
      notices: [{ key: `engage:${req.id}:${now.getTime()}`, personIds: [ownerId], channels: ['chat', 'email'], notice: noticeFor(deps, t, { kind: 'manager_request', title: `Escalated to you: ${key} ${t.title}`, text, facts: [{ label: 'Requested by', value: personName(deps, req.requestedBy) }, { label: 'Reason', value: req.reason }], actions: ['acknowledge'], urgent: req.urgency === 'urgent' }) }],
    };
  });
}

/** Marks the ticket reviewed (first checklist step). */
export async function markReviewed(deps: AppDeps, args: { ticket: string | number; actor: Actor }): Promise<RequestResult> {
  return checklist(deps, args.ticket, args.actor, 'reviewed', 'mark the ticket reviewed', ({ key }) => ({ data: {}, done: `${key} marked reviewed.`, notices: [] }));
}
