/**
 * Major escalations (seed 001): a war room, a cross-functional team with roles, an action
 * plan, a communication cadence, a problem case, resolution → warranty → satisfaction →
 * post-escalation review, and an after-action report. Pure: no I/O, no clock.
 * Contract (issue 7): add fields and functions freely; don't rename these.
 */
import { DateTime } from 'luxon';
import type { TimelineEvent } from '../app/ports/timeline.js';
import type { WarRoomRef } from '../app/ports/war-room.js';
import type { Notice } from './notice.js';
import type { Channel } from './plan.js';
import type { Priority } from './ticket.js';

export const MAJOR_ROLES = ['escalation_manager', 'incident_owner', 'abrm', 'problem_owner', 'vendor', 'sme'] as const;
export type MajorRole = (typeof MAJOR_ROLES)[number];

export const MAJOR_ROLE_LABELS: Record<MajorRole, string> = {
  escalation_manager: 'Escalation manager',
  incident_owner: 'Incident owner',
  abrm: 'Account / business relationship manager',
  problem_owner: 'Problem owner',
  vendor: 'Vendor contact',
  sme: 'Subject matter expert',
};

/**
 * active: the team works it; warranty: resolved, standing by for a recurrence;
 * satisfaction: warranty over, waiting for the customer's answer; closed: satisfied (review
 * scheduled, report sent, war room archived).
 */
export type MajorStatus = 'active' | 'warranty' | 'satisfaction' | 'closed';

export interface MajorMember {
  personId: string;
  role: MajorRole;
  assignedAt: Date;
  assignedBy: string | null;
}

export interface MajorTask {
  /** 1, 2, 3… within the escalation (people type "task done 2"). */
  n: number;
  title: string;
  ownerId: string;
  dueAt: Date;
  status: 'open' | 'done';
  createdAt: Date;
  createdBy: string | null;
  doneAt: Date | null;
  doneBy: string | null;
  /** Overdue reminders sent. */
  reminders: number;
}

export interface MajorUpdate {
  at: Date;
  by: string | null;
  text: string;
  /** People it went to. */
  sentTo: string[];
}

export interface MajorEscalation {
  id: string;
  ticketId: string;
  ticketKey: string;
  status: MajorStatus;
  declaredBy: string;
  declaredAt: Date;
  reason: string;
  warRoom: WarRoomRef | null;
  members: MajorMember[];
  tasks: MajorTask[];
  updates: MajorUpdate[];
  /** Customer / stakeholder update cadence (per priority, from the org config). */
  cadenceMinutes: number;
  nextUpdateDueAt: Date | null;
  updateReminders: number;
  problemId: string | null;
  executivesAlertedAt: Date | null;
  resolvedAt: Date | null;
  warrantyEndsAt: Date | null;
  /** Times the incident recurred during a warranty. */
  recurrences: number;
  satisfaction: { score: number; comment: string; at: Date; by: string | null } | null;
  satisfactionRequestedAt: Date | null;
  /** Reminders of the satisfaction check sent to the customer (0 or 1). Absent on older records. */
  satisfactionReminders?: number;
  /** When the escalation managers were told the customer never answered. Absent on older records. */
  satisfactionEscalatedAt?: Date | null;
  reviewScheduledAt: Date | null;
  aarGeneratedAt: Date | null;
  closedAt: Date | null;
  archivedAt: Date | null;
  version: number;
  /** The ticket's priority and opening time when declared (cadence, executive criteria). */
  priority: Priority;
  ticketOpenedAt: Date;
  /** The requester is a VIP (executive criteria). */
  vipRequester: boolean;
  /**
   * The last problem record created by title from this escalation (`key`: ticket id and
   * normalised title): the same title again within PROBLEM_REUSE_MINUTES reuses it (a double
   * click, a retry). Absent on older records.
   */
  recentProblem?: { key: string; problemId: string; at: Date } | null;
  /** Other incidents linked as recurrences of this one. */
  relatedTicketIds: string[];
  /** Why the war room could not be opened (declare again to retry); null when it is open. */
  warRoomError: string | null;
  /** When the post-escalation review meeting takes place (reviewScheduledAt: when it was scheduled). */
  reviewAt: Date | null;
  /** The earliest time the engine has something to do for it (a reminder, a warranty end); null: nothing. */
  nextWakeAt: Date | null;
  /**
   * Engine retries of the closing work (report sent, war room archived) that the closing
   * request left undone (a crash, a platform or renderer failure). Absent on older records.
   */
  closeOutAttempts?: number;
  /**
   * When the war room got its announcement (the `major.war_room_opened` event and the pinned
   * summary). null: the room is open but not announced yet (a crash, a failed post): declaring
   * again or the engine finishes it. Absent on older records (announced with the room).
   */
  summaryPostedAt?: Date | null;
  /** When the war room was stored on the record. Absent on older records. */
  warRoomOpenedAt?: Date | null;
  /** Engine retries of a missing announcement. Absent on older records. */
  announceAttempts?: number;
  /**
   * What an action still has to send, stored in the same compare-and-set write as the action
   * (an update, a role, a task): sent right after, then removed; a batch a crash left here is
   * sent by the engine. Notices and events carry idempotency keys. Absent on older records.
   */
  pending?: PendingEffects[];
}

