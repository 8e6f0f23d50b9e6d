/**
 * Major escalations (seed 001): a war room, a cross-functional team with roles, an action
 * plan, a communication cadence, a problem case, resolution → warranty → satisfaction →
 * post-escalation review, and an after-action report. Pure: no I/O, no clock.
 * Contract (issue 7): add fields and functions freely; don't rename these.
 */
import type { WarRoomRef } from '../app/ports/war-room.js';

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
  reviewScheduledAt: Date | null;
  aarGeneratedAt: Date | null;
  closedAt: Date | null;
  archivedAt: Date | null;
  version: number;
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
