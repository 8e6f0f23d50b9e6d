/**
 * Major escalations (seed 001): a war room, a cross-functional team with roles, an action
 * plan, a communication cadence, a problem case, resolution → warranty → satisfaction →
 * post-escalation review, and an after-action report. Pure: no I/O, no clock.
 * Contract (issue 7): add fields and functions freely; don't rename these.
 */
import { DateTime } from 'luxon';
import type { WarRoomRef } from './war-room.js';
import type { MajorConfig } from './org-config.js';
import type { PendingEffects } from './pending-effects.js';
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

const MIN = 60_000;

/** Resolution: the warranty starts. */
export function toWarranty(m: MajorEscalation, resolvedAt: Date, cfg: MajorConfig): MajorEscalation {
  return { ...m, status: 'warranty', resolvedAt, warrantyEndsAt: new Date(resolvedAt.getTime() + cfg.warrantyDays * 24 * 60 * MIN), nextUpdateDueAt: null, updateReminders: 0 };
}

/** A recurrence during the warranty (or while waiting for the customer): the team is back at work. */
export function reopenMajor(m: MajorEscalation, now: Date): MajorEscalation {
  return { ...m, status: 'active', recurrences: m.recurrences + 1, resolvedAt: null, warrantyEndsAt: null, satisfactionRequestedAt: null, satisfactionReminders: 0, satisfactionEscalatedAt: null, nextUpdateDueAt: new Date(now.getTime() + m.cadenceMinutes * MIN), updateReminders: 0 };
}

/** A score from 1 to 5; this much or more is satisfied (the escalation closes), less sends it back to the team. */
export const SATISFIED_SCORE = 4;

/** Whether an answer can be recorded: the check is open (the warranty is over), or the customer is asked again after an unsatisfied answer. */
export function satisfactionOpen(m: Pick<MajorEscalation, 'status' | 'satisfactionRequestedAt' | 'satisfaction'>): boolean {
  return m.status === 'satisfaction' || (m.status === 'active' && !!m.satisfactionRequestedAt && !!m.satisfaction && m.satisfaction.score < SATISFIED_SCORE);
}

/**
 * The customer's answer: satisfied closes the escalation with the post-escalation review at
 * `reviewAt`; not satisfied makes it active again with the update cadence restarted.
 */
export function withSatisfaction(m: MajorEscalation, answer: NonNullable<MajorEscalation['satisfaction']>, reviewAt: Date): MajorEscalation {
  const at = answer.at;
  if (answer.score >= SATISFIED_SCORE) return { ...m, satisfaction: answer, status: 'closed', closedAt: at, reviewScheduledAt: at, reviewAt, nextUpdateDueAt: null };
  return { ...m, satisfaction: answer, status: 'active', nextUpdateDueAt: new Date(at.getTime() + m.cadenceMinutes * MIN), updateReminders: 0 };
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

