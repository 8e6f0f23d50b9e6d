import type { AppDeps } from '../app/deps.js';
import { carryOutTicketReactions } from '../app/use-cases/ticket-reactions.js';
import { pool } from '../lib/pool.js';

/**
 * The engine's `ticket-reactions` module (issue 12): a resolved or reopened ticket carries the
 * reaction it owes (stored in the same write as the change); each pass carries out the due
 * ones: the manager escalation request closed, the major escalation's warranty or recurrence.
 * Effects are keyed and transitions compare-and-set, so two processes, or a retry after a
 * crash, never do them twice.
 */
export class TicketReactions {
  constructor(
    private readonly deps: AppDeps,
    private readonly opts: { batch: number; concurrency: number } = { batch: 100, concurrency: 4 },
  ) {}

  /** One pass. Returns how many reactions it carried out. */
  async runOnce(): Promise<number> {
    const { deps } = this;
    const now = deps.clock.now();
    const due = await deps.tickets.reactionsDue(now, this.opts.batch);
    let work = 0;
    const errors = await pool(due, this.opts.concurrency, async (t) => {
      work += await carryOutTicketReactions(deps, t, now);
    });
    for (const e of errors) deps.log.error({ err: (e as Error)?.stack ?? String(e) }, 'ticket reactions: a ticket could not be processed');
    return work;
  }
}
