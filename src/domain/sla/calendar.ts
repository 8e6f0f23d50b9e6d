import { DateTime } from 'luxon';
import { DomainError } from '../errors.js';

/**
 * A business calendar: when the service desk works. Business time is counted in real
 * elapsed milliseconds inside working windows, so a window that spans a daylight-saving
 * change is exactly as long as the wall clock says it is.
 */
export interface BusinessCalendar {
  id: string;
  name?: string;
  /** IANA zone, e.g. Europe/Berlin. */
  timeZone: string;
  /** ISO weekdays that are working days: 1 = Monday … 7 = Sunday. */
  workingDays: number[];
  /** Working hours, local time, 'HH:mm'. end > start; '24:00' allowed as end. */
  hours: { start: string; end: string };
  /** Local dates 'YYYY-MM-DD' that are not worked. */
  holidays: string[];
  /** True for 24×7 calendars: every instant is business time. */
  alwaysOpen?: boolean;
}

const MAX_DAYS_SCANNED = 3 * 366;

function parseHm(hm: string): { hour: number; minute: number } {
  const m = /^(\d{2}):(\d{2})$/.exec(hm);
  const hour = Number(m?.[1]);
  const minute = Number(m?.[2]);
  if (!m || minute > 59 || hour > 24) throw new DomainError('INVALID_CALENDAR', `"${hm}" is not a time of day (HH:mm)`);
  return { hour, minute };
}

function minutesOf(hm: string): number {
  const { hour, minute } = parseHm(hm);
  return hour * 60 + minute;
}

/** Problems with a calendar, as messages naming the field; empty when it is valid. */
export function calendarProblems(cal: BusinessCalendar): string[] {
  const out: string[] = [];
  if (!DateTime.local().setZone(cal.timeZone).isValid) out.push(`timeZone: "${cal.timeZone}" is not an IANA time zone (e.g. Europe/Berlin)`);
  if (!cal.alwaysOpen) {
    if (cal.workingDays.length === 0) out.push('workingDays: at least one working day is needed (or set alwaysOpen)');
    for (const d of cal.workingDays) if (!Number.isInteger(d) || d < 1 || d > 7) out.push(`workingDays: ${d} is not an ISO weekday 1..7`);
    try {
      const s = minutesOf(cal.hours.start);
      const e = minutesOf(cal.hours.end);
      if (s >= 24 * 60 || e > 24 * 60 || e <= s) out.push(`hours: end (${cal.hours.end}) must be after start (${cal.hours.start}), within one day`);
    } catch (err) {
      out.push(`hours: ${(err as Error).message}`);
    }
  }
  for (const h of cal.holidays) {
    if (!DateTime.fromISO(h, { zone: 'UTC' }).isValid || !/^\d{4}-\d{2}-\d{2}$/.test(h)) out.push(`holidays: "${h}" is not a date (YYYY-MM-DD)`);
  }
  return out;
}

/** The working window [open, close) of the local day containing `day`, or null if not worked. */
function windowOf(cal: BusinessCalendar, day: DateTime): { open: DateTime; close: DateTime } | null {
  if (!cal.workingDays.includes(day.weekday)) return null;
  if (cal.holidays.includes(day.toISODate() ?? '')) return null;
  const start = parseHm(cal.hours.start);
  const end = parseHm(cal.hours.end);
  const open = day.set({ hour: start.hour, minute: start.minute, second: 0, millisecond: 0 });
  const close = end.hour === 24 ? day.plus({ days: 1 }).startOf('day') : day.set({ hour: end.hour, minute: end.minute, second: 0, millisecond: 0 });
  return { open, close };
}

/** The instant `ms` business milliseconds after `from`. */
export function addBusinessMs(cal: BusinessCalendar, from: Date, ms: number): Date {
  if (ms < 0) throw new DomainError('VALIDATION', 'business time to add must not be negative');
  if (cal.alwaysOpen) return new Date(from.getTime() + ms);
  let t: DateTime = DateTime.fromJSDate(from, { zone: cal.timeZone });
  let remaining = ms;
  for (let i = 0; i < MAX_DAYS_SCANNED; i++) {
    const day = t.startOf('day');
    const w = windowOf(cal, day);
    if (w) {
      if (t < w.open) t = w.open;
      if (t < w.close) {
        const avail = w.close.toMillis() - t.toMillis();
        if (remaining <= avail) return new Date(t.toMillis() + remaining);
        remaining -= avail;
      }
    }
    t = day.plus({ days: 1 }).startOf('day');
  }
  throw new DomainError('INVALID_CALENDAR', `calendar ${cal.id} has no working time within ${MAX_DAYS_SCANNED} days`);
}

export function addBusinessMinutes(cal: BusinessCalendar, from: Date, minutes: number): Date {
  return addBusinessMs(cal, from, Math.round(minutes * 60_000));
}

/** The instant `ms` business milliseconds before `from` (the mirror of addBusinessMs). */
export function subtractBusinessMs(cal: BusinessCalendar, from: Date, ms: number): Date {
  if (ms < 0) throw new DomainError('VALIDATION', 'business time to subtract must not be negative');
  if (cal.alwaysOpen) return new Date(from.getTime() - ms);
  let t: DateTime = DateTime.fromJSDate(from, { zone: cal.timeZone });
  let remaining = ms;
  for (let i = 0; i < MAX_DAYS_SCANNED; i++) {
    const day = t.startOf('day');
    const w = windowOf(cal, day);
    if (w) {
      if (t > w.close) t = w.close;
      if (t > w.open) {
        const avail = t.toMillis() - w.open.toMillis();
        if (remaining <= avail) return new Date(t.toMillis() - remaining);
        remaining -= avail;
      }
    }
    t = day.minus({ milliseconds: 1 });
  }
  throw new DomainError('INVALID_CALENDAR', `calendar ${cal.id} has no working time within ${MAX_DAYS_SCANNED} days`);
}

/** Business milliseconds between a and b (0 when b <= a). */
export function businessMsBetween(cal: BusinessCalendar, a: Date, b: Date): number {
  if (b.getTime() <= a.getTime()) return 0;
  if (cal.alwaysOpen) return b.getTime() - a.getTime();
  let t: DateTime = DateTime.fromJSDate(a, { zone: cal.timeZone });
  const end = b.getTime();
  let total = 0;
  for (let i = 0; i < MAX_DAYS_SCANNED * 4 && t.toMillis() < end; i++) {
    const day = t.startOf('day');
    const w = windowOf(cal, day);
    if (w) {
      const from = Math.max(t.toMillis(), w.open.toMillis());
      const to = Math.min(end, w.close.toMillis());
      if (to > from) total += to - from;
    }
    t = day.plus({ days: 1 }).startOf('day');
  }
  return total;
}

/** Whether `at` falls inside business hours. */
export function isBusinessTime(cal: BusinessCalendar, at: Date): boolean {
  if (cal.alwaysOpen) return true;
  const t = DateTime.fromJSDate(at, { zone: cal.timeZone });
  const w = windowOf(cal, t.startOf('day'));
  return !!w && t >= w.open && t < w.close;
}
