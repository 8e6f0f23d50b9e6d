import type { MajorEscalation } from '../../domain/major.js';

/** Major escalations (seed 001): one per ticket. Every write is a compare-and-set on `version`. */
export interface MajorRepository {
  /** Stores a new one; false when the ticket already has one (declare again reuses it). */
  insert(m: MajorEscalation): Promise<boolean>;
  get(id: string): Promise<MajorEscalation | null>;
  forTicket(ticketId: string): Promise<MajorEscalation | null>;
  /** The major escalation whose war room (Slack channel, Teams channel or chat id) this is. */
  byWarRoom(roomId: string): Promise<MajorEscalation | null>;
  /** The major escalation a ticket was linked to as a recurrence, if any. */
  byRelatedTicket(ticketId: string): Promise<MajorEscalation | null>;
  /** Replaces it if the stored version is still `m.version`; null when another writer won. */
  save(m: MajorEscalation): Promise<MajorEscalation | null>;
  /** Major escalations with engine work due at `now` (nextWakeAt ≤ now): open ones, and closed ones whose closing work is owed. */
  due(now: Date, limit: number): Promise<MajorEscalation[]>;
}
