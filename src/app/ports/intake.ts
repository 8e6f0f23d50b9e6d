import type { Impact, Priority } from '../../domain/ticket.js';
import type { Actor } from './timeline.js';

/**
 * A ticket request made durable before it is acknowledged (issue 18): written in a grouped
 * write, then turned into a ticket behind the acknowledgement; one left by a crash is turned
 * into its ticket after the restart. `id` is the ticket's id (derived from the request, so a
 * retried request maps to the same record and the same ticket).
 */
export interface IntakeRecord {
  id: string;
  input: { title: string; description?: string; priority: Priority; impact?: Impact; teamId?: string; assigneeId?: string | null };
  actor: Actor;
  /** What the front end needs to answer once the ticket exists (e.g. a Slack channel and user). */
  reply: Record<string, string>;
  at: Date;
}

export interface IntakeStore {
  /**
   * Stores the records in one grouped write; a record already stored (same id) is kept as it
   * was. Resolves with the ids this write stored: an id left out was stored before (by an
   * earlier copy of the request, in this process or another, or by one that stopped).
   */
  putMany(records: IntakeRecord[]): Promise<Set<string>>;
  /** Records written before `before` (left by a process that stopped before opening them), oldest first. */
  leftBefore(before: Date, limit: number): Promise<IntakeRecord[]>;
  /** Forgets records whose tickets exist, in one write. */
  doneMany(ids: string[]): Promise<void>;
}
