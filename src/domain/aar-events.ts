/** The after-action report's reading of timeline events: which ones it reads, and each as one line in words. */
import { MAJOR_ROLE_LABELS } from './major.js';
import type { MajorRole } from './major.js';
import { durationText, localTime } from './time-text.js';

/** The part of a timeline event the report reads. */
export interface AarEvent {
  id: string;
  at: Date;
  type: string;
  actor: { personId: string | null; via: string } | null;
  data: Record<string, unknown>;
}

/** Readers of event data: the value when it has the expected type, else null. */
export const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
export const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
export const date = (v: unknown): Date | null => (v instanceof Date || typeof v === 'string' ? new Date(v as string) : null);
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The events a reader of the report needs (not every delivery). */
const KEY_EVENTS = new Set([
  'ticket.opened',
  'ticket.assigned',
  'ticket.acknowledged',
  'ticket.started',
  'ticket.elevated',
  'ticket.moved',
  'ticket.resolved',
  'ticket.reopened',
  'ticket.closed',
  'sla.response_breached',
  'escalation.started',
  'escalation.acknowledged',
  'escalation.hierarchical',
  'escalation.requested',
  'escalation.request_claimed',
  'escalation.request_reminded',
  'escalation.request_escalated',
  'escalation.request_cancelled',
  'escalation.request_closed',
  'coordination.reviewed',
  'coordination.eta_sent',
  'coordination.manager_informed',
  'coordination.owner_engaged',
  'problem.linked',
  'satisfaction.recorded',
]);

