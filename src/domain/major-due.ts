/**
 * What the engine owes a major escalation, and when: overdue tasks, the update cadence, the
 * executive alert, the end of the warranty, the satisfaction check, and retries of work a
 * crash or a failure left undone. Pure: callers pass `now`.
 */
import type { MajorEscalation, MajorTask } from './major.js';
import { DEFAULT_MAJOR } from './org-config.js';
import type { MajorConfig } from './org-config.js';
import type { PendingEffects } from './pending-effects.js';
import { pendingBatchDueAt } from './pending-effects.js';

/** Work the engine owes a major escalation at `now`. */
export type MajorDue =
  | { type: 'task_overdue'; n: number; reminder: number }
  | { type: 'update_due'; reminder: number }
  | { type: 'executives'; criteria: string[] }
  | { type: 'warranty_end' }
  | { type: 'satisfaction_reminder' }
  | { type: 'satisfaction_timeout' }
  | { type: 'close_out'; attempt: number }
  | { type: 'announce'; attempt: number }
  | { type: 'flush'; ids: string[] };

/** Closing work is retried every `CLOSE_OUT_RETRY_MINUTES × attempt`, at most `CLOSE_OUT_MAX_ATTEMPTS` times. */
export const CLOSE_OUT_RETRY_MINUTES = 10;
export const CLOSE_OUT_MAX_ATTEMPTS = 12;

/**
 * A war room left unannounced is finished by the engine ANNOUNCE_GRACE_MINUTES after it was
 * stored (the declaring request normally does it at once), then retried every
 * ANNOUNCE_RETRY_MINUTES × attempt, at most ANNOUNCE_MAX_ATTEMPTS times.
 */
export const ANNOUNCE_GRACE_MINUTES = 2;
export const ANNOUNCE_RETRY_MINUTES = 5;
export const ANNOUNCE_MAX_ATTEMPTS = 12;


/** The war room is open and its announcement still owed (only records written since the flag exists: null, not absent). */
export function announcementPending(m: Pick<MajorEscalation, 'status' | 'warRoom' | 'summaryPostedAt'>): boolean {
  return m.status !== 'closed' && !!m.warRoom && m.summaryPostedAt === null;
}

function announceDueAt(m: MajorEscalation): number | null {
  const attempts = m.announceAttempts ?? 0;
  if (!announcementPending(m) || attempts >= ANNOUNCE_MAX_ATTEMPTS) return null;
  const from = t(m.warRoomOpenedAt) ?? t(m.declaredAt)!;
  return from + ANNOUNCE_GRACE_MINUTES * MIN + attempts * ANNOUNCE_RETRY_MINUTES * MIN;
}

/** A closed escalation whose after-action report was not sent or whose war room is not archived. */
export function closeOutPending(m: Pick<MajorEscalation, 'status' | 'aarGeneratedAt' | 'warRoom' | 'archivedAt'>): boolean {
  return m.status === 'closed' && (!m.aarGeneratedAt || (!!m.warRoom && !m.archivedAt));
}

/** When the engine next retries the closing work; null when none is owed or it gave up. */
function closeOutDueAt(m: MajorEscalation): number | null {
  const attempts = m.closeOutAttempts ?? 0;
  if (!closeOutPending(m) || !m.closedAt || attempts >= CLOSE_OUT_MAX_ATTEMPTS) return null;
  return t(m.closedAt)! + (attempts + 1) * CLOSE_OUT_RETRY_MINUTES * MIN;
}

const MIN = 60_000;
const t = (d: Date | string | null | undefined): number | null => (d ? new Date(d).getTime() : null);
const pendingAt = (b: PendingEffects): number | null => pendingBatchDueAt(b)?.getTime() ?? null;

/** Which executive criteria hold (empty: none). */
export function executiveCriteriaMet(m: Pick<MajorEscalation, 'priority' | 'vipRequester' | 'ticketOpenedAt'>, cfg: MajorConfig, now: Date): string[] {
  const c = cfg.executiveCriteria;
  const out: string[] = [];
  if (c.priorities.includes(m.priority)) out.push(`priority ${m.priority}`);
  if (c.vipRequester && m.vipRequester) out.push('VIP requester');
  if (c.openLongerThanMinutes !== null && now.getTime() - t(m.ticketOpenedAt)! >= c.openLongerThanMinutes * MIN) out.push(`open longer than ${c.openLongerThanMinutes} min`);
  return out;
}

function taskDueAt(task: MajorTask, cfg: MajorConfig): number {
  return t(task.dueAt)! + task.reminders * cfg.taskReminderMinutes * MIN;
}

const DAY = 24 * 60 * MIN;

/** When the unanswered satisfaction check reminds the customer, and when it goes to the escalation managers. */
function satisfactionDue(m: MajorEscalation, cfg: MajorConfig): { remind: number | null; timeout: number | null } {
  const asked = t(m.satisfactionRequestedAt);
  if (m.status !== 'satisfaction' || asked === null) return { remind: null, timeout: null };
  const remindAt = asked + (cfg.satisfactionReminderDays ?? DEFAULT_MAJOR.satisfactionReminderDays) * DAY;
  return {
    remind: (m.satisfactionReminders ?? 0) >= 1 ? null : remindAt,
    timeout: m.satisfactionEscalatedAt ? null : remindAt + (cfg.satisfactionTimeoutDays ?? DEFAULT_MAJOR.satisfactionTimeoutDays) * DAY,
  };
}

