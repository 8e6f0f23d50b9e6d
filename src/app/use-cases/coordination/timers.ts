/** Engine work on requests: reminders and escalation of unclaimed ones, checklist messages a crash left unsent. */
import { closeRequest, decideUnclaimed, duePendingIds, withPendingAttempt } from '../../../domain/coordination.js';
import type { EscalationRequest } from '../../../domain/coordination.js';
import { formatTicketKey } from '../../../domain/ticket-number.js';
import { isOpen } from '../../../domain/ticket.js';
import type { AppDeps } from '../../deps.js';
import { personName } from '../actors.js';
import { noticeFor, notifyPeople } from '../notify.js';
import { event } from '../ticket-access.js';
import { flushRequestPending } from './checklist.js';
import { announceClosed, repairAnnouncement } from './request.js';
import { coordinationConfig, ENGINE } from './support.js';

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
