/**
 * Report computation (issue 8). Pure: facts in, figures out; `now` and the organisation's
 * time zone are given.
 *
 * Membership: a ticket belongs to the period in which it was OPENED (organisation-local
 * days). Its figures (acknowledgement, resolution, breaches, satisfaction) are those known at
 * report time, even when they happened after the period ended. This keeps every ticket in
 * exactly one period, so a period and the one before it never count the same ticket, and
 * lets the rollups bucket facts by opening day.
 *
 * Breaches are judged at report time (`now`): a response is breached when the engine recorded
 * a breach, or the first response came after the response target, or nobody has responded and
 * the target has passed (a ticket on hold counts as breached only if the hold began after the
 * target). Resolution likewise: resolved after the target, or still open past it.
 *
 * Percentiles are nearest-rank over the exact values: sort ascending, p-th percentile =
 * sorted[ceil(p/100 × n) − 1]. With 4 values, p50 is the 2nd and p90 the 4th.
 */
import type { OutcomeFigures, Report, ReportDay, ReportFigures, ReportQuery, SlowTicket } from './report.js';
import { percentiles } from './percentiles.js';
import type { TicketFact } from './facts.js';
import { FACT_KINDS } from './facts.js';
import { localMidnight, resolvePeriod } from './periods.js';
import type { PeriodRange } from './periods.js';

export function matchesFilters(f: TicketFact, q: ReportQuery): boolean {
  if (q.teamId && f.teamId !== q.teamId) return false;
  if (q.priority && f.priority !== q.priority) return false;
  if (q.planId && f.planId !== q.planId) return false;
  if (q.channel && f.source !== q.channel) return false;
  if (q.kind && !(f.kinds as string[]).includes(q.kind)) return false;
  return true;
}

/** Facts of tickets opened in [from, to) that pass the query's filters, oldest first. */
export function selectFacts(facts: Iterable<TicketFact>, q: ReportQuery, from: Date, to: Date): TicketFact[] {
  const a = from.getTime();
  const b = to.getTime();
  const out: TicketFact[] = [];
  for (const f of facts) if (f.openedAt >= a && f.openedAt < b && matchesFilters(f, q)) out.push(f);
  return out.sort((x, y) => x.openedAt - y.openedAt || x.number - y.number);
}

export function responseBreached(f: TicketFact, now: number): boolean {
  if (f.responseBreachRecorded) return true;
  const due = f.responseDueAt;
  if (due === null) return false;
  if (f.respondedAt !== null) return f.respondedAt > due;
  if (f.pausedAt !== null) return f.pausedAt > due;
  return now > due;
}

export function resolutionBreached(f: TicketFact, now: number): boolean {
  const due = f.resolutionDueAt;
  if (due === null) return false;
  if (f.resolvedAt !== null) return f.resolvedAt > due;
  if (f.pausedAt !== null) return f.pausedAt > due;
  return now > due;
}

const pct = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);

/** Seed 001: elevated (flagged, no full process) or escalated (the full process, by any path); null: neither. */
export function outcomeGroup(f: Pick<TicketFact, 'kinds'>): 'elevated' | 'escalated' | null {
  if (f.kinds.some((k) => k !== 'elevated')) return 'escalated';
  return f.kinds.includes('elevated') ? 'elevated' : null;
}

/** One outcome group's figures, accumulated a fact at a time. */
class OutcomeAccumulator {
  private tickets = 0;
  private resolved = 0;
  private evaluated = 0;
  private breaches = 0;
  private readonly ttr: number[] = [];
  add(f: TicketFact, breached: boolean): void {
    this.tickets++;
    if (f.resolvedAt !== null) {
      this.resolved++;
      this.ttr.push(f.resolvedAt - f.openedAt);
    }
    if (f.resolvedAt !== null || breached) this.evaluated++;
    if (breached) this.breaches++;
  }
  result(): OutcomeFigures {
    return { tickets: this.tickets, resolved: this.resolved, resolutionCompliancePct: pct(this.evaluated - this.breaches, this.evaluated), resolutionBreaches: this.breaches, timeToResolve: percentiles(this.ttr) };
  }
}
const inc = (m: Record<string, number>, k: string) => {
  m[k] = (m[k] ?? 0) + 1;
};

