/** `plan simulate` and the "who's next" forecast of `status`: the same code the engine uses. */
import type { AppDeps } from '../../deps.js';
import type { StoredEscalation } from '../../ports/escalations.js';
import { DomainError } from '../../../domain/errors.js';
import { forecast, simulatePlan, simulationTeam } from '../../../domain/simulate.js';
import type { SimulatedStep } from '../../../domain/simulate.js';
import { PRIORITIES } from '../../../domain/ticket.js';
import type { Priority } from '../../../domain/ticket.js';
import type { ChatContext } from '../answer.js';
import { say } from '../answer.js';
import { command, Usage } from '../spec.js';
import { localTime } from '../words.js';

const who = (s: SimulatedStep) => (s.skipped ? 'nobody to reach (skipped)' : s.recipients.map((r) => r.name).join(', ') || 'nobody');

export const simulateCommand = command({
  name: 'plan',
  group: 'Tickets',
  usage: 'plan simulate <plan> [P1-P4] [team:<id>]',
  summary: 'who would be paged, how and when, if nobody acknowledged',
  example: 'plan simulate standard P2',
  parse: (words) => {
    if (words[0]?.toLowerCase() !== 'simulate' || !words[1]) return new Usage('Use `/esc plan simulate <plan> [P1-P4] [team:<id>]`.');
    let priority: Priority | null = null;
    let teamId: string | null = null;
    for (const w of words.slice(2)) {
      const up = w.toUpperCase();
      if ((PRIORITIES as readonly string[]).includes(up)) priority = up as Priority;
      else if (/^team:[\w-]{1,64}$/i.test(w)) teamId = w.slice(5);
      else return new Usage(`"${w.slice(0, 20)}" is not a priority (P1-P4) or a team (team:<id>).`);
    }
    return { planId: words[1], priority, teamId };
  },
  run: async (deps, ctx, a) => {
    const dir = deps.directory();
    const plan = dir.org.plans.find((p) => p.id === a.planId);
    if (!plan) throw new DomainError('NOT_FOUND', `There is no plan "${a.planId.slice(0, 40)}". Plans: ${dir.org.plans.map((p) => p.id).join(', ')}.`);
    const teamId = simulationTeam(dir, plan, a.teamId);
    if (!dir.team(teamId)) throw new DomainError('UNKNOWN_TEAM', `There is no team "${teamId.slice(0, 40)}". Teams: ${dir.org.teams.map((t) => t.id).join(', ')}.`);
    const pr: Priority = a.priority ?? plan.match.priorities?.[0] ?? 'P2';
    const sim = simulatePlan({ dir, plan, teamId, priority: pr, openedAt: deps.clock.now() });
    const lines = [`*Plan ${plan.name}* for a ${pr} ticket of ${dir.team(teamId)?.name ?? teamId} opened now: starts ${localTime(sim.startsAt, ctx.zone)} (${sim.startOn === 'open' ? 'starts on open: pages at once' : 'starts on breach: at the response SLA breach'}).`];
    for (const s of sim.steps.slice(0, 30)) lines.push(`${localTime(s.at, ctx.zone)}  step ${s.step}${s.round > 0 ? ` (repeat ${s.round})` : ''} by ${s.channel}: ${who(s)}`);
    if (sim.exhausts) lines.push('Then the plan runs out with nobody acknowledging.');
    return say(`Plan ${plan.name}`, { kind: 'lines', lines });
  },
});

/** "Escalation (plan) active, step 2 of 4. Next: Dana Whitfield by voice at Mon 14:05 PST, then …". */
export function forecastLines(deps: AppDeps, ctx: Pick<ChatContext, 'zone'>, live: StoredEscalation, ticket?: { teamId: string; assigneeId: string | null }): string[] {
  const dir = deps.directory();
  const head = `Escalation (${live.plan.name}) ${live.status}: step ${Math.min(live.stepIndex + 1, live.plan.steps.length)} of ${live.plan.steps.length} is next.`;
  if (live.status !== 'active' || !ticket) return [head];
  const f = forecast({ dir, state: live, ticket, maxSteps: 3 });
  if (f.steps.length === 0) return [head];
  const parts = f.steps.map((s) => `${who(s)} by ${s.channel} at ${localTime(s.at, ctx.zone)}`);
  return [head, `Next: ${parts[0]}${parts.length > 1 ? `, then ${parts.slice(1).join(', then ')}` : ''}${f.exhausts && f.steps.length < 3 ? ', then the plan runs out' : ''}.`];
}
