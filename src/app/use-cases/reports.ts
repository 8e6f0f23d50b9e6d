/**
 * Reports (issue 8): SLA compliance, time to acknowledge and resolve, escalation analytics.
 * Read from the `report_days` rollups (per-ticket facts bucketed by the organisation-local day
 * the ticket was opened, kept up to date on write by the engine's `reports` module), computed
 * by the pure src/domain/reports/compute.ts.
 */
import { actorMaySee } from '../authorize.js';
import type { Actor } from '../ports/timeline.js';
import { DateTime } from 'luxon';
import { z } from 'zod/v4';
import { DomainError } from '../../domain/errors.js';
import type { TicketFact } from '../../domain/reports/facts.js';
import { foldFacts } from '../../domain/reports/facts.js';
import { ReportBuilder, selectFacts } from '../../domain/reports/compute.js';
import { reportRows } from '../../domain/reports/csv-rows.js';
import { localDay, resolvePeriod } from '../../domain/reports/periods.js';
import type { Report, ReportCsvRow, ReportQuery } from '../../domain/reports/report.js';
import { REPORT_KINDS, REPORT_PERIODS } from '../../domain/reports/report.js';
import { PRIORITIES } from '../../domain/ticket.js';
import { chunks } from '../../lib/chunks.js';
import type { AppDeps } from '../deps.js';

/** Where tickets come from (TicketSource). */
export const REPORT_CHANNELS = ['slack', 'teams', 'api', 'alert', 'email', 'sms'] as const;
/** The longest custom period, in days. */
export const MAX_REPORT_DAYS = 400;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day as YYYY-MM-DD')
  .refine((s) => DateTime.fromISO(s, { zone: 'UTC' }).isValid, 'is not a real calendar day');
const optionalText = z.string().trim().min(1).max(100).optional();

/**
 * A report query as it enters (API query string, Slack/Teams arguments parsed into fields).
 * Defaults to the last 7 days. Team and plan names are checked against the organisation by
 * `validateReportQuery` (the schema does not know the organisation).
 */
export const reportQuerySchema = z
  .object({
    period: z.enum(REPORT_PERIODS).default('7d'),
    fromDay: day.optional(),
    toDay: day.optional(),
    teamId: optionalText,
    priority: z.enum(PRIORITIES).optional(),
    planId: optionalText,
    channel: z.enum(REPORT_CHANNELS).optional(),
    kind: z.enum(REPORT_KINDS).optional(),
  })
  .superRefine((q, ctx) => {
    if (q.period !== 'custom') {
      if (q.fromDay || q.toDay) ctx.addIssue({ code: 'custom', path: [q.fromDay ? 'fromDay' : 'toDay'], message: 'only with period "custom"' });
      return;
    }
    if (!q.fromDay || !q.toDay) {
      ctx.addIssue({ code: 'custom', path: [q.fromDay ? 'toDay' : 'fromDay'], message: 'a custom period needs both fromDay and toDay (YYYY-MM-DD)' });
      return;
    }
    const from = DateTime.fromISO(q.fromDay, { zone: 'UTC' });
    const to = DateTime.fromISO(q.toDay, { zone: 'UTC' });
    if (!from.isValid || !to.isValid) return;
    if (from > to) ctx.addIssue({ code: 'custom', path: ['toDay'], message: `must not be before fromDay (${q.fromDay})` });
    else if (to.diff(from, 'days').days + 1 > MAX_REPORT_DAYS) ctx.addIssue({ code: 'custom', path: ['toDay'], message: `a custom period is at most ${MAX_REPORT_DAYS} days` });
  });

/**
 * Validates a query (zod, then the organisation's teams and plans). Refuses with VALIDATION
 * naming the field and, for unknown teams and plans, the valid ones.
 */
