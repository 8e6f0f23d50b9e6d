/** A ticket's timeline, as the domain sees it: who did what, when, by which channel (DESIGN §2.6). */
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
