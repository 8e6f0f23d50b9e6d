import { choosePlan, planStart } from '../../domain/plan.js';
import type { TicketReaction } from '../../domain/ticket-reaction.js';
import type { Ticket } from '../../domain/ticket.js';
import { isOpen } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import { localTime } from '../../domain/time-text.js';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../ports/timeline.js';
import { endLive, startIfPlannedOnOpen } from './escalations.js';
import { noticeFor, notifyPeople } from './notify.js';
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
 * What opening a ticket, moving it to a team or elevating it owes (issue 14), carried out by the engine's
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
  if (r.change === 'elevate') return elevated(deps, t, r, by);
  await postToTeamChannel(deps, t, 'moved', { key: `team-post:${r.key}:${t.teamId}`, reason: r.reason ?? null, by });
  if (!isOpen(t)) return;
  // The old team's plan ends with the move (the move does it at once; this repairs a crash before it).
  await endLive(deps, t.id, r.actor, new Date(r.at));
  await startIfPlannedOnOpen(deps, t, ENGINE, `open:${r.key}`);
}

/**
 * Elevate with teeth (issue 14): posted in the team's channel with the reason, and the team lead
 * and manager told (not the person who elevated it), keyed by the elevation.
 */
async function elevated(deps: AppDeps, t: Ticket, r: TicketReaction, by: string): Promise<void> {
  const reason = r.reason ?? null;
  await postToTeamChannel(deps, t, 'elevated', { key: `team-post:${r.key}`, reason, by });
  const dir = deps.directory();
  const team = dir.team(t.teamId);
  const told = [team?.leadId, team?.managerId].filter((x): x is string => !!x && x !== r.actor.personId);
  if (told.length === 0 || !isOpen(t)) return;
  const tk = formatTicketKey(t.number);
  const due = t.sla.resolutionDueAt ? ` Resolution now due ${localTime(t.sla.resolutionDueAt, dir.org.timeZone)}.` : '';
  const notice = noticeFor(deps, t, {
    kind: 'info',
    title: `Elevated: ${tk} ${t.title}`.slice(0, 150),
    text: `${by} elevated ${tk} (${t.priority}) for ${team?.name ?? t.teamId}${reason ? `: ${reason}` : ''}. Finish it at the earliest time; work goes on as usual.${due}`,
    facts: [{ label: 'Reason', value: reason ?? 'not given' }],
    actions: ['resolve'],
    urgent: false,
  });
  await notifyPeople(deps, t, told, ['chat'], notice, r.key);
}