/** The messages, events and war-room posts of one action, until they are sent. */
export interface PendingEffects {
  id: string;
  at: Date;
  /** Engine attempts so far. */
  attempts: number;
  notices: { key: string; personIds: string[]; channels: Channel[]; notice: Notice }[];
  events: TimelineEvent[];
  /** People to invite to the war room. */
  invites: string[];
  posts: string[];
}

/** A problem record (ITIL problem case) relating several incidents. */
export interface ProblemRecord {
  id: string;
  /** PRB-1001 style number. */
  number: number;
  title: string;
  ownerId: string | null;
  ticketIds: string[];
  createdAt: Date;
  createdBy: string | null;
  status: 'open' | 'resolved';
}

/** The organisation's major-escalation settings (org file `major:`). */
export interface MajorConfig {
  /** Customer / stakeholder update interval per priority. */
  updateCadenceMinutes: Record<Priority, number>;
  /** An overdue task reminds its owner and the escalation manager this often. */
  taskReminderMinutes: number;
  /** Hierarchical escalation to executives when any criterion is met. */
  executiveCriteria: { priorities: Priority[]; vipRequester: boolean; openLongerThanMinutes: number | null };
  /** Also alerted with the executives (officials, directors affected). */
  notifyAlso: string[];
  /** Also sent every customer / stakeholder update. */
  stakeholders: string[];
  /** Also sent the after-action report. */
  aarRecipients: string[];
  /** Warranty after resolution, in days. */
  warrantyDays: number;
  /** The customer is reminded once when the satisfaction check is unanswered this many days. */
  satisfactionReminderDays: number;
  /** Still unanswered this many days after the reminder: the escalation managers are told (a person decides). */
  satisfactionTimeoutDays: number;
}

export const DEFAULT_MAJOR: MajorConfig = {
  updateCadenceMinutes: { P1: 60, P2: 120, P3: 240, P4: 480 },
  taskReminderMinutes: 30,
  executiveCriteria: { priorities: ['P1'], vipRequester: true, openLongerThanMinutes: 240 },
  notifyAlso: [],
  stakeholders: [],
  aarRecipients: [],
  warrantyDays: 7,
  satisfactionReminderDays: 2,
  satisfactionTimeoutDays: 5,
};

