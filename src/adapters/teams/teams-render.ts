/**
 * The chat-ops core's answers as Teams messages: Markdown text and an Adaptive Card from
 * cards/ per view. The core's `*bold*` becomes `**bold**`, and `/esc ` is dropped (Teams
 * commands are typed without it).
 */
import type { Answer, HelpEntry } from '../../app/chatops/answer.js';
import type { AppDeps } from '../../app/deps.js';
import { noticeFor } from '../../app/use-cases/notify.js';
import { requireTicket } from '../../app/use-cases/tickets.js';
import { buildTicketView } from '../../app/views/ticket-view.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import type { Ticket } from '../../domain/ticket.js';
import { historyCard, reportCard, teamsChart } from './report-card.js';
import { homeCard } from './teams-home.js';
import type { AdaptiveCardJson } from './teams-cards.js';
import { escalateRequestCard, ticketCard, ticketFormCard } from './teams-cards.js';
import { coordinatorNoticeCard, escalationRequestCard, majorSummaryCard, satisfactionCard, taskListCard } from './teams-major-cards.js';

export interface TeamsReply {
  text: string;
  card?: AdaptiveCardJson;
}

/** Core text as Teams Markdown. */
export function teamsText(text: string): string {
  return text.replace(/\/esc /g, '').replace(/(^|[^*])\*([^*\n]+)\*(?!\*)/g, '$1**$2**');
}

export function teamsHelp(entries: HelpEntry[], problem?: string): string {
  const out: string[] = problem ? [teamsText(problem)] : ['**Esc commands**'];
  let group = '';
  for (const e of entries) {
    if (e.group !== group) {
      group = e.group;
      out.push(`**${group}**`);
    }
    out.push(`- \`${e.usage}\`: ${e.summary}${e.example !== e.usage ? ` (e.g. \`${e.example}\`)` : ''}`);
  }
  return out.join('\n\n');
}

/** The ticket card with the ticket's newest escalation (live or how the last one ended). */
export async function ticketCardFor(deps: AppDeps, t: Ticket, note?: string): Promise<AdaptiveCardJson> {
  const fresh = await requireTicket(deps, t.id);
  return ticketCard(await buildTicketView(deps, fresh, null), note);
}

/** An answer as text plus the card of its view. */
export async function teamsReply(deps: AppDeps, a: Answer): Promise<TeamsReply> {
  const text = teamsText(a.text);
  const v = a.view;
  if (!v) return { text };
  const dir = deps.directory();
  const now = deps.clock.now();
  switch (v.kind) {
    case 'ticket':
      return { text, card: await ticketCardFor(deps, v.ticket, v.note ?? (a.replacesOriginal ? a.text : undefined)) };
    case 'lines':
      return { text: v.lines.map(teamsText).join('\n\n') };
    case 'help':
      return { text: teamsHelp(v.entries, v.problem) };
    case 'history': {
      const t = v.history.ticket;
      const facts = [
        { label: 'Status', value: t.status.replace('_', ' ') },
        { label: 'Priority', value: `${t.priority}${t.elevated ? ' (elevated)' : ''}` },
        { label: 'Team', value: dir.team(t.teamId)?.name ?? t.teamId },
        { label: 'Assignee', value: dir.person(t.assigneeId)?.name ?? 'unassigned' },
        { label: 'Times in', value: v.zone },
      ];
      return { text, card: historyCard(v.history, facts) };
    }
    case 'form':
      if (v.form === 'ticket') return { text, card: ticketFormCard(deps, { title: v.title, confidential: !!v.confidential }) };
      if (v.form === 'escalate') return { text, card: escalateRequestCard(v.ticket) };
      if (v.form === 'request') return { text, card: escalationRequestCard(v.ticket, v.problem) };
      return { text, card: satisfactionCard({ title: '', text: '', ticket: { key: formatTicketKey(v.ticket.number), title: v.ticket.title } }) };
    case 'report':
      return { text, card: reportCard(v.report, await teamsChart(v.report)) };
    case 'tasks':
      return { text, card: taskListCard(dir, v.ticket, v.major, now) };
    case 'major':
      return { text, card: majorSummaryCard(dir, v.ticket, v.major, now) };
    case 'request': {
      const t = v.ticket;
      const notice = noticeFor(deps, t, { kind: 'manager_request', title: `Escalation request: ${formatTicketKey(t.number)} ${t.title}`, text: `Requested by ${dir.person(v.request.requestedBy)?.name ?? v.request.requestedBy}: ${v.request.reason}`, actions: ['claim'], urgent: v.request.urgency === 'urgent' });
      return { text, card: coordinatorNoticeCard(notice, { dir, request: v.request }) };
    }
    case 'home':
      return { text, card: homeCard(v.home) };
    case 'run':
      return { text }; // "Running `note ESC-12 …`": runAction normally runs it first
    case 'rated':
      return { text, card: satisfactionCard({ title: '', text: '', ticket: { key: formatTicketKey(v.ticket.number), title: v.ticket.title } }, { score: v.score, comment: v.comment }) };
  }
}

/** The verb of a cover request's Take button (the core's `cover.take` action). */
export const TAKE_VERB = 'cover.take';

/**
 * A cover request, shift notice or hand-off post as a card (issue 15). An open cover request
 * carries **Take** (Action.Execute, with Action.Submit as the fallback for older clients).
 */
export function oncallCard(m: { text: string; take?: { coverId: string } }): AdaptiveCardJson {
  const card: AdaptiveCardJson = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', wrap: true, text: teamsText(m.text) }] };
  if (!m.take) return card;
  const data = { cover: m.take.coverId };
  return { ...card, actions: [{ type: 'Action.Execute', title: 'Take', verb: TAKE_VERB, style: 'positive', data, fallback: { type: 'Action.Submit', title: 'Take', data: { verb: TAKE_VERB, ...data } } }] };
}
