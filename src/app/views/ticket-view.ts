import type { Directory } from '../../domain/directory.js';
import { escalationLabel } from '../../domain/notice.js';
import type { Impact, Priority, Ticket, TicketStatus } from '../../domain/ticket.js';
import { isOpen } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import type { EscalationRepository, StoredEscalation } from '../ports/escalations.js';
import type { Action } from '../authorize.js';
import { personMay } from '../authorize.js';

/** What a person can do to a ticket from one of its messages (a button, a card action). */
export type TicketAction = 'ack' | 'escalate' | 'elevate' | 'resolve' | 'history';
export const TICKET_ACTIONS: readonly TicketAction[] = ['ack', 'escalate', 'elevate', 'resolve', 'history'];

/** Where the ticket's escalation stands: running, ran out, or stopped by an acknowledgement. */
export interface EscalationSummary {
  status: 'active' | 'exhausted' | 'stopped';
  planName: string;
  /** 1-based step that fires next (active), of `steps`. */
  nextStep: number;
  steps: number;
  nextDueAt: Date | null;
  /** Steps fired so far. */
  fired: number;
  kind: string;
}

/**
 * A ticket as every message about it shows it: built once by the core, rendered by pure
 * functions per platform (Block Kit, Adaptive Card). Names are resolved, times are instants
 * (each renderer formats them in its own way: Slack date tokens, the organisation's zone).
 */
export interface TicketView {
  id: string;
  key: string;
  number: number;
  title: string;
  description: string;
  priority: Priority;
  impact: Impact;
  status: TicketStatus;
  open: boolean;
  teamName: string;
  assigneeName: string | null;
  requesterName: string | null;
  /** "ESCALATED · major", "ELEVATED", both, or null (domain/notice.ts escalationLabel). */
  escalationLabel: string | null;
  elevated: boolean;
  escalated: boolean;
  escalationKind: string | null;
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
  resolvedBy: string | null;
  resolvedAt: Date | null;
  /** The newest escalation, when it is running or says how it ended; null otherwise. */
  escalation: EscalationSummary | null;
  createdAt: Date;
  updatedAt: Date;
  responseDueAt: Date | null;
  /** When the view was built, and the organisation's zone (Teams cards show times in it). */
  now: Date;
  timeZone: string;
  /** The person the view was built for; null: anyone (a channel post). */
  viewerId: string | null;
  /** The actions that apply to the ticket's state and, with a viewer, that the viewer may take. */
  actions: TicketAction[];
}

/** The actions the ticket's state allows, whoever looks. */
export function actionsForState(t: Pick<Ticket, 'status' | 'elevated'>): TicketAction[] {
  if (!isOpen(t)) return ['history'];
  return [...(t.status === 'new' || t.status === 'assigned' ? (['ack'] as const) : []), 'escalate', ...(t.elevated ? [] : (['elevate'] as const)), 'resolve', 'history'];
}

/**
 * May this person take this action on this ticket? The one place the views ask the
 * authorization table (src/app/authorize.ts), so a button is shown exactly when the use case
 * behind it would accept it. Escalate is offered to those who may escalate at once and to
 * those who may request it (seed 000); the use case decides which it becomes.
 */
export function viewerMay(dir: Directory, personId: string, action: TicketAction, t: Ticket, now: Date): boolean {
  const p = dir.person(personId);
  if (!p) return false;
  const may = (a: Action) => personMay(dir, p, a, t, now);
  switch (action) {
    case 'ack':
      return may('acknowledge');
    case 'escalate':
      return may('escalate_now') || may('request_escalation');
    case 'elevate':
      return may('elevate');
    case 'resolve':
      return may('resolve');
    case 'history':
      return may('view');
  }
}

