import type { AppDeps } from '../../app/deps.js';
import { mayActOn, requirePermission } from '../../app/policy.js';
import type { Actor } from '../../app/ports/timeline.js';
import { elevateTicket, respondToNotification } from '../../app/use-cases/escalations.js';
import { listTickets, requireTicket, ticketTimeline } from '../../app/use-cases/tickets.js';
import type { Person } from '../../domain/directory.js';
import { DomainError } from '../../domain/errors.js';
import { escalationLabel } from '../../domain/notice.js';
import { simulatePlan } from '../../domain/simulate.js';
import type { Priority, Ticket } from '../../domain/ticket.js';
import { OPEN_STATUSES, isOpen } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import type { ListScope } from './command-parser.js';
import { ticketHistory } from '../../app/use-cases/history.js';
import { buildReport, reportCsvRows } from '../../app/use-cases/reports.js';
import type { Report, ReportCsvRow, ReportQuery } from '../../domain/reports/report.js';
import { historyLinesFor } from './report-blocks.js';

export type TicketVerb = 'acknowledge' | 'escalate' | 'elevate' | 'resolve';

export function actorFor(p: Person): Actor {
  return { personId: p.id, via: 'slack', name: p.name };
}

const hhmm = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** Runs one verb on a ticket after the role check; the answer is a sentence for the person. */
export async function actOnTicket(deps: AppDeps, person: Person, verb: TicketVerb, ref: string | number, note?: string): Promise<{ ticket: Ticket; message: string }> {
  const t = await requireTicket(deps, ref);
  const dir = deps.directory();
  const now = deps.clock.now();
  const actor = actorFor(person);
  if (verb === 'elevate') {
    requirePermission(dir, person.id, 'elevate', t, now);
    const r = await elevateTicket(deps, t.id, actor, note);
    return { ticket: r.ticket, message: r.changed ? `${formatTicketKey(t.number)} elevated by ${person.name}.` : `${formatTicketKey(t.number)} was already elevated; nothing changed.` };
  }
  // Seed 000: escalation requests come from managers, supervisors, point persons and coordinators,
  // whichever way they arrive (command, button, modal).
  requirePermission(dir, person.id, verb === 'escalate' ? 'request_escalation' : verb, t, now);
  const r = await respondToNotification(deps, { ticket: t.id, reply: verb, actor, note: note || undefined });
  // For escalate, the use case returns the ticket as read before it was marked escalated.
  return { ticket: verb === 'escalate' ? await requireTicket(deps, t.id) : r.ticket, message: r.message };
}

/** `status`: where the ticket and its escalation stand, and what the person may do. */
export async function statusText(deps: AppDeps, person: Person, ref: number): Promise<string> {
  const { ticket: t, events } = await ticketTimeline(deps, ref);
  const dir = deps.directory();
  const now = deps.clock.now();
  const live = await deps.escalations.liveForTicket(t.id);
  const last = events[events.length - 1];
  const lines = [`*${formatTicketKey(t.number)}: ${t.title}*`, `${t.priority}, ${t.impact} impact, ${t.status}; team ${dir.team(t.teamId)?.name ?? t.teamId}; assignee ${dir.person(t.assigneeId)?.name ?? 'nobody'}${escalationLabel(t) ? `; ${escalationLabel(t)}` : ''}`];
  if (live) {
    const step = live.plan.steps[live.stepIndex];
    lines.push(`Escalation (${live.plan.name}) ${live.status}: next step ${live.stepIndex + 1} of ${live.plan.steps.length}${step ? ` by ${step.channel}` : ''}${live.nextDueAt ? ` at ${hhmm(live.nextDueAt)}` : ''}.`);
  } else lines.push(t.escalated ? 'Escalated; no escalation is running now.' : 'No escalation running.');
  if (last) lines.push(`Last update: ${last.type} at ${hhmm(last.at)}${last.actor?.name ? ` by ${last.actor.name}` : ''}.`);
  const open = isOpen(t);
  const applies = { acknowledge: t.status === 'new' || t.status === 'assigned', resolve: open, elevate: open && !t.elevated, request_escalation: open };
  const can = (['acknowledge', 'resolve', 'elevate', 'request_escalation'] as const).filter((p) => applies[p] && mayActOn(dir, person.id, p, t, now));
  lines.push(`You can: ${can.length > 0 ? can.map((c) => (c === 'request_escalation' ? 'escalate' : c)).join(', ') : 'view it'}.`);
  return lines.join('\n');
}

/** The ticket's history (src/app/use-cases/history.ts), as lines that fit a Slack message. */
export async function historyLines(deps: AppDeps, ref: string | number): Promise<string[]> {
  return historyLinesFor(await ticketHistory(deps, ref));
}

export async function listLines(deps: AppDeps, person: Person, scope: ListScope): Promise<string[]> {
  const dir = deps.directory();
  const status = [...OPEN_STATUSES];
  const filter =
    scope === 'mine' ? { status, assigneeId: person.id } : scope === 'team' ? { status, teamId: dir.teamsOf(person.id).map((t) => t.id) } : scope === 'escalated' ? { status, escalated: true } : { status };
  if (scope === 'team' && filter.teamId!.length === 0) return ['You are not on a team, so `/esc list team` has nothing to show. Try `/esc list open`.'];
  const ts = await listTickets(deps, filter, 25);
  if (ts.length === 0) return [`No ${scope} tickets.`];
  return [`*${scope} tickets* (up to 25)`, ...ts.map((t) => `${formatTicketKey(t.number)}  ${t.priority}  ${t.status}${escalationLabel(t) ? `  ${escalationLabel(t)}` : ''}  ${t.title.slice(0, 80)}`)];
}

export function simulateLines(deps: AppDeps, person: Person, planId: string, priority: Priority | null): string[] {
  const dir = deps.directory();
  const plan = dir.org.plans.find((p) => p.id === planId);
  if (!plan) throw new DomainError('NOT_FOUND', `There is no plan "${planId.slice(0, 40)}". Plans: ${dir.org.plans.map((p) => p.id).join(', ')}.`);
  const pr: Priority = priority ?? plan.match?.priorities?.[0] ?? 'P2';
  const teamId = dir.teamsOf(person.id)[0]?.id ?? dir.org.defaultTeamId;
  const sim = simulatePlan({ dir, plan, teamId, priority: pr, openedAt: deps.clock.now() });
  const lines = [`*Plan ${plan.name}* for a ${pr} ticket of ${dir.team(teamId)?.name ?? teamId} opened now: starts at ${hhmm(sim.startsAt)} (response SLA breach).`];
  for (const s of sim.steps.slice(0, 30)) {
    lines.push(`${hhmm(s.at)}  step ${s.step}${s.round > 0 ? ` (repeat ${s.round})` : ''} by ${s.channel}: ${s.skipped ? 'skipped, nobody to reach' : s.recipients.map((r) => r.name).join(', ')}`);
  }
  lines.push(sim.exhausts ? 'Then the plan runs out with nobody acknowledging.' : '');
  return lines.filter(Boolean);
}

/** `/esc report`: the figures for a period and filters, from the report use case. */
export async function slackReport(deps: AppDeps, query: ReportQuery): Promise<{ report: Report; rows: ReportCsvRow[] }> {
  const [report, rows] = await Promise.all([buildReport(deps, query), reportCsvRows(deps, query)]);
  return { report, rows };
}
