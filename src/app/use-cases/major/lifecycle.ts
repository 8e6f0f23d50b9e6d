/** How ticket changes (resolve, reopen) move a major escalation: warranty, recurrence. */
import { reopenMajor, toWarranty } from '../../../domain/major.js';
import { isOpen } from '../../../domain/ticket.js';
import type { Ticket } from '../../../domain/ticket.js';
import type { AppDeps } from '../../deps.js';
import type { Actor } from '../../ports/timeline.js';
import { requestTicketResolved } from '../coordination.js';
import { event } from '../ticket-access.js';
import { alertRecurrence } from './recurrence.js';
import { roomPost } from './room.js';
import { keyOf, majorConfig, majorOf, mutate, when } from './support.js';

/**
 * Hook for ticket changes (called where tickets are resolved and reopened): resolving a
 * ticket closes its live manager escalation request; resolving the last open incident of an active major escalation starts the warranty; reopening one during
 * the warranty (or while the customer is asked) reopens the escalation.
 */
export async function majorTicketChanged(deps: AppDeps, ticket: Ticket, change: 'resolve' | 'reopen', actor: Actor): Promise<void> {
  if (change === 'resolve') {
    // A resolved ticket needs no manager escalation request any more (open: no more reminders).
    await requestTicketResolved(deps, ticket, actor).catch((e: unknown) => deps.log.error({ ticketId: ticket.id, err: (e as Error).stack ?? String(e) }, 'could not close the escalation request of a resolved ticket'));
  }
  const m0 = await majorOf(deps, ticket);
  if (!m0 || m0.status === 'closed') return;
  const cfg = majorConfig(deps);
  if (change === 'resolve') {
    if (m0.status !== 'active') return;
    const all = await deps.tickets.getMany([m0.ticketId, ...m0.relatedTicketIds]);
    if ([...all.values()].some((x) => isOpen(x))) return;
    const r = await mutate(deps, m0.ticketId, (m, _t, now) => (m.status === 'active' ? { next: toWarranty(m, now, cfg), extra: null } : null));
    if (!r.saved) return;
    const m = r.saved;
    await deps.timeline.append([event(deps, m.ticketId, 'major.resolved', r.now, actor, { majorId: m.id, warrantyEndsAt: m.warrantyEndsAt, resolvedTicket: ticket.id }, `major.resolved:${m.id}:${r.now.getTime()}`)]);
    await roomPost(deps, m, { text: `${keyOf(ticket)} is resolved. Warranty until ${when(deps, m.warrantyEndsAt!)}: the team stays on standby in case it recurs; then the customer is asked for their satisfaction.` });
    deps.nudge?.();
    return;
  }
  if (m0.status !== 'warranty' && m0.status !== 'satisfaction') return;
  const r = await mutate(deps, m0.ticketId, (m, _t, now) => (m.status === 'warranty' || m.status === 'satisfaction' ? { next: reopenMajor(m, now), extra: null } : null));
  if (!r.saved) return;
  await alertRecurrence(deps, r.saved, r.t, 'reopen', ticket, r.now, actor);
}
