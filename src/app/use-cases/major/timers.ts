/** Engine work on one major escalation: overdue tasks, update cadence, executive alert, warranty end, retries. */
import { escalationManagers, STATUS_TEXT } from '../../../domain/major.js';
import type { MajorEscalation } from '../../../domain/major.js';
import { afterDue, ANNOUNCE_MAX_ATTEMPTS, CLOSE_OUT_MAX_ATTEMPTS, dueWork, nextWake } from '../../../domain/major-due.js';
import type { MajorDue } from '../../../domain/major-due.js';
import type { MajorConfig } from '../../../domain/org-config.js';
import type { Ticket } from '../../../domain/ticket.js';
import type { AppDeps } from '../../deps.js';
import { personName } from '../actors.js';
import { noticeFor, notifyPeople } from '../notify.js';
import { event } from '../ticket-access.js';
import { closeOut } from './close-out.js';
import { flushPending } from './pending.js';
import { announceRoom, roomPost } from './room.js';
import { ENGINE, majorConfig, MIN, saveMajor, when } from './support.js';

/**
 * Engine: does what is due on one major escalation (overdue tasks, a missing update, the
 * executive alert, the end of the warranty). Messages and events carry keys derived from the
 * escalation's state, so two processes doing the same work store them once; the
 * compare-and-set then records it. Returns how many things it did.
 */
export async function advanceMajor(deps: AppDeps, m: MajorEscalation, now: Date): Promise<number> {
  const cfg = majorConfig(deps);
  const due = dueWork(m, cfg, now);
  const closing = due.find((d) => d.type === 'close_out');
  if (closing) {
    // Claim the attempt first (compare-and-set), so one process does the closing work.
    const claimed = await saveMajor(deps, afterDue(m, closing, now));
    if (!claimed) return 0;
    const t = await deps.tickets.get(m.ticketId);
    if (!t) return 1;
    deps.log.warn({ majorId: m.id, attempt: closing.attempt }, 'major escalation closed with its closing work undone: finishing it');
    const done = await closeOut(deps, claimed, t, now);
    if (!(done.aar && done.archived) && closing.attempt >= CLOSE_OUT_MAX_ATTEMPTS) deps.log.error({ majorId: m.id, ...done }, 'major escalation: closing work still undone after the last retry; send the report / archive the war room by hand');
    return 1;
  }
  const flushing = due.find((d) => d.type === 'flush');
  if (flushing) {
    // Claim the attempt first (compare-and-set), so one process sends them.
    const claimed = await saveMajor(deps, afterDue(m, flushing, now));
    if (!claimed) return 0;
    deps.log.warn({ majorId: m.id, batches: flushing.ids.length }, 'major escalation: messages of an action left unsent (a crash or a failure): sending them');
    await flushPending(deps, claimed, flushing.ids);
    return 1;
  }
  const announcing = due.find((d) => d.type === 'announce');
  if (announcing) {
    // Claim the attempt first (compare-and-set), so one process posts the summary.
    const claimed = await saveMajor(deps, afterDue(m, announcing, now));
    if (!claimed) return 0;
    const t = await deps.tickets.get(m.ticketId);
    if (!t) return 1;
    deps.log.warn({ majorId: m.id, attempt: announcing.attempt }, 'war room open but not announced: announcing it');
    const done = await announceRoom(deps, t, claimed, ENGINE);
    if (!done.summaryPostedAt && announcing.attempt >= ANNOUNCE_MAX_ATTEMPTS) deps.log.error({ majorId: m.id }, 'war room summary still not posted after the last retry; post it by hand');
    return 1;
  }
  if (due.length === 0) {
    const wake = nextWake(m, cfg);
    // Nothing due (the settings changed since): move the wake-up on, never spin on it.
    await deps.majors.save({ ...m, nextWakeAt: wake && wake.getTime() > now.getTime() ? wake : null });
    return 0;
  }
  const t = await deps.tickets.get(m.ticketId);
  if (!t) return 0;
  let next = m;
  const posts: string[] = [];
  for (const d of due) {
    await doDue(deps, m, t, d, now, cfg, posts);
    next = afterDue(next, d, now);
  }
  const saved = await saveMajor(deps, next);
  if (saved) for (const text of posts) await roomPost(deps, saved, { text });
  return due.length;
}

