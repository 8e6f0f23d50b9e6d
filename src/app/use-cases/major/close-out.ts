/** The satisfaction check and the closing work (review scheduled, report sent, war room archived). */
import { DomainError } from '../../../domain/errors.js';
import { escalationManagers, nextReviewSlot, SATISFIED_SCORE, satisfactionOpen, STATUS_TEXT, withSatisfaction } from '../../../domain/major.js';
import type { MajorEscalation } from '../../../domain/major.js';
import type { Ticket } from '../../../domain/ticket.js';
import type { AppDeps } from '../../deps.js';
import type { Actor } from '../../ports/timeline.js';
import { actingPerson, personName } from '../actors.js';
import { noticeFor, notifyPeople } from '../notify.js';
import { event } from '../ticket-access.js';
import { afterActionReport } from './aar.js';
import { roomPost } from './room.js';
import { ENGINE, mutate, saveMajor, when } from './support.js';
import type { MajorResult } from './support.js';

/** The customer's answer to the satisfaction check (1–5 and a comment). */
export async function recordSatisfaction(deps: AppDeps, args: { ticket: string | number; score: number; comment?: string; actor: Actor }): Promise<MajorResult> {
  const pid = actingPerson(deps, args.actor, 'record the customer satisfaction');
  if (!Number.isInteger(args.score) || args.score < 1 || args.score > 5) throw new DomainError('VALIDATION', 'score: a whole number from 1 (not satisfied) to 5 (very satisfied).', { field: 'score' });
  const comment = (args.comment ?? '').trim().slice(0, 2000);
  const satisfied = args.score >= SATISFIED_SCORE;
  const r = await mutate(deps, args.ticket, (m, t, now) => {
    const customer = t.id === m.ticketId ? t.requesterId : null;
    if (pid !== customer && !deps.directory().hasRole(pid, 'escalation_manager')) {
      throw new DomainError('FORBIDDEN', `Only the customer (${personName(deps, customer)}) or an escalation manager can record the satisfaction of ${m.ticketKey}.`);
    }
    if (!satisfactionOpen(m)) {
      throw new DomainError('INVALID_TRANSITION', `${m.ticketKey} has no satisfaction check open (it is ${STATUS_TEXT[m.status]}${m.warrantyEndsAt ? `; the check is sent when the warranty ends, ${when(deps, m.warrantyEndsAt)}` : ''}).`);
    }
    // The review goes on the next working day of the ticket team's calendar.
    const dir = deps.directory();
    const cal = dir.calendar(dir.team(t.teamId)?.calendarId ?? '');
    const reviewAt = nextReviewSlot(now, dir.org.timeZone, cal && !cal.alwaysOpen ? cal.workingDays : [1, 2, 3, 4, 5], cal?.holidays ?? []);
    return { next: withSatisfaction(m, { score: args.score, comment, at: now, by: pid }, reviewAt), extra: reviewAt };
  });
  const m = r.saved!;
  const t = (await deps.tickets.get(m.ticketId)) ?? r.t;
  const now = r.now;
  await deps.timeline.append([event(deps, m.ticketId, 'satisfaction.recorded', now, args.actor, { majorId: m.id, score: args.score, comment, by: pid }, `satisfaction.recorded:${m.id}:${now.getTime()}`)]);
  const ems = escalationManagers(m);
  if (!satisfied) {
    const text = `The customer is not satisfied with the resolution of ${m.ticketKey} (${args.score}/5)${comment ? `: "${comment}"` : '.'} The major escalation is back with you: follow up with the customer, then ask them again.`;
    await notifyPeople(deps, t, ems, ['chat', 'email'], noticeFor(deps, t, { kind: 'major_escalation', title: `Not satisfied (${args.score}/5): ${m.ticketKey} ${t.title}`, text, urgent: true }), `major:${m.id}:unsatisfied:${now.getTime()}`);
    await roomPost(deps, m, { text: `Customer satisfaction ${args.score}/5${comment ? `: "${comment}"` : ''}. Back to the escalation manager; the escalation is active again.` });
    deps.nudge?.();
    return { ticket: t, major: m, changed: true, message: `Recorded ${args.score}/5 for ${m.ticketKey}. Not satisfied: the escalation manager (${ems.map((id) => personName(deps, id)).join(', ')}) was told and the escalation is active again.` };
  }
  // Satisfied: review scheduled, the escalation closed, the report generated and sent, the war room archived.
  const reviewAt = r.extra!;
  await roomPost(deps, m, { text: `Customer satisfaction ${args.score}/5${comment ? `: "${comment}"` : ''}. Post-escalation review scheduled for ${when(deps, reviewAt)}. The escalation is closed; this room will be archived.` });
  const done = await closeOut(deps, m, t, now);
  const aarNote = done.aar ? 'the after-action report was sent' : 'the after-action report could NOT be generated yet (Esc retries; see the log)';
  return { ticket: t, major: (await deps.majors.get(m.id)) ?? m, changed: true, message: `Recorded ${args.score}/5 for ${m.ticketKey}: post-escalation review scheduled for ${when(deps, reviewAt)}, ${aarNote}, the escalation is closed${m.warRoom ? (done.archived ? ' and its war room archived' : ' (its war room could not be archived yet; Esc retries)') : ''}.` };
}

