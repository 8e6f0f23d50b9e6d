/**
 * Times as people type them in chat ("2h", "in 30m", "tomorrow 10:00", "friday 9am",
 * "2026-11-25 14:00"): parsing is pure; resolving needs `now` and the reader's zone.
 */
import { DateTime } from 'luxon';

/** How many leading words make a time ("2h", "in 2h", "tomorrow 10:00", "2026-11-25 14:00", "14:00"); 0 when none. */
export function whenLength(words: string[]): number {
  const [a = '', b = ''] = words.map((w) => w.toLowerCase());
  if (a === 'in') return DURATION.test(b) ? 2 : 0;
  if (DURATION.test(a)) return 1;
  if (DAY_WORDS.includes(a) || DATE.test(a)) return isClock(b) ? 2 : 1;
  if (DATE_TIME.test(a) || isClock(a)) return 1;
  return 0;
}

const DURATION = /^(?:\d+(?:w|d|h|m|min|mins)){1,3}$/;
const CLOCK = /^(\d{1,2})(?::(\d{2}))?(am|pm)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}t\d{1,2}:\d{2}$/;
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const DAY_WORDS = ['today', 'tomorrow', ...WEEKDAYS];
/** "14:00", "9:30", "9am", "2:30pm"; a bare "10" is not a time. */
const isClock = (s: string) => /^\d{1,2}(?::\d{2}(?:am|pm)?|am|pm)$/.test(s);

/**
 * Resolves time words in the person's zone. A clock time alone ("14:00") is today, or
 * tomorrow once it has passed; a date without a time is 09:00 that day. Returns an error
 * sentence for anything unreadable or in the past.
 */
export function resolveWhen(words: string[], now: Date, zone: string): { ok: true; at: Date } | { ok: false; problem: string } {
  const typed = words.join(' ');
  const bad = { ok: false as const, problem: `I can't read "${typed.slice(0, 40)}" as a time: use \`2h\`, \`30m\`, \`tomorrow 10:00\`, \`friday 9am\` or \`2026-11-25 14:00\` (your time zone, ${zone}).` };
  const w = words.map((x) => x.toLowerCase()).filter((x) => x !== 'in');
  const local = DateTime.fromJSDate(now, { zone });
  if (!local.isValid) return { ok: false, problem: `Your time zone "${zone}" is not valid; ask an Esc admin to fix your entry in the org file.` };
  let at: DateTime | null = null;
  const clock = (s: string | undefined): { hour: number; minute: number } | null => {
    const m = s ? CLOCK.exec(s) : null;
    if (!m) return null;
    let hour = Number(m[1]);
    const minute = Number(m[2] ?? 0);
    if (m[3]) {
      if (hour < 1 || hour > 12) return null;
      hour = (hour % 12) + (m[3] === 'pm' ? 12 : 0);
    } else if (m[2] === undefined) return null; // a bare "10" is not a time
    return hour <= 23 && minute <= 59 ? { hour, minute } : null;
  };
  if (w.length === 1 && DURATION.test(w[0]!)) {
    let ms = 0;
    for (const [, n, u] of w[0]!.matchAll(/(\d+)(w|d|h|min|mins|m)/g)) ms += Number(n) * ({ w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, min: 60_000, mins: 60_000 }[u!] ?? 0);
    if (ms <= 0) return bad;
    if (ms > 366 * 86_400_000) return { ok: false, problem: 'That is more than a year away; pick a nearer time.' };
    return { ok: true, at: new Date(now.getTime() + ms) };
  }
  if (w.length === 1 && DATE_TIME.test(w[0]!)) at = DateTime.fromFormat(w[0]!.toUpperCase(), "yyyy-MM-dd'T'H:mm", { zone });
  else if (w.length >= 1 && w.length <= 2 && DATE.test(w[0]!)) {
    const c = w[1] === undefined ? { hour: 9, minute: 0 } : clock(w[1]);
    if (!c) return bad;
    at = DateTime.fromFormat(w[0]!, 'yyyy-MM-dd', { zone }).set({ ...c, second: 0, millisecond: 0 });
  } else if (w.length >= 1 && w.length <= 2 && DAY_WORDS.includes(w[0]!)) {
    const c = w[1] === undefined ? { hour: 9, minute: 0 } : clock(w[1]);
    if (!c) return bad;
    let day = local.startOf('day');
    if (w[0] === 'tomorrow') day = day.plus({ days: 1 });
    else if (w[0] !== 'today') {
      const target = WEEKDAYS.indexOf(w[0]!) + 1;
      day = day.plus({ days: ((target - day.weekday + 7) % 7) || 7 });
    }
    at = day.set({ ...c, second: 0, millisecond: 0 });
  } else if (w.length === 1) {
    const c = clock(w[0]);
    if (!c) return bad;
    at = local.set({ ...c, second: 0, millisecond: 0 });
    if (at <= local) at = at.plus({ days: 1 });
  }
  if (!at || !at.isValid) return bad;
  if (at.toMillis() <= now.getTime()) return { ok: false, problem: `${at.toFormat('yyyy-MM-dd HH:mm')} (${zone}) has already passed; give a time in the future.` };
  if (at.toMillis() - now.getTime() > 366 * 86_400_000) return { ok: false, problem: 'That is more than a year away; pick a nearer time.' };
  return { ok: true, at: at.toJSDate() };
}
