/**
 * Manager escalation requests (seed 000, issue 7). CONTRACT for the chat and HTTP adapters:
 * these exported names and parameter shapes are fixed; bodies are being written.
 * Every function refuses with DomainError (FORBIDDEN / VALIDATION / NOT_FOUND /
 * INVALID_TRANSITION) and a sentence a person can read; every success is on the timeline.
 */
import { DomainError } from '../../domain/errors.js';
import type { EscalationRequest } from '../../domain/coordination.js';
import type { Ticket } from '../../domain/ticket.js';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../ports/timeline.js';

export interface RequestResult {
  ticket: Ticket;
  request: EscalationRequest;
  changed: boolean;
  /** One sentence for the person who acted (ephemeral message / API). */
  message: string;
}

const todo = (): never => {
  throw new DomainError('CONFLICT', 'Not built yet.');
};

/** A manager / supervisor / point person asks for urgent handling (reason required). Coordinators are told, the executives copied. */
export async function requestEscalation(_deps: AppDeps, _args: { ticket: string | number; reason: string; urgency?: 'normal' | 'urgent'; actor: Actor }): Promise<RequestResult> {
  return todo();
}

/** A coordinator takes the open request on this ticket; the other coordinators are told who. */
export async function claimRequest(_deps: AppDeps, _args: { ticket: string | number; actor: Actor }): Promise<RequestResult> {
  return todo();
}

/** Records the estimated time and sends it to the user (the requester) with a copy to the executives. */
export async function sendEta(_deps: AppDeps, _args: { ticket: string | number; eta: Date; message: string; actor: Actor }): Promise<RequestResult> {
  return todo();
}

/** Tells the requesting manager the status. */
export async function informManager(_deps: AppDeps, _args: { ticket: string | number; message: string; actor: Actor }): Promise<RequestResult> {
  return todo();
}

/** Engages the service owner / responsible manager (default: the ticket team's manager). */
export async function engageOwner(_deps: AppDeps, _args: { ticket: string | number; ownerId?: string; message: string; actor: Actor }): Promise<RequestResult> {
  return todo();
}

/** Marks the ticket reviewed (first checklist step). */
export async function markReviewed(_deps: AppDeps, _args: { ticket: string | number; actor: Actor }): Promise<RequestResult> {
  return todo();
}

/** The latest request on a ticket, or null. */
export async function requestForTicket(_deps: AppDeps, _ticket: string | number): Promise<EscalationRequest | null> {
  return todo();
}
