import { DateTime } from 'luxon';
import type { HistoryRow, TicketHistory } from '../../app/use-cases/history.js';
import type { Report } from '../../domain/reports/report.js';
import { chartPng, filterLabel } from '../report/chart.js';
import { breakdowns, headlines, periodLine, slowLine } from '../report/format.js';
import { reportQueryString } from '../../app/chatops/report-args.js';
import type { AdaptiveCardJson } from './teams-cards.js';
import { renderCard } from './teams-cards.js';

/**
 * The chart goes INTO the card as a data URI, not as a link to Esc. Why: Teams fetches image
 * URLs from Microsoft's side, so a link would need Esc reachable from the internet at
 * ESC_PUBLIC_URL, an unauthenticated route serving report data, and (with several Esc
 * processes) a store they all share, or the image 404s on whichever process did not draw it.
 * Inline needs none of that. Teams refuses bot messages over a few tens of KB, so the chart
 * is drawn compact (indexed colours, 560×280 then 480×240) and inlined only under 20 KB:
 * 30 days come to about 16 KB, a full year (weekly) about 15 KB. Over that, the card says
 * where to get the chart instead.
 */
export const MAX_INLINE_CHART_BYTES = 20 * 1024;
export const TEAMS_CHART_SIZES = [
  { width: 560, height: 280 },
  { width: 480, height: 240 },
] as const;

export interface TeamsChart {
  /** A data: URI, or null when no chart fits. */
  url: string | null;
  bytes: number;
  width: number;
  height: number;
}

/** The chart for a Teams card: the largest size whose PNG fits inline. */
export async function teamsChart(report: Report): Promise<TeamsChart> {
  let last = { bytes: 0, width: 0, height: 0 };
  for (const size of TEAMS_CHART_SIZES) {
    const png = await chartPng(report, size);
    last = { bytes: png.length, ...size };
    if (png.length <= MAX_INLINE_CHART_BYTES) return { url: `data:image/png;base64,${png.toString('base64')}`, ...last };
  }
  return { url: null, ...last };
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const stars = (n: number) => `${'★'.repeat(Math.max(0, Math.min(5, Math.round(n))))}${'☆'.repeat(Math.max(0, 5 - Math.round(n)))}`;

/** The report as an Adaptive Card 1.5 (template cards/report.json). */
export function reportCard(report: Report, chart: Pick<TeamsChart, 'url'>): AdaptiveCardJson {
  const f = report.figures;
  const qs = reportQueryString(report.query);
  return renderCard('report', {
    title: clip(`Esc report: ${report.period.label}`, 200),
    subtitle: clip(`${filterLabel(report)} · ${periodLine(report)}`, 400),
    showChart: chart.url !== null,
    chartUrl: chart.url ?? '',
    chartAlt: `Tickets opened, acknowledged and response breaches per day, ${report.period.label}`,
    showChartNote: chart.url === null,
    chartNote: `The chart is too large to show here: GET /api/reports/chart.png?${qs}`,
    headlines: headlines(report).map((h) => ({ label: h.label, value: h.value, change: h.change || ' ' })),
    breakdowns: breakdowns(report).map((b) => ({ label: b.label, value: clip(b.value, 400) })),
    showSlowest: f.slowest.length > 0,
    slowest: f.slowest.slice(0, 10).map((t) => ({ key: t.key, title: clip(t.title.replace(/\s+/g, ' '), 120), line: slowLine(t).text })),
    showFeedback: f.satisfaction.comments.length > 0,
    feedback: f.satisfaction.comments.slice(0, 5).map((c) => ({ stars: stars(c.score), text: clip(`${c.key}: ${c.comment.replace(/\s+/g, ' ')}`, 400) })),
    footer: `Generated ${DateTime.fromJSDate(report.generatedAt, { zone: report.timeZone }).toFormat('yyyy-MM-dd HH:mm ZZZZ')} · rows as CSV: GET /api/reports.csv?${qs}`,
  });
}

/** Rows shown in a Teams history card before the rest is left to the API. */
export const TEAMS_HISTORY_MAX = 60;

/** A ticket's history as a card (the status-history template), newest rows when it is long. */
export function historyCard(h: TicketHistory, statusFacts: { label: string; value: string }[], max = TEAMS_HISTORY_MAX): AdaptiveCardJson {
  const shown: HistoryRow[] = h.rows.length > max ? h.rows.slice(-max) : h.rows;
  return renderCard('status-history', {
    key: h.key,
    title: clip(h.ticket.title, 200),
    facts: statusFacts,
    events: shown.map((r) => ({ at: DateTime.fromJSDate(r.at, { zone: h.zone || 'UTC' }).toFormat('MM-dd HH:mm ZZZZ'), what: clip(r.text, 400) })),
    showMore: h.rows.length > shown.length,
    more: `${h.rows.length - shown.length} earlier entries not shown — see the API: GET /api/tickets/${h.key}/history`,
  });
}
