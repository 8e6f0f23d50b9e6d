/** A coordinator claims a request. */
import { STEP_LABELS, stepsLeft } from '../../../domain/coordination.js';
import { DomainError } from '../../../domain/errors.js';
import { formatTicketKey } from '../../../domain/ticket-number.js';
import type { AppDeps } from '../../deps.js';
import type { Actor } from '../../ports/timeline.js';
import { actingPerson, personName, requireAllowed } from '../actors.js';
import { noticeFor, notifyPeople } from '../notify.js';
import { event, requireTicket } from '../ticket-access.js';
import { when } from './support.js';
import type { RequestResult } from './support.js';

/** A coordinator takes the open request on this ticket; the other coordinators are told who. */
export async function claimRequest(deps: AppDeps, args: { ticket: string | number; actor: Actor }): Promise<RequestResult> {
  const pid = actingPerson(deps, args.actor, 'claim an escalation request');
  requireAllowed(deps, pid, 'coordinate', 'claim an escalation request');
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
