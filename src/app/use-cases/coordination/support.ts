/** What the manager-escalation-request use cases share: the result, the settings, look-ups, times. */
import type { EscalationRequest } from '../../../domain/coordination.js';
import { DomainError, isDomainError } from '../../../domain/errors.js';
import { DEFAULT_COORDINATION } from '../../../domain/org-config.js';
import type { CoordinationConfig } from '../../../domain/org-config.js';
import { formatTicketKey } from '../../../domain/ticket-number.js';
import type { Ticket } from '../../../domain/ticket.js';
import { localTime } from '../../../domain/time-text.js';
import type { AppDeps } from '../../deps.js';
import type { Actor } from '../../ports/timeline.js';
import { personName } from '../actors.js';
import { requireTicket } from '../ticket-access.js';

export interface RequestResult {
  ticket: Ticket;
  request: EscalationRequest;
  changed: boolean;
  /** One sentence for the person who acted (ephemeral message / API). */
  message: string;
}

export const ENGINE: Actor = { personId: null, via: 'engine' };

export function coordinationConfig(deps: Pick<AppDeps, 'directory'>): CoordinationConfig {
  return deps.directory().org.coordination ?? DEFAULT_COORDINATION;
}

/** Looks a ticket up, saying "open a ticket first" when there is none (seed 000). */
export async function ticketForRequest(deps: AppDeps, ref: string | number): Promise<Ticket> {
  try {
    return await requireTicket(deps, ref);
  } catch (e) {
    if (isDomainError(e) && e.code === 'NOT_FOUND') {
      throw new DomainError('NOT_FOUND', `There is no ticket ${typeof ref === 'number' ? formatTicketKey(ref) : ref}: open a ticket first, then request the escalation on it.`, { field: 'ticket' });
    }
    throw e;
  }
}

export const when = (deps: AppDeps, d: Date) => localTime(d, deps.directory().org.timeZone);

export function alreadyText(deps: AppDeps, key: string, r: EscalationRequest): string {
  const claimed = r.claimedBy ? `, claimed by ${personName(deps, r.claimedBy)}` : ', not claimed yet';
  return `${key} already has an open escalation request (by ${personName(deps, r.requestedBy)} at ${when(deps, new Date(r.requestedAt))}${claimed}); nothing changed.`;
}
