/** The report's CSV export: one row per ticket. */
import type { ReportCsvRow } from './report.js';
import type { TicketFact } from './facts.js';
import { resolutionBreached, responseBreached } from './compute.js';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const minutes = (a: number | null, b: number) => (a === null ? null : Math.round(((a - b) / 60_000) * 10) / 10);

/** One CSV row per ticket (REPORT_CSV_COLUMNS order), oldest first. Times ISO 8601 UTC; minutes to one decimal. */
export function reportRows(facts: readonly TicketFact[], now: Date): ReportCsvRow[] {
  const t = now.getTime();
  return [...facts]
    .sort((x, y) => x.openedAt - y.openedAt || x.number - y.number)
    .map((f) => ({
      ticket: f.key,
      title: f.title,
      team: f.teamId,
      priority: f.priority,
      channel: f.source,
      plan: f.planId,
      kinds: f.kinds.join(' '),
      opened_at: iso(f.openedAt),
      response_due_at: iso(f.responseDueAt),
      acknowledged_at: iso(f.acknowledgedAt),
      acknowledged_by: f.acknowledgedBy,
      ack_step: f.acknowledgedAt === null ? null : (f.ackStep ?? 'none'),
      ack_channel: f.ackChannel,
      minutes_to_acknowledge: minutes(f.acknowledgedAt, f.openedAt),
      response_breached: responseBreached(f, t),
      resolved_at: iso(f.resolvedAt),
      minutes_to_resolve: minutes(f.resolvedAt, f.openedAt),
      resolution_breached: resolutionBreached(f, t),
      max_level: f.maxLevel,
      satisfaction: f.satisfactionScore,
      snoozes: f.snoozes,
      ack_timeouts: f.ackTimeouts,
    }));
}