function summary(esc: StoredEscalation | null): EscalationSummary | null {
  if (!esc) return null;
  const base = { planName: esc.plan.name, steps: esc.plan.steps.length, nextDueAt: esc.nextDueAt ? new Date(esc.nextDueAt) : null, fired: esc.fired, kind: esc.kind };
  if (esc.status === 'active') return { ...base, status: 'active', nextStep: Math.min(esc.stepIndex + 1, esc.plan.steps.length) };
  if (esc.status === 'exhausted') return { ...base, status: 'exhausted', nextStep: esc.plan.steps.length, nextDueAt: null };
  if (esc.status === 'acknowledged') return { ...base, status: 'stopped', nextStep: esc.stepIndex + 1, nextDueAt: null };
  return null;
}

/** The view, from what the caller already loaded (pure: no repository, no clock). */
export function ticketViewOf(dir: Directory, t: Ticket, esc: StoredEscalation | null, viewerId: string | null, now: Date): TicketView {
  const name = (id: string | null) => (id ? (dir.person(id)?.name ?? id) : null);
  const kind = t.escalationKind ?? esc?.kind ?? null;
  const state = actionsForState(t);
  return {
    id: t.id,
    key: formatTicketKey(t.number),
    number: t.number,
    title: t.title,
    description: t.description,
    priority: t.priority,
    impact: t.impact,
    status: t.status,
    open: isOpen(t),
    teamName: dir.team(t.teamId)?.name ?? t.teamId,
    assigneeName: name(t.assigneeId),
    requesterName: name(t.requesterId),
    escalationLabel: escalationLabel({ elevated: t.elevated, escalated: t.escalated || kind === 'major' || kind === 'manager_request', escalationKind: kind }),
    elevated: t.elevated,
    escalated: t.escalated,
    escalationKind: kind,
    acknowledgedBy: name(t.acknowledgedBy),
    acknowledgedAt: t.acknowledgedAt ? new Date(t.acknowledgedAt) : null,
    resolvedBy: name(t.resolvedBy),
    resolvedAt: t.resolvedAt ? new Date(t.resolvedAt) : null,
    escalation: summary(esc),
    createdAt: new Date(t.createdAt),
    updatedAt: new Date(t.updatedAt),
    responseDueAt: t.sla.responseDueAt ? new Date(t.sla.responseDueAt) : null,
    now,
    timeZone: dir.org.timeZone,
    viewerId,
    actions: viewerId === null ? state : state.filter((a) => viewerMay(dir, viewerId, a, t, now)),
  };
}

/** The ticket's newest escalation, live or not: the view says how the last one ended. */
/** What building a view reads (a slice of AppDeps, named here so the ports can import the view without a cycle). */
export interface TicketViewDeps {
  escalations: Pick<EscalationRepository, 'forTicket'>;
  directory(): Directory;
  clock: { now(): Date };
}

export async function latestEscalation(deps: Pick<TicketViewDeps, 'escalations'>, ticketId: string): Promise<StoredEscalation | null> {
  const all = await deps.escalations.forTicket(ticketId);
  return all.sort((a, b) => new Date(b.startedAt).getTime() - new Date(a.startedAt).getTime())[0] ?? null;
}

/**
 * Builds the view of a ticket for a viewer (null: a message anyone may see, such as a
 * channel post, shows the actions that apply to the ticket's state).
 */
export async function buildTicketView(deps: TicketViewDeps, ticket: Ticket, viewerPersonId: string | null, esc?: StoredEscalation | null): Promise<TicketView> {
  const e = esc !== undefined ? esc : await latestEscalation(deps, ticket.id);
  return ticketViewOf(deps.directory(), ticket, e, viewerPersonId, deps.clock.now());
}

const QUIET = new Set(['ticket.commented', 'escalation.audit_stuck', 'escalation.step_skipped']);

/** Whether an event of this type can change what a ticket's messages show (the timeline marks them stale). */
export function changesTicketView(type: string): boolean {
  if (QUIET.has(type)) return false;
  return type.startsWith('ticket.') || type.startsWith('escalation.') || type.startsWith('request.') || type === 'major.declared' || type === 'major.closed';
}