export function validateReportQuery(deps: Pick<AppDeps, 'directory'>, input: unknown): ReportQuery {
  const parsed = reportQuerySchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join('.') || 'query';
    throw new DomainError('VALIDATION', `Report ${field}: ${issue.message}.`, { field });
  }
  const q = parsed.data;
  const dir = deps.directory();
  if (q.teamId && !dir.team(q.teamId)) {
    throw new DomainError('VALIDATION', `There is no team "${q.teamId}". Teams: ${dir.allTeams().map((t) => t.id).join(', ')}.`, { field: 'teamId' });
  }
  if (q.planId && !dir.org.plans.some((p) => p.id === q.planId)) {
    throw new DomainError('VALIDATION', `There is no escalation plan "${q.planId}". Plans: ${dir.org.plans.map((p) => p.id).join(', ')}.`, { field: 'planId' });
  }
  const out: ReportQuery = { period: q.period };
  for (const k of ['fromDay', 'toDay', 'teamId', 'priority', 'planId', 'channel', 'kind'] as const) if (q[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = q[k];
  return out;
}

/** The report for a query: the period, the previous period of equal length, the daily series. */
export async function buildReport(deps: AppDeps, query: ReportQuery): Promise<Report> {
  const q = validateReportQuery(deps, query);
  const now = deps.clock.now();
  const dir = deps.directory();
  const timeZone = dir.org.timeZone;
  const builder = new ReportBuilder({ query: q, timeZone, now, personName: (id) => dir.person(id)?.name });
  // Streamed fact by fact into the builder (which keeps copies of the few it names): a year of
  // facts is never in memory at once.
  await deps.reports.scanDays(builder.days(), (f) => builder.add(f), { teamId: q.teamId, priority: q.priority, source: q.channel, planId: q.planId });
  // The scan may leave ticket ids and titles out (half the bytes of a year): read the few named.
  const refs = builder.slowRefs();
  const report = builder.finish();
  const missing = [...report.figures.slowest, ...report.previousFigures.slowest].some((t) => t.ticketId === '');
  if (!missing) return report;
  const texts = await deps.reports.ticketTexts(refs);
  const byKey = new Map(refs.map((r) => [r.key, texts.get(r.number)]));
  for (const t of [...report.figures.slowest, ...report.previousFigures.slowest]) {
    const text = t.ticketId === '' ? byKey.get(t.key) : undefined;
    if (text) Object.assign(t, text);
  }
  return report;
}

/** One row per ticket opened in the period (after filters), oldest first: the CSV export. */
export async function reportCsvRows(deps: AppDeps, query: ReportQuery, viewer?: Actor): Promise<ReportCsvRow[]> {
  const q = validateReportQuery(deps, query);
  const now = deps.clock.now();
  const { period } = resolvePeriod(q, now, deps.directory().org.timeZone);
  const facts = await deps.reports.factsForDays(period.days);
  const selected = selectFacts(facts, q, period.from, period.to);
  if (!viewer) return reportRows(selected, now);
  // Detail rows of confidential tickets only for those who may see them (the totals still count them).
  const tickets = await deps.tickets.getMany(selected.map((f) => f.ticketId));
  const hidden = new Set([...tickets.values()].filter((t) => !actorMaySee(deps, viewer, t)).map((t) => t.id));
  return reportRows(hidden.size > 0 ? selected.filter((f) => !hidden.has(f.ticketId)) : selected, now);
}

/** Day bucket → ticket id → fact. */
export type FactsByDay = Map<string, Map<string, TicketFact>>;

/**
 * From scratch: every ticket's events folded again, bucketed by opening day (what the rollups
 * should hold). Reads the timeline 500 tickets at a time, keeping only the facts.
 */
export async function recomputeFacts(deps: AppDeps, opts: { chunk?: number } = {}): Promise<FactsByDay> {
  const timeZone = deps.directory().org.timeZone;
  const out: FactsByDay = new Map();
  const ids = await deps.reports.allTicketIds();
  for (const part of chunks(ids, opts.chunk ?? 500)) {
    const events = await deps.reports.eventsFor(part);
    for (const id of part) {
      const f = foldFacts(events.get(id) ?? []);
      if (!f) continue;
      const d = localDay(f.openedAt, timeZone);
      let m = out.get(d);
      if (!m) out.set(d, (m = new Map()));
      m.set(id, f);
    }
  }
  return out;
}

export interface RollupDifference {
  day: string;
  ticketId: string;
  /** missing: recomputed but not stored; extra: stored but not recomputed; different: both, unequal. */
  kind: 'missing' | 'extra' | 'different';
  fields?: string[];
}

export interface RollupComparison {
  equal: boolean;
  days: number;
  facts: number;
  differences: number;
  /** The first 50 differences. */
  sample: RollupDifference[];
}

/** Compares the stored rollups with a from-scratch recomputation, fact by fact, field by field. */
export async function compareRollups(deps: AppDeps, expected?: FactsByDay): Promise<RollupComparison> {
  const want = expected ?? (await recomputeFacts(deps));
  const sample: RollupDifference[] = [];
  let differences = 0;
  let facts = 0;
  const add = (d: RollupDifference) => {
    differences++;
    if (sample.length < 50) sample.push(d);
  };
  const seenDays = new Set<string>();
  for await (const { day: d, facts: stored } of deps.reports.allDays()) {
    seenDays.add(d);
    const w = want.get(d) ?? new Map<string, TicketFact>();
    const seen = new Set<string>();
    for (const f of stored) {
      facts++;
      seen.add(f.ticketId);
      const e = w.get(f.ticketId);
      if (!e) {
        add({ day: d, ticketId: f.ticketId, kind: 'extra' });
        continue;
      }
      const fields = diffFields(f, e);
      if (fields.length > 0) add({ day: d, ticketId: f.ticketId, kind: 'different', fields });
    }
    for (const id of w.keys()) if (!seen.has(id)) add({ day: d, ticketId: id, kind: 'missing' });
  }
  for (const [d, w] of want) if (!seenDays.has(d)) for (const id of w.keys()) add({ day: d, ticketId: id, kind: 'missing' });
  return { equal: differences === 0, days: seenDays.size, facts, differences, sample };
}

function diffFields(a: TicketFact, b: TicketFact): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: string[] = [];
  for (const k of keys) {
    if (JSON.stringify((a as unknown as Record<string, unknown>)[k]) !== JSON.stringify((b as unknown as Record<string, unknown>)[k])) out.push(k);
  }
  return out.sort();
}
