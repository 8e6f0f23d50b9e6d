/** Declaring a major escalation (seed 001): the record, the ticket marked, the incident owner told, the war room opened. */
import { DomainError } from '../../../domain/errors.js';
import { ROLE_INSTRUCTIONS, STATUS_TEXT } from '../../../domain/major.js';
import { nextWake } from '../../../domain/major-due.js';
import type { MajorEscalation, MajorRole } from '../../../domain/major.js';
import { isOpen } from '../../../domain/ticket.js';
import type { Ticket } from '../../../domain/ticket.js';
import type { AppDeps } from '../../deps.js';
import type { Actor } from '../../ports/timeline.js';
import { actingPerson, personName } from '../actors.js';
import { noticeFor, notifyPeople } from '../notify.js';
import { event, markEscalated, requireTicket } from '../ticket-access.js';
import { announceRoom, needsAnnouncement, openRoom, roomNameFor } from './room.js';
import { keyOf, majorConfig, MIN, requireEscalationManager, requireNotClosed } from './support.js';
import type { MajorResult } from './support.js';

/**
 * What follows the stored declaration: the ticket marked escalated (kind major), the
 * declaration and the first roles on the timeline, the incident owner told. Every step is
 * idempotent (keyed events and messages), so a retry repairs what a crash left undone.
 */
async function announceDeclared(deps: AppDeps, t0: Ticket, m: MajorEscalation, actor: Actor): Promise<void> {
  const key = keyOf(t0);
  const declaredAt = new Date(m.declaredAt);
  // The notices below show the ticket as it is now: escalated, kind major.
  const t1 = await markEscalated(deps, t0.id, {}, 'major');
  const first = m.members.filter((x) => x.assignedBy === m.declaredBy && new Date(x.assignedAt).getTime() === declaredAt.getTime());
  await deps.timeline.append([
    event(deps, t0.id, 'major.declared', declaredAt, actor, { majorId: m.id, reason: m.reason, warRoom: roomNameFor(t0) }, `major.declared:${m.id}`),
    ...first.map((x) => event(deps, t0.id, 'major.role_assigned', declaredAt, actor, { majorId: m.id, personId: x.personId, role: x.role }, `major.role_assigned:${m.id}:${x.personId}:${x.role}`)),
  ]);
  const owner = first.find((x) => x.role === 'incident_owner');
  if (owner) {
    await notifyPeople(deps, t1, [owner.personId], ['chat'], noticeFor(deps, t1, { kind: 'major_escalation', title: `You are the incident owner of major escalation ${key}`, text: ROLE_INSTRUCTIONS.incident_owner, facts: [{ label: 'Reason', value: m.reason }], urgent: true }), `major:${m.id}:role:${owner.personId}:incident_owner`);
  }
  deps.nudge?.();
}

