import type { AppDeps } from '../app/deps.js';
import { tellRequesterOfStep } from '../app/use-cases/requester-levels.js';

/** A first pass (start-up) looks this far back for steps fired while no engine ran. */
const LOOKBACK_MS = 60 * 60_000;
/**
 * Each pass re-reads this much before the previous one, for events written late. Steps are
 * fired by this engine (the lease holder) earlier in the same pass, so late ones are rare:
 * the margin stays small, so a burst of steps is read about once, not many times.
 */
const MARGIN_MS = 2_000;

/**
 * The engine's `requester-levels` module (issue 14): reads the plan steps fired since its last
 * pass to someone above the front line (`escalation.step_fired` events, by time; front-line
 * steps, most of any burst, are filtered out by the database) and tells each ticket's requester when the plan
 * climbs to a new level (requester-levels.ts). The message is keyed, so a re-read, a restart or
 * a second process sends it once; the keys of events already handled within the margin are
 * kept in memory so a re-read costs no write.
 */
export class RequesterLevels {
  private lastScan: number | null = null;
  private readonly seen = new Map<string, number>();

  constructor(private readonly deps: AppDeps) {}

  /** One pass. Returns how many steps above the front line it handled. */
  async runOnce(): Promise<number> {
    const { deps } = this;
    const now = deps.clock.now().getTime();
    const from = this.lastScan === null ? now - LOOKBACK_MS : Math.min(this.lastScan, now) - MARGIN_MS;
    const events = await deps.timeline.stepsAboveFrontLine(new Date(from), new Date(now + 1));
    let work = 0;
    for (const e of events) {
      if (this.seen.has(e.key)) continue;
      try {
        if (await tellRequesterOfStep(deps, e)) work++;
        this.seen.set(e.key, new Date(e.at).getTime());
      } catch (err) {
        // Not marked seen: the next pass tries again (its window still covers it for a while).
        deps.log.warn({ ticketId: e.ticketId, err: (err as Error).message, code: 'REQUESTER_LEVEL_FAILED' }, 'the requester could not be told of a plan step yet');
      }
    }
    this.lastScan = now;
    for (const [k, at] of this.seen) if (at < from) this.seen.delete(k);
    return work;
  }
}
