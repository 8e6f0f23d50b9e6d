import type { AppDeps } from '../app/deps.js';
import type { HomePublisher } from '../app/ports/homes.js';
import type { TicketMessageUpdater } from '../app/ports/ticket-messages.js';
import { homeAudience, personalHome } from '../app/use-cases/home.js';
import { pool } from '../lib/pool.js';

/** A burst of changes (an acknowledgement, its escalation stopping, the post edited) publishes a home once, this long after the first. */
export const HOME_DEBOUNCE_MS = 3_000;
/** After a platform failure, the home is tried again this much later. */
const RETRY_MS = 30_000;
const BATCH = 200;

const isHomePublisher = (u: TicketMessageUpdater): u is TicketMessageUpdater & HomePublisher => typeof (u as Partial<HomePublisher>).publishHome === 'function';

/**
 * The engine's `homes` module (issue 16): a person's home (Slack App Home, Teams home card)
 * follows its content, not only when opened. Tickets the timeline reported changed become the
 * homes they touch, marked due a few seconds later (debounce per person; only people who opened
 * their home are stored); due homes are rebuilt and published on every platform the person
 * opened them on. Idempotent: a publish writes the current state; the mark is cleared only if
 * no change came meanwhile.
 */
export async function refreshHomes(deps: AppDeps): Promise<number> {
  const homes = deps.homes;
  const publishers = new Map((deps.messageUpdaters ?? []).filter(isHomePublisher).map((p) => [p.platform, p] as const));
  if (!homes || publishers.size === 0 || !(await homes.inUse().catch(() => false))) return 0;
  const now = deps.clock.now();
  let work = 0;
  try {
    const changed = await homes.changedTickets(BATCH);
    if (changed.length > 0) {
      const tickets = await deps.tickets.getMany(changed.map((c) => c.ticketId));
      const people = new Set<string>();
      for (const t of tickets.values()) for (const id of await homeAudience(deps, t)) people.add(id);
      await homes.markStale([...people], new Date(now.getTime() + HOME_DEBOUNCE_MS));
      for (const c of changed) await homes.clearChangedTicket(c);
      work += changed.length;
    }
    const due = await homes.due(now, BATCH);
    const dir = deps.directory();
    await pool(due, 4, async (mark) => {
      const person = dir.person(mark.personId);
      if (!person) return void (await homes.published(mark));
      let failed = false;
      try {
        const home = await personalHome(deps, person);
        for (const where of mark.where) {
          const r = await publishers.get(where.platform)?.publishHome(where, home);
          if (!r || r.ok) continue;
          if (r.gone) await homes.forget(person.id, where.platform);
          else failed = true;
          deps.log.info({ personId: person.id, platform: where.platform, err: r.message, gone: r.gone }, 'homes: could not publish a home');
        }
      } catch (e) {
        failed = true;
        deps.log.warn({ personId: person.id, err: (e as Error).message, code: 'HOME_REFRESH_FAILED' }, 'homes: could not rebuild a home');
      }
      if (failed) await homes.retryAt(person.id, new Date(now.getTime() + RETRY_MS));
      else await homes.published(mark);
    });
    work += due.length;
  } catch (e) {
    deps.log.warn({ err: (e as Error).message, code: 'HOME_REFRESH_FAILED' }, 'homes: pass failed; will retry');
  }
  return work;
}
