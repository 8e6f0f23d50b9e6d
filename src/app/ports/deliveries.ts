import type { Channel } from '../../domain/plan.js';
import type { Notice } from '../../domain/notice.js';

/**
 * queued → sending → sent (→ delivered) | failed | cancelled (acknowledged first) |
 * outboxed (no channel configured: written down, NOT sent).
 * While `sending`, a delivery is first claimed (a pass holds it, `handedAt` null), then handed
 * over (`handedAt` set by a conditional update right before the provider call). An
 * acknowledgement cancels everything not yet handed over; it cannot cancel a message the
 * provider may already have.
 */
export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'cancelled' | 'outboxed';

/** One message to one recipient on one channel: the outbox row. */
export interface Delivery {
  id: string;
  /** Idempotency key under a unique index: a step's message to a person is stored once. */
  key: string;
  ticketId: string;
  escalationId: string | null;
  /** The escalation firing this belongs to. */
  seq: number | null;
  stepIndex: number | null;
  channel: Channel;
  recipient: { personId: string | null; channelId: string | null; name: string | null };
  /** Phone, email, URL… resolved when queued; null for chat (adapters resolve chat ids). */
  address: string | null;
  notice: Notice;
  urgent: boolean;
  /** When the step was due: lateness = sentAt - dueAt. */
  dueAt: Date;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  leaseUntil: Date | null;
  claim: string | null;
  providerId: string | null;
  error: { code: string; message: string } | null;
  queuedAt: Date;
  sentAt: Date | null;
  deliveredAt: Date | null;
  lateMs: number | null;
  /** Which of the recipient's contact methods this is (fallback moves it on). */
  fallbackIndex: number;
  /** When a pass handed it to the provider (null/absent until then; cleared when requeued). */
  handedAt?: Date | null;
}

export interface DeliveryFilter {
  ticketId?: string;
  escalationId?: string;
  status?: DeliveryStatus[];
  channel?: Channel[];
  personId?: string;
}

export interface DeliveryRepository {
  /** Stores new deliveries; those whose key another delivery holds are ignored. Returns how many of these are stored (a retried write's own rows count). */
  enqueue(deliveries: Delivery[]): Promise<number>;
  /** Claims up to `limit` queued deliveries due at `now` for `leaseMs` under the token `claim`. */
  claimReady(now: Date, limit: number, leaseMs: number, claim: string): Promise<Delivery[]>;
  /**
   * Hands claimed deliveries over to their provider: a conditional update per delivery that
   * succeeds only while its claim still holds it and nothing cancelled it. Call right before
   * the provider calls; returns the ids handed over: send those only (for the others an
   * acknowledgement, or a lapsed claim, got there first).
   */
  handOver(items: { id: string; claim: string }[], now: Date): Promise<Set<string>>;
  /** Gives claimed deliveries that were never handed over back to the queue (stop, lost lease). Returns how many. */
  release(ids: string[], claim: string): Promise<number>;
  /** Applies several outcomes in one round trip; returns how many claims still held. */
  finishMany(items: { id: string; claim: string; update: Partial<Delivery> }[]): Promise<number>;
  /**
   * One wave's outcomes and the next wave's hand-over (as handOver) in one grouped write.
   * Returns the ids of `next` handed over.
   */
  finishAndHandOver(items: { id: string; claim: string; update: Partial<Delivery> }[], next: { id: string; claim: string }[], now: Date): Promise<Set<string>>;
  /** Puts deliveries whose lease expired (their sender died) back in the queue. Returns how many. */
  requeueExpired(now: Date): Promise<number>;
  /**
   * The escalation stopped (acknowledged, resolved): cancels every delivery of it not yet
   * handed to a provider (queued, or claimed and not handed over), then waits, at most
   * `waitMs` (default 2.5 s: a chat front end must answer within 3 s) and never past their
   * claims' leases, until those already handed over have recorded their outcome. So a caller
   * that answers after this answers after every message of the escalation that will ever
   * reach a provider has reached it (unless a provider takes longer than the wait).
   * Returns how many were cancelled.
   */
  cancelQueued(escalationId: string, waitMs?: number): Promise<number>;
  list(filter: DeliveryFilter, limit: number): Promise<Delivery[]>;
  get(id: string): Promise<Delivery | null>;
  byProviderId(providerId: string): Promise<Delivery | null>;
  /** Updates a delivery found by provider id (status callbacks). */
  updateByProviderId(providerId: string, update: Partial<Delivery>): Promise<Delivery | null>;
}
