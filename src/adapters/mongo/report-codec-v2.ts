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
 * other instants are relative to the opening; the two SLA targets are one dictionary entry
 * (they repeat per priority) and an acknowledgement at the first response is `=`. Values are
 * exact (non-integers as `~<decimal>`). On the bench's year: 45 bytes per fact (format 1: 150 with the ids; JSON escapes on top).
 *
 * Ticket ids and titles (about half the bytes) live in `report_day_texts`, joined by ticket
 * number: a report never reads them, except for the few tickets it names (the slowest). They
 * are written before the rows (see report-repo.ts putDay), so a row always has its text.
 *
 * Format 1 (report-codec.ts: `dict`, `rows`, `ids` in the day document) is still read; a day
 * is rewritten in format 2 the next time one of its tickets changes.
 */
import { dayDictionary, inStoredOrder } from './report-codec.js';
import type { FactPrefilter } from '../../app/ports/report-facts.js';
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

export function encodeDayV2(facts: readonly TicketFact[]): EncodedDayV2 {
  const { dict, d } = dayDictionary();
  const sorted = inStoredOrder(facts);
  let prevNumber = 0;
  let prevOpened = 0;
  const lines = sorted.map((f) => {
    const rel = (t: number | null) => (t === null ? '' : numOut(t - f.openedAt));
    let kinds = 0;
    for (const k of f.kinds) kinds |= 1 << FACT_KINDS.indexOf(k);
    const resp = rel(f.respondedAt);
    const ack = rel(f.acknowledgedAt);
    const dues = f.responseDueAt === null && f.resolutionDueAt === null ? null : `${rel(f.responseDueAt)}/${rel(f.resolutionDueAt)}`;
    // Common values first, rare ones last (trailing empty fields are left out).
    const row = [
      int(f.number - prevNumber),
      int(f.openedAt - prevOpened),
      d(f.teamId),
      d(f.priority),
      d(f.source),
      d(f.planId),
      kinds.toString(36),
      d(f.status),
      int(f.maxLevel),
      // The two targets as one dictionary entry (they repeat per priority).
      d(dues),
      resp,
      // Usually the first response IS the acknowledgement.
      ack !== '' && ack === resp ? '=' : ack,
      d(f.acknowledgedBy),
      numOut(f.ackStep),
      d(f.ackChannel),
      rel(f.resolvedAt),
      f.responseBreachRecorded ? '1' : '',
      rel(f.pausedAt),
      f.key === formatTicketKey(f.number) ? '' : pct(f.key),
      numOut(f.requestWaitMs),
      numOut(f.satisfactionScore),
      f.satisfactionComment === null ? '' : `'${pct(f.satisfactionComment)}`,
      rel(f.satisfactionAt),
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
 * number; without it (a report scan) they are left empty. A hand-written scanner (no split, no
 * substring per number): a year's report decodes 100,000 rows.
 */
export function decodeDayV2(r: string, out: TicketFact[] = [], texts?: TicketTexts): TicketFact[] {
  scanDayV2(r, (f) => out.push(f), texts, false);
  return out;
}

const NO_DUES: [null, null] = [null, null];
const relIn = (s: string | undefined): number | null => (s === undefined || s === '' ? null : s.charCodeAt(0) === 126 ? Number(s.slice(1)) : parseInt(s, 36));
/** "<response target>/<resolution target>", each relative to the opening (or empty). */
const parseDues = (s: string): [number | null, number | null] => {
  const [a, b] = s.split('/');
  return [relIn(a), relIn(b)];
};

/**
 * Reads the fields of format-2 rows one by one (a class, so the engine optimises its methods
 * once for every bucket: closures per bucket took two reports to warm up).
 */
class RowReader {
  /** The current row has no more fields (the rest are empty). */
  eor = false;
  readonly end: number;

  constructor(
    private readonly s: string,
    public p: number,
    private readonly dict: readonly string[],
  ) {
    this.end = s.length;
  }

  /** A dictionary string, or null for an empty field. */
  word(): string | null {
    const i = this.num();
    return i === null ? null : this.dict[i]!;
  }

  /** At a separator (or the end): step over it. */
  private next(): void {
    if (this.p >= this.end) this.eor = true;
    else if (this.s.charCodeAt(this.p++) === 59) this.eor = true;
  }

  /** A base-36 integer, a `~decimal`, or null for an empty field. */
  num(): number | null {
    if (this.eor) return null;
    const s = this.s;
    const end = this.end;
    let p = this.p;
    let c = s.charCodeAt(p);
    if (c === 126) {
      let q = p + 1;
      while (q < end && (c = s.charCodeAt(q)) !== 44 && c !== 59) q++;
      this.p = q;
      this.next();
      return Number(s.slice(p + 1, q));
    }
    const neg = c === 45;
    if (neg) p++;
    let v = 0;
    const start = p;
    while (p < end) {
      c = s.charCodeAt(p);
      if (c >= 48 && c <= 57) v = v * 36 + (c - 48);
      else if (c >= 97 && c <= 122) v = v * 36 + (c - 87);
      else break;
      p++;
    }
    this.p = p;
    this.next();
    return p === start ? null : neg ? -v : v;
  }

  /** Free text (unescaped), '' when empty. */
  text(): string {
    if (this.eor) return '';
    const s = this.s;
    const p = this.p;
    let q = p;
    for (let c = s.charCodeAt(q); q < this.end && c !== 44 && c !== 59; c = s.charCodeAt(++q));
    this.p = q;
    this.next();
    return q === p ? '' : unpct(s.slice(p, q));
  }

  /** An `=` field (the acknowledgement at the first response): consumed. */
  same(): boolean {
    if (this.eor || this.s.charCodeAt(this.p) !== 61) return false;
    this.p++;
    this.next();
    return true;
  }

  /** Skips what is left of the row (fields of a later format). */
  endRow(): void {
    if (this.eor) return;
    while (this.p < this.end && this.s.charCodeAt(this.p) !== 59) this.p++;
    this.p++;
  }
}

/** An empty fact, every field in the order decoding sets them (one object shape for all). */
const blank = (): TicketFact => ({
  ticketId: '',
  number: 0,
  key: '',
  title: '',
  teamId: '',
  priority: 'P3',
  source: '',
  planId: null,
  kinds: [],
  openedAt: 0,
  responseDueAt: null,
  resolutionDueAt: null,
  respondedAt: null,
  responseBreachRecorded: false,
  pausedAt: null,
  acknowledgedAt: null,
  acknowledgedBy: null,
  ackStep: null,
  ackChannel: null,
  resolvedAt: null,
  maxLevel: 0,
  requestWaitMs: null,
  satisfactionScore: null,
  satisfactionComment: null,
  satisfactionAt: null,
  status: '',
  snoozes: 0,
  snoozedMs: 0,
  ackTimeouts: 0,
});

/**
 * Gives each fact of a format-2 bucket to `emit`. With `reuse`, ONE object is refilled for
 * every row (and `kinds` arrays are shared): a year's report reads 100,000 facts and keeps
 * none, so it allocates none (measured: garbage collection was a quarter of its time). The
 * receiver must copy what it keeps and change nothing.
 */
export function scanDayV2(r: string, emit: (f: TicketFact) => void, texts: TicketTexts | undefined, reuse: boolean, only?: FactPrefilter): void {
  const shared = reuse ? blank() : null;
  const bar = r.indexOf('|');
  if (bar < 0) return;
  const head = r.slice(0, bar).split(',');
  const size = parseInt(head[0]!, 36);
  const dict: string[] = [];
  for (let i = 1; i <= size; i++) dict.push(unpct(head[i]!));
  // A filter on a value this bucket never uses matches none of its rows.
  if (only && [only.teamId, only.priority, only.source, only.planId].some((v) => v && !dict.includes(v))) return;
  const rd = new RowReader(r, bar + 1, dict);
  const kindsOf = new Map<number, FactKind[]>();
  const duesOf = new Map<number, [number | null, number | null]>();
  let number = 0;
  let openedAt = 0;
  while (rd.p < rd.end) {
    rd.eor = false;
    number += rd.num()!;
    openedAt += rd.num()!;
    const o = openedAt;
    const teamId = rd.word();
    const priority = rd.word();
    const source = rd.word();
    const planId = rd.word();
    if (only && ((only.teamId && teamId !== only.teamId) || (only.priority && priority !== only.priority) || (only.source && source !== only.source) || (only.planId && planId !== only.planId))) {
      rd.endRow();
      continue;
    }
    const bits = rd.num() ?? 0;
    const status = rd.word();
    const maxLevel = rd.num()!;
    const duesAt = rd.num();
    const respondedAt = rd.num();
    const acknowledgedAt = rd.same() ? respondedAt : rd.num();
    const acknowledgedBy = rd.word();
    const ackStep = rd.num();
    const ackChannel = rd.word();
    const resolvedAt = rd.num();
    const breach = rd.text();
    const pausedAt = rd.num();
    const key = rd.text();
    const requestWaitMs = rd.num();
    const satisfactionScore = rd.num();
    const comment = rd.text();
    const satisfactionAt = rd.num();
    const snoozes = rd.num();
    const snoozedMs = rd.num();
    const ackTimeouts = rd.num();
    let dues: [number | null, number | null] = NO_DUES;
    if (duesAt !== null) {
      let pair = duesOf.get(duesAt);
      if (!pair) duesOf.set(duesAt, (pair = parseDues(dict[duesAt]!)));
      dues = pair;
    }
    const responseDueAt = dues[0];
    const resolutionDueAt = dues[1];
    // Anything after (fields of a later format) up to the end of the row is skipped.
    rd.endRow();
    let kinds = kindsOf.get(bits);
    if (!kinds) kindsOf.set(bits, (kinds = FACT_KINDS.filter((_k, b) => (bits & (1 << b)) !== 0) as FactKind[]));
    const t = texts?.get(number);
    const f = shared ?? blank();
    f.ticketId = t?.ticketId ?? '';
    f.number = number;
    f.key = key === '' ? formatTicketKey(number) : key;
    f.title = t?.title ?? '';
    f.teamId = teamId ?? '';
    f.priority = priority as Priority;
    f.source = source ?? '';
    f.planId = planId;
    f.kinds = shared ? kinds : [...kinds];
    f.openedAt = o;
    f.responseDueAt = responseDueAt === null ? null : o + responseDueAt;
    f.resolutionDueAt = resolutionDueAt === null ? null : o + resolutionDueAt;
    f.respondedAt = respondedAt === null ? null : o + respondedAt;
    f.responseBreachRecorded = breach === '1';
    f.pausedAt = pausedAt === null ? null : o + pausedAt;
    f.acknowledgedAt = acknowledgedAt === null ? null : o + acknowledgedAt;
    f.acknowledgedBy = acknowledgedBy;
    f.ackStep = ackStep;
    f.ackChannel = ackChannel;
    f.resolvedAt = resolvedAt === null ? null : o + resolvedAt;
    f.maxLevel = maxLevel;
    f.requestWaitMs = requestWaitMs;
    f.satisfactionScore = satisfactionScore;
    f.satisfactionComment = comment === '' ? null : comment.slice(1);
    f.satisfactionAt = satisfactionAt === null ? null : o + satisfactionAt;
    f.status = status ?? '';
    f.snoozes = snoozes ?? 0;
    f.snoozedMs = snoozedMs ?? 0;
    f.ackTimeouts = ackTimeouts ?? 0;
    emit(f);
  }
}
