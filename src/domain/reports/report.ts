/**
 * The shape of a report (issue 8). Pure types: computed in src/domain/reports from per-ticket
 * facts, rendered at the edges (Slack blocks, Teams card, API JSON, CSV, chart PNG).
 * Contract shared by the report engine and its renderers: add fields, don't rename them.
 */
import type { Priority } from '../ticket.js';

export const REPORT_PERIODS = ['today', '7d', '30d', 'quarter', 'custom'] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];

/** automatic: an SLA breach started a plan; manager_request: seed 000; major: seed 001; elevated: flagged important. */
export const REPORT_KINDS = ['automatic', 'manager_request', 'major', 'elevated'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export interface ReportQuery {
  period: ReportPeriod;
  /** Only for period 'custom': organisation-local days, inclusive ('YYYY-MM-DD'). */
  fromDay?: string;
  toDay?: string;
  teamId?: string;
  priority?: Priority;
  planId?: string;
  /** Where tickets came from: slack, teams, api, alert, email, sms. */
  channel?: string;
  kind?: ReportKind;
}

export interface Percentiles {
  count: number;
  p50Ms: number | null;
  p90Ms: number | null;
}

export interface SlowTicket {
  ticketId: string;
  key: string;
  title: string;
  teamId: string;
  priority: Priority;
  status: string;
  timeToAcknowledgeMs: number | null;
  /** Resolved tickets: time to resolve; open ones: age at the end of the period. */
  timeToResolveMs: number | null;
  open: boolean;
}

/** How one group of tickets ended (elevated vs escalated, seed 001). */
export interface OutcomeFigures {
  tickets: number;
  resolved: number;
  /** % of those resolved or past their target that were resolved in time; null when none. */
  resolutionCompliancePct: number | null;
  resolutionBreaches: number;
  timeToResolve: Percentiles;
}

export interface ReportFigures {
  /** Tickets opened in the period (after filters). */
  tickets: number;
  resolved: number;
  /** Of tickets whose response target fell due in the period or were answered: % answered in time. null when none. */
  responseCompliancePct: number | null;
  resolutionCompliancePct: number | null;
  responseBreaches: number;
  resolutionBreaches: number;
  timeToAcknowledge: Percentiles;
  timeToResolve: Percentiles;
  /** Highest escalation level reached per ticket: '0' (front line), '1', '2'… → tickets. */
  escalationsByLevel: Record<string, number>;
  /** automatic / manual / manager_request / major / functional / hierarchical / elevated → tickets. */
  escalationsByKind: Record<string, number>;
  /** Which plan step got the acknowledgement: '1', '2'… ('none' when acknowledged without a plan) → tickets. */
  ackByStep: Record<string, number>;
  /** Which channel the acknowledgement came through: slack, teams, sms, voice, email, api… → tickets. */
  ackByChannel: Record<string, number>;
  ackByPerson: { personId: string; name: string; count: number }[];
  /** At most 10, slowest first. */
  slowest: SlowTicket[];
  /** Manager escalation requests: time from request to a coordinator's claim. */
  coordinatorResponse: Percentiles;
  /**
   * Issue 14, side by side (seed 001): elevated = flagged important, never escalated; escalated =
   * the full process by any path (automatic, by hand, manager request, major, functional,
   * hierarchical), elevated first or not.
   */
  outcomes: { elevated: OutcomeFigures; escalated: OutcomeFigures };
  /** Issue 14: snoozes of the ack-timeout chase (times, tickets, minutes asked for in all as ms) and the chases that fired. */
  snoozes: { count: number; tickets: number; totalMs: number; ackTimeouts: number };
  satisfaction: {
    count: number;
    average: number | null;
    /** '1'..'5' → answers. */
    distribution: Record<string, number>;
    /** Latest first, at most 10. */
    comments: { key: string; score: number; comment: string; at: Date }[];
  };
}

/** One organisation-local day, for the chart. */
export interface ReportDay {
  day: string;
  opened: number;
  responseBreaches: number;
  acknowledged: number;
  resolved: number;
}

export interface Report {
  query: ReportQuery;
  timeZone: string;
  /** [from, to) in UTC, and how a person reads it: "30 days to Tue 24 Nov 2026". */
  period: { from: Date; to: Date; label: string };
  previous: { from: Date; to: Date; label: string };
  figures: ReportFigures;
  previousFigures: ReportFigures;
  daily: ReportDay[];
  generatedAt: Date;
}

/** One CSV row per ticket in the period (documented columns, in this order). */
export const REPORT_CSV_COLUMNS = [
  'ticket',
  'title',
  'team',
  'priority',
  'channel',
  'plan',
  'kinds',
  'opened_at',
  'response_due_at',
  'acknowledged_at',
  'acknowledged_by',
  'ack_step',
  'ack_channel',
  'minutes_to_acknowledge',
  'response_breached',
  'resolved_at',
  'minutes_to_resolve',
  'resolution_breached',
  'max_level',
  'satisfaction',
  'snoozes',
  'ack_timeouts',
] as const;
export type ReportCsvRow = Record<(typeof REPORT_CSV_COLUMNS)[number], string | number | boolean | null>;