export interface FigureOptions {
  /** Report time: breaches of open tickets are judged against it. */
  now: number;
  /** End of the period: the age of an open ticket in the slowest list is measured to min(now, periodEnd). */
  periodEnd: number;
  /** Display name of a person id (falls back to the id). */
  personName?: (personId: string) => string | undefined;
}

/**
 * Every figure of ReportFigures, exactly, accumulated one fact at a time: a year of facts is
 * never held in memory at once (the use case feeds day buckets as they are read).
 */
export class FigureAccumulator {
  private resolved = 0;
  private respEval = 0;
  private respBreach = 0;
  private resEval = 0;
  private resBreach = 0;
  private tickets = 0;
  private readonly tta: number[] = [];
  private readonly ttr: number[] = [];
  private readonly byLevel: Record<string, number> = {};
  private readonly byKind: Record<string, number> = Object.fromEntries(FACT_KINDS.map((k) => [k, 0]));
  private readonly byStep: Record<string, number> = {};
  private readonly byChannel: Record<string, number> = {};
  private readonly byPerson = new Map<string, number>();
  private readonly waits: number[] = [];
  private readonly scores: number[] = [];
  private readonly distribution: Record<string, number> = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  private comments: { key: string; score: number; comment: string; at: Date; n: number }[] = [];
  private readonly slow: (SlowTicket & { n: number; sort: number; at: number })[] = [];
  private readonly outcomes = { elevated: new OutcomeAccumulator(), escalated: new OutcomeAccumulator() };
  private readonly snoozes = { count: 0, tickets: 0, totalMs: 0, ackTimeouts: 0 };
  private readonly ageEnd: number;
  private slowFloor = -Infinity;

  constructor(private readonly o: FigureOptions) {
    this.ageEnd = Math.min(o.now, o.periodEnd);
  }

  add(f: TicketFact): void {
    const { now } = this.o;
    this.tickets++;
    const rb = responseBreached(f, now);
    const sb = resolutionBreached(f, now);
    if (f.respondedAt !== null || rb) this.respEval++;
    if (rb) this.respBreach++;
    if (f.resolvedAt !== null || sb) this.resEval++;
    if (sb) this.resBreach++;
    if (f.resolvedAt !== null) {
      this.resolved++;
      this.ttr.push(f.resolvedAt - f.openedAt);
    }
    const ack = f.acknowledgedAt === null ? null : f.acknowledgedAt - f.openedAt;
    if (ack !== null) {
      this.tta.push(ack);
      inc(this.byStep, f.ackStep === null ? 'none' : String(f.ackStep));
      inc(this.byChannel, f.ackChannel ?? 'unknown');
      if (f.acknowledgedBy) this.byPerson.set(f.acknowledgedBy, (this.byPerson.get(f.acknowledgedBy) ?? 0) + 1);
    }
    const group = outcomeGroup(f);
    if (group) this.outcomes[group].add(f, sb);
    if ((f.snoozes ?? 0) > 0) {
      this.snoozes.count += f.snoozes;
      this.snoozes.tickets++;
      this.snoozes.totalMs += f.snoozedMs ?? 0;
    }
    this.snoozes.ackTimeouts += f.ackTimeouts ?? 0;
    inc(this.byLevel, String(f.maxLevel));
    for (const k of f.kinds) inc(this.byKind, k);
    if (f.requestWaitMs !== null) this.waits.push(f.requestWaitMs);
    if (f.satisfactionScore !== null) {
      this.scores.push(f.satisfactionScore);
      const s = String(Math.round(f.satisfactionScore));
      if (s in this.distribution) this.distribution[s]!++;
      if (f.satisfactionComment) {
        this.comments.push({ key: f.key, score: f.satisfactionScore, comment: f.satisfactionComment, at: new Date(f.satisfactionAt ?? f.openedAt), n: f.number });
        if (this.comments.length > 200) this.trimComments();
      }
    }
    const open = f.resolvedAt === null;
    const sort = open ? Math.max(0, this.ageEnd - f.openedAt) : f.resolvedAt! - f.openedAt;
    // Only the 10 slowest matter: the list is trimmed as it grows.
    if (sort >= this.slowFloor) {
      this.slow.push({ ticketId: f.ticketId, key: f.key, title: f.title, teamId: f.teamId, priority: f.priority, status: f.status, timeToAcknowledgeMs: ack, timeToResolveMs: sort, open, n: f.number, sort, at: f.openedAt });
      if (this.slow.length > 200) {
        trimSlow(this.slow, 10);
        // Anything slower than the 10th kept can no longer make the list (ties still can: lower numbers win).
        this.slowFloor = this.slow[9]!.sort;
      }
    }
  }

