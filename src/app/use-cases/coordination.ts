/**
 * Manager escalation requests (seed 000, issue 7). CONTRACT for the chat and HTTP adapters:
 * these exported names and parameter shapes are fixed.
 * Every function refuses with DomainError (FORBIDDEN / VALIDATION / NOT_FOUND /
 * INVALID_TRANSITION / CONFLICT) and a sentence a person can read; every success is on the timeline.
 */
import { DomainError, isDomainError } from '../../domain/errors.js';
import { COORDINATION_STEPS, REQUEST_ROLES, STEP_LABELS, closeRequest, decideUnclaimed, duePendingIds, newRequest, stepsLeft, withPendingAttempt, withStep } from '../../domain/coordination.js';
import type { CoordinationStep, EscalationRequest, RequestPendingEffects } from '../../domain/coordination.js';
import { DEFAULT_COORDINATION } from '../../domain/org-config.js';
import type { CoordinationConfig } from '../../domain/org-config.js';
import type { Channel } from '../../domain/plan.js';
import { localTime } from '../../domain/aar.js';
import type { Ticket } from '../../domain/ticket.js';
import { isOpen } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../ports/timeline.js';
import { noticeFor, notifyPeople, ticketFacts } from './notify.js';
import { actingPerson, personName, requireRole } from './actors.js';
import { event, markEscalated, requireTicket } from './ticket-access.js';

export interface RequestResult {
  ticket: Ticket;
  request: EscalationRequest;
  changed: boolean;
  /** One sentence for the person who acted (ephemeral message / API). */
  message: string;
}

const ENGINE: Actor = { personId: null, via: 'engine' };

export function coordinationConfig(deps: Pick<AppDeps, 'directory'>): CoordinationConfig {
  return deps.directory().org.coordination ?? DEFAULT_COORDINATION;
}

/** Looks a ticket up, saying "open a ticket first" when there is none (seed 000). */
async function ticketForRequest(deps: AppDeps, ref: string | number): Promise<Ticket> {
  try {
    return await requireTicket(deps, ref);
  } catch (e) {
    if (isDomainError(e) && e.code === 'NOT_FOUND') {
      throw new DomainError('NOT_FOUND', `There is no ticket ${typeof ref === 'number' ? formatTicketKey(ref) : ref}: open a ticket first, then request the escalation on it.`, { field: 'ticket' });
    }
    throw e;
  }
}

const when = (deps: AppDeps, d: Date) => localTime(d, deps.directory().org.timeZone);

