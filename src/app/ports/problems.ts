import type { ProblemRecord } from '../../domain/problem.js';

/** Problem records (ITIL problem cases) relating incidents. */
export interface ProblemRepository {
  /** A new, unique, increasing problem number (PRB-1000, 1001…), safe under concurrency. */
  nextNumber(): Promise<number>;
  /** Stores a new record; false (and nothing stored) when one with its id exists (a retry, a double click). */
  insert(p: ProblemRecord): Promise<boolean>;
  get(id: string): Promise<ProblemRecord | null>;
  getByNumber(number: number): Promise<ProblemRecord | null>;
  /** Relates an incident (idempotent); returns the record after. */
  relate(id: string, ticketId: string): Promise<ProblemRecord | null>;
  /** No longer relates an incident (idempotent); returns the record after. */
  unrelate(id: string, ticketId: string): Promise<ProblemRecord | null>;
}
