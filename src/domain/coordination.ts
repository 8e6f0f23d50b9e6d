/**
 * Manager escalation requests (seed 000). A supervisor, manager or designated point person
 * asks for urgent handling of an existing ticket, with a reason; the escalation coordinators
 * claim it and work a checklist. Pure: no I/O, no clock (callers pass `now`).
 * Contract (issue 7): add fields and functions freely; don't rename these.
 */
import type { CoordinationConfig } from './org-config.js';
import type { PendingEffects } from './pending-effects.js';
import { pendingBatchDueAt } from './pending-effects.js';

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
  /**
   * The ticket's `reopenCount` when the request was made: a ticket reopened since belongs to
   * a later life, so a request still live from before is closed and a new one may be made.
   * Absent on older records.
   */
  ticketReopenCount?: number;
  /** When and why the request was closed without its checklist done (the ticket was resolved). */
  closedAt?: Date | null;
  closedReason?: string | null;
  /**
   * What a checklist action still has to send (its notices and its timeline event), stored in
   * the same compare-and-set write as the step: sent right after, then removed; a batch a
   * crash left here is sent by the engine. Notices and events carry idempotency keys. Absent
   * on older records.
   */
  pending?: RequestPendingEffects[];
}

/** The notices and events of one checklist action, until they are sent (the major escalations' batch without war-room work). */
export type RequestPendingEffects = Pick<PendingEffects, 'id' | 'at' | 'attempts' | 'notices' | 'events'>;

/** The earliest time the engine has a pending batch of this request to send, or null. */
export function pendingDueAt(r: Pick<EscalationRequest, 'pending'>): Date | null {
  const times = (r.pending ?? []).map(pendingBatchDueAt).filter((d): d is Date => d !== null).map((d) => d.getTime());
  return times.length ? new Date(Math.min(...times)) : null;
}

/** The pending batches due at `now` (the engine sends them). */
export function duePendingIds(r: Pick<EscalationRequest, 'pending'>, now: Date): string[] {
  return (r.pending ?? []).filter((b) => (pendingBatchDueAt(b)?.getTime() ?? Infinity) <= now.getTime()).map((b) => b.id);
}

/** One more engine attempt recorded on the batches `ids` (claimed with compare-and-set before sending). */
export function withPendingAttempt(r: EscalationRequest, ids: string[]): EscalationRequest {
  return { ...r, pending: (r.pending ?? []).map((b) => (ids.includes(b.id) ? { ...b, attempts: b.attempts + 1 } : b)) };
}


export const STEP_LABELS: Record<CoordinationStep, string> = {
  reviewed: 'ticket reviewed',
  eta_sent: 'user told the estimated time',
  manager_informed: 'requesting manager informed',
  owner_engaged: 'service owner engaged',
};

/** A new open request; the first reminder falls due after `claimWithinMinutes`. */
export function newRequest(args: { id: string; ticketId: string; requestedBy: string; reason: string; urgency: 'normal' | 'urgent'; now: Date; cfg: CoordinationConfig; ticketReopenCount?: number }): EscalationRequest {
  return {
    id: args.id,
    ticketId: args.ticketId,
    requestedBy: args.requestedBy,
    reason: args.reason,
    urgency: args.urgency,
    requestedAt: args.now,
    status: 'open',
    claimedBy: null,
    claimedAt: null,
    reminders: 0,
    escalatedAt: null,
    nextDueAt: new Date(args.now.getTime() + args.cfg.claimWithinMinutes * 60_000),
    eta: null,
    steps: {},
    ownerId: null,
    version: 0,
    ...(args.ticketReopenCount !== undefined ? { ticketReopenCount: args.ticketReopenCount } : {}),
    closedAt: null,
    closedReason: null,
  };
}

/**
 * Closes a live request whose ticket no longer needs it (resolved): an open one is
 * cancelled (no more reminders), a claimed one is done with the steps left unrecorded.
 * Null when it is not live.
 */
export function closeRequest(r: EscalationRequest, now: Date, reason: string): EscalationRequest | null {
  if (r.status !== 'open' && r.status !== 'claimed') return null;
  return { ...r, status: r.status === 'open' ? 'cancelled' : 'done', nextDueAt: null, closedAt: now, closedReason: reason };
}

export type UnclaimedDecision = { action: 'remind'; reminder: number; next: EscalationRequest } | { action: 'escalate'; next: EscalationRequest } | null;

/**
 * What an unclaimed request needs at `now`: a reminder to the coordinators (every
 * `claimWithinMinutes`, up to `reminders` times), then one escalation to their manager.
 */
export function decideUnclaimed(r: EscalationRequest, now: Date, cfg: CoordinationConfig): UnclaimedDecision {
  if (r.status !== 'open' || !r.nextDueAt || new Date(r.nextDueAt).getTime() > now.getTime()) return null;
  const every = cfg.claimWithinMinutes * 60_000;
  if (r.reminders < cfg.reminders) {
    const reminder = r.reminders + 1;
    return { action: 'remind', reminder, next: { ...r, reminders: reminder, nextDueAt: new Date(new Date(r.requestedAt).getTime() + (reminder + 1) * every) } };
  }
  if (r.escalatedAt) return null;
  return { action: 'escalate', next: { ...r, escalatedAt: now, nextDueAt: null } };
}

/** Records a checklist step; the request is done once every step is. */
export function withStep(r: EscalationRequest, step: CoordinationStep, now: Date): EscalationRequest {
  const steps = { ...r.steps, [step]: r.steps[step] ?? now };
  const done = COORDINATION_STEPS.every((s) => steps[s]);
  return { ...r, steps, status: done ? 'done' : r.status };
}

/** The checklist steps still to do, in order. */
export function stepsLeft(r: EscalationRequest): CoordinationStep[] {
  return COORDINATION_STEPS.filter((s) => !r.steps[s]);
}
