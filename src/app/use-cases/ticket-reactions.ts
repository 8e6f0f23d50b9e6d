import { dueReactions, REACTION_ALERT_ATTEMPTS, reactionDone, reactionFailed } from '../../domain/ticket-reaction.js';
import type { TicketReaction } from '../../domain/ticket-reaction.js';
import type { Ticket } from '../../domain/ticket.js';
import type { AppDeps } from '../deps.js';
import { requestTicketResolved } from './coordination/request.js';
import { majorTicketChanged } from './major/lifecycle.js';
import { announceTicket } from './ticket-announce.js';

/**
 * What a resolution or a reopening owes the escalations: resolving closes the ticket's manager
 * escalation request; either may move its major escalation (warranty, recurrence). Each step is
 * idempotent, so running it again after a crash or a failure changes nothing twice.
 */
async function react(deps: AppDeps, t: Ticket, r: TicketReaction): Promise<void> {
  // Opened, moved or elevated: the team's channel, a plan that starts on open, the lead and manager (issue 14).
  if (r.change === 'open' || r.change === 'move' || r.change === 'elevate') return announceTicket(deps, t, r);
  if (r.change === 'resolve') await requestTicketResolved(deps, t, r.actor);
  await majorTicketChanged(deps, t, r.change, r.actor);
}

/** Records the outcome on the ticket with compare-and-set (a concurrent change: read again and retry). */
async function record(deps: AppDeps, id: string, change: (t: Ticket) => Ticket): Promise<void> {
  for (let i = 0; i < 8; i++) {
    const cur = await deps.tickets.get(id);
    if (!cur || (await deps.tickets.save(change(cur)))) return;
  }
  throw new Error(`ticket ${id} is changing too fast to record its reaction; the engine tries again`);
}

/**
 * Engine: carries out the reactions a ticket owes at `now`, oldest change first. A failure is
 * logged and the reaction retried later with backoff (never dropped), and the later ones wait
 * for it, so they keep their order. Returns how many were carried out.
 */
export async function carryOutTicketReactions(deps: AppDeps, t0: Ticket, now: Date): Promise<number> {
  let done = 0;
  for (const r of dueReactions(t0, now)) {
    try {
      const t = (await deps.tickets.get(t0.id)) ?? t0;
      await react(deps, t, r);
    } catch (e) {
      const attempts = r.attempts + 1;
      const level = attempts >= REACTION_ALERT_ATTEMPTS ? 'error' : 'warn';
      deps.log[level]({ ticketId: t0.id, change: r.change, key: r.key, attempts, err: (e as Error).stack ?? String(e) }, 'a ticket change could not be applied to its escalations yet; the engine retries it');
      await record(deps, t0.id, (t) => reactionFailed(t, r.key, now));
      return done;
    }
    await record(deps, t0.id, (t) => reactionDone(t, r.key));
    done++;
  }
  return done;
}