/** A manager / supervisor / point person asks for urgent handling (reason required). Coordinators are told, the executives copied. */
export async function requestEscalation(deps: AppDeps, args: { ticket: string | number; reason: string; urgency?: 'normal' | 'urgent'; actor: Actor }): Promise<RequestResult> {
  const pid = actingPerson(deps, args.actor, 'request an escalation');
  requireRole(deps, pid, REQUEST_ROLES, 'managers, supervisors (team leads), designated point persons, executives and escalation coordinators', 'request an escalation');
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
async function repairAnnouncement(deps: AppDeps, t0: Ticket, r: EscalationRequest): Promise<Ticket> {
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

async function announceClosed(deps: AppDeps, t: Ticket, r: EscalationRequest, actor: Actor): Promise<void> {
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

function alreadyText(deps: AppDeps, key: string, r: EscalationRequest): string {
  const claimed = r.claimedBy ? `, claimed by ${personName(deps, r.claimedBy)}` : ', not claimed yet';
  return `${key} already has an open escalation request (by ${personName(deps, r.requestedBy)} at ${when(deps, new Date(r.requestedAt))}${claimed}); nothing changed.`;
}

/** A coordinator takes the open request on this ticket; the other coordinators are told who. */
export async function claimRequest(deps: AppDeps, args: { ticket: string | number; actor: Actor }): Promise<RequestResult> {
  const pid = actingPerson(deps, args.actor, 'claim an escalation request');
  requireRole(deps, pid, ['coordinator'], 'escalation coordinators', 'claim an escalation request');
  const t = await requireTicket(deps, args.ticket);
  const key = formatTicketKey(t.number);
  for (let attempt = 0; attempt < 8; attempt++) {
    const live = await deps.requests.liveForTicket(t.id);
    if (!live) throw new DomainError('NOT_FOUND', `${key} has no open escalation request to claim.`);
    if (live.status === 'claimed') {
      if (live.claimedBy === pid) return { ticket: t, request: live, changed: false, message: `You already claimed the request on ${key}; nothing changed.` };
      throw new DomainError('CONFLICT', `${personName(deps, live.claimedBy)} already claimed the request on ${key} at ${when(deps, new Date(live.claimedAt!))}; nothing changed.`, { claimedBy: live.claimedBy });
    }
    const now = deps.clock.now();
    const saved = await deps.requests.save({ ...live, status: 'claimed', claimedBy: pid, claimedAt: now, nextDueAt: null });
    if (!saved) continue; // another coordinator (or a reminder) wrote first: look again
    const waitedMs = now.getTime() - new Date(live.requestedAt).getTime();
    await deps.timeline.append([event(deps, t.id, 'escalation.request_claimed', now, args.actor, { requestId: live.id, by: pid, waitedMs }, `escalation.request_claimed:${live.id}`)]);
    const others = deps.directory().coordinators(t.teamId).map((p) => p.id).filter((id) => id !== pid);
    if (others.length > 0) {
      await notifyPeople(deps, t, others, ['chat'], noticeFor(deps, t, { kind: 'info', title: `${personName(deps, pid)} claimed the escalation request on ${key}`, text: `${personName(deps, pid)} took the escalation request on ${key} (${t.title}); nothing for you to do.` }), `request:${live.id}:claimed`);
    }
    return { ticket: t, request: saved, changed: true, message: `You claimed the escalation request on ${key}. Next: ${stepsLeft(saved).map((s) => STEP_LABELS[s]).join(', ')}.` };
  }
  throw new DomainError('CONFLICT', 'The request is changing too fast; try again.');
}

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
  requireRole(deps, pid, ['coordinator'], 'escalation coordinators', doing);
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
async function flushRequestPending(deps: AppDeps, r: EscalationRequest, ids: string[]): Promise<EscalationRequest> {
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

/**
 * Engine: sends the checklist notices and events a crash left pending on a request (due a
 * minute after the action, retried up to PENDING_MAX_ATTEMPTS times). The attempt is claimed
 * with compare-and-set first, so one process sends them; the keys make a repeat harmless.
 */
export async function sendLeftovers(deps: AppDeps, r: EscalationRequest, now: Date): Promise<boolean> {
  const ids = duePendingIds(r, now);
  if (ids.length === 0) return false;
  const claimed = await deps.requests.save(withPendingAttempt(r, ids));
  if (!claimed) return false;
  deps.log.warn({ requestId: r.id, batches: ids.length }, 'escalation request: messages of a checklist action left unsent (a crash or a failure): sending them');
  await flushRequestPending(deps, claimed, ids);
  return true;
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

/** The latest request on a ticket, or null. */
export async function requestForTicket(deps: AppDeps, ticket: string | number): Promise<EscalationRequest | null> {
  const t = await requireTicket(deps, ticket);
  return deps.requests.latestForTicket(t.id);
}

/**
 * Engine: an unclaimed request reminds the coordinators, then goes to their manager. The
 * messages and the event carry keys derived from the request's state, so two processes doing
 * the same work store them once; the compare-and-set then records it.
 */
export async function advanceUnclaimed(deps: AppDeps, req: EscalationRequest, now: Date): Promise<boolean> {
  const d = decideUnclaimed(req, now, coordinationConfig(deps));
  if (!d) return false;
  const t = await deps.tickets.get(req.ticketId);
  if (!t || !isOpen(t)) {
    // The ticket was resolved and the hook that closes its request did not run (a stopped process).
    const saved = await deps.requests.save(closeRequest(req, now, t ? `${formatTicketKey(t.number)} is ${t.status}` : 'the ticket no longer exists')!);
    if (saved && t) await announceClosed(deps, t, saved, ENGINE);
    return true;
  }
  if (d.action === 'remind' && d.reminder === 1) await repairAnnouncement(deps, t, req);
  const key = formatTicketKey(t.number);
  const dir = deps.directory();
  const coordinators = dir.coordinators(t.teamId);
  const waited = Math.round((now.getTime() - new Date(req.requestedAt).getTime()) / 60_000);
  const facts = [{ label: 'Requested by', value: personName(deps, req.requestedBy) }, { label: 'Reason', value: req.reason }, { label: 'Waiting', value: `${waited} min` }];
  if (d.action === 'remind') {
    await notifyPeople(deps, t, coordinators.map((p) => p.id), ['chat', 'email'], noticeFor(deps, t, { kind: 'manager_request', title: `Reminder: nobody claimed the escalation request on ${key}`, text: `The escalation request on ${key} (${t.title}) has waited ${waited} min for a coordinator: ${req.reason}`, facts, actions: ['claim'], urgent: true }), `request:${req.id}:remind:${d.reminder}`);
    await deps.timeline.append([event(deps, t.id, 'escalation.request_reminded', now, ENGINE, { requestId: req.id, reminder: d.reminder, to: coordinators.map((p) => p.id) }, `escalation.request_reminded:${req.id}:${d.reminder}`)]);
  } else {
    const first = coordinators[0];
    const manager = first ? dir.managerChain(first.id)[0] : undefined;
    if (manager) {
      await notifyPeople(deps, t, [manager.id], ['chat', 'email'], noticeFor(deps, t, { kind: 'manager_request', title: `Unclaimed escalation request: ${key} ${t.title}`, text: `Nobody among the escalation coordinators (${coordinators.map((p) => p.name).join(', ')}) claimed the escalation request on ${key} in ${waited} min. As their manager, please see that it is handled: ${req.reason}`, facts, actions: ['claim'], urgent: true }), `request:${req.id}:escalated`);
    } else {
      deps.log.warn({ requestId: req.id, ticketId: t.id }, 'unclaimed escalation request: the coordinators have no manager to escalate to');
    }
    await deps.timeline.append([event(deps, t.id, 'escalation.request_escalated', now, ENGINE, { requestId: req.id, to: manager?.id ?? null }, `escalation.request_escalated:${req.id}`)]);
  }
  await deps.requests.save(d.next);
  return true;
}

export { COORDINATION_STEPS };
