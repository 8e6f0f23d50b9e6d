import type { AppDeps } from '../app/deps.js';
import { handleTimer, timersOf } from '../app/use-cases/ticket-timers.js';
import { pool } from '../lib/pool.js';

/**
 * The engine's `ticket-timers` module (issue 14): between the SLA clock and the plans. A ticket
 * that changed gets its timers recomputed (a warning before each breach, the resolution breach,
 * the ack timeout; see domain/ticket-timers.ts) and the earliest stored; a due timer is carried
 * out once: its effects are keyed, and its key is recorded on the ticket so it is never handled
 * again. Safe with several processes: storing the next time is a compare-and-set on the version.
 */
export class TicketTimers {
  constructor(
    private readonly deps: AppDeps,
    private readonly opts: { batch: number; concurrency: number } = { batch: 200, concurrency: 4 },
  ) {}

  /** One pass. Returns how many tickets it looked at or acted on. */
  async runOnce(): Promise<number> {
    const { deps } = this;
    const now = deps.clock.now();
    let work = 0;
    const due = await deps.tickets.timersDue(now, this.opts.batch);
    const dueErrors = await pool(due, this.opts.concurrency, async (t) => {
      const timers = await timersOf(deps, t);
      const ripe = timers.filter((x) => x.at.getTime() <= now.getTime());
      if (ripe.length === 0) {
        await deps.tickets.setTimers(t.id, t.version, timers[0]?.at ?? null);
        return;
      }
      for (const timer of ripe) {
        await handleTimer(deps, t, timer, now);
        await deps.tickets.markTimerDone(t.id, timer.key);
        work++;
      }
    });
    const stale = await deps.tickets.timersToCompute(this.opts.batch);
    const staleErrors = await pool(stale, this.opts.concurrency, async (t) => {
      const timers = await timersOf(deps, t);
      if (await deps.tickets.setTimers(t.id, t.version, timers[0]?.at ?? null)) work++;
    });
    for (const e of [...dueErrors, ...staleErrors]) deps.log.error({ err: (e as Error)?.stack ?? String(e), code: 'TICKET_TIMERS_FAILED' }, 'ticket timers: a ticket could not be processed; retried next pass');
    return work;
  }
}
