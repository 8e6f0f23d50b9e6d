import type { EscalationRequest } from '../../domain/coordination.js';

/** Manager escalation requests (seed 000). Every write is a compare-and-set on `version`. */
export interface RequestRepository {
  /**
   * Stores a new open request. Returns false (and stores nothing) when the ticket already has
   * an open or claimed request: one live request per ticket, even when two managers ask at once.
   */
  insert(r: EscalationRequest): Promise<boolean>;
  get(id: string): Promise<EscalationRequest | null>;
  /** The open or claimed request of a ticket, if any. */
  liveForTicket(ticketId: string): Promise<EscalationRequest | null>;
  /** The latest request of a ticket, whatever its status. */
  latestForTicket(ticketId: string): Promise<EscalationRequest | null>;
  /** Replaces the request if its stored version is still `r.version`; null when another writer won. */
  save(r: EscalationRequest): Promise<EscalationRequest | null>;
  /** Open requests whose reminder / escalation is due at `now`, oldest first. */
  due(now: Date, limit: number): Promise<EscalationRequest[]>;
  /** Requests with a pending batch of notices / events the engine should send at `now` (a crash left it), oldest first. */
  pendingDue(now: Date, limit: number): Promise<EscalationRequest[]>;
}
