import type { AppDeps } from '../app/deps.js';
import { advanceUnclaimed, sendLeftovers } from '../app/use-cases/coordination.js';
import { advanceMajor } from '../app/use-cases/major.js';
import { pool } from '../lib/pool.js';

/**
 * The issue-7 engine module: unclaimed manager escalation requests (reminders, then the
 * coordinators' manager), checklist messages a crash left unsent on a request, and major
 * escalations (overdue tasks, update cadence, executive criteria, warranty end). Each pass
 * reads only what is due, by an equality-indexed watch flag plus a due time (`dueWatch`,
 * `pendingWatch`, `wakeWatch`); every effect is keyed on the timeline and
 * the outbox, and recorded with compare-and-set, so two processes never do it twice.
 */
export class MajorTimers {
  constructor(
    private readonly deps: AppDeps,
    private readonly opts: { batch: number; concurrency: number } = { batch: 100, concurrency: 4 },
  ) {}

  async runOnce(): Promise<number> {
    const { deps } = this;
    const now = deps.clock.now();
    let work = 0;
    const requests = await deps.requests.due(now, this.opts.batch);
    const e1 = await pool(requests, this.opts.concurrency, async (r) => {
      if (await advanceUnclaimed(deps, r, now)) work++;
    });
    const leftovers = await deps.requests.pendingDue(now, this.opts.batch);
    const e3 = await pool(leftovers, this.opts.concurrency, async (r) => {
      if (await sendLeftovers(deps, r, now)) work++;
    });
    const majors = await deps.majors.due(now, this.opts.batch);
    const e2 = await pool(majors, this.opts.concurrency, async (m) => {
      work += await advanceMajor(deps, m, now);
    });
    for (const e of [...e1, ...e3, ...e2]) deps.log.error({ err: (e as Error)?.stack ?? String(e) }, 'major timers: a request or major escalation could not be advanced');
    return work;
  }
}
