import type { Org } from '../../domain/directory.js';

/** Where the organisation lives (people, teams, rotations, calendars, SLA policies, plans). */
export interface OrgRepository {
  /** Stores the org idempotently: loading the same file twice changes nothing; items gone from the file are removed. */
  save(org: Org, now: Date): Promise<{ changed: boolean }>;
  /** The stored org, or null when none was loaded yet. */
  load(): Promise<Org | null>;
}