  /** The tickets the slowest list names (number, key, opening instant): their text may still have to be read. */
  slowRefs(): { number: number; key: string; openedAt: number }[] {
    trimSlow(this.slow, 10);
    return this.slow.map((s) => ({ number: s.n, key: s.key, openedAt: s.at }));
  }

  private trimComments(): void {
    this.comments.sort((a, b) => b.at.getTime() - a.at.getTime() || b.n - a.n);
    this.comments.length = Math.min(this.comments.length, 10);
  }

  result(): ReportFigures {
    trimSlow(this.slow, 10);
    this.trimComments();
    const o = this.o;
    const name = (id: string) => (id.startsWith('via:') ? `someone via ${id.slice(4)}` : (o.personName?.(id) ?? id));
    return {
      tickets: this.tickets,
      resolved: this.resolved,
      responseCompliancePct: pct(this.respEval - this.respBreach, this.respEval),
      resolutionCompliancePct: pct(this.resEval - this.resBreach, this.resEval),
      responseBreaches: this.respBreach,
      resolutionBreaches: this.resBreach,
      timeToAcknowledge: percentiles(this.tta),
      timeToResolve: percentiles(this.ttr),
      escalationsByLevel: sortKeys(this.byLevel),
      escalationsByKind: { ...this.byKind },
      ackByStep: sortKeys(this.byStep),
      ackByChannel: sortKeys(this.byChannel),
      ackByPerson: [...this.byPerson.entries()]
        .map(([personId, count]) => ({ personId, name: name(personId), count }))
        .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name) || a.personId.localeCompare(b.personId)),
      slowest: this.slow.map(({ n: _n, sort: _s, at: _a, ...t }) => t),
      coordinatorResponse: percentiles(this.waits),
      outcomes: { elevated: this.outcomes.elevated.result(), escalated: this.outcomes.escalated.result() },
      snoozes: { ...this.snoozes },
      satisfaction: {
        count: this.scores.length,
        average: this.scores.length === 0 ? null : Math.round((this.scores.reduce((a, b) => a + b, 0) / this.scores.length) * 100) / 100,
        distribution: { ...this.distribution },
        comments: this.comments.map(({ n: _n, ...c }) => c),
      },
    };
  }
}

function trimSlow(slow: { sort: number; n: number }[], keep: number): void {
  slow.sort((a, b) => b.sort - a.sort || a.n - b.n);
  slow.length = Math.min(slow.length, keep);
}

/** Numeric keys in numeric order, then the others ('none', 'unknown') alphabetically. */
function sortKeys(m: Record<string, number>): Record<string, number> {
  const keys = Object.keys(m).sort((a, b) => {
    const na = /^\d+$/.test(a);
    const nb = /^\d+$/.test(b);
    if (na && nb) return Number(a) - Number(b);
    if (na !== nb) return na ? -1 : 1;
    return a.localeCompare(b);
  });
  return Object.fromEntries(keys.map((k) => [k, m[k]!]));
}

/**
 * The daily series for the chart: per organisation-local day of the period, tickets of the
 * period opened that day, acknowledged that day, resolved that day, and response breaches
 * whose target fell due that day (a breach recorded without a known target counts on the
 * opening day).
 */
export class DailyAccumulator {
  private readonly bounds: number[];
  private readonly out: ReportDay[];

