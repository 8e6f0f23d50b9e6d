import { DomainError } from '../../domain/errors.js';
import { strongerKind } from '../../domain/notice.js';
import type { Ticket } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import type { AppDeps } from '../deps.js';
import { actorMaySee, notFound } from '../authorize.js';
import type { Actor, TimelineEvent } from '../ports/timeline.js';

/** A timeline event for a ticket; `key` makes appending it idempotent (defaults to a fresh id). */
export function event(deps: Pick<AppDeps, 'newId'>, ticketId: string, type: string, at: Date, actor: Actor | null, data: Record<string, unknown> = {}, key?: string): TimelineEvent {
  const id = deps.newId();
  return { id, key: key ?? id, ticketId, at, type, actor, data };
}

/** Finds a ticket by id or number, or refuses with NOT_FOUND. */
export async function requireTicket(deps: AppDeps, ref: string | number): Promise<Ticket> {
  const t = typeof ref === 'number' ? await deps.tickets.getByNumber(ref) : await deps.tickets.get(ref);
  if (!t) throw new DomainError('NOT_FOUND', `There is no ticket ${typeof ref === 'number' ? formatTicketKey(ref) : ref}.`);
  return t;
}

/**
 * Finds a ticket the actor may see: a confidential ticket is, for anyone else, a ticket that
 * does not exist (the same words, NOT_FOUND).
 */
export async function requireVisibleTicket(deps: AppDeps, ref: string | number, viewer: Actor | undefined): Promise<Ticket> {
  const t = await requireTicket(deps, ref);
  if (viewer && !actorMaySee(deps, viewer, t)) throw notFound(t);
  return t;
}

/** Marks the ticket escalated (CAS with retry); `kind` upgrades the escalation kind it shows (major > manager_request > others). */
export async function markEscalated(deps: AppDeps, ticketId: string, patch: Partial<Ticket> = {}, kind?: string): Promise<Ticket> {
  for (;;) {
    const t = await requireTicket(deps, ticketId);
    const k = kind ? strongerKind(t.escalationKind, kind) : (t.escalationKind ?? null);
    if (t.escalated && Object.keys(patch).length === 0 && k === (t.escalationKind ?? null)) return t;
    const saved = await deps.tickets.save({ ...t, escalated: true, ...patch, ...(k ? { escalationKind: k } : {}), updatedAt: deps.clock.now() });
    if (saved) return saved;
  }
}

/** Records a sign of life on the ticket (a comment, a new acknowledgement): `updatedAt` moves, so the ack-timeout chase restarts. */
export async function touchTicket(deps: AppDeps, ticketId: string): Promise<Ticket> {
  for (let i = 0; i < 8; i++) {
    const t = await requireTicket(deps, ticketId);
    const saved = await deps.tickets.save({ ...t, updatedAt: deps.clock.now() });
    if (saved) return saved;
  }
  throw new DomainError('CONFLICT', 'The ticket is changing too fast; try again.');
}
