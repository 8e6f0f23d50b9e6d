/** Asking for a manager escalation (seed 000), and closing the request when its ticket is resolved. */
import { closeRequest, newRequest, STEP_LABELS, stepsLeft } from '../../../domain/coordination.js';
import type { EscalationRequest } from '../../../domain/coordination.js';
import { DomainError } from '../../../domain/errors.js';
import { formatTicketKey } from '../../../domain/ticket-number.js';
import { isOpen } from '../../../domain/ticket.js';
import type { Ticket } from '../../../domain/ticket.js';
import type { AppDeps } from '../../deps.js';
import type { Actor } from '../../ports/timeline.js';
import { actingPerson, personName, requireAllowed } from '../actors.js';
import { noticeFor, notifyPeople, ticketFacts } from '../notify.js';
import { event, markEscalated, requireTicket } from '../ticket-access.js';
import { alreadyText, coordinationConfig, ENGINE, ticketForRequest } from './support.js';
import type { RequestResult } from './support.js';

/** A manager / supervisor / point person asks for urgent handling (reason required). Coordinators are told, the executives copied. */
export async function requestEscalation(deps: AppDeps, args: { ticket: string | number; reason: string; urgency?: 'normal' | 'urgent'; actor: Actor }): Promise<RequestResult> {
  const pid = actingPerson(deps, args.actor, 'request an escalation');
  requireAllowed(deps, pid, 'request_escalation', 'request an escalation');
  const reason = (args.reason ?? '').trim();
  if (!reason) throw new DomainError('VALIDATION', 'A reason is required: say why this ticket needs urgent handling beyond its SLA. Requests are visible to everyone.', { field: 'reason' });
  if (reason.length > 2000) throw new DomainError('VALIDATION', 'The reason is too long: at most 2000 characters.', { field: 'reason' });
  const urgency = args.urgency ?? 'normal';
  if (urgency !== 'normal' && urgency !== 'urgent') throw new DomainError('VALIDATION', 'urgency: normal or urgent.', { field: 'urgency' });
  const t0 = await ticketForRequest(deps, args.ticket);
  const key = formatTicketKey(t0.number);
  if (!isOpen(t0)) throw new DomainError('INVALID_TRANSITION', `${key} is ${t0.status}: open a new ticket first (or reopen this one), then request the escalation on it.`);
  let existing = await deps.requests.liveForTicket(t0.id);
  if (existing && isStale(existing, t0)) {
    // Made before the ticket was resolved and reopened, and left live (a process stopped before closing it).
    await closeLive(deps, t0, `${key} was resolved and reopened since the request was made`, ENGINE);
    existing = await deps.requests.liveForTicket(t0.id);
  }
  if (existing) return { ticket: await repairAnnouncement(deps, t0, existing), request: existing, changed: false, message: alreadyText(deps, key, existing) };
  const now = deps.clock.now();
  const cfg = coordinationConfig(deps);
  const req = newRequest({ id: deps.newId(), ticketId: t0.id, requestedBy: pid, reason, urgency, now, cfg, ticketReopenCount: t0.reopenCount });
  if (!(await deps.requests.insert(req))) {
    const live = await deps.requests.liveForTicket(t0.id);
    if (live) return { ticket: t0, request: live, changed: false, message: alreadyText(deps, key, live) };
    throw new DomainError('CONFLICT', 'Another request was being made at the same time; try again.');
  }
  const { t, coordinators, executives } = await announceRequest(deps, t0, req, args.actor);
  const names = coordinators.map((p) => p.name).join(', ') || 'nobody (no coordinators are configured)';
  const copy = executives.length ? `, copy to ${executives.map((id) => personName(deps, id)).join(', ')}` : '';
  return { ticket: t, request: req, changed: true, message: `Escalation request on ${key} sent to the escalation coordinators (${names})${copy}. A coordinator will claim it within ${cfg.claimWithinMinutes} min.` };
}

/**
 * What follows the stored request: the ticket marked escalated, the request on the timeline,
 * the coordinators told and the executives copied. Keyed events and messages: running it
 * again stores and sends nothing twice.
 */
async function announceRequest(deps: AppDeps, t0: Ticket, req: EscalationRequest, actor: Actor) {
  const key = formatTicketKey(t0.number);
  const cfg = coordinationConfig(deps);
  const { reason, urgency } = req;
  const pid = req.requestedBy;
  const t = await markEscalated(deps, t0.id, {}, 'manager_request');
  await deps.timeline.append([event(deps, t.id, 'escalation.requested', new Date(req.requestedAt), actor, { requestId: req.id, reason, urgency, requestedBy: pid }, `escalation.requested:${req.id}`)]);
  const dir = deps.directory();
  const coordinators = dir.coordinators(t.teamId);
  const executives = dir.org.executives.filter((id) => dir.person(id));
  const facts = [
    { label: 'Requested by', value: personName(deps, pid) },
    { label: 'Reason', value: reason },
    { label: 'Urgency', value: urgency },
    { label: 'Claim within', value: `${cfg.claimWithinMinutes} min` },
  ];
  const text = `${personName(deps, pid)} asks for urgent handling of ${key} (${t.priority}, ${ticketFacts(deps, t).teamName}) beyond its SLA: ${reason}`;
  await notifyPeople(deps, t, coordinators.map((p) => p.id), ['chat', 'email'], noticeFor(deps, t, { kind: 'manager_request', title: `Escalation request: ${key} ${t.title}`, text: `${text} Claim it to take it on.`, facts, actions: ['claim'], urgent: urgency === 'urgent' }), `request:${req.id}:coordinators`);
  if (executives.length > 0) {
    await notifyPeople(deps, t, executives, ['chat', 'email'], noticeFor(deps, t, { kind: 'info', title: `Copy: escalation request on ${key} ${t.title}`, text: `For your information: ${text} The escalation coordinators were asked to handle it.`, facts }), `request:${req.id}:executives`);
  }
  deps.nudge?.();
  return { t, coordinators, executives };
}

