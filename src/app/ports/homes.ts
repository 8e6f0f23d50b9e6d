/**
 * Personal homes kept up to date (issue 16): who opened their home where, which tickets changed
 * since, and whose home waits to be published again. The timeline reports changed tickets; the
 * engine's `homes` module turns them into the homes they touch (only of people who opened one)
 * and republishes each at most once per debounce interval.
 */
import type { Home } from '../views/home-model.js';

/** Where a person's home is shown: the Slack App Home of a user, or the Teams home card Esc sent in their personal chat. */
export type HomeWhere = { platform: 'slack'; userId: string } | { platform: 'teams'; conversationId: string; activityId: string };

/** A home waiting to be published; `v` counts the changes seen (cleared only if unchanged). */
export interface HomeMark {
  personId: string;
  v: number;
  where: HomeWhere[];
}

/** A ticket whose change may change homes; `v` as above. */
export interface ChangedTicket {
  ticketId: string;
  v: number;
}

export interface HomeRegistry {
  /** Records that the person opened their home there (a newer Teams card replaces the older one). */
  opened(personId: string, where: HomeWhere, now: Date): Promise<void>;
  /** False while nobody has ever opened a home (cached, so an idle feature costs the engine no query). */
  inUse(): Promise<boolean>;
  /** Tickets changed (from the timeline): a no-op while nobody has ever opened a home. */
  ticketsChanged(ticketIds: string[]): Promise<void>;
  /** Up to `limit` changed tickets. */
  changedTickets(limit: number): Promise<ChangedTicket[]>;
  /** Forgets a changed ticket if no change came since it was read. */
  clearChangedTicket(mark: ChangedTicket): Promise<void>;
  /**
   * Marks the homes of these people (only those who opened one) to be published at `dueAt`;
   * a home already waiting keeps its earlier time, so a burst of changes publishes once.
   * Returns how many homes were marked.
   */
  markStale(personIds: string[], dueAt: Date): Promise<number>;
  /** Up to `limit` homes whose publish time has come. */
  due(now: Date, limit: number): Promise<HomeMark[]>;
  /** Clears the mark if no change came since it was read; else it stays due. */
  published(mark: HomeMark): Promise<void>;
  /** Tries again at `at` (a platform failure). */
  retryAt(personId: string, at: Date): Promise<void>;
  /** Forgets a place the platform said is gone (the card was deleted, Esc was removed). */
  forget(personId: string, platform: HomeWhere['platform']): Promise<void>;
}

/** Publishes a home on one platform (Slack views.publish; Teams: the home card edited in place). */
export interface HomePublisher {
  readonly platform: HomeWhere['platform'];
  publishHome(where: HomeWhere, home: Home): Promise<{ ok: true } | { ok: false; gone: boolean; message: string }>;
}
