/** Ticket commands: open, acknowledge, escalate, elevate, resolve, look. */
import { actorMay } from '../../authorize.js';
import type { AppDeps } from '../../deps.js';
import type { TicketFilter } from '../../ports/tickets.js';
import { elevateTicket } from '../../use-cases/escalations.js';
import { ticketHistory } from '../../use-cases/history.js';
import { respondToNotification } from '../../use-cases/respond.js';
import { listTickets, requireTicket, requireVisibleTicket } from '../../use-cases/tickets.js';
import { escalationLabel } from '../../../domain/notice.js';
import { OPEN_STATUSES, isOpen } from '../../../domain/ticket.js';
import { choosePlan, planStart } from '../../../domain/plan.js';
import { formatTicketKey } from '../../../domain/ticket-number.js';
import type { Answer, ChatContext } from '../answer.js';
import { say } from '../answer.js';
import { command, Usage } from '../spec.js';
import type { Command } from '../spec.js';
import { ticketWord } from '../words.js';
import { forecastLines, simulateCommand } from './plans.js';
import { localTime } from '../words.js';

const G = 'Tickets';
const LIST_SCOPES = ['mine', 'team', 'open', 'escalated'] as const;
type ListScope = (typeof LIST_SCOPES)[number];

/** `<ticket> [text]`: the ticket first, the rest free text. */
export function ticketThenText(name: string, example: string, textRequired = false, missing = 'Add the text:') {
  return (words: string[]): { ref: number; text: string } | Usage => {
    if (!words[0]) return new Usage(`Say which ticket: \`/esc ${name} ${example}\`.`);
    const ref = ticketWord(words[0]);
    if (ref === null) return new Usage(`"${words[0].slice(0, 30)}" is not a ticket number: use ESC-1042 or 1042.`);
    const text = words.slice(1).join(' ').slice(0, 2000);
    if (textRequired && !text) return new Usage(`${missing} \`/esc ${name} ${example}\`.`);
    return { ref, text };
  };
}

export function ticketOnly(name: string) {
  return (words: string[]): { ref: number } | Usage => {
    const r = ticketThenText(name, 'ESC-1042')(words);
    if (r instanceof Usage) return r;
    if (r.text) return new Usage(`\`/esc ${name}\` takes only a ticket, e.g. \`/esc ${name} ESC-1042\`.`);
    return { ref: r.ref };
  };
}

/** The answer of an action that changed a ticket: the sentence and the ticket as it is now. */
export async function changed(deps: AppDeps, ticketId: string, message: string, note?: string): Promise<Answer> {
  const t = await requireTicket(deps, ticketId);
  return say(message, { kind: 'ticket', ticket: t, ...(note ? { note } : {}) }, true);
}

