/**
 * Inside a major escalation's war room the ticket may be left out of a command: the room's
 * conversation id finds it (a stored index on the major escalation; a small cache in front).
 */
import type { AppDeps } from '../deps.js';
import { majorForWarRoom } from '../use-cases/major.js';
import { DomainError } from '../../domain/errors.js';
import type { ChatContext } from './answer.js';

const MAX = 10_000;
const byRoom = new Map<string, string>();

/** Remembers a war room's ticket (after a declaration: the next command there needs no lookup). */
export function rememberRoom(m: { ticketId: string; warRoom: { id: string } | null } | null | undefined): void {
  if (!m?.warRoom) return;
  byRoom.set(m.warRoom.id, m.ticketId);
  if (byRoom.size > MAX) byRoom.delete(byRoom.keys().next().value!);
}

/** The ticket a command is about: the one typed, else the war room's, else a refusal with the example. */
export async function ticketFor(deps: AppDeps, ctx: ChatContext, ref: number | null, example: string): Promise<string | number> {
  if (ref !== null) return ref;
  const room = ctx.conversationId?.split(';')[0] ?? null;
  const known = room ? byRoom.get(room) : undefined;
  if (known) return known;
  const m = room ? await majorForWarRoom(deps, room) : null;
  if (m) {
    rememberRoom(m);
    return m.ticketId;
  }
  throw new DomainError('VALIDATION', `Say which ticket, e.g. \`/esc ${example}\` (in a major escalation's war room you may leave it out).`, { field: 'ticket' });
}
