/** Times and durations as people read them. */
import { DateTime } from 'luxon';

/** "3 h 20 min", "2 days 4 h 5 min", "45 min". */
export function durationText(ms: number): string {
  const min = Math.max(0, Math.round(ms / 60_000));
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h${min % 60 ? ` ${min % 60} min` : ''}`;
  return `${Math.floor(h / 24)} days${h % 24 ? ` ${h % 24} h` : ''}${min % 60 ? ` ${min % 60} min` : ''}`;
}

export function localTime(d: Date, zone: string): string {
  return DateTime.fromJSDate(new Date(d), { zone }).toFormat('yyyy-LL-dd HH:mm ZZZZ');
}
