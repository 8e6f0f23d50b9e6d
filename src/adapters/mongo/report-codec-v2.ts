/**
 * How a day's facts are stored since issue 18 (format 2). Read cost on the local server is the
 * JSON it parses per bucket (FerretDB 1.24 stores documents as JSON in SQLite and decodes the
 * WHOLE document for every query, whatever the projection: profiled, ~60% of its time in its
 * JSON decoder). So a bucket holds only what a report reads, in as few JSON bytes as possible:
 *
 *   report_days       { _id: 'YYYY-MM-DD', v, n, r: "<dict>|<row>;<row>;…" }
 *   report_day_texts  { _id: 'YYYY-MM-DD', v, t: "<number>,<ticket id>,<title>;…" }
 *
 * `r` starts with the dictionary (its size, then the repeated strings: team, priority, source,
 * plan, person, channel, status), then one row per fact: comma-separated fields in a fixed
 * order, trailing empty fields left out. Separators are characters JSON does not escape (the
 * tab and newline of format 1 are two bytes each in JSON and take the decoder's slow path);
 * free text escapes `%` `,` `;` `|` as %XX. Numbers are base 36; the ticket number and the
 * opening instant are deltas from the previous row (rows are sorted by opening instant), the
 * other instants are relative to the opening. Values are exact (non-integers as `~<decimal>`).
 *
 * Ticket ids and titles (about half the bytes) live in `report_day_texts`, joined by ticket
 * number: a report never reads them, except for the few tickets it names (the slowest). They
 * are written before the rows (see report-repo.ts putDay), so a row always has its text.
 *
 * Format 1 (report-codec.ts: `dict`, `rows`, `ids` in the day document) is still read; a day
 * is rewritten in format 2 the next time one of its tickets changes.
 */
import type { FactKind, TicketFact } from '../../domain/reports/facts.js';
import { FACT_KINDS } from '../../domain/reports/facts.js';
import type { Priority } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';

export interface EncodedDayV2 {
  n: number;
  /** Dictionary and rows. */
  r: string;
}

export type TicketTexts = Map<number, { ticketId: string; title: string }>;

const pct = (s: string) => s.replace(/[%,;|]/g, (c) => (c === '%' ? '%25' : c === ',' ? '%2C' : c === ';' ? '%3B' : '%7C'));
const unpct = (s: string) => (s.includes('%') ? s.replace(/%(25|2C|3B|7C)/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))) : s);

const int = (x: number) => {
  if (!Number.isSafeInteger(x)) throw new Error(`report codec: not an integer: ${x}`);
  return x.toString(36);
};
const numOut = (x: number | null) => (x === null ? '' : Number.isSafeInteger(x) ? x.toString(36) : `~${x}`);
const numIn = (s: string | undefined): number | null => (s === undefined || s === '' ? null : s.charCodeAt(0) === 126 /* ~ */ ? Number(s.slice(1)) : parseInt(s, 36));

export function encodeDayV2(facts: readonly TicketFact[]): EncodedDayV2 {
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
  const sorted = [...facts].sort((a, b) => a.openedAt - b.openedAt || a.number - b.number || (a.ticketId < b.ticketId ? -1 : 1));
  let prevNumber = 0;
  let prevOpened = 0;
  const lines = sorted.map((f) => {
    const rel = (t: number | null) => (t === null ? '' : numOut(t - f.openedAt));
    let kinds = 0;
    for (const k of f.kinds) kinds |= 1 << FACT_KINDS.indexOf(k);
    const row = [
      int(f.number - prevNumber),
      f.key === formatTicketKey(f.number) ? '' : pct(f.key),
      d(f.teamId),
      d(f.priority),
      d(f.source),
      d(f.planId),
      kinds.toString(36),
      int(f.openedAt - prevOpened),
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
      f.satisfactionComment === null ? '' : `'${pct(f.satisfactionComment)}`,
      rel(f.satisfactionAt),
      d(f.status),
      f.snoozes ? int(f.snoozes) : '',
      f.snoozedMs ? numOut(f.snoozedMs) : '',
      f.ackTimeouts ? int(f.ackTimeouts) : '',
    ];
    prevNumber = f.number;
    prevOpened = f.openedAt;
    let end = row.length;
    while (end > 0 && row[end - 1] === '') end--;
    return row.slice(0, end).join(',');
  });
  const head = [dict.length.toString(36), ...dict.map(pct)].join(',');
  return { n: lines.length, r: `${head}|${lines.join(';')}` };
}

