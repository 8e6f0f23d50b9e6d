import { DateTime } from 'luxon';
import type { Person } from './directory.js';

/**
 * When a person's quiet hours (local 'HH:mm'–'HH:mm', may span midnight) cover `at`, the
 * instant they end; otherwise null. Low-urgency pages wait until then; urgent ones don't.
 */
export function quietUntil(person: Pick<Person, 'quietHours' | 'timeZone'>, at: Date): Date | null {
  const q = person.quietHours;
  if (!q) return null;
  const local = DateTime.fromJSDate(at, { zone: person.timeZone });
  const [sh, sm] = q.start.split(':').map(Number);
  const [eh, em] = q.end.split(':').map(Number);
  const minutes = local.hour * 60 + local.minute;
  const start = sh! * 60 + sm!;
  const end = eh! * 60 + em!;
  if (start === end) return null;
  const inside = start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
  if (!inside) return null;
  let until = local.set({ hour: eh, minute: em, second: 0, millisecond: 0 });
  if (until <= local) until = until.plus({ days: 1 });
  return until.toJSDate();
}
