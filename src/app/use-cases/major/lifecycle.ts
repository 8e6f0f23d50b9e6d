/** How ticket changes (resolve, reopen) move a major escalation: warranty, recurrence. */
import { reopenMajor, toWarranty } from '../../../domain/major.js';
import { isOpen } from '../../../domain/ticket.js';
import type { Ticket } from '../../../domain/ticket.js';
import type { TicketChange } from '../../../domain/ticket-reaction.js';
import type { AppDeps } from '../../deps.js';
import type { Actor } from '../../ports/timeline.js';
import { event } from '../ticket-access.js';
import { flushPending } from './pending.js';
import { recurrenceEffects } from './recurrence.js';
import { effects, keyOf, majorConfig, majorOf, mutate, when } from './support.js';

/**
 * The engine's reaction to a ticket change (ticket-reactions): resolving the last open
 * incident of an active major escalation starts the warranty; reopening one during the
 * warranty (or while the customer is asked) reopens the escalation. The transition and its
 * messages are stored in one compare-and-set write (a pending batch), then sent; running it
 * again after a crash changes nothing twice. Throws on a failure (the engine retries).
 */
export async function majorTicketChanged(deps: AppDeps, ticket: Ticket, change: TicketChange, actor: Actor): Promise<void> {
  const m0 = await majorOf(deps, ticket);
  if (!m0 || m0.status === 'closed') return;
  const cfg = majorConfig(deps);
  if (change === 'resolve') {
    if (m0.status !== 'active') return;
    const all = await deps.tickets.getMany([m0.ticketId, ...m0.relatedTicketIds]);
    if ([...all.values()].some((x) => isOpen(x))) return;
    const r = await mutate(deps, m0.ticketId, (m, _t, now) => {
      if (m.status !== 'active') return null;
      const next = toWarranty(m, now, cfg);
      const batch = effects(deps, now, {
        events: [event(deps, m.ticketId, 'major.resolved', now, actor, { majorId: m.id, warrantyEndsAt: next.warrantyEndsAt, resolvedTicket: ticket.id }, `major.resolved:${m.id}:${now.getTime()}`)],
        posts: [`${keyOf(ticket)} is resolved. Warranty until ${when(deps, next.warrantyEndsAt!)}: the team stays on standby in case it recurs; then the customer is asked for their satisfaction.`],
      });
      return { next: { ...next, pending: [...(m.pending ?? []), batch] }, extra: batch.id };
    });
    if (!r.saved) return;
    await flushPending(deps, r.saved, [r.extra!]);
    deps.nudge?.();
    return;
  }
  if (m0.status !== 'warranty' && m0.status !== 'satisfaction') return;
  const r = await mutate(deps, m0.ticketId, (m, t, now) => {
    if (m.status !== 'warranty' && m.status !== 'satisfaction') return null;
    const next = reopenMajor(m, now);
    const batch = recurrenceEffects(deps, next, t, 'reopen', ticket, now, actor);
    return { next: { ...next, pending: [...(m.pending ?? []), batch] }, extra: batch.id };
  });
  if (!r.saved) return;
  await flushPending(deps, r.saved, [r.extra!]);
  deps.nudge?.();
}
