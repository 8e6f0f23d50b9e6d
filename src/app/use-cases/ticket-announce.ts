import { choosePlan, planStart } from '../../domain/plan.js';
import type { TicketReaction } from '../../domain/ticket-reaction.js';
import type { Ticket } from '../../domain/ticket.js';
import { isOpen } from '../../domain/ticket.js';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../ports/timeline.js';
import { endLive, startIfPlannedOnOpen } from './escalations.js';
import { postToTeamChannel, teamChannelIds } from './team-channel.js';

const ENGINE: Actor = { personId: null, via: 'engine' };

/** Whether opening this ticket owes anything: its team has a channel, or its plan starts on open. */
export function owesOpening(deps: Pick<AppDeps, 'directory'>, t: Pick<Ticket, 'teamId' | 'priority' | 'source'>): boolean {
  if (teamChannelIds(deps, t.teamId).length > 0) return true;
  const dir = deps.directory();
  const plan = choosePlan(dir.org.plans, t.teamId, t.priority);
  return !!plan && planStart(plan, t.source, dir.org.alerts?.startOn) === 'open';
}

/**
 * What opening a ticket or moving it to a team owes (issue 14), carried out by the engine's
 * `ticket-reactions` module from the reaction stored in the ticket write itself, so a crash
 * right after that write loses nothing: the post in the team's channel, and the plan started at
 * once when it starts on open. Each effect is keyed by the reaction (deliveries by key, the
 * escalation by a deterministic id), so a retry or a second process does it exactly once. A
 * ticket moved on since is announced by its move; a closed one is posted (the post then shows
 * it resolved) but pages nobody.
 */
export async function announceTicket(deps: AppDeps, t: Ticket, r: TicketReaction): Promise<void> {
  if (r.teamId && r.teamId !== t.teamId) return;
  if (r.change === 'open') {
    await postToTeamChannel(deps, t, 'opened', { key: `team-post:${t.id}:opened` });
    if (isOpen(t)) await startIfPlannedOnOpen(deps, t, ENGINE);
    return;
  }
  const dir = deps.directory();
  const by = r.actor.personId ? (dir.person(r.actor.personId)?.name ?? r.actor.personId) : r.actor.via;
  await postToTeamChannel(deps, t, 'moved', { key: `team-post:${r.key}:${t.teamId}`, reason: r.reason ?? null, by });
  if (!isOpen(t)) return;
  // The old team's plan ends with the move (the move does it at once; this repairs a crash before it).
  await endLive(deps, t.id, r.actor, new Date(r.at));
  await startIfPlannedOnOpen(deps, t, ENGINE, `open:${r.key}`);
}
