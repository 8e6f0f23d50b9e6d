/** The action plan: tasks with an owner and a due time. */
import { DomainError } from '../../../domain/errors.js';
import type { MajorTask } from '../../../domain/major.js';
import type { AppDeps } from '../../deps.js';
import type { Actor } from '../../ports/timeline.js';
import { actingPerson, personName } from '../actors.js';
import { noticeFor } from '../notify.js';
import { event } from '../ticket-access.js';
import { flushPending } from './pending.js';
import { roomPost } from './room.js';
import { effects, MIN, mutate, requireNotClosed, requireTeam, when } from './support.js';
import type { MajorResult } from './support.js';

/** Tasks are due within this many days (the chat time parser's limit too). */
const TASK_HORIZON_DAYS = 366;

export async function addTask(deps: AppDeps, args: { ticket: string | number; title: string; ownerId: string; dueAt: Date; actor: Actor }): Promise<MajorResult & { task: MajorTask }> {
  const pid = actingPerson(deps, args.actor, 'add tasks to the action plan');
  const title = (args.title ?? '').trim();
  if (!title) throw new DomainError('VALIDATION', 'title: say what must be done.', { field: 'title' });
  if (title.length > 300) throw new DomainError('VALIDATION', 'title: at most 300 characters.', { field: 'title' });
  const owner = deps.directory().person(args.ownerId);
  if (!owner) throw new DomainError('UNKNOWN_PERSON', `There is no person "${args.ownerId}" in the directory: every task needs an owner.`, { field: 'ownerId' });
  if (!(args.dueAt instanceof Date) || Number.isNaN(args.dueAt.getTime())) throw new DomainError('VALIDATION', 'dueAt: an ISO 8601 date-time, e.g. 2026-11-24T15:00:00-08:00.', { field: 'dueAt' });
  const nowMs = deps.clock.now().getTime();
  // A minute of slack for clocks and typing; the chat parsers refuse the same range.
  if (args.dueAt.getTime() < nowMs - MIN) throw new DomainError('VALIDATION', `dueAt: ${args.dueAt.toISOString()} is already past; give a time still ahead.`, { field: 'dueAt' });
  if (args.dueAt.getTime() > nowMs + TASK_HORIZON_DAYS * 24 * 60 * MIN) throw new DomainError('VALIDATION', `dueAt: ${args.dueAt.toISOString()} is more than a year away; an action-plan task is due within a year.`, { field: 'dueAt' });
  const r = await mutate(deps, args.ticket, (m, tk, now) => {
    requireNotClosed(m);
    requireTeam(deps, m, pid, 'add tasks to the action plan');
    const task: MajorTask = { n: Math.max(0, ...m.tasks.map((x) => x.n)) + 1, title, ownerId: owner.id, dueAt: args.dueAt, status: 'open', createdAt: now, createdBy: pid, doneAt: null, doneBy: null, reminders: 0 };
    const batch = effects(deps, now, {
      events: [event(deps, m.ticketId, 'major.task_added', now, args.actor, { majorId: m.id, n: task.n, title, ownerId: owner.id, dueAt: args.dueAt }, `major.task_added:${m.id}:${task.n}`)],
      notices:
        owner.id !== pid
          ? [{ key: `major:${m.id}:task:${task.n}:owner`, personIds: [owner.id], channels: ['chat'], notice: noticeFor(deps, tk, { kind: 'major_escalation', title: `Task ${task.n} on ${m.ticketKey} is yours, due ${when(deps, args.dueAt)}`, text: `${personName(deps, pid)} gave you task ${task.n} of the major escalation on ${m.ticketKey}: ${title}`, facts: [{ label: 'Due', value: when(deps, args.dueAt) }] }) }]
          : [],
      posts: [`Task ${task.n} added: ${title} (owner ${owner.name}, due ${when(deps, args.dueAt)}).`],
    });
    return { next: { ...m, tasks: [...m.tasks, task], pending: [...(m.pending ?? []), batch] }, extra: { task, batch: batch.id } };
  });
  const { task, batch } = r.extra!;
  const m = (await flushPending(deps, r.saved!, [batch])).m;
  const t = (await deps.tickets.get(m.ticketId)) ?? r.t;
  deps.nudge?.();
  return { ticket: t, major: m, changed: true, task, message: `Task ${task.n} added to ${m.ticketKey}: ${title} (owner ${owner.name}, due ${when(deps, args.dueAt)}).` };
}

export async function closeTask(deps: AppDeps, args: { ticket: string | number; n: number; actor: Actor }): Promise<MajorResult & { task: MajorTask }> {
  const pid = actingPerson(deps, args.actor, 'close tasks of the action plan');
  const r = await mutate(deps, args.ticket, (m, _t, now) => {
    requireNotClosed(m);
    const task = m.tasks.find((x) => x.n === args.n);
    if (!task) throw new DomainError('NOT_FOUND', `${m.ticketKey} has no task ${args.n}${m.tasks.length ? ` (tasks: ${m.tasks.map((x) => x.n).join(', ')})` : ''}.`, { field: 'n' });
    requireTeam(deps, m, pid, 'close tasks of the action plan', task.ownerId === pid);
    if (task.status === 'done') return null;
    const done: MajorTask = { ...task, status: 'done', doneAt: now, doneBy: pid };
    return { next: { ...m, tasks: m.tasks.map((x) => (x.n === task.n ? done : x)) }, extra: done };
  });
  if (!r.saved) {
    const task = r.m.tasks.find((x) => x.n === args.n)!;
    return { ticket: r.t, major: r.m, changed: false, task, message: `Task ${task.n} was already done${task.doneBy ? ` (by ${personName(deps, task.doneBy)})` : ''}; nothing changed.` };
  }
  const m = r.saved;
  const task = r.extra!;
  const late = task.doneAt!.getTime() > new Date(task.dueAt).getTime();
  await deps.timeline.append([event(deps, m.ticketId, 'major.task_done', r.now, args.actor, { majorId: m.id, n: task.n, title: task.title, ownerId: task.ownerId, late }, `major.task_done:${m.id}:${task.n}`)]);
  await roomPost(deps, m, { text: `Task ${task.n} done: ${task.title} (${personName(deps, pid)}${late ? ', after its due time' : ''}).` });
  const open = m.tasks.filter((x) => x.status === 'open').length;
  return { ticket: (await deps.tickets.get(m.ticketId)) ?? r.t, major: m, changed: true, task, message: `Task ${task.n} done on ${m.ticketKey}. ${open} task${open === 1 ? '' : 's'} still open.` };
}
