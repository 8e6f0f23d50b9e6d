import type { EscalationState, StepFiring } from '../../domain/escalation.js';

/**
 * An escalation as stored: its state plus the firings of its latest claim. Whether those
 * were turned into deliveries is told by their step events on the timeline (keys
 * `step:<escalation>:<seq>`), so the normal path needs no second write to mark them done.
 */
export interface StoredEscalation extends EscalationState {
  pending: StepFiring[];
  pendingAt: Date | null;
}

export interface EscalationRepository {
  /** Inserts a new escalation. Returns false (and stores nothing) when the ticket already has a live one or the id exists. */
  insert(e: EscalationState): Promise<boolean>;
  get(id: string): Promise<StoredEscalation | null>;
  /** The live (active or exhausted) escalation of a ticket, if any. */
  liveForTicket(ticketId: string): Promise<StoredEscalation | null>;
  forTicket(ticketId: string): Promise<StoredEscalation[]>;
  /**
   * Active escalations whose next step is due at `now`, soonest first. With `sinceMs`, only
   * those due after that instant (an incremental pass over recent time slots, cheap however
   * many escalations are active); without it, all of them.
   */
  due(now: Date, limit: number, sinceMs?: number): Promise<StoredEscalation[]>;
  /**
   * When the next steps fall due: the due times (ms) of active escalations in the time slots
   * from `sinceMs` to `until`, read from the due-time index (times only, at most `limit`, in
   * no particular order). Null when that window is too long for an incremental read.
   */
  dueTimes(sinceMs: number, until: Date, limit: number): Promise<number[] | null>;
  /**
   * Compare-and-set: stores `next` and its new firings (replacing the previous claim's) if the stored version is
   * still `expectedVersion`. Returns false when another writer (an acknowledgement, another
   * process) changed it first: the caller must drop its decision.
   */
  claim(next: EscalationState, expectedVersion: number, firings: StepFiring[], now: Date): Promise<boolean>;
  /**
   * `claim` for many escalations in a few round trips. Returns the ids whose claim won;
   * the others changed meanwhile (acknowledged, or claimed by another process). `prev`, the
   * state read at `expectedVersion`, lets the store write only the fields that changed.
   */
  claimMany(items: { next: EscalationState; expectedVersion: number; firings: StepFiring[]; prev?: EscalationState }[], now: Date): Promise<Set<string>>;
  /**
   * Escalations whose latest claim happened at or before `before`: with `sinceMs`, only those
   * claimed after it (incremental, by time slot); without, those claimed in the 24 hours
   * before `before`. Recovery checks their firings were stored.
   */
  claimedBetween(before: Date, limit: number, sinceMs?: number): Promise<StoredEscalation[]>;
  /** Applies a decision that is valid whatever the version (ack, resolve) if status is one of `from`. */
  transition(id: string, from: EscalationState['status'][], next: Partial<EscalationState>): Promise<StoredEscalation | null>;
  /** Active escalations due before `before` (the auditor's list); `sinceMs` as for `due`. */
  overdue(before: Date, limit: number, sinceMs?: number): Promise<StoredEscalation[]>;
  /** Statuses of several escalations at once. */
  statuses(ids: string[]): Promise<Map<string, EscalationState['status']>>;
  /**
   * Of these escalations, those that stopped (acknowledged, resolved, cancelled), with their
   * status: the hot path's check before a send, which in the usual case finds none (one
   * indexed read that decodes no document when nothing stopped).
   */
  stoppedAmong(ids: string[]): Promise<Map<string, EscalationState['status']>>;
}
