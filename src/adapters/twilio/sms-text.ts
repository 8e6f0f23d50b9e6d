import type { Reply } from '../../app/use-cases/escalations.js';
import type { Notice } from '../../domain/notice.js';
import { escalationLabel } from '../../domain/notice.js';
import { parseTicketRef } from '../../domain/ticket-number.js';
import { fitSegments, toGsm7 } from './sms-segments.js';

/** What an SMS reply asks for: by reference number (`1a`), the latest (`a`), or by ticket (`ACK ESC-1042`). */
export type SmsCommand = { reply: Reply; ref: number | null; ticket: number | null } | { help: true } | null;

const LETTER: Record<string, Reply> = { a: 'acknowledge', e: 'escalate', c: 'resolve', r: 'resolve' };
const WORD: Record<string, Reply> = {
  a: 'acknowledge', ack: 'acknowledge', acknowledge: 'acknowledge',
  e: 'escalate', esc: 'escalate', escalate: 'escalate',
  c: 'resolve', r: 'resolve', res: 'resolve', resolve: 'resolve', close: 'resolve',
};

/** Parses an SMS reply. Null when it means nothing; `{help}` for HELP/?. */
export function parseSmsReply(body: string): SmsCommand {
  const text = body.trim().toLowerCase().replace(/\s+/g, ' ');
  if (text === 'help' || text === '?' || text === 'info') return { help: true };
  const short = /^(\d{1,3})? ?([aecr])$/.exec(text);
  if (short) return { reply: LETTER[short[2]!]!, ref: short[1] ? Number(short[1]) : null, ticket: null };
  const word = /^([a-z]+) (.+)$/.exec(text);
  if (word && Object.hasOwn(WORD, word[1]!)) {
    const n = parseTicketRef(word[2]!);
    if (n !== null) return { reply: WORD[word[1]!]!, ref: null, ticket: n };
  }
  // Own properties only: "constructor" is not a reply.
  if (Object.hasOwn(WORD, text)) return { reply: WORD[text]!, ref: null, ticket: null };
  return null;
}

/** The reply codes, as a person needs them when they got something wrong. */
export function smsHelp(ref?: number): string {
  const r = ref ?? 1;
  return `Reply ${r}a to acknowledge, ${r}e to escalate, ${r}c to resolve (a, e or c alone = your latest page), or e.g. ACK ESC-1042.`;
}

/** The SMS text of a notice: what happened, then the reply codes for this recipient's reference. */
export function smsText(notice: Notice, ref: number): string {
  const CODE: Partial<Record<Notice['actions'][number], string>> = { acknowledge: `${ref}a=ack`, escalate: `${ref}e=escalate`, resolve: `${ref}c=resolve` };
  // claim / rate have no SMS code: they are answered in chat, by email link or the API.
  const codes = notice.actions
    .map((a) => CODE[a])
    .filter(Boolean)
    .join(' ');
  const flag = escalationLabel(notice.ticket);
  const head = `[Esc #${ref}]${flag && !notice.title.includes(flag) ? ` ${flag}` : ''} ${notice.title}`;
  // GSM-7 where possible ("ESCALATED · automatic" has a "·"), and at most two segments: the
  // notice text (it already names the step) is cut, the reply codes never are.
  return fitSegments(toGsm7(`${head}\n${notice.text}`), codes ? `\nReply ${codes}` : '');
}
