/** Who did something, and through which channel. */
export interface Actor {
  personId: string | null;
  /** api, slack, teams, sms, voice, email, webhook, engine, alert… */
  via: string;
  name?: string;
  /** The role of a person-less API token (ESC_API_TOKENS `token:role`): it acts with that role's rights. */
  role?: string;
}

export type TimelineEventType =
  | 'ticket.opened'
  | 'ticket.assigned'
  | 'ticket.acknowledged'
  | 'ticket.started'
  | 'ticket.pending'
  | 'ticket.resumed'
  | 'ticket.resolved'
  | 'ticket.closed'
  | 'ticket.reopened'
  | 'ticket.commented'
  | 'ticket.elevated'
  | 'ticket.moved'
  | 'alert.repeated'
  | 'sla.response_breached'
  | 'escalation.started'
  | 'escalation.step_fired'
  | 'escalation.step_skipped'
  | 'escalation.acknowledged'
  | 'escalation.escalated_now'
  | 'escalation.hierarchical'
  | 'escalation.exhausted'
  | 'escalation.resolved'
  | 'escalation.audit_stuck'
  | 'delivery.queued'
  | 'delivery.sent'
  | 'delivery.delivered'
  | 'delivery.failed'
  | 'delivery.cancelled'
  | 'delivery.retrying'
  | (string & {});

/** One entry of a ticket's append-only event log. */
export interface TimelineEvent {
  id: string;
  /** Idempotency key: appending the same key twice stores it once. */
  key: string;
  ticketId: string;
  at: Date;
  type: TimelineEventType;
  actor: Actor | null;
  data: Record<string, unknown>;
}

/** The append-only timeline. */
export interface TimelineRepository {
  /** Appends events; events whose key is already stored are ignored (not an error). */
  append(events: TimelineEvent[]): Promise<void>;
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
}