/** The ticket ids and titles of these facts, as stored in `report_day_texts` (any order). */
export function encodeTexts(texts: TicketTexts): string {
  const out: string[] = [];
  for (const [n, t] of texts) out.push(`${int(n)},${pct(t.ticketId)},${pct(t.title)}`);
  return out.join(';');
}

/** Reads a `report_day_texts` string into `out` (only the numbers asked for, when given). */
export function decodeTexts(t: unknown, out: TicketTexts = new Map(), numbers?: ReadonlySet<number>): TicketTexts {
  if (typeof t !== 'string' || t === '') return out;
  for (const line of t.split(';')) {
    const c = line.split(',');
    const n = parseInt(c[0]!, 36);
    if (!numbers || numbers.has(n)) out.set(n, { ticketId: unpct(c[1] ?? ''), title: unpct(c[2] ?? '') });
  }
  return out;
}

/**
 * The facts of a format-2 bucket, appended to `out`. Ticket id and title come from `texts` by
 * number; without it (a report scan) they are left empty.
 */
export function decodeDayV2(r: string, out: TicketFact[] = [], texts?: TicketTexts): TicketFact[] {
  const bar = r.indexOf('|');
  if (bar < 0) return out;
  const head = r.slice(0, bar).split(',');
  const size = parseInt(head[0]!, 36);
  const dict: string[] = [];
  for (let i = 1; i <= size; i++) dict.push(unpct(head[i]!));
  const body = r.slice(bar + 1);
  if (body === '') return out;
  const d = (s: string | undefined): string | null => (s === undefined || s === '' ? null : dict[parseInt(s, 36)]!);
  let number = 0;
  let openedAt = 0;
  for (const line of body.split(';')) {
    const c = line.split(',');
    number += parseInt(c[0]!, 36);
    openedAt += parseInt(c[7]!, 36);
    const o = openedAt;
    const rel = (s: string | undefined) => (s === undefined || s === '' ? null : o + numIn(s)!);
    const kindBits = parseInt(c[6]!, 36);
    const text = texts?.get(number);
    const comment = c[21];
    out.push({
      ticketId: text?.ticketId ?? '',
      number,
      key: c[1] ? unpct(c[1]) : formatTicketKey(number),
      title: text?.title ?? '',
      teamId: d(c[2]) ?? '',
      priority: d(c[3]) as Priority,
      source: d(c[4]) ?? '',
      planId: d(c[5]),
      kinds: kindBits === 0 ? [] : (FACT_KINDS.filter((_k, b) => (kindBits & (1 << b)) !== 0) as FactKind[]),
      openedAt: o,
      responseDueAt: rel(c[8]),
      resolutionDueAt: rel(c[9]),
      respondedAt: rel(c[10]),
      responseBreachRecorded: c[11] === '1',
      pausedAt: rel(c[12]),
      acknowledgedAt: rel(c[13]),
      acknowledgedBy: d(c[14]),
      ackStep: numIn(c[15]),
      ackChannel: d(c[16]),
      resolvedAt: rel(c[17]),
      maxLevel: parseInt(c[18]!, 36),
      requestWaitMs: numIn(c[19]),
      satisfactionScore: numIn(c[20]),
      satisfactionComment: comment === undefined || comment === '' ? null : unpct(comment.slice(1)),
      satisfactionAt: rel(c[22]),
      status: d(c[23]) ?? '',
      snoozes: c[24] ? parseInt(c[24], 36) : 0,
      snoozedMs: c[25] ? (numIn(c[25]) ?? 0) : 0,
      ackTimeouts: c[26] ? parseInt(c[26], 36) : 0,
    });
  }
  return out;
}