export const ticketCommands: Command[] = [
  command({
    name: 'ticket',
    aliases: ['new', 'open'],
    group: G,
    usage: 'ticket [confidential] [title]',
    summary: 'open a ticket (a form opens: title, description, priority, impact, team, confidential)',
    example: 'ticket VPN down in Library',
    // `ticket confidential <title>`: the form opens with Confidential ticked (the person sees it and can untick it).
    parse: (words) => {
      const secret = words.length > 1 && words[0]!.toLowerCase() === 'confidential';
      return { title: (secret ? words.slice(1) : words).join(' ').slice(0, 200), confidential: secret };
    },
    run: async (_deps, _ctx, a) => say(`Fill in the form to open a${a.confidential ? ' confidential' : ''} ticket.`, { kind: 'form', form: 'ticket', title: a.title, ...(a.confidential ? { confidential: true } : {}) }),
  }),
  command({
    name: 'ack',
    aliases: ['acknowledge'],
    group: G,
    usage: 'ack <ticket>',
    summary: 'acknowledge: you take it and the escalation stops',
    example: 'ack ESC-1042',
    parse: ticketOnly('ack'),
    run: async (deps, ctx, a) => {
      const r = await respondToNotification(deps, { ticket: a.ref, reply: 'acknowledge', actor: ctx.actor });
      return changed(deps, r.ticket.id, r.message);
    },
  }),
  command({
    name: 'escalate',
    group: G,
    usage: 'escalate <ticket> [reason]',
    summary: 'coordinators: the next step now; managers, team leads, point persons: an escalation request (reason required)',
    example: 'escalate ESC-1042 lecture starts at 10',
    parse: ticketThenText('escalate', 'ESC-1042 lecture starts at 10', true, 'A reason is required: it is visible to everyone on the ticket. E.g.'),
    run: async (deps, ctx, a) => {
      const r = await respondToNotification(deps, { ticket: a.ref, reply: 'escalate', actor: ctx.actor, ...(a.text ? { note: a.text } : {}) });
      return changed(deps, r.ticket.id, r.message, a.text ? `Escalated by ${ctx.person.name}: ${a.text}` : undefined);
    },
  }),
  command({
    name: 'elevate',
    group: G,
    usage: 'elevate <ticket> [reason]',
    summary: 'flag as important, finished at the earliest time, without the full process',
    example: 'elevate ESC-1042 the Dean presents at 2pm',
    parse: ticketThenText('elevate', 'ESC-1042'),
    run: async (deps, ctx, a) => {
      const r = await elevateTicket(deps, a.ref, ctx.actor, a.text || undefined);
      const key = formatTicketKey(r.ticket.number);
      return changed(deps, r.ticket.id, r.changed ? `${key} elevated by ${ctx.person.name}.` : `${key} was already elevated; nothing changed.`);
    },
  }),
  command({
    name: 'resolve',
    group: G,
    usage: 'resolve <ticket> [note]',
    summary: 'resolve: the escalation ends',
    example: 'resolve ESC-1042 replaced the switch',
    parse: ticketThenText('resolve', 'ESC-1042 replaced the switch'),
    run: async (deps, ctx, a) => {
      const r = await respondToNotification(deps, { ticket: a.ref, reply: 'resolve', actor: ctx.actor, ...(a.text ? { note: a.text } : {}) });
      return changed(deps, r.ticket.id, r.message);
    },
  }),
  command({
    name: 'status',
    aliases: ['show'],
    group: G,
    usage: 'status <ticket>',
    summary: "where it stands, who's next, and what you can do",
    example: 'status ESC-1042',
    parse: ticketOnly('status'),
    run: async (deps, ctx, a) => status(deps, ctx, a.ref),
  }),
  command({
    name: 'history',
    aliases: ['timeline'],
    group: G,
    usage: 'history <ticket>',
    summary: 'opened, each step (due, sent, late, channel, delivery), who acknowledged, requests, notes, resolution',
    example: 'history ESC-1042',
    parse: ticketOnly('history'),
    run: async (deps, ctx, a) => {
      const h = await ticketHistory(deps, a.ref, ctx.zone, ctx.actor);
      return say(`History of ${h.key}`, { kind: 'history', history: h, zone: ctx.zone });
    },
  }),
  command({
    name: 'list',
    aliases: ['ls'],
    group: G,
    usage: 'list [mine|team|open|escalated]',
    summary: 'open tickets',
    example: 'list escalated',
    parse: (words) => {
      const scope = (words[0]?.toLowerCase() ?? 'open') as ListScope;
      if (!LIST_SCOPES.includes(scope) || words.length > 1) return new Usage(`"${words.join(' ').slice(0, 30)}" is not a list: use mine, team, open or escalated.`);
      return { scope };
    },
    run: async (deps, ctx, a) => list(deps, ctx, a.scope),
  }),
  simulateCommand,
];

