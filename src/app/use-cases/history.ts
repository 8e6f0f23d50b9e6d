import { DateTime } from 'luxon';
import type { Directory } from '../../domain/directory.js';
import type { Ticket } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import type { AppDeps } from '../deps.js';
import type { Delivery } from '../ports/deliveries.js';
import type { TimelineEvent } from '../ports/timeline.js';
import { requireVisibleTicket } from './ticket-access.js';
import type { Actor } from '../ports/timeline.js';

/**
 * The history of one ticket (seeds 002/003: when it was created, each step's time and method,
 * who acknowledged it and when, escalation requests, coordinator actions, comments, the
 * resolution), built once from the timeline and the deliveries, as neutral rows that the
 * Slack, Teams and API renderers show their own way.
 */

export type HistoryKind = 'created' | 'step' | 'notified' | 'acknowledged' | 'request' | 'coordinator' | 'escalation' | 'major' | 'comment' | 'change' | 'sla' | 'feedback' | 'resolved' | 'other';

/** One message of a step to one recipient. */
export interface HistoryDelivery {
  to: string;
  channel: string;
  /** queued, sending, sent, delivered, failed, cancelled, outboxed (written down, NOT sent). */
  status: string;
  sentAt: Date | null;
  /** From when the step was due to when this message left. */
  lateMs: number | null;
  error: string | null;
  /** A fallback to the person's next contact method. */
  fallback: boolean;
}

export interface HistoryStep {
  escalationId: string;
  step: number;
  round: number;
  channel: string;
  dueAt: Date | null;
  firedAt: Date;
  /** From when the step was due to when Esc fired it. */
  lateMs: number | null;
  /** Who the step was aimed at: assignee, on_call, manager, a person… */
  targets: string[];
  deliveries: HistoryDelivery[];
}

export interface HistoryRow {
  at: Date;
  kind: HistoryKind;
  /** One plain sentence (no markup). */
  text: string;
  /** Who did it (a person's name, or the system), and through which channel. */
  by: string | null;
  via: string | null;
  /** The timeline event type it came from. */
  event: string;
  step?: HistoryStep;
}

export interface TicketHistory {
  ticket: Ticket;
  key: string;
  /** The zone its times are written in. */
  zone: string;
  rows: HistoryRow[];
}

const MAX_EVENTS = 5000;
const MAX_DELIVERIES = 2000;

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : v === null || v === undefined ? null : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null);
const date = (v: unknown): Date | null => {
  if (v instanceof Date) return v;
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
};
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
/** A time in the reader's zone, the zone shown: "2026-11-23 09:00 PST". */
const hhmm = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toFormat('yyyy-MM-dd HH:mm ZZZZ');
/** The clock time only, zone shown: "09:00 PST". */
const clock = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toFormat('HH:mm ZZZZ');

