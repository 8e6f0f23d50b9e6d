/** Reading the words of a command: tickets, people, free text. Pure. */
import type { Directory, Person } from '../../domain/directory.js';
import { DomainError } from '../../domain/errors.js';
import { parseTicketRef } from '../../domain/ticket-number.js';
import { DateTime } from 'luxon';

/** ESC-1042, #1042, 1042 → 1042; null when the word is not a ticket. */
export function ticketWord(word: string | undefined): number | null {
  return word ? parseTicketRef(word) : null;
}

/** `@alice`, `alice`, `alice@uni.edu`, `@alice@uni.edu`: a person word (null when it cannot be one). */
export function personWord(word: string | undefined): string | null {
  if (!word) return null;
  const w = word.replace(/^@/, '');
  if (word.startsWith('@') && /^(?:slack|teams):[\w-]{1,64}$/i.test(w)) return w;
  return /^[\w.+-]{1,64}(?:@[\w.-]{1,253})?$/.test(w) && (word.startsWith('@') || w.includes('@')) ? w.toLowerCase() : null;
}

/** The person a word names: directory id, email, or email local part (unique). */
export function findPerson(dir: Directory, handle: string): Person | undefined {
  const h = handle.replace(/^@/, '').toLowerCase();
  if (/^(?:slack|teams):/.test(h)) return undefined;
  return dir.person(h) ?? dir.allPeople().find((p) => p.id.toLowerCase() === h) ?? (h.includes('@') ? dir.byEmail(h) : undefined) ?? unique(dir.allPeople().filter((p) => p.email.toLowerCase().split('@')[0] === h));
}

const unique = <T>(xs: T[]): T | undefined => (xs.length === 1 ? xs[0] : undefined);

/** The person, or a refusal that says who was not found and how to name them. */
export function requirePerson(dir: Directory, handle: string): Person {
  const p = findPerson(dir, handle);
  if (p) return p;
  const shown = handle.replace(/^@/, '').slice(0, 64);
  if (/^slack:/i.test(shown)) throw new DomainError('UNKNOWN_PERSON', `<@${shown.slice(6)}> is not in Esc's directory, so I can't give them work. Ask an Esc admin to add \`slackId: ${shown.slice(6)}\` to their entry in the org file.`);
  throw new DomainError('UNKNOWN_PERSON', `I don't know "${shown}": mention them, or use their Esc id or email.`);
}

/** A time in the reader's zone, zone shown: "Mon 23 Nov 09:00 PST". */
export function localTime(d: Date | string, zone: string): string {
  return DateTime.fromJSDate(new Date(d), { zone }).toFormat('ccc d LLL HH:mm ZZZZ');
}

/** "2026-11-23 09:00 PST": a full date and time in the reader's zone. */
export function localDateTime(d: Date | string, zone: string): string {
  return DateTime.fromJSDate(new Date(d), { zone }).toFormat('yyyy-MM-dd HH:mm ZZZZ');
}