async function status(deps: AppDeps, ctx: ChatContext, ref: number): Promise<Answer> {
  const t = await requireVisibleTicket(deps, ref, ctx.actor);
  const dir = deps.directory();
  const now = deps.clock.now();
  const h = await ticketHistory(deps, t.id, ctx.zone, ctx.actor);
  const live = await deps.escalations.liveForTicket(t.id);
  const key = formatTicketKey(t.number);
  const label = escalationLabel(t);
  const lines = [`*${key}: ${t.title}*`, `${t.priority}, ${t.impact} impact, ${t.status.replace('_', ' ')}; team ${dir.team(t.teamId)?.name ?? t.teamId}; assignee ${dir.person(t.assigneeId)?.name ?? 'unassigned'}${label ? `; ${label}` : ''}`];
  const due = [t.status === 'new' || t.status === 'assigned' ? ['Response', t.sla.responseDueAt] : null, ['resolution', t.sla.resolutionDueAt]] as const;
  const dues = due.flatMap((d) => (d && d[1] ? [`${d[0]} due ${localTime(d[1], ctx.zone)}`] : []));
  if (isOpen(t) && dues.length > 0) lines.push(`${dues.join('; ')}.`.replace(/^r/, 'R'));
  if (live) lines.push(...forecastLines(deps, ctx, live, t));
  else lines.push(t.escalated ? 'Escalated; no escalation is running now.' : 'No escalation running.');
  const plan = choosePlan(dir.org.plans, t.teamId, t.priority);
  if (plan && isOpen(t)) {
    const start = planStart(plan, t.source, dir.org.alerts?.startOn);
    lines.push(`Plan ${plan.name}: starts ${start === 'open' ? 'on open' : `on breach${!live && t.sla.responseDueAt && !t.sla.respondedAt ? ` (${localTime(t.sla.responseDueAt, ctx.zone)})` : ''}`}.`);
  }
  if (t.snooze && new Date(t.snooze.until).getTime() > now.getTime() && isOpen(t)) {
    lines.push(`Snoozed until ${localTime(t.snooze.until, ctx.zone)}${t.snooze.by ? ` by ${dir.person(t.snooze.by)?.name ?? t.snooze.by}` : ''}: ${t.snooze.reason}.`);
  }
  const last = h.rows[h.rows.length - 1];
  if (last) lines.push(`Last update: ${last.text} (${localTime(last.at, ctx.zone)}${last.by ? `, ${last.by}` : ''}).`);
  const open = isOpen(t);
  const applies = { acknowledge: t.status === 'new' || t.status === 'assigned', resolve: open, elevate: open && !t.elevated } as const;
  const can: string[] = (Object.keys(applies) as (keyof typeof applies)[]).filter((p) => applies[p] && actorMay(dir, ctx.actor, p, t, now));
  if (open && (actorMay(dir, ctx.actor, 'escalate_now', t, now) || actorMay(dir, ctx.actor, 'request_escalation', t, now))) can.push('escalate');
  lines.push(`You can: ${can.length > 0 ? can.join(', ') : 'view it'}.`);
  return say(lines[0]!.replace(/\*/g, ''), { kind: 'lines', lines });
}

async function list(deps: AppDeps, ctx: ChatContext, scope: ListScope): Promise<Answer> {
  const dir = deps.directory();
  const status = [...OPEN_STATUSES];
  const filters: Record<ListScope, TicketFilter> = {
    mine: { status, assigneeId: ctx.person.id },
    team: { status, teamId: dir.teamsOf(ctx.person.id).map((t) => t.id) },
    open: { status },
    escalated: { status, escalated: true },
  };
  if (scope === 'team' && filters.team.teamId!.length === 0) return say('You are not on a team, so `/esc list team` has nothing to show. Try `/esc list open`.');
  const ts = await listTickets(deps, filters[scope], 25, 0, ctx.actor);
  if (ts.length === 0) return say(scope === 'mine' ? 'No open tickets assigned to you.' : `No ${scope} tickets.`);
  const lines = [`*${scope} tickets* (newest 25)`, ...ts.map((t) => `${formatTicketKey(t.number)}  ${t.priority}  ${t.status.replace('_', ' ')}${escalationLabel(t) ? `  ${escalationLabel(t)}` : ''}  ${t.title.slice(0, 80)}`)];
  return say(`${scope} tickets`, { kind: 'lines', lines });
}
