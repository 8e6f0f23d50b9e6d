/**
 * How a day's facts are stored: one compact string per day bucket, not one object per fact.
 *
 * Measured on the local server (FerretDB 1.24 on SQLite, 2 shared cores) reading a year
 * (365 buckets, 100,000 facts): one sub-document per fact took 16 s (every value is converted
 * one by one); one JSON string per fact about 2–2.6 s; one compact tab-separated string per
 * day 0.55–0.85 s (and 70 ms for 30 days). So a bucket is
 *   { _id: 'YYYY-MM-DD', v, n, dict: [strings…], rows: "<fact>\n<fact>…" }
 * where each fact is a line of tab-separated fields in a fixed order: repeated strings (team,
 * priority, source, plan, person, channel, status) are indexes into `dict`, times are base-36
 * milliseconds (opening absolute, the others relative to the opening), free text is escaped.
 * Real MongoDB reads this just as well; the format is private to this adapter.
 *
 * The ticket id and title (about half of a row's bytes) are kept apart, in `ids`, one line
 * "<number>\t<ticketId>\t<title>" per row in the same order, with the two row fields left
 * empty: a report reads `dict` and `rows` only (measured: a year's read took about half the
 * time) and fetches the text of the few tickets it names (the slowest) with `ticketTexts`.
 * Rows written before this (ticket id and title in the row) still decode.
 */
import type { FactKind, TicketFact } from '../../domain/reports/facts.js';
import { FACT_KINDS } from '../../domain/reports/facts.js';
import type { Priority } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';

export interface EncodedDay {
  n: number;
  dict: string[];
  rows: string;
  /** Per row, same order: number, ticket id, title. */
  ids: string;
}

const esc = (s: string) => s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
const unesc = (s: string) => (s.includes('\\') ? s.replace(/\\(.)/g, (_m, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c)) : s);

const int = (x: number) => {
  if (!Number.isSafeInteger(x)) throw new Error(`report codec: not an integer: ${x}`);
  return x.toString(36);
};
const numOut = (x: number | null) => (x === null ? '' : Number.isSafeInteger(x) ? x.toString(36) : `~${x}`);
const numIn = (s: string): number | null => (s === '' ? null : s.startsWith('~') ? Number(s.slice(1)) : parseInt(s, 36));

/** A day's string dictionary: `d(s)` is s's base-36 index in `dict` ('' for null). Shared by both row formats. */
export function dayDictionary(): { dict: string[]; d: (s: string | null) => string } {
  const dict: string[] = [];
  const index = new Map<string, number>();
  const d = (s: string | null): string => {
    if (s === null) return '';
    let i = index.get(s);
    if (i === undefined) {
      i = dict.length;
      dict.push(s);
      index.set(s, i);
    }
    return i.toString(36);
  };
  return { dict, d };
}

/** A day's facts in stored order: by opening time, then number, then id. */
export const inStoredOrder = (facts: readonly TicketFact[]): TicketFact[] => [...facts].sort((a, b) => a.openedAt - b.openedAt || a.number - b.number || (a.ticketId < b.ticketId ? -1 : 1));

export function encodeDay(facts: readonly TicketFact[]): EncodedDay {
  const { dict, d } = dayDictionary();
  const sorted = inStoredOrder(facts);
  const lines = sorted.map((f) => {
    const rel = (t: number | null) => (t === null ? '' : numOut(t - f.openedAt));
    let kinds = 0;
    for (const k of f.kinds) kinds |= 1 << FACT_KINDS.indexOf(k);
    return [
      '',
      int(f.number),
      f.key === formatTicketKey(f.number) ? '' : esc(f.key),
      '',
      d(f.teamId),
      d(f.priority),
      d(f.source),
      d(f.planId),
      kinds.toString(36),
      int(f.openedAt),
      rel(f.responseDueAt),
      rel(f.resolutionDueAt),
      rel(f.respondedAt),
      f.responseBreachRecorded ? '1' : '',
      rel(f.pausedAt),
      rel(f.acknowledgedAt),
      d(f.acknowledgedBy),
      numOut(f.ackStep),
      d(f.ackChannel),
      rel(f.resolvedAt),
      int(f.maxLevel),
      numOut(f.requestWaitMs),
      numOut(f.satisfactionScore),
      f.satisfactionComment === null ? '' : `"${esc(f.satisfactionComment)}`,
      rel(f.satisfactionAt),
      d(f.status),
      f.snoozes ? int(f.snoozes) : '',
      f.snoozedMs ? numOut(f.snoozedMs) : '',
      f.ackTimeouts ? int(f.ackTimeouts) : '',
    ].join('\t');
  });
  return { n: lines.length, dict, rows: lines.join('\n'), ids: sorted.map((f) => `${int(f.number)}\t${esc(f.ticketId)}\t${esc(f.title)}`).join('\n') };
}

