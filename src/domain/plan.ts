import type { Priority } from './ticket.js';

export const CHANNELS = ['chat', 'sms', 'voice', 'email', 'webhook', 'push'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Who a step notifies. `manager` climbs: the n-th manager step reaches the n-th manager up. */
export type StepTarget =
  | { type: 'person'; id: string }
  | { type: 'assignee' }
  /** A team's on-call person of one layer (primary when absent); the ticket's team when no team is named. */
  | { type: 'oncall'; team?: string; layer?: string }
  | { type: 'manager' }
  | { type: 'team_lead' }
  | { type: 'coordinators' }
  | { type: 'channel'; id: string };

export interface PlanStep {
  /** Minutes after the previous step fired (the first: after the escalation started). */
  delayMinutes: number;
  targets: StepTarget[];
  channel: Channel;
  /** Urgent steps override quiet hours. Defaults: voice/sms urgent, others not. */
  urgent?: boolean;
}

export interface EscalationPlan {
  id: string;
  name: string;
  /** Chosen for tickets that match; the most specific match wins. Empty = any. */
  match: { priorities?: Priority[]; teams?: string[] };
  steps: PlanStep[];
  /** Run the steps again `count` more times, from step `fromStep` (1-based). */
  repeat?: { count: number; fromStep: number };
  /** open: starts when the ticket opens; breach (the default): when the response SLA breaches. */
  startOn?: PlanStart;
  /** An acknowledged ticket not updated within this many business minutes goes back to step 1. */
  ackTimeoutMinutes?: number;
}

export type PlanStart = 'open' | 'breach';

/** The plan frozen into an escalation when it starts: edits to the plan never change it. */
export type PlanSnapshot = EscalationPlan & { frozenAt: Date };

export function snapshotPlan(plan: EscalationPlan, now: Date): PlanSnapshot {
  return structuredClone({ ...plan, frozenAt: now });
}

/**
 * Problems with a plan, each naming the field by dotted path; empty when valid.
 * `known` tells which people, teams and chat channels exist.
 */
export function planProblems(plan: EscalationPlan, known: { person: (id: string) => boolean; team: (id: string) => boolean }): string[] {
  const out: string[] = [];
  if (plan.steps.length === 0) out.push('steps: a plan needs at least one step');
  plan.steps.forEach((s, i) => {
    const at = `steps.${i}`;
    if (!Number.isFinite(s.delayMinutes) || s.delayMinutes < 0) out.push(`${at}.delayMinutes: must be 0 or more (got ${s.delayMinutes})`);
    if (s.targets.length === 0) out.push(`${at}.targets: at least one target is needed`);
    s.targets.forEach((t, j) => {
      if (t.type === 'person' && !known.person(t.id)) out.push(`${at}.targets.${j}: unknown person "${t.id}"`);
      if (t.type === 'oncall' && t.team && !known.team(t.team)) out.push(`${at}.targets.${j}: unknown team "${t.team}"`);
      if (t.type === 'channel' && s.channel !== 'chat') out.push(`${at}.targets.${j}: a channel target needs channel "chat"`);
    });
  });
  if (plan.repeat) {
    if (!Number.isInteger(plan.repeat.count) || plan.repeat.count < 0) out.push('repeat.count: must be a whole number, 0 or more');
    if (!Number.isInteger(plan.repeat.fromStep) || plan.repeat.fromStep < 1 || plan.repeat.fromStep > plan.steps.length) {
      out.push(`repeat.fromStep: must be a step number from 1 to ${plan.steps.length}`);
    }
  }
  for (const team of plan.match.teams ?? []) if (!known.team(team)) out.push(`match.teams: unknown team "${team}"`);
  return out;
}

/** Picks the plan for a ticket: team and priority match > team > priority > catch-all. */
export function choosePlan(plans: readonly EscalationPlan[], teamId: string, priority: Priority): EscalationPlan | undefined {
  let best: EscalationPlan | undefined;
  let bestScore = -1;
  for (const p of plans) {
    const teams = p.match.teams ?? [];
    const prios = p.match.priorities ?? [];
    if (teams.length > 0 && !teams.includes(teamId)) continue;
    if (prios.length > 0 && !prios.includes(priority)) continue;
    const score = (teams.length > 0 ? 2 : 0) + (prios.length > 0 ? 1 : 0);
    if (score > bestScore) {
      best = p;
      bestScore = score;
    }
  }
  return best;
}

/**
 * When a ticket's plan starts: at once when the plan says `startOn: open`, or when the ticket
 * came from a monitoring alert and the organisation starts alerts on open; else at the
 * response SLA breach.
 */
export function planStart(plan: Pick<EscalationPlan, 'startOn'>, source: string, alertsStartOn: PlanStart = 'open'): PlanStart {
  if (plan.startOn === 'open') return 'open';
  return source === 'alert' && alertsStartOn === 'open' ? 'open' : 'breach';
}
