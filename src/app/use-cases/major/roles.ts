/** The cross-functional team: roles assigned, invited, instructed. */
import { DomainError } from '../../../domain/errors.js';
import { MAJOR_ROLE_LABELS, MAJOR_ROLES, ROLE_INSTRUCTIONS } from '../../../domain/major.js';
import type { MajorRole } from '../../../domain/major.js';
import type { AppDeps } from '../../deps.js';
import type { Actor } from '../../ports/timeline.js';
import { actingPerson, personName } from '../actors.js';
import { noticeFor } from '../notify.js';
import { event } from '../ticket-access.js';
import { flushPending } from './pending.js';
import { effects, mutate, requireEscalationManager, requireNotClosed } from './support.js';
import type { MajorResult } from './support.js';

/** Assigns a role on the cross-functional team: invited to the war room, sent the role's instructions. */
export async function assignRole(deps: AppDeps, args: { ticket: string | number; personId: string; role: MajorRole; actor: Actor }): Promise<MajorResult> {
  const pid = actingPerson(deps, args.actor, 'assign roles on a major escalation');
  requireEscalationManager(deps, pid, 'assign roles on a major escalation');
  if (!MAJOR_ROLES.includes(args.role)) throw new DomainError('VALIDATION', `role: one of ${MAJOR_ROLES.join(', ')}.`, { field: 'role' });
  const person = deps.directory().person(args.personId);
  if (!person) throw new DomainError('UNKNOWN_PERSON', `There is no person "${args.personId}" in the directory.`, { field: 'personId' });
  const label = MAJOR_ROLE_LABELS[args.role];
  const r = await mutate(deps, args.ticket, (m, t, now) => {
    requireNotClosed(m);
    if (m.members.some((x) => x.personId === person.id && x.role === args.role)) return null;
    const key = m.ticketKey;
    // Stored with the role (same write): the invite, the instructions, the event and the post are sent even after a crash.
    const batch = effects(deps, now, {
      invites: [person.id],
      notices: [{ key: `major:${m.id}:role:${person.id}:${args.role}`, personIds: [person.id], channels: ['chat'], notice: noticeFor(deps, t, { kind: 'major_escalation', title: `You are ${label} on major escalation ${key}`, text: ROLE_INSTRUCTIONS[args.role], facts: [{ label: 'Ticket', value: `${key} ${t.title}` }, { label: 'War room', value: m.warRoom?.name ?? 'not open yet' }, { label: 'Assigned by', value: personName(deps, pid) }], urgent: true }) }],
      events: [event(deps, m.ticketId, 'major.role_assigned', now, args.actor, { majorId: m.id, personId: person.id, role: args.role }, `major.role_assigned:${m.id}:${person.id}:${args.role}`)],
      posts: [`${person.name} joins as ${label} (assigned by ${personName(deps, pid)}).`],
    });
    return { next: { ...m, members: [...m.members, { personId: person.id, role: args.role, assignedAt: now, assignedBy: pid }], pending: [...(m.pending ?? []), batch] }, extra: batch.id };
  });
  const key = r.m.ticketKey;
  if (!r.saved) return { ticket: r.t, major: r.m, changed: false, message: `${person.name} already is ${label} on ${key}; nothing changed.` };
  const sent = await flushPending(deps, r.saved, [r.extra!]);
  const m = sent.m;
  const t = (await deps.tickets.get(m.ticketId)) ?? r.t;
  const unreachable = sent.unreachable.length > 0;
  return { ticket: t, major: m, changed: true, message: `${person.name} is ${label} on ${key}: ${unreachable ? 'NOT reachable in the war room (invite them by hand)' : m.warRoom ? 'invited to the war room' : 'the war room is not open yet'}; the role's instructions were sent.` };
}
