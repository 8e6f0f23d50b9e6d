import type { TimelineEvent } from '../../domain/timeline.js';

export type { Actor, TimelineEvent } from '../../domain/timeline.js';

/** The append-only timeline. */
export interface TimelineRepository {
  /**
   * Appends events; events whose key is already stored are ignored (not an error).
   * `repeated`: the caller repeats this same append after a crash until it has succeeded (the
   * ticket intake's openings, issue 18), so what the repository marks for other modules may be
   * written once, after the insert, instead of before and after it.
   */
  append(events: TimelineEvent[], opts?: { repeated?: boolean }): Promise<void>;
  /** Which of these event keys are stored (one round trip per 500 keys). */
  existingKeys(keys: string[]): Promise<Set<string>>;
  /** A ticket's events, oldest first. */
  forTicket(ticketId: string, limit?: number): Promise<TimelineEvent[]>;
  /**
   * A ticket's events page by page, oldest first: up to `limit` events after the cursor
   * (null: from the first); `next` is the cursor for the following page, null after the last.
   */
  pageForTicket(ticketId: string, after: string | null, limit: number): Promise<{ events: TimelineEvent[]; next: string | null }>;
  /** Events of the given types in [from, to), oldest first (reports, audits). */
  byTypes(types: string[], from: Date, to: Date): Promise<TimelineEvent[]>;
  /**
   * Plan steps fired in [from, to) to someone above the front line: a team lead, a manager,
   * coordinators or a named person (`escalation.step_fired` with such a target), oldest first.
   * Front-line steps, most of a burst, are not read at all (issue 14: the requester's updates).
   */
  stepsAboveFrontLine(from: Date, to: Date): Promise<TimelineEvent[]>;
}
