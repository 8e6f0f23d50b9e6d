import { DomainError } from '../../domain/errors.js';
import type { Ticket } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import { authorize } from '../authorize.js';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../ports/timeline.js';
import { event, requireTicket } from './ticket-access.js';

/** The longest snooze: a week. */
export const MAX_SNOOZE_MINUTES = 7 * 24 * 60;

/**
 * Pauses the ack-timeout chase of an acknowledged ticket (issue 14): no return to the plan
 * before `until`. The assignee or the ticket's team (or coordinators); a reason is required
 * and shown in status and history.
 */
export async function snoozeTicket(deps: AppDeps, ref: string | number, actor: Actor, minutes: number, reason: string): Promise<Ticket> {
  const t0 = await requireTicket(deps, ref);
  authorize(deps, actor, 'snooze', t0);
  if (!reason.trim()) throw new DomainError('VALIDATION', 'Say why: a snooze needs a reason (it is shown in status and history).', { field: 'reason' });
  if (!Number.isFinite(minutes) || minutes < 1 || minutes > MAX_SNOOZE_MINUTES) throw new DomainError('VALIDATION', 'A snooze lasts from 1 minute to 7 days, e.g. 30m, 2h, 1d.', { field: 'duration' });
  for (let i = 0; i < 8; i++) {
    const t = await requireTicket(deps, ref);
    const key = formatTicketKey(t.number);
    if (t.status !== 'acknowledged' && t.status !== 'in_progress') {
      throw new DomainError('INVALID_TRANSITION', `${key} is ${t.status.replace('_', ' ')}: snooze pauses the chase of an acknowledged ticket${t.status === 'pending' ? ' (on hold, it is not chased)' : ''}.`);
    }
    const now = deps.clock.now();
    const until = new Date(now.getTime() + minutes * 60_000);
    const snooze = { until, reason: reason.trim().slice(0, 500), by: actor.personId, at: now };
    // Not an update itself: the chase waits for the later of the snooze and the usual timeout.
    const saved = await deps.tickets.save({ ...t, snooze });
    if (!saved) continue;
    await deps.timeline.append([event(deps, t.id, 'ticket.snoozed', now, actor, { until, minutes, reason: snooze.reason })]);
    return saved;
  }
  throw new DomainError('CONFLICT', 'The ticket is changing too fast; try again.');
}

/** "30m", "90", "2h", "1d", "1h30m" → minutes; null when it does not read. */
export function parseDuration(word: string): number | null {
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)(?:m|min)?)?$/i.exec(word.trim());
  if (!m || !word.trim() || (!m[1] && !m[2] && !m[3])) return null;
  return Number(m[1] ?? 0) * 1440 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}