function updateDueAt(m: MajorEscalation): number | null {
  const due = t(m.nextUpdateDueAt);
  return due === null ? null : due + m.updateReminders * m.cadenceMinutes * MIN;
}

/**
 * What is due now: overdue open tasks (once per `taskReminderMinutes`), a missing update
 * (at its due time, then once per cadence), the executive alert (once), the end of the warranty.
 */
export function dueWork(m: MajorEscalation, cfg: MajorConfig, now: Date): MajorDue[] {
  const out: MajorDue[] = [];
  const n = now.getTime();
  if (m.status === 'active') {
    // After a long pause (a clock jump, a stopped process) one reminder catches up: the count
    // skips the periods missed, so the next one is a full period away.
    const catchUp = (due: number, period: number, sent: number) => Math.max(sent + 1, Math.floor((n - due) / period) + 1);
    for (const task of m.tasks) {
      if (task.status === 'open' && taskDueAt(task, cfg) <= n) out.push({ type: 'task_overdue', n: task.n, reminder: catchUp(t(task.dueAt)!, cfg.taskReminderMinutes * MIN, task.reminders) });
    }
    const u = updateDueAt(m);
    if (u !== null && u <= n) out.push({ type: 'update_due', reminder: catchUp(t(m.nextUpdateDueAt)!, m.cadenceMinutes * MIN, m.updateReminders) });
    if (!m.executivesAlertedAt) {
      const criteria = executiveCriteriaMet(m, cfg, now);
      if (criteria.length > 0) out.push({ type: 'executives', criteria });
    }
  }
  if (m.status === 'warranty' && m.warrantyEndsAt && t(m.warrantyEndsAt)! <= n) out.push({ type: 'warranty_end' });
  const sat = satisfactionDue(m, cfg);
  if (sat.remind !== null && sat.remind <= n) out.push({ type: 'satisfaction_reminder' });
  if (sat.timeout !== null && sat.timeout <= n) out.push({ type: 'satisfaction_timeout' });
  const closeOut = closeOutDueAt(m);
  if (closeOut !== null && closeOut <= n) out.push({ type: 'close_out', attempt: (m.closeOutAttempts ?? 0) + 1 });
  const announce = announceDueAt(m);
  if (announce !== null && announce <= n) out.push({ type: 'announce', attempt: (m.announceAttempts ?? 0) + 1 });
  const flush = (m.pending ?? []).filter((b) => (pendingAt(b) ?? Infinity) <= n).map((b) => b.id);
  if (flush.length > 0) out.push({ type: 'flush', ids: flush });
  return out;
}

/** The earliest time `dueWork` will have something (null: nothing until someone acts). */
export function nextWake(m: MajorEscalation, cfg: MajorConfig): Date | null {
  const times: number[] = [];
  if (m.status === 'active') {
    for (const task of m.tasks) if (task.status === 'open') times.push(taskDueAt(task, cfg));
    const u = updateDueAt(m);
    if (u !== null) times.push(u);
    if (!m.executivesAlertedAt) {
      const c = cfg.executiveCriteria;
      if (c.priorities.includes(m.priority) || (c.vipRequester && m.vipRequester)) times.push(t(m.declaredAt)!);
      else if (c.openLongerThanMinutes !== null) times.push(t(m.ticketOpenedAt)! + c.openLongerThanMinutes * MIN);
    }
  }
  if (m.status === 'warranty' && m.warrantyEndsAt) times.push(t(m.warrantyEndsAt)!);
  const sat = satisfactionDue(m, cfg);
  if (sat.remind !== null) times.push(sat.remind);
  if (sat.timeout !== null) times.push(sat.timeout);
  const closeOut = closeOutDueAt(m);
  if (closeOut !== null) times.push(closeOut);
  const announce = announceDueAt(m);
  if (announce !== null) times.push(announce);
  for (const b of m.pending ?? []) {
    const due = pendingAt(b);
    if (due !== null) times.push(due);
  }
  return times.length ? new Date(Math.min(...times)) : null;
}

/** Applies what the engine did, so the same work is not due again. */
export function afterDue(m: MajorEscalation, d: MajorDue, now: Date): MajorEscalation {
  switch (d.type) {
    case 'task_overdue':
      return { ...m, tasks: m.tasks.map((x) => (x.n === d.n ? { ...x, reminders: d.reminder } : x)) };
    case 'update_due':
      return { ...m, updateReminders: d.reminder };
    case 'executives':
      return { ...m, executivesAlertedAt: now };
    case 'warranty_end':
      return { ...m, status: 'satisfaction', satisfactionRequestedAt: now, satisfactionReminders: 0, satisfactionEscalatedAt: null };
    case 'satisfaction_reminder':
      return { ...m, satisfactionReminders: 1 };
    case 'satisfaction_timeout':
      return { ...m, satisfactionEscalatedAt: now };
    case 'close_out':
      return { ...m, closeOutAttempts: d.attempt };
    case 'announce':
      return { ...m, announceAttempts: d.attempt };
    case 'flush':
      return { ...m, pending: (m.pending ?? []).map((b) => (d.ids.includes(b.id) ? { ...b, attempts: b.attempts + 1 } : b)) };
  }
}
