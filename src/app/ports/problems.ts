import type { ProblemRecord } from '../../domain/major.js';

/** Problem records (ITIL problem cases) relating incidents. */
export interface ProblemRepository {
  /** A new, unique, increasing problem number (PRB-1000, 1001…), safe under concurrency. */
  nextNumber(): Promise<number>;
  insert(p: ProblemRecord): Promise<void>;
  get(id: string): Promise<ProblemRecord | null>;
  getByNumber(number: number): Promise<ProblemRecord | null>;
  /** Relates an incident (idempotent); returns the record after. */
  relate(id: string, ticketId: string): Promise<ProblemRecord | null>;
}
