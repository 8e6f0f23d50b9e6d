import { DomainError } from './errors.js';
import type { Channel, PlanSnapshot, PlanStep, StepTarget } from './plan.js';

/**
 * automatic: the response SLA breached; manual: started on request (API, chat);
 * manager_request: seed 000; major: seed 001; functional / hierarchical: seed 004.
 */
export const ESCALATION_KINDS = ['automatic', 'manual', 'manager_request', 'major', 'functional', 'hierarchical'] as const;
export type EscalationKind = (typeof ESCALATION_KINDS)[number];
export type EscalationStatus = 'active' | 'acknowledged' | 'resolved' | 'exhausted' | 'cancelled';

export interface EscalationState {
  id: string;
  ticketId: string;
  kind: EscalationKind;
  status: EscalationStatus;
  plan: PlanSnapshot;
  /** Index of the next step to fire. */
  stepIndex: number;
  /** Repetition, 0 for the first pass. */
  round: number;
  /** Steps fired or skipped so far: the sequence number of the next firing. */
  fired: number;
  /** How many managers up the next manager step reaches (0 = direct manager). */
  managerLevel: number;
  nextDueAt: Date | null;
  startedAt: Date;
  startedBy: string | null;
  reason: string | null;
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
  endedAt: Date | null;
  version: number;
}

/** One resolved recipient of a step. */
export interface Recipient {
  personId: string | null;
  /** For channel targets: the chat channel id. */
  channelId: string | null;
  target: StepTarget['type'];
}

/** One step that fell due: sent to its recipients, or skipped because it had none. */
export interface StepFiring {
  seq: number;
  stepIndex: number;
  round: number;
  channel: Channel;
  urgent: boolean;
  dueAt: Date;
  recipients: Recipient[];
  skipped: boolean;
}

/** Resolves a step's targets to people or channels; `managerLevel` says how far up `manager` reaches. */
export type ResolveTargets = (step: PlanStep, managerLevel: number) => Recipient[];

export function newEscalation(args: {
  id: string;
  ticketId: string;
  kind: EscalationKind;
  plan: PlanSnapshot;
  now: Date;
  startedBy?: string | null;
  reason?: string | null;
  /** When the first step falls due; default: now + its delay. */
  firstDueAt?: Date;
}): EscalationState {
  const first = args.plan.steps[0];
  if (!first) throw new DomainError('INVALID_PLAN', `plan ${args.plan.id} has no steps`);
  return {
    id: args.id,
    ticketId: args.ticketId,
    kind: args.kind,
    status: 'active',
    plan: args.plan,
    stepIndex: 0,
    round: 0,
    fired: 0,
    managerLevel: 0,
    nextDueAt: args.firstDueAt ?? new Date(args.now.getTime() + first.delayMinutes * 60_000),
    startedAt: args.now,
    startedBy: args.startedBy ?? null,
    reason: args.reason ?? null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    endedAt: null,
    version: 0,
  };
}

/** Where the plan goes after `stepIndex` in `round`: the next step, a repeat, or nowhere. */
function after(plan: PlanSnapshot, stepIndex: number, round: number): { stepIndex: number; round: number } | null {
  if (stepIndex + 1 < plan.steps.length) return { stepIndex: stepIndex + 1, round };
  if (plan.repeat && round < plan.repeat.count) return { stepIndex: plan.repeat.fromStep - 1, round: round + 1 };
  return null;
}

/**
 * Fires every step that is due at `now`. A step with nobody to notify is skipped and the
 * next one falls due at once; otherwise the next step falls due its delay after now, so a
 * process that was down fires the overdue step late but gives people their time after it.
 */
export function decideTick(state: EscalationState, now: Date, resolve: ResolveTargets): { state: EscalationState; firings: StepFiring[] } {
  if (state.status !== 'active' || !state.nextDueAt || state.nextDueAt.getTime() > now.getTime()) return { state, firings: [] };
  let s = { ...state };
  const firings: StepFiring[] = [];
  const bound = s.plan.steps.length * ((s.plan.repeat?.count ?? 0) + 1) + 1;
  for (let i = 0; i < bound && s.status === 'active' && s.nextDueAt && s.nextDueAt.getTime() <= now.getTime(); i++) {
    const step = s.plan.steps[s.stepIndex]!;
    const recipients = resolve(step, s.managerLevel);
    const climbs = step.targets.some((t) => t.type === 'manager');
    firings.push({
      seq: s.fired,
      stepIndex: s.stepIndex,
      round: s.round,
      channel: step.channel,
      urgent: step.urgent ?? (step.channel === 'voice' || step.channel === 'sms'),
      dueAt: s.nextDueAt,
      recipients,
      skipped: recipients.length === 0,
    });
    const next = after(s.plan, s.stepIndex, s.round);
    const firedAt = recipients.length === 0 ? s.nextDueAt : now;
    s = {
      ...s,
      fired: s.fired + 1,
      managerLevel: climbs ? s.managerLevel + 1 : s.managerLevel,
      ...(next
        ? { stepIndex: next.stepIndex, round: next.round, nextDueAt: new Date(firedAt.getTime() + (recipients.length === 0 ? 0 : s.plan.steps[next.stepIndex]!.delayMinutes * 60_000)) }
        : { status: 'exhausted' as const, nextDueAt: null }),
    };
  }
  return { state: s, firings };
}

/** Acknowledge: the plan stops. Idempotent: a second acknowledgement changes nothing. */
export function decideAcknowledge(state: EscalationState, by: string, now: Date): { state: EscalationState; changed: boolean } {
  if (state.status === 'acknowledged' || state.status === 'resolved' || state.status === 'cancelled') return { state, changed: false };
  return { state: { ...state, status: 'acknowledged', acknowledgedBy: by, acknowledgedAt: now, nextDueAt: null }, changed: true };
}

/** Escalate now: jump to the next step, or the chosen one (1-based), due at once. */
export function decideEscalateNow(state: EscalationState, now: Date, toStep?: number): EscalationState {
  if (state.status === 'resolved' || state.status === 'cancelled') {
    throw new DomainError('INVALID_TRANSITION', `the escalation is ${state.status}: it cannot be escalated`, { status: state.status });
  }
  const n = state.plan.steps.length;
  if (toStep !== undefined && (!Number.isInteger(toStep) || toStep < 1 || toStep > n)) {
    throw new DomainError('VALIDATION', `step must be between 1 and ${n}`, { field: 'step' });
  }
  let stepIndex = toStep !== undefined ? toStep - 1 : state.stepIndex;
  if (toStep === undefined && state.status === 'exhausted') stepIndex = n - 1;
  return { ...state, status: 'active', stepIndex, nextDueAt: now, acknowledgedBy: null, acknowledgedAt: null };
}

export function decideResolve(state: EscalationState, now: Date): EscalationState {
  if (state.status === 'resolved' || state.status === 'cancelled') return state;
  return { ...state, status: 'resolved', nextDueAt: null, endedAt: now };
}

/** Whether a reply can still stop or move this escalation. */
export function isLive(state: Pick<EscalationState, 'status'>): boolean {
  return state.status === 'active' || state.status === 'exhausted';
}

/** The key of the timeline event that proves a firing was stored (its deliveries exist). */
export function firingKey(escalationId: string, seq: number): string {
  return `step:${escalationId}:${seq}`;
}
