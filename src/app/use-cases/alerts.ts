import { randomUUID } from 'node:crypto';
import type { Impact, Priority, Ticket } from '../../domain/ticket.js';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../ports/timeline.js';
import { event, openTicket, requireTicket } from './tickets.js';

export interface AlertInput {
  dedupKey: string;
  title: string;
  description?: string;
  priority: Priority;
  impact?: Impact;
  teamId?: string;
  source?: string;
}

/** A ticket being created by another request gets this long before we take its key over. */
const CREATOR_GRACE_MS = 30_000;

/**
 * Alert intake for monitoring systems. One open ticket per dedup key: a repeat while it is
 * open adds to it; a trigger after it resolved opens a new one. Safe under concurrent copies.
 */
export async function intakeAlert(deps: AppDeps, input: AlertInput, actor: Actor): Promise<{ ticket: Ticket; created: boolean }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = randomUUID();
    const now = deps.clock.now();
    const claim = await deps.alertKeys.claim(input.dedupKey, candidate, now);
    if (claim.owner) {
      let ticket: Ticket;
      try {
        ticket = await openTicket(deps, { ...input, id: candidate, source: 'alert', alertKey: input.dedupKey, requesterId: null }, actor);
      } catch (e) {
        // Refused (unknown team, bad input) or failed: free the key at once, so the next valid
        // alert with it opens a ticket instead of waiting out the creator's grace period.
        await deps.alertKeys.release(input.dedupKey, candidate).catch((err: unknown) => deps.log.warn({ err, dedupKey: input.dedupKey }, 'could not release an alert key'));
        throw e;
      }
      await deps.alertKeys.markOpen(input.dedupKey, candidate);
      return { ticket, created: true };
    }
    const existing = await deps.tickets.get(claim.ticketId);
    if (!existing) {
      // Its creator is still writing it, or died before it could.
      if (now.getTime() - new Date(claim.at).getTime() > CREATOR_GRACE_MS) await deps.alertKeys.takeOver(input.dedupKey, claim.ticketId, candidate, now);
      await new Promise((r) => setTimeout(r, 20 + attempt * 10));
      continue;
    }
    if (existing.status === 'resolved' || existing.status === 'closed') {
      await deps.alertKeys.release(input.dedupKey, existing.id);
      continue;
    }
    return { ticket: await addRepeat(deps, existing.id, input, actor), created: false };
  }
  throw new Error(`alert ${input.dedupKey}: could not settle on a ticket`);
}

async function addRepeat(deps: AppDeps, ticketId: string, input: AlertInput, actor: Actor): Promise<Ticket> {
  for (;;) {
    const t = await requireTicket(deps, ticketId);
    const now = deps.clock.now();
    const saved = await deps.tickets.save({ ...t, alertCount: t.alertCount + 1, updatedAt: now });
    if (!saved) continue;
    await deps.timeline.append([event(deps, t.id, 'alert.repeated', now, actor, { count: saved.alertCount, title: input.title, description: input.description ?? null })]);
    return saved;
  }
}
