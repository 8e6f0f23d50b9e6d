/**
 * Manager escalation requests (seed 000). A supervisor, manager or designated point person
 * asks for urgent handling of an existing ticket, with a reason; the escalation coordinators
 * claim it and work a checklist. Pure: no I/O, no clock (callers pass `now`).
 * Contract (issue 7): add fields and functions freely; don't rename these.
 */

export type RequestStatus = 'open' | 'claimed' | 'done' | 'cancelled';

/** The coordinator's checklist from seed 000, in order. */
export const COORDINATION_STEPS = ['reviewed', 'eta_sent', 'manager_informed', 'owner_engaged'] as const;
export type CoordinationStep = (typeof COORDINATION_STEPS)[number];

export interface EscalationRequest {
  id: string;
  ticketId: string;
  /** The manager / supervisor / point person who asked. */
  requestedBy: string;
  reason: string;
  /** 'normal' | 'urgent' as chosen in the modal/card; informational. */
  urgency: 'normal' | 'urgent';
  requestedAt: Date;
  status: RequestStatus;
  claimedBy: string | null;
  claimedAt: Date | null;
  /** Unclaimed-request reminders sent to the coordinators so far. */
  reminders: number;
  /** When the request went to the coordinators' manager for lack of a claim. */
  escalatedAt: Date | null;
  /** When the next reminder / escalation is due (null once claimed). */
  nextDueAt: Date | null;
  eta: { at: Date; message: string; sentAt: Date } | null;
  steps: Partial<Record<CoordinationStep, Date>>;
  /** The service owner / responsible manager engaged. */
  ownerId: string | null;
  version: number;
}
