import type { AppDeps } from '../app/deps.js';
import { foldFacts } from '../domain/reports/facts.js';
import { localDay } from '../domain/reports/periods.js';

/**
 * The engine's `reports` module: keeps the report rollups up to date on write. Each pass takes
 * up to `batch` tickets marked dirty by the timeline, folds each one's whole timeline into its
 * fact (a ticket has tens of events, so folding from scratch is cheap and can never drift),
 * replaces the fact in the bucket of its opening day, then clears each mark only if no event
 * was appended meanwhile (otherwise the next pass takes it again). Idempotent; safe in several
 * processes (buckets are written with compare-and-set).
 */
export class ReportProjector {
  private checkedZone: string | null = null;

  constructor(
    private readonly deps: AppDeps,
    private readonly batch = 500,
  ) {}

  /** One pass. Returns how many tickets it refreshed (0 = nothing dirty). */
  async runOnce(): Promise<number> {
    const { reports } = this.deps;
    const timeZone = this.deps.directory().org.timeZone;
    if (this.checkedZone !== timeZone) {
      // Buckets are organisation-local days: cut in another zone they are all wrong (or this is the first run).
      const stored = await reports.bucketTimeZone();
      if (stored !== timeZone) {
        await reports.resetBuckets(timeZone);
        await reports.markDirty(await reports.allTicketIds());
        this.deps.log.info({ timeZone, previous: stored }, 'report rollups: rebuilding every ticket for the organisation time zone');
      }
      this.checkedZone = timeZone;
    }
    const marks = await reports.dirty(this.batch);
    if (marks.length === 0) return 0;
    const t0 = Date.now();
    const events = await reports.eventsFor(marks.map((m) => m.ticketId));
    const t1 = Date.now();
    const entries = [];
    for (const m of marks) {
      const fact = foldFacts(events.get(m.ticketId) ?? []);
      if (fact) entries.push({ day: localDay(fact.openedAt, timeZone), fact });
    }
    const t2 = Date.now();
    await reports.putFacts(entries);
    const t3 = Date.now();
    await reports.clearDirty(marks);
    this.deps.log.debug({ tickets: marks.length, loadMs: t1 - t0, foldMs: t2 - t1, writeMs: t3 - t2, clearMs: Date.now() - t3 }, 'report rollups refreshed');
    return marks.length;
  }
}
