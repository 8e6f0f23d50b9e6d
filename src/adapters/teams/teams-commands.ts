import type { AppDeps } from '../../app/deps.js';
import { listTickets } from '../../app/use-cases/tickets.js';
import type { TicketFilter } from '../../app/ports/tickets.js';
import type { Person } from '../../domain/directory.js';
import { simulatePlan } from '../../domain/simulate.js';
import { OPEN_STATUSES, PRIORITIES } from '../../domain/ticket.js';
import type { Priority } from '../../domain/ticket.js';
import { parseTicketRef } from '../../domain/ticket-number.js';
import type { AdaptiveCardJson } from './teams-cards.js';
import { ticketHistory } from '../../app/use-cases/history.js';
import { isDomainError } from '../../domain/errors.js';
import { historyCard, reportCard, teamsChart } from './report-card.js';
import { buildReport } from '../../app/use-cases/reports.js';
import { REPORT_REFUSAL, REPORT_USAGE, mayRunReports, parseReportArgs } from '../report/report-args.js';
import { ticketFormCard } from './teams-cards.js';
import { runVerb } from './teams-actions.js';
import { HELP_TEXT, simulationText, ticketLine } from './teams-text.js';
import { MAJOR_HELP_TEXT, runMajorCommand } from './teams-major-commands.js';
import type { CommandPlace } from './teams-major-commands.js';

/** What the bot says back: text, a card, or both. */
export interface TeamsReply {
  text?: string;
  card?: AdaptiveCardJson;
}

/** Removes <at>…</at> mentions and Teams' HTML leftovers from a message's text. */
export function cleanText(text: string): string {
  return text
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const TICKET_VERBS: Record<string, string> = { ack: 'ack', acknowledge: 'ack', escalate: 'escalate', elevate: 'elevate', resolve: 'resolve', status: 'show', show: 'show', history: 'history' };

/** Runs one typed command for a known person. Never throws for what a person typed. */
export async function runCommand(deps: AppDeps, person: Person, rawText: string, place?: CommandPlace): Promise<TeamsReply> {
  const text = cleanText(rawText).slice(0, 2000);
  const [word = '', ...rest] = text.split(' ');
  const cmd = word.toLowerCase().replace(/^\//, '');
  if (cmd === '' || cmd === 'help' || cmd === '?') return { text: `${HELP_TEXT}\n\n${MAJOR_HELP_TEXT}` };
  if (cmd === 'ticket' || cmd === 'new' || cmd === 'open') return { text: 'Fill in the form to open a ticket.', card: ticketFormCard(deps) };
  if (cmd === 'history' || cmd === 'timeline') return history(deps, rest[0] ?? '');
  // Issue 7: escalation requests and major escalations (request, claim, major, role, task…).
  const major = await runMajorCommand(deps, person, cmd, rest, place);
  if (major) return major;
  const verb = Object.hasOwn(TICKET_VERBS, cmd) ? TICKET_VERBS[cmd] : undefined;
  if (verb) {
    const ref = rest[0] ?? '';
    if (parseTicketRef(ref) === null) return { text: `Which ticket? Type \`${cmd} ESC-12\`${cmd === 'escalate' ? ' followed by the reason' : ''}.` };
    const tail = rest.slice(1).join(' ').trim();
    const data = { ticket: ref, ...(verb === 'escalate' ? { reason: tail } : {}), ...(verb === 'resolve' && tail ? { note: tail } : {}) };
    const out = await runVerb(deps, person, verb, data);
    return { text: out.message, ...(out.card ? { card: out.card } : {}) };
  }
  if (cmd === 'list') return { text: await list(deps, person, (rest[0] ?? 'open').toLowerCase()) };
  if (cmd === 'plan') return { text: simulate(deps, rest) };
  if (cmd === 'report') return report(deps, person, rest);
  return { text: `I don't know "${word.slice(0, 40)}". ${HELP_TEXT}` };
}

/** `history ESC-12`: the ticket's history (src/app/use-cases/history.ts) as a card. */
async function history(deps: AppDeps, ref: string): Promise<TeamsReply> {
  const n = parseTicketRef(ref);
  if (n === null) return { text: 'Which ticket? Type `history ESC-12`.' };
  try {
    const h = await ticketHistory(deps, n);
    const dir = deps.directory();
    const t = h.ticket;
    const facts = [
      { label: 'Status', value: t.status.replace('_', ' ') },
      { label: 'Priority', value: `${t.priority}${t.elevated ? ' (elevated)' : ''}` },
      { label: 'Team', value: dir.team(t.teamId)?.name ?? t.teamId },
      { label: 'Assignee', value: dir.person(t.assigneeId)?.name ?? 'unassigned' },
    ];
    return { text: `History of ${h.key}`, card: historyCard(h, facts) };
  } catch (e) {
    if (isDomainError(e)) return { text: e.message };
    throw e;
  }
}

async function list(deps: AppDeps, person: Person, which: string): Promise<string> {
  const dir = deps.directory();
  const open = { status: [...OPEN_STATUSES] };
  const filters: Record<string, TicketFilter> = {
    mine: { ...open, assigneeId: person.id },
    team: { ...open, teamId: dir.teamsOf(person.id).map((t) => t.id) },
    open,
    escalated: { ...open, escalated: true },
  };
  const filter = filters[which];
  if (!filter) return 'Use `list mine`, `list team`, `list open` or `list escalated`.';
  if (which === 'team' && filter.teamId?.length === 0) return 'You are not on a team.';
  const tickets = await listTickets(deps, filter, 20);
  if (tickets.length === 0) return `No ${which === 'mine' ? 'open tickets assigned to you' : `${which} tickets`}.`;
  return [`**${which} tickets** (newest 20)`, ...tickets.map((t) => ticketLine(dir, t))].join('\n\n');
}

function simulate(deps: AppDeps, args: string[]): string {
  const dir = deps.directory();
  if ((args[0] ?? '').toLowerCase() !== 'simulate' || !args[1]) return `Usage: \`plan simulate <plan> [P1-P4]\`. Plans: ${dir.org.plans.map((p) => p.id).join(', ')}.`;
  const plan = dir.org.plans.find((p) => p.id === args[1]);
  if (!plan) return `There is no plan "${args[1].slice(0, 40)}". Plans: ${dir.org.plans.map((p) => p.id).join(', ')}.`;
  const pr = (args[2] ?? plan.match.priorities?.[0] ?? 'P2').toUpperCase();
  if (!(PRIORITIES as readonly string[]).includes(pr)) return `"${pr.slice(0, 10)}" is not a priority: use P1, P2, P3 or P4.`;
  const teamId = plan.match.teams?.[0] ?? dir.org.defaultTeamId;
  const sim = simulatePlan({ dir, plan, teamId, priority: pr as Priority, openedAt: deps.clock.now() });
  return simulationText(plan.name, pr, sim);
}

/** `report [period] [filters]`: the figures as a card, the chart inline (see report-card.ts). */
async function report(deps: AppDeps, person: Person, args: string[]): Promise<TeamsReply> {
  if (!mayRunReports(person)) return { text: REPORT_REFUSAL };
  const parsed = parseReportArgs(args);
  if (!parsed.ok) return { text: `${parsed.problem}\n\nUsage: \`${REPORT_USAGE}\`` };
  try {
    const r = await buildReport(deps, parsed.query);
    const card = reportCard(r, await teamsChart(r));
    return { text: `Report: ${r.period.label}`, card };
  } catch (e) {
    if (isDomainError(e)) return { text: e.message };
    throw e;
  }
}
