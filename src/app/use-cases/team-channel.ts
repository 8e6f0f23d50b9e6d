import type { Ticket } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import { localTime } from '../../domain/time-text.js';
import type { AppDeps } from '../deps.js';
import type { Delivery } from '../ports/deliveries.js';
import { makeDelivery, noticeFor } from './notify.js';

export type TeamPostWhy = 'opened' | 'moved' | 'elevated';

/** The chat places a team is told in: its Slack channel and/or its Teams channel. */
export function teamChannelIds(deps: Pick<AppDeps, 'directory'>, teamId: string): string[] {
  const team = deps.directory().team(teamId);
  return [team?.channel, team?.teamsChannel].filter((c): c is string => !!c);
}

/**
 * Posts a ticket in its team's channel(s) (issue 14): when it opens by any path, when it moves
 * to the team, when it is elevated. The post is queued as a delivery (retried with backoff,
 * idempotent per `key`), and the chat notifier records it in the ticket's message registry,
 * so the engine's `messages` module keeps it up to date with the ticket. Returns how many were queued.
 */
export async function postToTeamChannel(deps: AppDeps, t: Ticket, why: TeamPostWhy, args: { key: string; reason?: string | null; by?: string | null }): Promise<number> {
  const channels = teamChannelIds(deps, t.teamId);
  if (channels.length === 0) return 0;
  const dir = deps.directory();
  const key = formatTicketKey(t.number);
  const team = dir.team(t.teamId)?.name ?? t.teamId;
  const by = args.by ? ` by ${args.by}` : '';
  const head = why === 'opened' ? `New ${t.priority} ticket for ${team}` : why === 'moved' ? `Moved to ${team}${by}` : `Elevated${by}`;
  const facts = [{ label: 'Requester', value: dir.person(t.requesterId)?.name ?? (t.source === 'alert' ? 'monitoring alert' : 'not given') }];
  if (t.sla.responseDueAt && !t.sla.respondedAt) facts.push({ label: 'Response due', value: localTime(t.sla.responseDueAt, dir.org.timeZone) });
  if (t.sla.resolutionDueAt) facts.push({ label: 'Resolution due', value: localTime(t.sla.resolutionDueAt, dir.org.timeZone) });
  if (args.reason) facts.push({ label: 'Reason', value: args.reason });
  const notice = noticeFor(deps, t, {
    kind: 'ticket_post',
    title: `${head}: ${key} ${t.title}`.slice(0, 150),
    text: `${key} (${t.priority}, ${t.impact} impact) ${why === 'opened' ? `opened${t.source === 'alert' ? ' from a monitoring alert' : ''}` : why === 'moved' ? `moved to ${team}` : 'elevated: finish it at the earliest time'}${args.reason ? `: ${args.reason}` : '.'}`,
    facts,
    actions: ['acknowledge', 'resolve'],
    urgent: false,
  });
  const now = deps.clock.now();
  const ds: Delivery[] = channels.map((c) => makeDelivery(deps, { key: `${args.key}:${c}`, ticketId: t.id, escalationId: null, seq: null, stepIndex: null, channel: 'chat', personId: null, channelId: c, notice, urgent: false, dueAt: now, now }));
  const n = await deps.deliveries.enqueue(ds);
  deps.nudge?.();
  return n;
}
