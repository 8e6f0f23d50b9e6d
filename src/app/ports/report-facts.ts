import type { FactEvent, TicketFact } from '../../domain/reports/facts.js';

/** Values a scan may pre-filter on (undefined: any). */
export interface FactPrefilter {
  teamId?: string;
  priority?: string;
  source?: string;
  planId?: string;
}

/** A ticket whose report fact must be (re)computed; `v` counts the appends since it was marked. */
export interface DirtyMark {
  ticketId: string;
  v: number;
}

/** One organisation-local day's bucket of facts (tickets opened that day). */
export interface ReportDayFacts {
  day: string;
  facts: TicketFact[];
}

/**
 * The report rollups (issue 8): per-ticket facts bucketed by organisation-local opening day,
 * kept up to date on write. The timeline marks a ticket dirty when a fact-relevant event is
 * appended; the engine's `reports` module folds dirty tickets' events into facts and stores
 * them here. Reading a report reads only the days it covers.
 * Failures: every method rejects on a database error; nothing is half-written (a day bucket
 * is replaced with compare-and-set, a dirty mark is removed only if no append came since).
 */
export interface ReportFactsRepository {
  /** Facts of tickets opened on these days (any order). Unknown days have none. */
  factsForDays(days: string[]): Promise<TicketFact[]>;
  /**
   * The same facts streamed one at a time (a year is never held in memory at once); resolves
   * when all were given. For speed the fact given may be ONE object refilled for every fact:
   * the receiver copies what it keeps and changes nothing. `ticketId` and `title` may come back
   * empty (''): `ticketTexts` gives them for the few tickets a report names. With `only`, facts
   * whose team, priority, source or plan differ from the values given MAY be left out (decoding
   * them is most of a filtered report's time); the receiver still applies its filters.
   */
  scanDays(days: string[], onFact: (fact: TicketFact) => void, only?: FactPrefilter): Promise<void>;
  /** Ticket id and title of facts by ticket number (with the opening instant, which finds the bucket). Unknown ones are left out. */
  ticketTexts(refs: { number: number; openedAt: number }[]): Promise<Map<number, { ticketId: string; title: string }>>;
  /**
   * Marks tickets dirty (upsert, `v` incremented).
   * `marked`: the caller marked these tickets moments ago (the mark after an event insert that
   * a mark preceded): they are bumped in one write, and stored again only if one went meanwhile.
   */
  markDirty(ticketIds: string[], opts?: { marked?: boolean }): Promise<void>;
  /** Up to `limit` dirty marks. */
  dirty(limit: number): Promise<DirtyMark[]>;
  /** Removes the marks whose `v` is unchanged (no append since they were read); returns how many. */
  clearDirty(marks: DirtyMark[]): Promise<number>;
  /** The timeline events of these tickets, each ticket's oldest first (write order within one instant). */
  eventsFor(ticketIds: string[]): Promise<Map<string, FactEvent[]>>;
  /** Stores facts in their day buckets, replacing each ticket's previous fact. */
  putFacts(entries: { day: string; fact: TicketFact }[]): Promise<void>;
  /** Every stored day bucket, oldest first. */
  allDays(): AsyncIterable<ReportDayFacts>;
  /** Ids of every ticket with a `ticket.opened` event. */
  allTicketIds(): Promise<string[]>;
  /** The time zone the buckets were cut in (null before the first write). */
  bucketTimeZone(): Promise<string | null>;
  /** Drops every bucket and records the new time zone (the organisation's changed): everything must be marked dirty again. */
  resetBuckets(timeZone: string): Promise<void>;
}