/** One line per event, in words; `name` turns a person id into a name. */
export function eventText(e: AarEvent, name: (id: unknown) => string, zone = 'UTC'): string {
  const d = e.data ?? {};
  const tz = (v: unknown) => (date(v) ? localTime(date(v)!, zone) : '');
  switch (e.type) {
    case 'ticket.opened':
      return `Ticket ${str(d.key) ?? ''} opened (${str(d.priority) ?? '?'}): ${clip(str(d.title) ?? '', 120)}`;
    case 'ticket.assigned':
      return `Assigned to ${name(d.assigneeId)}`;
    case 'ticket.acknowledged':
      return 'Ticket acknowledged';
    case 'ticket.started':
      return 'Work started';
    case 'ticket.elevated':
      return 'Ticket elevated';
    case 'ticket.moved':
      return `Moved to team ${str(d.to) ?? '?'}`;
    case 'ticket.resolved':
      return `Ticket resolved${str(d.note) ? `: ${clip(str(d.note)!, 160)}` : ''}`;
    case 'ticket.reopened':
      return `Ticket reopened${str(d.reason) ? `: ${clip(str(d.reason)!, 160)}` : ''}`;
    case 'ticket.closed':
      return 'Ticket closed';
    case 'sla.response_breached':
      return `Response SLA breached (due ${tz(d.responseDueAt)})`;
    case 'escalation.started':
      return `Escalation plan started (${str(d.kind) ?? 'escalation'})`;
    case 'escalation.acknowledged':
      return `Escalation acknowledged by ${name(d.by)}`;
    case 'escalation.hierarchical':
      return `Escalated up the management chain to ${name(d.to)}`;
    case 'escalation.requested':
      return `Manager escalation requested (${str(d.urgency) ?? 'normal'}): ${clip(str(d.reason) ?? '', 160)}`;
    case 'escalation.request_claimed':
      return `Request claimed by ${name(d.by)} after ${durationText(num(d.waitedMs) ?? 0)}`;
    case 'escalation.request_reminded':
      return `Coordinators reminded of the unclaimed request (reminder ${num(d.reminder) ?? '?'})`;
    case 'escalation.request_escalated':
      return `Unclaimed request passed to ${name(d.to)}`;
    case 'escalation.request_cancelled':
      return `Unclaimed escalation request withdrawn: ${clip(str(d.reason) ?? 'cancelled', 160)}`;
    case 'escalation.request_closed':
      return `Escalation request closed: ${clip(str(d.reason) ?? 'closed', 160)}${Array.isArray(d.stepsLeft) && d.stepsLeft.length ? ` (${d.stepsLeft.length} checklist step${d.stepsLeft.length === 1 ? '' : 's'} not recorded)` : ''}`;
    case 'coordination.reviewed':
      return 'Ticket and history reviewed by the coordinator';
    case 'coordination.eta_sent':
      return `Estimated time ${date(d.eta) ? tz(d.eta) : ''} sent to ${name(d.to)}`;
    case 'coordination.manager_informed':
      return `Requesting manager ${name(d.to)} informed of the status`;
    case 'coordination.owner_engaged':
      return `Service owner ${name(d.ownerId)} engaged`;
    case 'major.declared':
      return `Major escalation declared: ${clip(str(d.reason) ?? '', 160)}`;
    case 'major.war_room_opened':
      return `War room ${str((d.room as { name?: string } | undefined)?.name) ?? ''} opened`.replace('  ', ' ');
    case 'major.war_room_failed':
      return `War room could not be opened: ${clip(str(d.error) ?? '', 120)}`;
    case 'major.role_assigned':
      return `${name(d.personId)} assigned as ${MAJOR_ROLE_LABELS[d.role as MajorRole] ?? str(d.role) ?? 'member'}`;
    case 'major.task_added':
      return `Task ${num(d.n) ?? '?'} added: ${clip(str(d.title) ?? '', 120)} (owner ${name(d.ownerId)})`;
    case 'major.task_done':
      return `Task ${num(d.n) ?? '?'} done`;
    case 'major.task_overdue':
      return `Task ${num(d.n) ?? '?'} overdue; ${name(d.ownerId)} reminded`;
    case 'major.update_due':
      return 'Customer update due; escalation manager reminded';
    case 'major.update_sent':
      return `Update sent to ${Array.isArray(d.sentTo) ? d.sentTo.length : 0} stakeholders: ${clip(str(d.text) ?? '', 160)}`;
    case 'major.executives_alerted':
      return `Executives alerted (${Array.isArray(d.criteria) ? d.criteria.join(', ') : ''})`;
    case 'problem.linked':
      return `${d.created ? 'Problem created' : 'Linked to problem'} PRB-${num(d.number) ?? '?'}`;
    case 'major.resolved':
      return `Resolved; warranty until ${tz(d.warrantyEndsAt)}`;
    case 'major.incident_linked':
      return `${str(d.key) ?? 'Another ticket'} linked as the same incident`;
    case 'major.linked':
      return `Linked to the major escalation of ${str(d.key) ?? 'another ticket'}`;
    case 'major.recurred':
      return `Recurred during the warranty (${str(d.via) ?? 'reopened'})`;
    case 'major.satisfaction_requested':
      return 'Warranty over; satisfaction check sent to the customer';
    case 'major.satisfaction_reminded':
      return 'Satisfaction check unanswered; the customer was reminded';
    case 'major.satisfaction_unanswered':
      return 'Satisfaction check still unanswered; passed to the escalation manager';
    case 'satisfaction.recorded':
      return `Customer satisfaction ${num(d.score) ?? '?'}/5${str(d.comment) ? `: "${clip(str(d.comment)!, 160)}"` : ''}`;
    case 'major.review_scheduled':
      return `Post-escalation review scheduled for ${tz(d.at)}`;
    case 'major.aar_generated':
      return 'After-action report generated';
    case 'major.closed':
      return 'Major escalation closed';
    case 'major.war_room_archived':
      return 'War room archived';
    default:
      return e.type.replace(/[._]/g, ' ');
  }
}

/** Whether the report reads this event (the others are only counted): lets a caller keep just these from a long timeline. */
export function aarReads(e: Pick<AarEvent, 'type'>): boolean {
  return KEY_EVENTS.has(e.type) || e.type.startsWith('major.');
}