/** The ticket id and title of the tickets with these numbers, from a bucket's `ids`. */
export function ticketTexts(doc: { ids?: unknown }, numbers: ReadonlySet<number>, out: Map<number, { ticketId: string; title: string }>): void {
  if (typeof doc.ids !== 'string' || doc.ids === '') return;
  for (const line of doc.ids.split('\n')) {
    const c = line.split('\t');
    const n = parseInt(c[0]!, 36);
    if (numbers.has(n)) out.set(n, { ticketId: unesc(c[1]!), title: unesc(c[2]!) });
  }
}

/**
 * The facts of a bucket. Without `ids` (not read), rows of the current format come back with
 * `ticketId` and `title` empty: `ticketTexts` gives them for the tickets that need them.
 */
export function decodeDay(doc: { dict?: unknown; rows?: unknown; ids?: unknown }, out: TicketFact[] = []): TicketFact[] {
  const rows = typeof doc.rows === 'string' ? doc.rows : '';
  if (rows === '') return out;
  const dict = Array.isArray(doc.dict) ? (doc.dict as string[]) : [];
  const ids = typeof doc.ids === 'string' && doc.ids !== '' ? doc.ids.split('\n') : null;
  const d = (s: string): string | null => (s === '' ? null : dict[parseInt(s, 36)]!);
  const lines = rows.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const c = lines[i]!.split('\t');
    // The current format leaves the ticket id empty in the row (it is in `ids`); older rows carry it.
    if (c[0] === '' && ids) {
      const t = ids[i]!.split('\t');
      c[0] = t[1]!;
      c[3] = t[2]!;
    }
    const openedAt = parseInt(c[9]!, 36);
    const rel = (s: string) => (s === '' ? null : openedAt + numIn(s)!);
    const number = parseInt(c[1]!, 36);
    const kindBits = parseInt(c[8]!, 36);
    out.push({
      ticketId: unesc(c[0]!),
      number,
      key: c[2] === '' ? formatTicketKey(number) : unesc(c[2]!),
      title: unesc(c[3]!),
      teamId: d(c[4]!) ?? '',
      priority: d(c[5]!) as Priority,
      source: d(c[6]!) ?? '',
      planId: d(c[7]!),
      kinds: FACT_KINDS.filter((_k, b) => (kindBits & (1 << b)) !== 0) as FactKind[],
      openedAt,
      responseDueAt: rel(c[10]!),
      resolutionDueAt: rel(c[11]!),
      respondedAt: rel(c[12]!),
      responseBreachRecorded: c[13] === '1',
      pausedAt: rel(c[14]!),
      acknowledgedAt: rel(c[15]!),
      acknowledgedBy: d(c[16]!),
      ackStep: numIn(c[17]!),
      ackChannel: d(c[18]!),
      resolvedAt: rel(c[19]!),
      maxLevel: parseInt(c[20]!, 36),
      requestWaitMs: numIn(c[21]!),
      satisfactionScore: numIn(c[22]!),
      satisfactionComment: c[23] === '' ? null : unesc(c[23]!.slice(1)),
      satisfactionAt: rel(c[24]!),
      status: d(c[25]!) ?? '',
      // Issue 14 columns (absent in rows stored before them: none).
      snoozes: c[26] ? parseInt(c[26], 36) : 0,
      snoozedMs: c[27] ? (numIn(c[27]) ?? 0) : 0,
      ackTimeouts: c[28] ? parseInt(c[28], 36) : 0,
    });
  }
  return out;
}
