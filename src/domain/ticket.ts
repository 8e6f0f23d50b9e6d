import { DomainError } from './errors.js';
import type { BusinessCalendar } from './sla/calendar.js';
import type { SlaClock } from './sla/sla-clock.js';
import { markResolved, markResponded, pauseClock, resumeClock } from './sla/sla-clock.js';
import type { Priority } from './priority.js';
import type { TicketReaction } from './ticket-reaction.js';

export { PRIORITIES } from './priority.js';
export type { Priority } from './priority.js';

export const IMPACTS = ['low', 'medium', 'high', 'extensive'] as const;
export type Impact = (typeof IMPACTS)[number];

export const TICKET_STATUSES = ['new', 'assigned', 'acknowledged', 'in_progress', 'pending', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const OPEN_STATUSES: readonly TicketStatus[] = ['new', 'assigned', 'acknowledged', 'in_progress', 'pending'];

export type TicketSource = 'api' | 'slack' | 'teams' | 'alert' | 'email' | 'sms';

export interface Ticket {
  id: string;
  number: number;
  title: string;
  description: string;
  requesterId: string | null;
  priority: Priority;
  impact: Impact;
  teamId: string;
  assigneeId: string | null;
  status: TicketStatus;
  sla: SlaClock;
  /** Flagged as important, finished at the earliest time, without the full escalation process. */
  elevated: boolean;
  /** At least one escalation (automatic, manager request or major) has run on it. */
  escalated: boolean;
  /** The strongest kind of escalation run on it (major > manager_request > the others); absent on older tickets. */
  escalationKind?: string | null;
  /** The escalation level reached (0 = front line). */
  level: number;
  source: TicketSource;
  alertKey: string | null;
  alertCount: number;
  reopenCount: number;
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
  resolvedBy: string | null;
  resolvedAt: Date | null;
  resolution: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Compare-and-set version: every write checks and bumps it. */
  version: number;
  /** What its resolutions and reopenings still owe the escalations (see ticket-reaction.ts); absent or empty: nothing. */
  reactions?: TicketReaction[];
  /** Issue 16: seen only by the requester, the team, responders, coordinators, escalation managers and admins; absent: false. */
  confidential?: boolean;
  /** Issue 16: people paged onto it outside the plan (`page`), with their acknowledgement. */
  responders?: Responder[];
  /** The earliest `dueAt` of `reactions` (null: none owed); the engine's scan looks only at this. */
  reactAt?: Date | null;
  /** Keys of the SLA warnings, breaches and ack timeouts already handled (ticket-timers.ts); written by the engine only. */
  timersDone?: string[];
  /** The ack-timeout chase is paused until then (`/esc snooze`); absent or null: not snoozed. */
  snooze?: { until: Date; reason: string; by: string | null; at: Date } | null;
}

/** Someone paged onto a ticket by hand, outside its plan. */
export interface Responder {
  personId: string;
  pagedBy: string | null;
  pagedAt: Date;
  reason: string | null;
  acknowledgedAt: Date | null;
}

export type TicketAction =
  | { type: 'assign'; assigneeId: string }
  | { type: 'acknowledge'; by: string }
  | { type: 'start'; by: string }
  | { type: 'pend'; by: string; reason?: string }
  | { type: 'resume'; by: string }
  | { type: 'resolve'; by: string; note?: string }
  | { type: 'close'; by: string }
  | { type: 'reopen'; by: string; reason?: string };

const ALLOWED: Record<TicketAction['type'], readonly TicketStatus[]> = {
  assign: OPEN_STATUSES,
  acknowledge: ['new', 'assigned'],
  start: ['new', 'assigned', 'acknowledged'],
  pend: ['new', 'assigned', 'acknowledged', 'in_progress'],
  resume: ['pending'],
  resolve: OPEN_STATUSES,
  close: ['resolved'],
  reopen: ['resolved', 'closed'],
};

const PAST: Record<TicketAction['type'], string> = {
  assign: 'assigned',
  acknowledge: 'acknowledged',
  start: 'started',
  pend: 'put on hold',
  resume: 'resumed',
  resolve: 'resolved',
  close: 'closed',
  reopen: 'reopened',
};

export function isOpen(t: Pick<Ticket, 'status'>): boolean {
  return OPEN_STATUSES.includes(t.status);
}

/**
 * Applies one action to a ticket. Pure: returns the new ticket (version not bumped: the
 * repository does that on its compare-and-set). Refuses invalid transitions with
 * INVALID_TRANSITION naming both states.
 */
export function applyTicketAction(ticket: Ticket, action: TicketAction, cal: BusinessCalendar, now: Date): Ticket {
  if (!ALLOWED[action.type].includes(ticket.status)) {
    throw new DomainError(
      'INVALID_TRANSITION',
      `ESC-${ticket.number} is ${ticket.status.replace('_', ' ')}: it cannot be ${PAST[action.type]} now.`,
      { from: ticket.status, action: action.type, ticket: ticket.number },
    );
  }
  const base = { ...ticket, updatedAt: now };
  switch (action.type) {
    case 'assign':
      return { ...base, assigneeId: action.assigneeId, status: ticket.status === 'new' ? 'assigned' : ticket.status };
    case 'acknowledge':
      return {
        ...base,
        status: 'acknowledged',
        assigneeId: ticket.assigneeId ?? action.by,
        acknowledgedBy: action.by,
        acknowledgedAt: now,
        sla: markResponded(ticket.sla, now),
      };
    case 'start':
      return { ...base, status: 'in_progress', assigneeId: ticket.assigneeId ?? action.by, sla: markResponded(ticket.sla, now) };
    case 'pend':
      return { ...base, status: 'pending', sla: pauseClock(ticket.sla, cal, now) };
    case 'resume':
      return { ...base, status: 'in_progress', sla: resumeClock(ticket.sla, cal, now) };
    case 'resolve': {
      const sla = ticket.sla.pausedAt ? resumeClock(ticket.sla, cal, now) : ticket.sla;
      return { ...base, status: 'resolved', resolvedBy: action.by, resolvedAt: now, resolution: action.note ?? null, sla: markResolved(markResponded(sla, now), now) };
    }
    case 'close':
      return { ...base, status: 'closed' };
    case 'reopen':
      return {
        ...base,
        status: ticket.assigneeId ? 'assigned' : 'new',
        reopenCount: ticket.reopenCount + 1,
        resolvedAt: null,
        resolvedBy: null,
        resolution: null,
        sla: { ...ticket.sla, resolvedAt: null },
      };
  }
}
