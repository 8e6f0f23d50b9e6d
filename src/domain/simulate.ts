import type { Directory } from './directory.js';
import { decideTick, newEscalation } from './escalation.js';
import type { EscalationState } from './escalation.js';
import type { Channel, EscalationPlan } from './plan.js';
import { snapshotPlan } from './plan.js';
import { addBusinessMinutes } from './sla/calendar.js';
import { resolveStepTargets } from './targets.js';
import type { Priority } from './ticket.js';

export interface SimulatedStep {
  at: Date;
  step: number;
  round: number;
  channel: Channel;
  skipped: boolean;
  recipients: { personId: string | null; name: string; channelId: string | null; target: string }[];
}

export interface Simulation {
  planId: string;
  /** When the response SLA would breach and the plan start (or `start` when startAt is 'now'). */
  startsAt: Date;
  /** open: it starts when the ticket opens; breach: at the response SLA breach. */
  startOn: 'open' | 'breach';
  calendarId: string;
  steps: SimulatedStep[];
  /** True when the plan runs out of steps with nobody acknowledging. */
  exhausts: boolean;
}

/** The team a dry-run assumes: the one named, else the first the plan is for, else the organisation's default (the same on every path). */
export function simulationTeam(dir: Directory, plan: EscalationPlan, teamId?: string | null): string {
  return teamId || plan.match?.teams?.[0] || dir.org.defaultTeamId;
}

/**
 * Dry-run of a plan: who would be notified, how and when, if nobody acknowledges.
 * Uses the same decision function and target resolution as the engine.
 */
export function simulatePlan(args: {
  dir: Directory;
  plan: EscalationPlan;
  teamId: string;
  priority: Priority;
  assigneeId?: string | null;
  /** The ticket's opening time. */
  openedAt: Date;
  /** 'breach': the plan starts when the response SLA breaches; 'now': at openedAt. Default: the plan's `startOn`. */
  startAt?: 'breach' | 'now';
}): Simulation {
  const startAt = args.startAt ?? (args.plan.startOn === 'open' ? 'now' : 'breach');
  const cal = args.dir.calendarFor(args.teamId, args.priority);
  const pol = args.dir.slaPolicy(args.priority);
  const startsAt = startAt === 'now' || !pol ? args.openedAt : addBusinessMinutes(cal, args.openedAt, pol.responseMinutes);
  const state = newEscalation({ id: 'simulation', ticketId: 'simulation', kind: 'automatic', plan: snapshotPlan(args.plan, startsAt), now: startsAt });
  const run = forecast({ dir: args.dir, state, ticket: { teamId: args.teamId, assigneeId: args.assigneeId ?? null } });
  return { planId: args.plan.id, startsAt, startOn: startAt === 'now' ? 'open' : 'breach', calendarId: cal.id, steps: run.steps, exhausts: run.exhausts };
}

/**
 * What a running escalation will do from its current state if nobody acknowledges: the
 * same decision function and target resolution as the engine (so `status` says "who's next"
 * with the code that `plan simulate` and the engine use).
 */
export function forecast(args: { dir: Directory; state: EscalationState; ticket: { teamId: string; assigneeId: string | null }; maxSteps?: number }): { steps: SimulatedStep[]; exhausts: boolean } {
  let state = args.state;
  const steps: SimulatedStep[] = [];
  const max = args.maxSteps ?? 1000;
  for (let guard = 0; guard < 1000 && steps.length < max && state.status === 'active' && state.nextDueAt; guard++) {
    const now = state.nextDueAt;
    const r = decideTick(state, now, (step, level) => resolveStepTargets(args.dir, args.ticket, step, level, now));
    state = r.state;
    for (const f of r.firings) {
      steps.push({
        at: f.dueAt,
        step: f.stepIndex + 1,
        round: f.round,
        channel: f.channel,
        skipped: f.skipped,
        recipients: f.recipients.map((x) => ({ ...x, name: x.personId ? (args.dir.person(x.personId)?.name ?? x.personId) : `#${x.channelId}` })),
      });
    }
  }
  return { steps: steps.slice(0, max), exhausts: state.status === 'exhausted' };
}