/**
 * An open request whose announcement is not on the timeline: the process that stored it
 * stopped before telling anyone. Asking again finishes the job (nothing is sent twice).
 */
export async function repairAnnouncement(deps: AppDeps, t0: Ticket, r: EscalationRequest): Promise<Ticket> {
  if (r.status !== 'open') return t0;
  const k = `escalation.requested:${r.id}`;
  if ((await deps.timeline.existingKeys([k])).has(k)) return t0;
  deps.log.warn({ requestId: r.id, ticketId: t0.id }, 'escalation request stored without its announcement: announcing it now');
  return (await announceRequest(deps, t0, r, { personId: r.requestedBy, via: 'engine' })).t;
}

/** A live request from an earlier life of the ticket (it was reopened since). */
function isStale(r: EscalationRequest, t: Ticket): boolean {
  return r.ticketReopenCount !== undefined && t.reopenCount > r.ticketReopenCount;
}

/**
 * Closes the ticket's live request, if any (compare-and-set, retried): an open one is
 * cancelled, a claimed one done; the closing is on the timeline and the claiming
 * coordinator (or, for an open one, the coordinators) told. Keyed: a repeat stores and sends nothing twice.
 */
async function closeLive(deps: AppDeps, t: Ticket, reason: string, actor: Actor): Promise<EscalationRequest | null> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const live = await deps.requests.liveForTicket(t.id);
    if (!live) return null;
    const next = closeRequest(live, deps.clock.now(), reason);
    if (!next) return null;
    const saved = await deps.requests.save(next);
    if (!saved) continue;
    await announceClosed(deps, t, saved, actor);
    return saved;
  }
  throw new DomainError('CONFLICT', 'The escalation request is changing too fast; try again.');
}

export async function announceClosed(deps: AppDeps, t: Ticket, r: EscalationRequest, actor: Actor): Promise<void> {
  const key = formatTicketKey(t.number);
  const at = new Date(r.closedAt ?? deps.clock.now());
  const reason = r.closedReason ?? 'closed';
  if (r.status === 'cancelled') {
    await deps.timeline.append([event(deps, t.id, 'escalation.request_cancelled', at, actor, { requestId: r.id, reason, reminders: r.reminders }, `escalation.request_cancelled:${r.id}`)]);
    const coordinators = deps.directory().coordinators(t.teamId).map((p) => p.id);
    if (coordinators.length > 0) {
      await notifyPeople(deps, t, coordinators, ['chat'], noticeFor(deps, t, { kind: 'info', title: `No longer needed: escalation request on ${key}`, text: `The escalation request on ${key} (${t.title}) was withdrawn before anyone claimed it: ${reason}. Nothing for you to do.` }), `request:${r.id}:cancelled`);
    }
    return;
  }
  const left = stepsLeft(r);
  await deps.timeline.append([event(deps, t.id, 'escalation.request_closed', at, actor, { requestId: r.id, reason, by: r.claimedBy, stepsLeft: left }, `escalation.request_closed:${r.id}`)]);
  if (r.claimedBy) {
    const rest = left.length ? ` Steps not recorded: ${left.map((s) => STEP_LABELS[s]).join(', ')}.` : '';
    await notifyPeople(deps, t, [r.claimedBy], ['chat'], noticeFor(deps, t, { kind: 'info', title: `Escalation request on ${key} closed: ${reason}`, text: `The escalation request you claimed on ${key} (${t.title}) is closed: ${reason}.${rest} If the ticket is reopened, a manager can request a new escalation.` }), `request:${r.id}:closed`);
  }
}

/**
 * Hook: the ticket was resolved. Its open or claimed request is closed (an open one stops
 * reminding), so a reopened ticket can get a new request. Also repairs the announcement of a
 * request closed by a process that stopped before telling anyone.
 */
export async function requestTicketResolved(deps: AppDeps, t: Ticket, actor: Actor): Promise<EscalationRequest | null> {
  const closed = await closeLive(deps, t, `${formatTicketKey(t.number)} was resolved`, actor);
  if (closed) return closed;
  const latest = await deps.requests.latestForTicket(t.id);
  if (latest?.closedAt) {
    const k = `escalation.request_${latest.status === 'cancelled' ? 'cancelled' : 'closed'}:${latest.id}`;
    if (!(await deps.timeline.existingKeys([k])).has(k)) await announceClosed(deps, t, latest, actor);
  }
  return null;
}

/** The latest request on a ticket, or null. */
export async function requestForTicket(deps: AppDeps, ticket: string | number): Promise<EscalationRequest | null> {
  const t = await requireTicket(deps, ticket);
  return deps.requests.latestForTicket(t.id);
}