/**
 * The closing work of a satisfied escalation, each step idempotent: review scheduled and the
 * team told, closed on the timeline, the after-action report sent (unless it was), the war
 * room archived (unless it was). Run at once by `recordSatisfaction`, and by the engine
 * (`close_out`) when a crash or a failure left part of it undone.
 */
export async function closeOut(deps: AppDeps, m0: MajorEscalation, t: Ticket, now: Date): Promise<{ aar: boolean; archived: boolean }> {
  const m = m0;
  const at = new Date(m.closedAt ?? now);
  const score = m.satisfaction?.score ?? null;
  if (m.reviewAt) {
    const reviewAt = new Date(m.reviewAt);
    await deps.timeline.append([event(deps, m.ticketId, 'major.review_scheduled', at, ENGINE, { majorId: m.id, at: reviewAt }, `major.review_scheduled:${m.id}`)]);
    const team = [...new Set([...escalationManagers(m), ...m.members.map((x) => x.personId)])];
    await notifyPeople(deps, t, team, ['chat'], noticeFor(deps, t, { kind: 'major_escalation', title: `Post-escalation review of ${m.ticketKey}: ${when(deps, reviewAt)}`, text: `The customer is satisfied${score !== null ? ` (${score}/5)` : ''}. The post-escalation review of ${m.ticketKey} is scheduled for ${when(deps, reviewAt)}; its findings go to problem management.`, facts: [{ label: 'Review', value: when(deps, reviewAt) }] }), `major:${m.id}:review`);
  }
  await deps.timeline.append([event(deps, m.ticketId, 'major.closed', at, ENGINE, { majorId: m.id, score }, `major.closed:${m.id}`)]);
  let aar = !!m.aarGeneratedAt;
  if (!aar) {
    try {
      await afterActionReport(deps, { ticket: m.ticketId, actor: ENGINE, send: true });
      aar = true;
    } catch (e) {
      deps.log.error({ majorId: m.id, err: (e as Error).stack ?? String(e) }, 'after-action report failed at closing');
    }
  }
  let archived = !m.warRoom || !!m.archivedAt;
  if (!archived && m.warRoom) {
    try {
      await deps.warRoom.archive(m.warRoom);
      for (let i = 0; i < 8 && !archived; i++) {
        const cur = (await deps.majors.get(m.id)) ?? m;
        archived = !!(await saveMajor(deps, { ...cur, archivedAt: now }));
      }
      await deps.timeline.append([event(deps, m.ticketId, 'major.war_room_archived', now, ENGINE, { majorId: m.id, room: m.warRoom }, `major.war_room_archived:${m.id}`)]);
    } catch (e) {
      deps.log.warn({ majorId: m.id, err: (e as Error).message }, 'war room could not be archived');
    }
  }
  return { aar, archived };
}
