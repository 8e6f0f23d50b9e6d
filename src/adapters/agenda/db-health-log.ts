import type { Logger } from '../../app/deps.js';

const UNREACHABLE_NAMES = /^Mongo(Network|NetworkTimeout|ServerSelection|NotConnected|TopologyClosed|PoolCleared|ServerClosed)Error$/;
const UNREACHABLE_TEXT = /buffering timed out|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|connection .*closed|Topology is closed|Client must be connected|server selection timed out|connection pool .*cleared/i;

/** True when an error means "the database cannot be reached now" (wait), not "this operation is wrong" (a bug, act). */
export function isDbUnreachable(e: unknown): boolean {
  for (let cur = e as { name?: string; message?: string; cause?: unknown } | undefined, depth = 0; cur && depth < 4; cur = cur.cause as typeof cur, depth++) {
    if (cur.name && UNREACHABLE_NAMES.test(cur.name)) return true;
    if (cur.message && UNREACHABLE_TEXT.test(cur.message)) return true;
  }
  return false;
}

/**
 * Logs a database outage as two lines, not one per failed operation: one WARN when the
 * database becomes unreachable, one INFO when it answers again (with how long it was away).
 * Nobody has to act on a short outage: the engine waits and catches up by itself; the
 * auditor logs an ERROR if escalations stay stuck beyond its grace.
 */
export class DbHealthLog {
  private downSince: number | null = null;
  private failures = 0;

  constructor(
    private readonly log: Logger,
    private readonly component: string,
    private readonly now: () => number = Date.now,
  ) {}

  get isDown(): boolean {
    return this.downSince !== null;
  }

  down(e: unknown): void {
    this.failures++;
    if (this.downSince !== null) return;
    this.downSince = this.now();
    this.log.warn({ component: this.component, err: (e as Error)?.message ?? String(e) }, 'database unreachable (or not answering): the engine waits and retries');
  }

  /**
   * The database answered. `startedAt`: when the operation that succeeded began; one begun
   * before the outage was noticed (a pass that ran beside the one that failed) proves nothing.
   */
  up(startedAt?: number): void {
    if (this.downSince === null) return;
    if (startedAt !== undefined && startedAt <= this.downSince) return;
    const downMs = this.now() - this.downSince;
    this.log.info({ component: this.component, downMs, failedOperations: this.failures }, 'database reachable again: the engine resumed');
    this.downSince = null;
    this.failures = 0;
  }
}
