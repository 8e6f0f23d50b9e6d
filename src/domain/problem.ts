/** Problem records (ITIL problem cases) relating the incidents of a major escalation. */
/** A problem record (ITIL problem case) relating several incidents. */
export interface ProblemRecord {
  id: string;
  /** PRB-1001 style number. */
  number: number;
  title: string;
  ownerId: string | null;
  ticketIds: string[];
  createdAt: Date;
  createdBy: string | null;
  status: 'open' | 'resolved';
}

/** Linking the same problem title again within this many minutes reuses the record created. */
export const PROBLEM_REUSE_MINUTES = 5;

/** What makes two problem titles the same (case, spacing). */
export function problemTitleKey(ticketId: string, title: string): string {
  return `${ticketId}:${title.trim().replace(/\s+/g, ' ').toLowerCase()}`;
}

export function problemKey(number: number): string {
  return `PRB-${number}`;
}