async function doDue(deps: AppDeps, m: MajorEscalation, t: Ticket, d: MajorDue, now: Date, cfg: MajorConfig, posts: string[]): Promise<void> {
  const ems = escalationManagers(m);
  const dir = deps.directory();
  switch (d.type) {
    case 'task_overdue': {
      const task = m.tasks.find((x) => x.n === d.n)!;
      const late = Math.round((now.getTime() - new Date(task.dueAt).getTime()) / MIN);
      const k = `major:${m.id}:task:${d.n}:overdue:${d.reminder}`;
      await notifyPeople(deps, t, [task.ownerId, ...ems], ['chat'], noticeFor(deps, t, { kind: 'major_escalation', title: `Overdue: task ${d.n} on ${m.ticketKey}`, text: `Task ${d.n} of the major escalation on ${m.ticketKey} was due ${when(deps, task.dueAt)} (${late} min ago) and is still open: ${task.title}. Owner: ${personName(deps, task.ownerId)}.`, urgent: true }), k);
      await deps.timeline.append([event(deps, m.ticketId, 'major.task_overdue', now, ENGINE, { majorId: m.id, n: d.n, ownerId: task.ownerId, reminder: d.reminder, dueAt: task.dueAt }, k)]);
      if (d.reminder === 1) posts.push(`Task ${d.n} is overdue (due ${when(deps, task.dueAt)}): ${task.title}. ${personName(deps, task.ownerId)} and the escalation manager were reminded.`);
      return;
    }
    case 'update_due': {
      const k = `major:${m.id}:update_due:${new Date(m.nextUpdateDueAt!).getTime()}:${d.reminder}`;
      await notifyPeople(deps, t, ems, ['chat'], noticeFor(deps, t, { kind: 'major_escalation', title: `Customer update due: ${m.ticketKey}`, text: `A customer / stakeholder update on ${m.ticketKey} was due ${when(deps, m.nextUpdateDueAt!)} (every ${m.cadenceMinutes} min for ${m.priority}) and none was sent. Send one now.`, urgent: true }), k);
      await deps.timeline.append([event(deps, m.ticketId, 'major.update_due', now, ENGINE, { majorId: m.id, dueAt: m.nextUpdateDueAt, reminder: d.reminder, to: ems }, k)]);
      return;
    }
    case 'executives': {
      const to = [...new Set([...dir.org.executives, ...cfg.notifyAlso].filter((x) => dir.person(x)))];
      const k = `major.executives_alerted:${m.id}`;
      await notifyPeople(deps, t, to, ['chat', 'email'], noticeFor(deps, t, { kind: 'major_escalation', title: `Major escalation: ${m.ticketKey} ${t.title}`, text: `Hierarchical escalation: the major escalation on ${m.ticketKey} meets the executive criteria (${d.criteria.join(', ')}). Escalation manager: ${personName(deps, m.declaredBy)}. Reason: ${m.reason}`, facts: [{ label: 'Criteria', value: d.criteria.join(', ') }, { label: 'Status', value: STATUS_TEXT[m.status] }], urgent: true }), k);
      await deps.timeline.append([event(deps, m.ticketId, 'major.executives_alerted', now, ENGINE, { majorId: m.id, to, criteria: d.criteria }, k)]);
      posts.push(`Executives alerted (${d.criteria.join(', ')}): ${to.map((id) => personName(deps, id)).join(', ')}.`);
      return;
    }
    case 'warranty_end': {
      const k = `major.satisfaction_requested:${m.id}:${new Date(m.warrantyEndsAt!).getTime()}`;
      const customer = t.requesterId;
      if (customer) {
        await notifyPeople(deps, t, [customer], ['chat', 'email'], noticeFor(deps, t, { kind: 'major_escalation', title: `How satisfied are you with the resolution of ${m.ticketKey}?`, text: `The warranty period of ${m.ticketKey} (${t.title}) is over without a recurrence. Please rate the resolution from 1 (not satisfied) to 5 (very satisfied), with a comment if you like.`, actions: ['rate'] }), k);
      } else {
        await notifyPeople(deps, t, ems, ['chat'], noticeFor(deps, t, { kind: 'major_escalation', title: `Warranty over: ${m.ticketKey} has no requester to ask`, text: `The warranty of ${m.ticketKey} is over, but the ticket names no customer: record their satisfaction yourself.` }), k);
      }
      await deps.timeline.append([event(deps, m.ticketId, 'major.satisfaction_requested', now, ENGINE, { majorId: m.id, to: customer }, k)]);
      posts.push(`Warranty over without a recurrence; the satisfaction check went to ${customer ? personName(deps, customer) : 'nobody (no requester)'}.`);
      return;
    }
    case 'satisfaction_reminder': {
      const asked = new Date(m.satisfactionRequestedAt!);
      const customer = t.requesterId;
      if (!customer) return; // the escalation managers were told at the end of the warranty
      const k = `major.satisfaction_reminded:${m.id}:${asked.getTime()}`;
      await notifyPeople(deps, t, [customer], ['chat', 'email'], noticeFor(deps, t, { kind: 'major_escalation', title: `Reminder: how satisfied are you with the resolution of ${m.ticketKey}?`, text: `We asked you on ${when(deps, asked)} to rate the resolution of ${m.ticketKey} (${t.title}) and have no answer yet. Please rate it from 1 (not satisfied) to 5 (very satisfied), with a comment if you like: it decides whether the escalation can close.`, actions: ['rate'] }), k);
      await deps.timeline.append([event(deps, m.ticketId, 'major.satisfaction_reminded', now, ENGINE, { majorId: m.id, to: customer, requestedAt: asked }, k)]);
      posts.push(`The customer (${personName(deps, customer)}) has not answered the satisfaction check sent ${when(deps, asked)}; they were reminded.`);
      return;
    }
    case 'satisfaction_timeout': {
      const asked = new Date(m.satisfactionRequestedAt!);
      const customer = t.requesterId;
      const k = `major.satisfaction_unanswered:${m.id}:${asked.getTime()}`;
      const who = customer ? personName(deps, customer) : 'the customer';
      const text = `${who} has not answered the satisfaction check of ${m.ticketKey} (${t.title}), sent ${when(deps, asked)}${customer ? ' and reminded since' : ''}. The escalation stays open until a person decides: contact the customer and record their answer (an escalation manager may record it on their behalf), or reopen the work if they are not satisfied.`;
      await notifyPeople(deps, t, ems, ['chat', 'email'], noticeFor(deps, t, { kind: 'major_escalation', title: `No answer to the satisfaction check: ${m.ticketKey} ${t.title}`, text, facts: [{ label: 'Asked', value: when(deps, asked) }, { label: 'Customer', value: who }], actions: ['rate'], urgent: true }), k);
      await deps.timeline.append([event(deps, m.ticketId, 'major.satisfaction_unanswered', now, ENGINE, { majorId: m.id, to: ems, customer, requestedAt: asked }, k)]);
      posts.push(`No answer from ${who} to the satisfaction check; the escalation manager (${ems.map((id) => personName(deps, id)).join(', ')}) decides what happens next.`);
      return;
    }
  }
}
