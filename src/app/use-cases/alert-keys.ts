import type { AppDeps } from '../deps.js';

/** Folds tried before the key is left to the next lookup (alerts arriving faster than the folds). */
const RELEASE_TRIES = 10;

/**
 * Frees an alert key whose ticket resolved or closed, so the next trigger opens a new ticket
 * (issue 18). The alerts counted on the key are folded into the ticket first, and the key is
 * deleted only if no alert was counted after that fold (else folded again): no count is lost.
 * Alerts counted between the ticket's resolve and this release count on the resolved ticket.
 */
export async function releaseAlertKey(deps: AppDeps, key: string, ticketId: string): Promise<void> {
  for (let i = 0; i < RELEASE_TRIES; i++) {
    const holder = (await deps.alertKeys.getMany([key])).get(key);
    if (!holder || holder.ticketId !== ticketId) return;
    if (holder.count !== null) await deps.tickets.foldAlertCount(ticketId, holder.count);
    if (await deps.alertKeys.releaseCounted(key, ticketId, holder.count)) return;
  }
  deps.log.warn({ key, ticketId }, 'alert key not released yet: alerts keep arriving; the next lookup of the key releases it');
}
