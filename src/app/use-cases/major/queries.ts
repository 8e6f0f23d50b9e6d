/** Look-ups for the adapters. */
import type { MajorEscalation } from '../../../domain/major.js';
import type { AppDeps } from '../../deps.js';
import { requireTicket } from '../ticket-access.js';
import { majorOf } from './support.js';

/** The major escalation on a ticket (its own, or the one it is linked to), or null. */
export async function majorForTicket(deps: AppDeps, ticket: string | number): Promise<MajorEscalation | null> {
  const t = await requireTicket(deps, ticket);
  return majorOf(deps, t);
}

/** The major escalation whose war room this conversation is (people may leave the ticket out there), or null. */
export async function majorForWarRoom(deps: AppDeps, roomId: string): Promise<MajorEscalation | null> {
  return roomId ? deps.majors.byWarRoom(roomId) : null;
}