/** An escalation manager declares a major escalation: war room opened, summary pinned, team invited. */
export async function declareMajor(deps: AppDeps, args: { ticket: string | number; reason: string; actor: Actor }): Promise<MajorResult> {
  const pid = actingPerson(deps, args.actor, 'declare a major escalation');
  requireEscalationManager(deps, pid, 'declare a major escalation');
  const reason = (args.reason ?? '').trim();
  if (!reason) throw new DomainError('VALIDATION', 'A reason is required: say why this incident needs a major escalation (stop-work, cross-functional team).', { field: 'reason' });
  if (reason.length > 2000) throw new DomainError('VALIDATION', 'The reason is too long: at most 2000 characters.', { field: 'reason' });
  const t0 = await requireTicket(deps, args.ticket);
  const key = keyOf(t0);
  let m = await deps.majors.forTicket(t0.id);
  let created = false;
  if (m) {
    requireNotClosed(m);
    if (m.warRoom) {
      if (await needsAnnouncement(deps, m)) {
        // Stored by a declaration that stopped before announcing the room: finish it now.
        deps.log.warn({ majorId: m.id }, 'war room stored without its announcement: announcing it now');
        await announceDeclared(deps, t0, m, args.actor);
        const done = await announceRoom(deps, t0, { ...m, summaryPostedAt: null }, args.actor);
        const ticket = await requireTicket(deps, t0.id);
        if (done.summaryPostedAt) return { ticket, major: done, changed: true, message: `${key} is already a major escalation (${STATUS_TEXT[done.status]}); its war room ${m.warRoom.name} had not been announced: the summary is now posted and pinned.` };
        return { ticket, major: done, changed: false, message: `${key} is already a major escalation; its war room ${m.warRoom.name} is open but the summary could not be posted yet (Esc retries).` };
      }
      return { ticket: t0, major: m, changed: false, message: `${key} is already a major escalation (${STATUS_TEXT[m.status]}); war room ${m.warRoom.name}. Nothing changed.` };
    }
  } else {
    if (!isOpen(t0)) throw new DomainError('INVALID_TRANSITION', `${key} is ${t0.status}: reopen it (or open a new ticket) before declaring a major escalation.`);
    const linked = await deps.majors.byRelatedTicket(t0.id);
    if (linked && linked.relatedTicketIds.includes(t0.id)) {
      throw new DomainError('INVALID_TRANSITION', `${key} is linked to the major escalation of ${linked.ticketKey} (${STATUS_TEXT[linked.status]}): work it there, in its war room${linked.warRoom ? ` ${linked.warRoom.name}` : ''}.`);
    }
    const now = deps.clock.now();
    const cfg = majorConfig(deps);
    const cadence = cfg.updateCadenceMinutes[t0.priority];
    const members = [{ personId: pid, role: 'escalation_manager' as MajorRole, assignedAt: now, assignedBy: pid }];
    if (t0.assigneeId && t0.assigneeId !== pid) members.push({ personId: t0.assigneeId, role: 'incident_owner', assignedAt: now, assignedBy: pid });
    const fresh: MajorEscalation = {
      id: deps.newId(),
      ticketId: t0.id,
      ticketKey: key,
      status: 'active',
      declaredBy: pid,
      declaredAt: now,
      reason,
      warRoom: null,
      members,
      tasks: [],
      updates: [],
      cadenceMinutes: cadence,
      nextUpdateDueAt: new Date(now.getTime() + cadence * MIN),
      updateReminders: 0,
      problemId: null,
      executivesAlertedAt: null,
      resolvedAt: null,
      warrantyEndsAt: null,
      recurrences: 0,
      satisfaction: null,
      satisfactionRequestedAt: null,
      reviewScheduledAt: null,
      aarGeneratedAt: null,
      closedAt: null,
      archivedAt: null,
      version: 0,
      priority: t0.priority,
      ticketOpenedAt: t0.createdAt,
      vipRequester: !!deps.directory().person(t0.requesterId)?.vip,
      relatedTicketIds: [],
      warRoomError: null,
      reviewAt: null,
      nextWakeAt: null,
      summaryPostedAt: null,
      warRoomOpenedAt: null,
    };
    fresh.nextWakeAt = nextWake(fresh, cfg);
    if (await deps.majors.insert(fresh)) {
      created = true;
      m = fresh;
    } else {
      m = (await deps.majors.forTicket(t0.id))!; // declared at the same moment by someone else
      if (m.warRoom) return { ticket: t0, major: m, changed: false, message: `${key} is already a major escalation; war room ${m.warRoom.name}. Nothing changed.` };
    }
  }
  // Also on a retry: a process that stopped between the insert and these would otherwise
  // leave the ticket unmarked, the declaration off the timeline and the incident owner untold.
  await announceDeclared(deps, t0, m, args.actor);
  const opened = await openRoom(deps, t0, m, args.actor);
  const ticket = await requireTicket(deps, t0.id);
  if (opened.error) {
    return {
      ticket,
      major: opened.m,
      changed: true,
      message: `${key} ${created ? 'is declared' : 'remains'} a major escalation, but the war room could not be created: ${opened.error}. Declare it again to retry; nothing else needs redoing.`,
    };
  }
  const pinned = opened.m.summaryPostedAt !== null ? 'is open with the summary pinned' : 'is open, but the summary could not be posted yet (Esc retries)';
  return { ticket, major: opened.m, changed: true, message: `${key} is declared a major escalation. War room ${opened.m.warRoom!.name} ${pinned}; ${opened.m.members.map((x) => personName(deps, x.personId)).join(' and ')} invited.` };
}
