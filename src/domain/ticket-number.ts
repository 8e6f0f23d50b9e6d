import { DomainError } from './errors.js';

/** Ticket numbers are shown as ESC-1042; people may type `ESC-1042`, `esc-1042`, `#1042` or `1042`. */
export const TICKET_PREFIX = 'ESC';

export function formatTicketKey(number: number): string {
  return `${TICKET_PREFIX}-${number}`;
}

/** Parses what a person typed into a ticket number, or returns null when it is not one. */
export function parseTicketRef(text: string): number | null {
  const m = /^\s*(?:#|esc-?)?(\d{1,9})\s*$/i.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

export function requireTicketRef(text: string): number {
  const n = parseTicketRef(text);
  if (n === null) {
    throw new DomainError('VALIDATION', `"${text.slice(0, 40)}" is not a ticket number: use ESC-1042 or 1042.`, { field: 'ticket' });
  }
  return n;
}
