/** Recurrences: a new ticket is the same incident; during the warranty it reopens the escalation. */
import { DomainError } from '../../../domain/errors.js';
import { reopenMajor, STATUS_TEXT } from '../../../domain/major.js';
import type { MajorEscalation } from '../../../domain/major.js';
import type { PendingEffects } from '../../../domain/pending-effects.js';
import type { Ticket } from '../../../domain/ticket.js';
import type { AppDeps } from '../../deps.js';
import type { Actor } from '../../ports/timeline.js';
import { actingPerson, personName } from '../actors.js';
import { noticeFor } from '../notify.js';
import { event, markEscalated, requireTicket } from '../ticket-access.js';
import { roomPost } from './room.js';
import { flushPending } from './pending.js';
import { effects, keyOf, mutate, requireNotClosed, saveMajor } from './support.js';
import type { MajorResult } from './support.js';

/**
 * What a recurrence sends (stored as a pending batch in the write that reopens the
 * escalation): the event, the war-room post, the team told by chat. `m` is the escalation
 * reopened, `t` its own ticket, `source` the ticket that recurred.
 */
export function recurrenceEffects(deps: AppDeps, m: MajorEscalation, t: Ticket, via: 'reopen' | 'linked', source: Ticket, now: Date, actor: Actor): PendingEffects {
  const n = m.recurrences;
  const text = `The incident recurred during the warranty (${via === 'reopen' ? `${keyOf(source)} was reopened` : `new ticket ${keyOf(source)} is the same incident`}). The major escalation of ${m.ticketKey} is active again (recurrence ${n}): back to the war room.`;
  return effects(deps, now, {
    events: [event(deps, m.ticketId, 'major.recurred', now, actor, { majorId: m.id, via, ticketId: source.id, key: keyOf(source), recurrence: n }, `major.recurred:${m.id}:${n}`)],
    posts: [`RECURRENCE: ${text}`],
    notices: [{ key: `major:${m.id}:recurred:${n}`, personIds: m.members.map((x) => x.personId), channels: ['chat'], notice: noticeFor(deps, t, { kind: 'major_escalation', title: `Recurrence: ${m.ticketKey} ${t.title}`, text, urgent: true }) }],
  });
}

/** A new ticket is a recurrence of a major escalation's incident (during warranty: reopens it). */
export async function linkRecurrence(deps: AppDeps, args: { ticket: string | number; of: string | number; actor: Actor }): Promise<MajorResult> {
  const pid = actingPerson(deps, args.actor, 'link a recurrence');
  const source = await requireTicket(deps, args.ticket);
  const orig = await requireTicket(deps, args.of);
  if (source.id === orig.id) throw new DomainError('VALIDATION', `of: ${keyOf(orig)} cannot be a recurrence of itself; name the major escalation's ticket.`, { field: 'of' });
  const m0 = await deps.majors.forTicket(orig.id);
  if (!m0) throw new DomainError('NOT_FOUND', `${keyOf(orig)} has no major escalation to link ${keyOf(source)} to.`, { field: 'of' });
  requireNotClosed(m0);
  const ok = m0.members.some((x) => x.personId === pid) || deps.directory().hasRole(pid, 'escalation_manager', 'coordinator', 'technician', 'team_lead', 'manager');
  if (!ok) throw new DomainError('FORBIDDEN', `Only the escalation team, escalation managers, coordinators, technicians and managers can link a recurrence. ${personName(deps, pid)} is none of these.`);
  // One major escalation per ticket: its own, or the one it is linked to.
  const own = await deps.majors.forTicket(source.id);
  if (own) throw new DomainError('INVALID_TRANSITION', `${keyOf(source)} is a major escalation of its own, so it cannot be linked to ${keyOf(orig)}'s.`, { field: 'ticket' });
  const elsewhere = await deps.majors.byRelatedTicket(source.id);
  if (elsewhere && elsewhere.id !== m0.id && elsewhere.relatedTicketIds.includes(source.id)) {
    throw new DomainError('INVALID_TRANSITION', `${keyOf(source)} is already linked to the major escalation of ${elsewhere.ticketKey}.`, { field: 'ticket' });
  }
  const r = await mutate(deps, orig.id, (m, t, now) => {
    if (m.relatedTicketIds.includes(source.id)) return null;
    const linked = { ...m, relatedTicketIds: [...m.relatedTicketIds, source.id] };
    if (m.status !== 'warranty' && m.status !== 'satisfaction') return { next: linked, extra: null };
    // Stored with the reopening (same write): the team is alerted even if this process stops right after.
    const reopened = reopenMajor(linked, now);
    const batch = recurrenceEffects(deps, reopened, t, 'linked', source, now, args.actor);
    return { next: { ...reopened, pending: [...(m.pending ?? []), batch] }, extra: batch.id };
  });
  if (!r.saved) {
    // Already linked. A process that stopped right after the compare-and-set left the
    // ticket → escalation link (written after it) or the marks below undone: write them again.
    if (!(await deps.majors.byRelatedTicket(source.id))) await saveMajor(deps, r.m);
    await markEscalated(deps, source.id, {}, 'major');
    return { ticket: source, major: r.m, changed: false, message: `${keyOf(source)} is already linked to the major escalation of ${keyOf(orig)}; nothing changed.` };
  }
  await markEscalated(deps, source.id, {}, 'major');
  await deps.timeline.append([event(deps, source.id, 'major.linked', r.now, args.actor, { majorId: r.saved.id, of: orig.id, key: keyOf(orig) }, `major.linked:${r.saved.id}:${source.id}`)]);
  if (r.extra) {
    await flushPending(deps, r.saved, [r.extra]);
    deps.nudge?.();
    return { ticket: source, major: r.saved, changed: true, message: `${keyOf(source)} is a recurrence of ${keyOf(orig)} during its warranty: the major escalation is active again and the team was alerted.` };
  }
  await deps.timeline.append([event(deps, orig.id, 'major.incident_linked', r.now, args.actor, { majorId: r.saved.id, ticketId: source.id, key: keyOf(source) }, `major.incident_linked:${r.saved.id}:${source.id}`)]);
  await roomPost(deps, r.saved, { text: `${keyOf(source)} (${source.title}) is linked to this major escalation as the same incident.` });
  return { ticket: source, major: r.saved, changed: true, message: `${keyOf(source)} is linked to the major escalation of ${keyOf(orig)} (${STATUS_TEXT[r.saved.status]}).` };
}