/** What each role is asked to do (seed 001), sent to the person when the role is assigned. */
export const ROLE_INSTRUCTIONS: Record<MajorRole, string> = {
  escalation_manager:
    'You run this major escalation: appoint the cross-functional team, keep the escalation action plan current (in parallel with the technical plan), send customer and stakeholder updates at the agreed cadence, alert executives when the criteria are met, and write the after-action report with the ABRM once the customer is satisfied.',
  incident_owner:
    'You own the incident: stop other work, drive the technical action plan, keep the ticket and its timeline up to date, tell the escalation manager about every major development, and resolve the incident. Stay on standby during the warranty period.',
  abrm:
    'You are the account / business relationship manager: keep the customer informed with the escalation manager, agree update times and the warranty period with them, confirm their satisfaction with the resolution, and co-write the after-action report.',
  problem_owner:
    'You own the problem case: relate this incident (and any recurrence) to the problem record, find the root cause in parallel with the fix, and feed the post-escalation review into problem management.',
  vendor:
    'You are the third-party vendor contact: engage your organisation at once, share status and estimated times in the war room, and follow the action plan items assigned to you until the incident is resolved.',
  sme:
    'You are a subject matter expert on the escalation team: work the action plan items assigned to you, share findings in the war room, and tell the escalation manager at once if you need more people or access.',
};

export const STATUS_TEXT: Record<MajorStatus, string> = {
  active: 'active',
  warranty: 'resolved, in warranty',
  satisfaction: 'warranty over, waiting for the customer',
  closed: 'closed',
};

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

/** A batch of pending effects is sent by the engine this long after its action (the action normally sends it at once), retried every PENDING_RETRY_MINUTES × attempt, at most PENDING_MAX_ATTEMPTS times. */
export const PENDING_GRACE_MINUTES = 1;
export const PENDING_RETRY_MINUTES = 5;
export const PENDING_MAX_ATTEMPTS = 12;

function pendingDueAt(b: PendingEffects): number | null {
  if (b.attempts >= PENDING_MAX_ATTEMPTS) return null;
  return t(b.at)! + PENDING_GRACE_MINUTES * MIN + b.attempts * PENDING_RETRY_MINUTES * MIN;
}

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
  const flush = (m.pending ?? []).filter((b) => (pendingDueAt(b) ?? Infinity) <= n).map((b) => b.id);
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
    const due = pendingDueAt(b);
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

/** Resolution: the warranty starts. */
export function toWarranty(m: MajorEscalation, resolvedAt: Date, cfg: MajorConfig): MajorEscalation {
  return { ...m, status: 'warranty', resolvedAt, warrantyEndsAt: new Date(resolvedAt.getTime() + cfg.warrantyDays * 24 * 60 * MIN), nextUpdateDueAt: null, updateReminders: 0 };
}

/** A recurrence during the warranty (or while waiting for the customer): the team is back at work. */
export function reopenMajor(m: MajorEscalation, now: Date): MajorEscalation {
  return { ...m, status: 'active', recurrences: m.recurrences + 1, resolvedAt: null, warrantyEndsAt: null, satisfactionRequestedAt: null, satisfactionReminders: 0, satisfactionEscalatedAt: null, nextUpdateDueAt: new Date(now.getTime() + m.cadenceMinutes * MIN), updateReminders: 0 };
}

/**
 * The post-escalation review: the next business day at 10:00 in the organisation's time
 * zone (working days 1–7 = Monday–Sunday, holidays as local YYYY-MM-DD).
 */
export function nextReviewSlot(now: Date, zone: string, workingDays: number[] = [1, 2, 3, 4, 5], holidays: string[] = []): Date {
  let day = DateTime.fromJSDate(now, { zone }).startOf('day').plus({ days: 1 });
  for (let i = 0; i < 400; i++) {
    if (workingDays.includes(day.weekday) && !holidays.includes(day.toISODate()!)) break;
    day = day.plus({ days: 1 });
  }
  return day.set({ hour: 10, minute: 0 }).toJSDate();
}

/** The escalation managers on the team: the declarer and anyone given the role. */
export function escalationManagers(m: Pick<MajorEscalation, 'declaredBy' | 'members'>): string[] {
  return [...new Set([m.declaredBy, ...m.members.filter((x) => x.role === 'escalation_manager').map((x) => x.personId)])];
}

/** Linking the same problem title again within this many minutes reuses the record created. */
export const PROBLEM_REUSE_MINUTES = 5;

/** What makes two problem titles the same (case, spacing). */
export function problemTitleKey(ticketId: string, title: string): string {
  return `${ticketId}:${title.trim().replace(/\s+/g, ' ').toLowerCase()}`;
}

export function problemKey(number: number): string {
  return `PRB-${number}`;
}