export function minutesText(ms: number | null): string {
  if (ms === null) return '';
  const m = Math.round(ms / 60_000);
  if (m < 1) return `${Math.round(ms / 1000)}s`;
  return m < 120 ? `${m}m` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** The rows of a ticket's history, oldest first. */
export async function ticketHistory(deps: AppDeps, ref: string | number, zone?: string, viewer?: Actor): Promise<TicketHistory> {
  const ticket = await requireVisibleTicket(deps, ref, viewer);
  const [events, deliveries] = await Promise.all([deps.timeline.forTicket(ticket.id, MAX_EVENTS), deps.deliveries.list({ ticketId: ticket.id }, MAX_DELIVERIES)]);
  const z = zone ?? deps.directory().org.timeZone;
  return { ticket, key: formatTicketKey(ticket.number), zone: z, rows: historyRows(deps.directory(), ticket, events, deliveries, z) };
}

/** Pure: the rows from the events and deliveries (exported for tests). */
export function historyRows(dir: Directory, ticket: Ticket, events: TimelineEvent[], deliveries: Delivery[], zone = 'UTC'): HistoryRow[] {
  const name = (id: unknown) => (typeof id === 'string' ? (dir.person(id)?.name ?? id) : null);
  const teamName = (id: unknown) => (typeof id === 'string' ? (dir.team(id)?.name ?? id) : '?');
  const bySeq = new Map<string, Delivery[]>();
  const loose: Delivery[] = [];
  for (const d of [...deliveries].sort((a, b) => new Date(a.queuedAt).getTime() - new Date(b.queuedAt).getTime() || a.fallbackIndex - b.fallbackIndex)) {
    if (d.escalationId && d.seq !== null) {
      const k = `${d.escalationId}:${d.seq}`;
      bySeq.set(k, [...(bySeq.get(k) ?? []), d]);
    } else loose.push(d);
  }
  const deliveryView = (d: Delivery): HistoryDelivery => ({
    to: d.recipient.name ?? name(d.recipient.personId) ?? (d.recipient.channelId ? `#${d.recipient.channelId}` : 'someone'),
    channel: d.channel,
    status: d.status,
    sentAt: d.sentAt ? new Date(d.sentAt) : null,
    lateMs: d.lateMs,
    error: d.error ? `${d.error.code}${d.error.message ? `: ${clip(d.error.message, 120)}` : ''}` : null,
    fallback: d.fallbackIndex > 0,
  });

  // One acknowledgement line: the escalation's (it says which step) wins over the ticket's own.
  const escAcks = events.filter((e) => e.type === 'escalation.acknowledged');
  const dupAck = (e: TimelineEvent) => escAcks.some((a) => Math.abs(a.at.getTime() - e.at.getTime()) < 5000 && (a.actor?.personId ?? null) === (e.actor?.personId ?? null));
  const resolvedAt = events.filter((e) => e.type === 'ticket.resolved').map((e) => e.at.getTime());

  const rows: HistoryRow[] = [];
  for (const e of events) {
    const d = e.data ?? {};
    const who = e.actor ? (e.actor.personId ? name(e.actor.personId) : (e.actor.name ?? null)) : null;
    const via = e.actor?.via && e.actor.via !== 'engine' ? e.actor.via : null;
    const row = (kind: HistoryKind, text: string, extra: Partial<HistoryRow> = {}) => rows.push({ at: e.at, kind, text, by: who, via, event: e.type, ...extra });
    const byText = who ? ` by ${who}${via ? ` (${via})` : ''}` : via ? ` (${via})` : '';
    const reason = str(d.reason) ?? str(d.note);
    const tail = reason ? `: ${clip(reason, 300)}` : '';
    switch (e.type) {
      case 'ticket.opened':
        row('created', `Created${byText}: ${str(d.priority) ?? ticket.priority}, team ${teamName(d.teamId ?? ticket.teamId)}${str(d.source) ? `, from ${str(d.source)}` : ''}`);
        break;
      case 'ticket.assigned':
        row('change', `Assigned to ${name(d.assigneeId) ?? 'someone'}${byText}`);
        break;
      case 'ticket.acknowledged':
        if (!dupAck(e)) row('acknowledged', `Acknowledged${byText}`);
        break;
      case 'escalation.acknowledged': {
        const fired = num(d.firedBeforeAck);
        row('acknowledged', `Acknowledged${who || !str(d.by) ? byText : ` by ${name(d.by)}`}: escalation stopped${fired !== null ? ` after ${fired} step${fired === 1 ? '' : 's'}` : ''}`);
        break;
      }
      case 'ticket.started':
        row('change', `Work started${byText}`);
        break;
      case 'ticket.pending':
        row('change', `Waiting on the customer${byText} (SLA paused)${tail}`);
        break;
      case 'ticket.resumed':
        row('change', `Resumed${byText} (SLA running)`);
        break;
      case 'ticket.resolved':
        row('resolved', `Resolved${byText}${tail}`);
        break;
      case 'ticket.closed':
        row('resolved', `Closed${byText}`);
        break;
      case 'ticket.reopened':
        row('change', `Reopened${byText}${tail}`);
        break;
      case 'ticket.commented':
        row('comment', `${who ?? 'Someone'}${via ? ` (${via})` : ''}: ${clip(str(d.text) ?? '', 500)}`);
        break;
      case 'ticket.elevated':
        row('escalation', `Elevated${byText}${tail}`);
        break;
      case 'ticket.moved':
        row('escalation', `Moved from ${teamName(d.from)} to ${teamName(d.to)} (functional escalation${num(d.level) !== null ? `, level ${num(d.level)}` : ''})${byText}${tail}`);
        break;
      case 'escalation.hierarchical':
        row('escalation', `Hierarchical escalation to ${name(d.to) ?? 'the next manager'}${num(d.level) !== null ? ` (level ${num(d.level)})` : ''}${byText}${tail}`);
        break;
      case 'alert.repeated':
        row('other', `The alert fired again${num(d.count) !== null ? ` (${num(d.count)} times)` : ''}`);
        break;
      case 'sla.response_breached': {
        const due = date(d.responseDueAt);
        row('sla', `Response SLA breached${due ? ` (was due ${hhmm(due, zone)})` : ''}`);
        break;
      }
      case 'sla.warning': {
        const due = date(d.dueAt);
        row('sla', `${str(d.what) === 'resolution' ? 'Resolution' : 'Response'} SLA warning${num(d.percent) !== null ? ` at ${num(d.percent)}%` : ''} to ${name(d.to) ?? 'nobody'}${due ? ` (due ${hhmm(due, zone)})` : ''}`);
        break;
      }
      case 'sla.resolution_breached': {
        const due = date(d.resolutionDueAt);
        row('sla', `Resolution SLA breached${due ? ` (was due ${hhmm(due, zone)})` : ''}${d.planStarted ? `: plan "${str(d.planId) ?? '?'}" started` : str(d.planId) ? ': an escalation was already running' : ''}`);
        break;
      }
      case 'escalation.ack_timeout':
        row('escalation', `Acknowledged but not updated for ${num(d.minutes) ?? '?'} business minutes: back to step 1 of the plan`);
        break;
      case 'ticket.snoozed': {
        const until = date(d.until);
        row('change', `Snoozed${byText}${until ? ` until ${hhmm(until, zone)}` : ''} (no ack-timeout chase)${tail}`);
        break;
      }
      case 'escalation.started':
        row('escalation', `Escalation started${byText} (${(str(d.kind) ?? 'automatic').replace(/_/g, ' ')}, plan "${str(d.planName) ?? str(d.planId) ?? '?'}"${num(d.steps) !== null ? `, ${num(d.steps)} steps` : ''})${tail}`);
        break;
      case 'escalation.step_fired': {
        const escId = str(d.escalationId) ?? '';
        const ds = (bySeq.get(`${escId}:${num(d.seq) ?? -1}`) ?? []).map(deliveryView);
        bySeq.delete(`${escId}:${num(d.seq) ?? -1}`);
        const targets = Array.isArray(d.targets) ? (d.targets as { personId?: string | null; channelId?: string | null; target?: string }[]).map((t) => (t.personId ? `${name(t.personId)}${t.target ? ` (${t.target.replace(/_/g, ' ')})` : ''}` : t.channelId ? `#${t.channelId}` : (t.target ?? '?'))) : [];
        const step: HistoryStep = { escalationId: escId, step: num(d.step) ?? 0, round: num(d.round) ?? 0, channel: str(d.channel) ?? '?', dueAt: date(d.dueAt), firedAt: e.at, lateMs: num(d.lateMs), targets, deliveries: ds };
        row('step', stepText(step, zone), { step });
        break;
      }
      case 'escalation.step_skipped':
        row('step', `Step ${num(d.step) ?? '?'}${num(d.round) ? ` (repeat ${num(d.round)})` : ''} by ${str(d.channel) ?? '?'} skipped: ${str(d.reason) ?? 'nobody to notify'}`);
        break;
      case 'escalation.escalated_now':
        row('escalation', `Escalated now${byText} to step ${num(d.toStep) ?? '?'}${tail}`);
        break;
      case 'escalation.exhausted':
        row('escalation', 'The plan ran out of steps with nobody acknowledging');
        break;
      case 'escalation.resolved':
        if (!resolvedAt.some((t) => Math.abs(t - e.at.getTime()) < 5000)) row('escalation', `Escalation ended${str(d.reason) ? ` (${str(d.reason)})` : ''}`);
        break;
      case 'escalation.audit_stuck':
        row('other', 'Audit: the escalation looked stuck and was picked up again');
        break;
      // Issue 7: manager escalation requests (seed 000) and what the coordinators did.
      case 'escalation.requested':
        row('request', `Escalation requested by ${name(d.requestedBy) ?? who ?? 'someone'}${str(d.urgency) ? ` (${str(d.urgency)})` : ''}${tail}`);
        break;
      case 'escalation.request_claimed':
        row('coordinator', `${name(d.by) ?? who ?? 'A coordinator'} took the request${num(d.waitedMs) !== null ? ` after ${minutesText(num(d.waitedMs))}` : ''}`);
        break;
      case 'escalation.request_reminded':
        row('coordinator', `Coordinators reminded of the request${num(d.reminder) !== null ? ` (reminder ${num(d.reminder)})` : ''}`);
        break;
      case 'escalation.request_escalated':
        row('coordinator', `Request passed up to ${name(d.to) ?? 'the next level'}`);
        break;
      case 'coordination.reviewed':
        row('coordinator', `Reviewed${byText}`);
        break;
      case 'coordination.eta_sent': {
        const eta = date(d.eta);
        row('coordinator', `ETA${eta ? ` ${hhmm(eta, zone)}` : ''} sent to ${name(d.to) ?? 'the requester'}${byText}${str(d.message) ? `: ${clip(str(d.message)!, 300)}` : ''}`);
        break;
      }
      case 'coordination.manager_informed':
        row('coordinator', `Manager ${name(d.to) ?? ''} informed${byText}${str(d.message) ? `: ${clip(str(d.message)!, 300)}` : ''}`.replace('Manager  ', 'Manager '));
        break;
      case 'coordination.owner_engaged':
        row('coordinator', `Service owner ${name(d.ownerId) ?? ''} engaged${byText}${str(d.message) ? `: ${clip(str(d.message)!, 300)}` : ''}`);
        break;
      case 'satisfaction.recorded':
        row('feedback', `Satisfaction ${num(d.score) ?? '?'}/5${who ? ` from ${who}` : ''}${str(d.comment) ? `: ${clip(str(d.comment)!, 300)}` : ''}`);
        break;
      default:
        if (e.type.startsWith('delivery.')) break; // folded into their step (or listed below)
        if (e.type.startsWith('major.') || e.type.startsWith('problem.')) row('major', majorText(e, name) + byText);
        else row('other', `${e.type.replace(/[._]/g, ' ')}${byText}`);
    }
  }
  // Messages outside a step (one-off notices), and messages of a step whose event is missing.
  for (const d of [...loose, ...[...bySeq.values()].flat()]) {
    const v = deliveryView(d);
    rows.push({ at: new Date(d.queuedAt), kind: 'notified', text: `Message to ${v.to} by ${v.channel}: ${deliveryStatusText(v, zone)}`, by: null, via: null, event: 'delivery' });
  }
  return rows.sort((a, b) => a.at.getTime() - b.at.getTime());
}

function majorText(e: TimelineEvent, name: (id: unknown) => string | null): string {
  const d = e.data ?? {};
  switch (e.type) {
    case 'major.declared':
      return `Major escalation declared${str(d.reason) ? `: ${clip(str(d.reason)!, 300)}` : ''}`;
    case 'major.war_room_opened':
      return 'War room opened';
    case 'major.role_assigned':
      return `${name(d.personId) ?? 'Someone'} is ${(str(d.role) ?? 'a member').replace(/_/g, ' ')}`;
    case 'major.task_added':
      return `Task ${num(d.n) ?? ''} added: ${clip(str(d.title) ?? '', 200)}${d.ownerId ? ` (${name(d.ownerId)})` : ''}`;
    case 'major.task_done':
      return `Task ${num(d.n) ?? ''} done`;
    case 'major.task_overdue':
      return `Task ${num(d.n) ?? ''} overdue${d.ownerId ? ` (${name(d.ownerId)})` : ''}`;
    case 'major.update_sent':
      return `Customer update sent${str(d.text) ? `: ${clip(str(d.text)!, 300)}` : ''}`;
    case 'major.executives_alerted':
      return 'Executives alerted';
    case 'problem.linked':
      return `Linked to problem ${str(d.number) ?? str(d.problemId) ?? ''}`;
    case 'major.resolved':
      return 'Major escalation resolved; warranty period started';
    case 'major.recurred':
      return 'The problem recurred during the warranty period';
    default:
      return e.type.replace(/^major\./, 'Major escalation: ').replace(/_/g, ' ');
  }
}

export function deliveryStatusText(d: HistoryDelivery, zone = 'UTC'): string {
  const late = d.lateMs !== null && d.lateMs >= 60_000 ? `, ${minutesText(d.lateMs)} late` : '';
  switch (d.status) {
    case 'sent':
    case 'delivered':
      return `${d.status}${d.sentAt ? ` ${clock(d.sentAt, zone)}` : ''}${late}`;
    case 'failed':
      return `failed${d.error ? ` (${d.error})` : ''}`;
    case 'outboxed':
      return 'NOT sent (no channel configured; in the outbox)';
    case 'cancelled':
      return 'cancelled (acknowledged first)';
    default:
      return d.status;
  }
}

/** "Step 2 by sms, due 10:30, fired 10:31 (1m late), to Alice Ng (on call): Alice Ng sent 10:31" */
export function stepText(s: HistoryStep, zone = 'UTC'): string {
  const head = `Step ${s.step}${s.round ? ` (repeat ${s.round})` : ''} by ${s.channel}`;
  const due = s.dueAt ? `, due ${clock(s.dueAt, zone)}` : '';
  const late = s.lateMs !== null && s.lateMs >= 60_000 ? ` (${minutesText(s.lateMs)} late)` : '';
  const targets = s.targets.length > 0 ? ` to ${s.targets.join(', ')}` : '';
  const msgs = s.deliveries.length > 0 ? `: ${s.deliveries.map((d) => `${d.to}${d.fallback || d.channel !== s.channel ? ` by ${d.channel}` : ''} ${deliveryStatusText(d, zone)}`).join('; ')}` : '';
  return `${head}${due}, fired ${clock(s.firedAt, zone)}${late}${targets}${msgs}`;
}
