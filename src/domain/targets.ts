import type { Directory } from './directory.js';
import type { Recipient } from './escalation.js';
import type { PlanStep } from './plan.js';
import type { Ticket } from './ticket.js';

/**
 * Resolves a step's targets for a ticket at `now`. Duplicates collapse (one person named
 * twice gets one message). Unresolvable targets (no assignee, no rotation, top of the
 * management chain) yield nobody; a step with nobody is skipped by the engine.
 */
export function resolveStepTargets(
  dir: Directory,
  ticket: Pick<Ticket, 'teamId' | 'assigneeId'>,
  step: PlanStep,
  managerLevel: number,
  now: Date,
): Recipient[] {
  const out: Recipient[] = [];
  const seen = new Set<string>();
  const addPerson = (id: string | undefined | null, target: Recipient['target']) => {
    if (!id || seen.has(`p:${id}`) || !dir.person(id)) return;
    seen.add(`p:${id}`);
    out.push({ personId: id, channelId: null, target });
  };
  const team = dir.team(ticket.teamId);
  for (const t of step.targets) {
    switch (t.type) {
      case 'person':
        addPerson(t.id, 'person');
        break;
      case 'assignee':
        addPerson(ticket.assigneeId, 'assignee');
        break;
      case 'oncall':
        addPerson(dir.onCall(t.team ?? ticket.teamId, now, t.layer)?.id, 'oncall');
        break;
      case 'team_lead':
        addPerson(team?.leadId, 'team_lead');
        break;
      case 'manager': {
        // The assignee's manager chain; without an assignee, the team's manager and up.
        const chain = ticket.assigneeId ? dir.managerChain(ticket.assigneeId).map((p) => p.id) : team?.managerId ? [team.managerId, ...dir.managerChain(team.managerId).map((p) => p.id)] : [];
        // Later manager steps climb; at the top of the chain the top manager keeps being told.
        addPerson(chain[Math.min(managerLevel, chain.length - 1)], 'manager');
        break;
      }
      case 'coordinators':
        for (const c of dir.coordinators(ticket.teamId)) addPerson(c.id, 'coordinators');
        break;
      case 'channel':
        if (!seen.has(`c:${t.id}`)) {
          seen.add(`c:${t.id}`);
          out.push({ personId: null, channelId: t.id, target: 'channel' });
        }
        break;
    }
  }
  return out;
}