  constructor(
    period: PeriodRange,
    timeZone: string,
    private readonly now: number,
  ) {
    this.bounds = period.days.map((d) => localMidnight(d, timeZone));
    this.bounds.push(period.to.getTime());
    this.out = period.days.map((day) => ({ day, opened: 0, responseBreaches: 0, acknowledged: 0, resolved: 0 }));
  }

  private at(t: number | null): ReportDay | null {
    const b = this.bounds;
    if (t === null || t < b[0]! || t >= b[b.length - 1]!) return null;
    let lo = 0;
    let hi = b.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (b[mid]! <= t) lo = mid;
      else hi = mid;
    }
    return this.out[lo]!;
  }

  add(f: TicketFact): void {
    const o = this.at(f.openedAt);
    if (o) o.opened++;
    const a = this.at(f.acknowledgedAt);
    if (a) a.acknowledged++;
    const r = this.at(f.resolvedAt);
    if (r) r.resolved++;
    if (responseBreached(f, this.now)) {
      const b = this.at(f.responseDueAt ?? f.openedAt);
      if (b) b.responseBreaches++;
    }
  }

  result(): ReportDay[] {
    return this.out.map((d) => ({ ...d }));
  }
}

export interface ComputeInput {
  query: ReportQuery;
  timeZone: string;
  now: Date;
  /** Facts of (at least) the period and the previous period; others are ignored. */
  facts: Iterable<TicketFact>;
  personName?: (personId: string) => string | undefined;
}

/**
 * Builds a report from facts fed one at a time (any order; facts outside both periods or not
 * matching the filters are ignored), so a caller can stream a year of day buckets through it.
 * It keeps no reference to a fact it is given (it copies what it keeps), so a caller may refill
 * one object for every fact.
 */
export class ReportBuilder {
  readonly period: PeriodRange;
  readonly previous: PeriodRange;
  private readonly cur: FigureAccumulator;
  private readonly prev: FigureAccumulator;
  private readonly daily: DailyAccumulator;
  private readonly bounds: [number, number, number, number];

  constructor(private readonly input: Omit<ComputeInput, 'facts'>) {
    const { query, timeZone, now } = input;
    const { period, previous } = resolvePeriod(query, now, timeZone);
    this.period = period;
    this.previous = previous;
    const t = now.getTime();
    this.cur = new FigureAccumulator({ now: t, periodEnd: period.to.getTime(), personName: input.personName });
    this.prev = new FigureAccumulator({ now: t, periodEnd: previous.to.getTime(), personName: input.personName });
    this.daily = new DailyAccumulator(period, timeZone, t);
    this.bounds = [period.from.getTime(), period.to.getTime(), previous.from.getTime(), previous.to.getTime()];
  }

  /** Organisation-local days whose buckets may hold facts of either period. */
  days(): string[] {
    return [...this.previous.days, ...this.period.days];
  }

  add(f: TicketFact): void {
    const [a, b, c, d] = this.bounds;
    const inCur = f.openedAt >= a && f.openedAt < b;
    const inPrev = !inCur && f.openedAt >= c && f.openedAt < d;
    if (!(inCur || inPrev) || !matchesFilters(f, this.input.query)) return;
    if (inCur) {
      this.cur.add(f);
      this.daily.add(f);
    } else this.prev.add(f);
  }

  /** The tickets named in the slowest lists of both periods (see FigureAccumulator.slowRefs). */
  slowRefs(): { number: number; key: string; openedAt: number }[] {
    return [...this.cur.slowRefs(), ...this.prev.slowRefs()];
  }

  finish(): Report {
    const { query, timeZone, now } = this.input;
    return {
      query,
      timeZone,
      period: { from: this.period.from, to: this.period.to, label: this.period.label },
      previous: { from: this.previous.from, to: this.previous.to, label: this.previous.label },
      figures: this.cur.result(),
      previousFigures: this.prev.result(),
      daily: this.daily.result(),
      generatedAt: now,
    };
  }
}

/** The whole report: period, previous period, figures of both, the daily series. */
export function computeReport(input: ComputeInput): Report {
  const b = new ReportBuilder(input);
  for (const f of input.facts) b.add(f);
  return b.finish();
}
