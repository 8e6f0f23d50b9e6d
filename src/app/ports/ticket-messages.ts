import type { Person } from '../../domain/directory.js';
import type { TicketView } from '../views/ticket-view.js';

export type MessagePlatform = 'slack' | 'teams';
/** channel_post: a ticket posted in a channel; dm: to one person; card: a card sent in reply to a command; war_room_summary: the pinned summary of a major escalation. */
export type MessageKind = 'channel_post' | 'dm' | 'card' | 'war_room_summary';

/** Where a message is, in the platform's own terms: enough to edit it later. */
export type MessageWhere =
  | { platform: 'slack'; channel: string; ts: string }
  | { platform: 'teams'; conversationId: string; activityId: string; serviceUrl: string | null; reference: Record<string, unknown> | null };

/** One message Esc posted about a ticket. */
export interface TicketMessage {
  id: string;
  ticketId: string;
  kind: MessageKind;
  where: MessageWhere;
  /** The person a DM went to (their buttons only); null for posts anyone in the place sees. */
  recipientId: string | null;
  createdAt: Date;
  /** Failed updates in a row (retried with backoff); reset by a successful one. */
  failures: number;
  /** Set when the platform said the message is gone (deleted, channel archived): never updated again. */
  goneAt: Date | null;
}

export type NewTicketMessage = Pick<TicketMessage, 'ticketId' | 'kind' | 'where' | 'recipientId'> & { createdAt: Date };

/** A ticket whose messages may show an old state; `v` counts the changes seen. */
export interface StaleMark {
  ticketId: string;
  v: number;
}

/**
 * Every message Esc posted about a ticket, and which tickets' messages are stale. The timeline
 * marks a ticket stale when an event that changes its view is appended; the engine's
 * `messages` module re-renders and edits its messages, then clears the mark if nothing
 * changed meanwhile.
 */
export interface TicketMessageRepository {
  /** Records a posted message; recording the same place twice keeps one. Never throws for a duplicate. */
  record(m: NewTicketMessage): Promise<void>;
  /** Records several posted messages in grouped writes (one for the messages, one for their tickets' sync marks). */
  recordMany(ms: NewTicketMessage[]): Promise<void>;
  /**
   * The ticket a shared message is about (issue 16, thread replies become notes): a Slack
   * message by channel and ts, or the Teams channel thread (conversation id with
   * `;messageid=`) a ticket card was posted in. Null when Esc posted no ticket there.
   */
  ticketAt(where: { platform: 'slack'; channel: string; ts: string } | { platform: 'teams'; conversationId: string }): Promise<string | null>;
  /** A ticket's messages that still exist, oldest first. */
  forTicket(ticketId: string): Promise<TicketMessage[]>;
  /** Marks tickets stale; tickets without messages are left alone. Returns how many were marked. */
  markStale(ticketIds: string[]): Promise<number>;
  /** Up to `limit` stale tickets whose retry time (if any) has come. */
  stale(now: Date, limit: number): Promise<StaleMark[]>;
  /** Clears a mark if no change came since it was read; returns false otherwise. */
  clearStale(mark: StaleMark): Promise<boolean>;
  /** Keeps the mark and tries again at `at` (a retryable failure). */
  retryStaleAt(ticketId: string, at: Date): Promise<void>;
  /** Counts a failed update (retryable) or marks the message gone (permanent); a success resets the count. */
  noteResult(messageId: string, r: { ok: true } | { ok: false; gone: boolean }, now: Date): Promise<void>;
}

/** What an edit achieved: like a SendResult, with `gone` for a message that no longer exists. */
export type UpdateResult = { ok: true } | { ok: false; retryable: boolean; gone: boolean; code: string; message: string; retryAfterMs?: number };

/** Edits one platform's messages in place. Must not throw for platform errors: return a failed result. */
export interface TicketMessageUpdater {
  readonly platform: MessagePlatform;
  /**
   * Re-renders `message` from `view` (built for the recipient of a DM, for anyone otherwise).
   * `audience` is who may see the message and act (Teams: per-viewer cards for them).
   */
  update(message: TicketMessage, view: TicketView, audience: Person[]): Promise<UpdateResult>;
}
