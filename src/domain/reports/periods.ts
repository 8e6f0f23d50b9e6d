/** Report periods (issue 8): today, the last 7 / 30 days, the quarter to date, custom days, in the organisation's time zone. */
import { DateTime } from 'luxon';
import type { ReportQuery } from './report.js';

export interface PeriodRange {
  from: Date;
  to: Date;
  /** Organisation-local days, oldest first ('YYYY-MM-DD'). */
  days: string[];
  label: string;
}

const DAY_FMT = 'ccc d LLL yyyy';

/**
 * The n calendar days from `start`'s local day on. Calendar arithmetic, no time zone: the same
 * days as luxon's `start.plus({ days: i })`, without its zone maths per day (a year's report
 * and its previous year are 730 days). Years outside 1000..9998 go through luxon.
 */
function calendarDays(start: DateTime, n: number): string[] {
  const days: string[] = [];
  if (start.year < 1000 || start.year > 9998) {
    for (let i = 0; i < n; i++) days.push(start.plus({ days: i }).toISODate()!);
    return days;
  }
  const d = new Date(0);
  for (let i = 0; i < n; i++) {
    d.setUTCFullYear(start.year, start.month - 1, start.day + i);
    days.push(d.toISOString().slice(0, 10));
  }
  return days;
}

const midnights = new Map<string, number>();

/**
 * The instant a local day starts (its first millisecond; luxon's `startOf('day')`), memoised:
 * the daily series of a year's report needs 365 of them, each several zone-offset lookups.
 */
export function localMidnight(day: string, timeZone: string): number {
  const key = `${timeZone}|${day}`;
  let t = midnights.get(key);
  if (t === undefined) {
    t = DateTime.fromISO(day, { zone: timeZone }).startOf('day').toMillis();
    if (midnights.size >= 20_000) midnights.clear();
    midnights.set(key, t);
  }
  return t;
}

function range(start: DateTime, n: number, label: (first: DateTime, last: DateTime) => string): PeriodRange {
  const days = calendarDays(start, n);
  const end = start.plus({ days: n });
  return { from: start.toJSDate(), to: end.toJSDate(), days, label: label(start, start.plus({ days: n - 1 })) };
}

const spanLabel = (n: number) => (first: DateTime, last: DateTime) =>
  n === 1 ? last.toFormat(DAY_FMT) : `${n} days to ${last.toFormat(DAY_FMT)}` + (n > 31 ? ` (from ${first.toFormat('d LLL yyyy')})` : '');

/**
 * The period of a query and the previous period of equal length (in local days), in the
 * organisation's time zone. today = the local day of `now`; 7d / 30d = the last 7 / 30 local
 * days including today; quarter = the calendar quarter to date; custom = fromDay..toDay
 * inclusive. Day boundaries are local midnights, so a DST week has one 23- or 25-hour day.
 */
export function resolvePeriod(q: Pick<ReportQuery, 'period' | 'fromDay' | 'toDay'>, now: Date, timeZone: string): { period: PeriodRange; previous: PeriodRange } {
  const today = DateTime.fromJSDate(now, { zone: timeZone }).startOf('day');
  let start: DateTime;
  let n: number;
  let label: (a: DateTime, b: DateTime) => string;
  switch (q.period) {
    case 'today':
      start = today;
      n = 1;
      label = (_a, b) => `Today, ${b.toFormat(DAY_FMT)}`;
      break;
    case '7d':
    case '30d':
      n = q.period === '7d' ? 7 : 30;
      start = today.minus({ days: n - 1 });
      label = spanLabel(n);
      break;
    case 'quarter':
      start = today.startOf('quarter');
      n = Math.round(today.diff(start, 'days').days) + 1;
      label = (a, b) => `Quarter to date: ${a.toFormat('d LLL')} – ${b.toFormat(DAY_FMT)}`;
      break;
    case 'custom': {
      if (!q.fromDay || !q.toDay) throw new Error('a custom period needs fromDay and toDay');
      start = DateTime.fromISO(q.fromDay, { zone: timeZone }).startOf('day');
      const last = DateTime.fromISO(q.toDay, { zone: timeZone }).startOf('day');
      n = Math.round(last.diff(start, 'days').days) + 1;
      label = (a, b) => (n === 1 ? b.toFormat(DAY_FMT) : `${a.toFormat('d LLL yyyy')} – ${b.toFormat(DAY_FMT)}`);
      break;
    }
  }
  const period = range(start, n, label);
  const previous = range(start.minus({ days: n }), n, spanLabel(n));
  return { period, previous };
}

/** The organisation-local day ('YYYY-MM-DD') of an instant: the rollup bucket of a ticket opened then. */
export function localDay(at: number | Date, timeZone: string): string {
  return DateTime.fromMillis(typeof at === 'number' ? at : at.getTime(), { zone: timeZone }).toISODate()!;
}
