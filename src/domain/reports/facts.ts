/**
 * Per-ticket report facts (issue 8), folded from one ticket's timeline. Pure: no clock, no
 * database. A fact is what the reports need to know about a ticket, compact enough that a year
 * of them (100,000) reads in well under a second from the `report_days` rollups.
 *
 * Times are epoch milliseconds (numbers): exact, compact, and equal after a round trip
 * through the database, so a stored fact can be compared with a recomputed one as JSON.
 *
 * Anything that depends on "now" (is an open ticket past its resolution target yet?) is NOT
 * in the fact: src/domain/reports/compute.ts decides it at report time from the due times.
 */
import type { Priority } from '../ticket.js';
import { PRIORITIES } from '../ticket.js';
import { formatTicketKey } from '../ticket-number.js';

/** The kinds of escalation a ticket went through (one count per ticket per kind). */
export const FACT_KINDS = ['automatic', 'manual', 'manager_request', 'major', 'functional', 'hierarchical', 'elevated'] as const;
export type FactKind = (typeof FACT_KINDS)[number];

/** Titles are cut to this many characters in facts (the report shows them in lists and CSV). */
export const FACT_TITLE_MAX = 80;

export interface TicketFact {
  ticketId: string;
  number: number;
  /** 'ESC-42'. */
  key: string;
  title: string;
  /** The ticket's current team (after functional moves). */
  teamId: string;
  priority: Priority;
  /** Where it came from: slack, teams, api, alert, email, sms. */
  source: string;
  /** The plan of the first escalation, or null when none ran. */
  planId: string | null;
  /** Sorted, unique. */
  kinds: FactKind[];
  openedAt: number;
  /** Response target of the SLA clock in effect (a functional move restarts the clock). */
  responseDueAt: number | null;
  /** The latest resolution target (moves and resumes recompute it). */
  resolutionDueAt: number | null;
  /** First response (acknowledge, start of work, or resolve) to the clock in effect; a move clears it. */
  respondedAt: number | null;
  /** The engine recorded a response breach (sla.response_breached) at some point. */
  responseBreachRecorded: boolean;
  /** While on hold (pending), when the hold began: the clocks do not run meanwhile. */
  pausedAt: number | null;
  /** First time somebody took the ticket: acknowledged (any channel) or started work. */
  acknowledgedAt: number | null;
  /** Person id, or 'via:<channel>' for an anonymous acknowledgement. */
  acknowledgedBy: string | null;
  /** The plan step that was out when it was acknowledged (1-based), or null (no plan running / none fired). */
  ackStep: number | null;
  /** The channel the acknowledgement came through (actor.via): slack, teams, sms, voice, email, api… */
  ackChannel: string | null;
  /** The last resolution; a reopen clears it. */
  resolvedAt: number | null;
  /** Highest escalation level reached (0 = front line). */
  maxLevel: number;
  /** Manager escalation request: ms from the request to a coordinator's claim (the first claim). */
  requestWaitMs: number | null;
  satisfactionScore: number | null;
  satisfactionComment: string | null;
  satisfactionAt: number | null;
  status: string;
  /** Issue 14: `/esc snooze` of its ack-timeout chase (how many, and the minutes asked for in all, in ms). */
  snoozes: number;
  snoozedMs: number;
  /** Issue 14: times an acknowledged ticket nobody updated went back to its plan (`escalation.ack_timeout`). */
  ackTimeouts: number;
}

/** The subset of a timeline event the fold reads (src/app/ports/timeline.ts TimelineEvent fits). */
export interface FactEvent {
  id: string;
  ticketId: string;
  at: Date;
  type: string;
  actor: { personId: string | null; via: string } | null;
  data: Record<string, unknown>;
}

/** The event types foldFacts reads: the only ones the rollups load (deliveries and comments are most of a timeline). */
export const FOLDED_EVENT_TYPES = [
  'ticket.opened',
  'ticket.assigned',
  'ticket.acknowledged',
  'ticket.started',
  'ticket.pending',
  'ticket.resumed',
  'ticket.resolved',
  'ticket.closed',
  'ticket.reopened',
  'ticket.elevated',
  'ticket.moved',
  'sla.response_breached',
  'escalation.started',
  'escalation.acknowledged',
  'escalation.resolved',
  'escalation.hierarchical',
  'escalation.requested',
  'escalation.request_claimed',
  'major.declared',
  'satisfaction.recorded',
  'ticket.snoozed',
  'escalation.ack_timeout',
] as const;

const FOLDED = new Set<string>(FOLDED_EVENT_TYPES);

/**
 * Event types that change a fact: the Mongo timeline marks a ticket's rollup dirty when one of
 * these is appended. Exactly the types the fold reads (step firings, deliveries, comments,
 * audits… change nothing in a fact and are most of a timeline, so they cost no rollup work).
 * A fold that learns to read a new type must list it in FOLDED_EVENT_TYPES.
 */
export function isFactEvent(type: string): boolean {
  return FOLDED.has(type);
}

const ms = (v: unknown): number | null => {
  if (v === null || v === undefined) return null;
  const t = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? t : null;
};
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Folds one ticket's events into its fact, or null when the ticket's `ticket.opened` event is
 * missing. Events are taken in time order; events with the same `at` keep the order given
 * (the repositories give write order, which is what happened: with a test clock a resolve
 * and a reopen often share one instant, and sorting those by id would be a coin toss).
 */
export function foldFacts(events: readonly FactEvent[]): TicketFact | null {
  const sorted = events.map((e, i) => ({ e, i, at: e.at instanceof Date ? e.at.getTime() : new Date(e.at).getTime() }));
  sorted.sort((a, b) => a.at - b.at || a.i - b.i);
  let f: TicketFact | null = null;
  const kinds = new Set<FactKind>();
  /** Escalations started and not yet ended or acknowledged, in start order. */
  const live: string[] = [];
  /** The escalation that was live when the ticket was first taken: its acknowledgement names the step. */
  let ackEscalation: string | null = null;
  let ackStepKnown = false;

  for (const { e, at } of sorted) {
    const d = e.data ?? {};
    if (e.type === 'ticket.opened') {
      if (f) continue; // one opening per ticket; a replay changes nothing
      const number = num(d.number) ?? 0;
      const priority = (PRIORITIES as readonly string[]).includes(String(d.priority)) ? (d.priority as Priority) : 'P3';
      f = {
        ticketId: e.ticketId,
        number,
        key: str(d.key) ?? formatTicketKey(number),
        title: (str(d.title) ?? '').slice(0, FACT_TITLE_MAX),
        teamId: str(d.teamId) ?? '',
        priority,
        source: str(d.source) ?? e.actor?.via ?? 'api',
        planId: null,
        kinds: [],
        openedAt: at,
        responseDueAt: ms(d.responseDueAt),
        resolutionDueAt: ms(d.resolutionDueAt),
        respondedAt: null,
        responseBreachRecorded: false,
        pausedAt: null,
        acknowledgedAt: null,
        acknowledgedBy: null,
        ackStep: null,
        ackChannel: null,
        resolvedAt: null,
        maxLevel: 0,
        requestWaitMs: null,
        satisfactionScore: null,
        satisfactionComment: null,
        satisfactionAt: null,
        status: str(d.assigneeId) ? 'assigned' : 'new',
        snoozes: 0,
        snoozedMs: 0,
        ackTimeouts: 0,
      };
      continue;
    }
    if (!f) continue; // events before the opening (should not happen) are ignored
    const to = str(d.to);
    const by = str(d.by) ?? e.actor?.personId ?? (e.actor ? `via:${e.actor.via}` : null);
    const via = str(d.via) ?? e.actor?.via ?? null;
    const level = num(d.level);
    if (level !== null && level > f.maxLevel) f.maxLevel = level;

    const takeIt = (withEscalation: boolean) => {
      if (f!.acknowledgedAt === null) {
        f!.acknowledgedAt = at;
        f!.acknowledgedBy = by;
        f!.ackChannel = via;
        ackEscalation = withEscalation ? null : (live[live.length - 1] ?? null);
      }
      if (f!.respondedAt === null) f!.respondedAt = at;
    };

    switch (e.type) {
      case 'ticket.acknowledged':
      case 'ticket.started':
        takeIt(false);
        if (to) f.status = to;
        break;
      case 'ticket.resolved': {
        // Resolving from on hold resumes the clock first: the event carries the due times then in effect.
        const r = ms(d.responseDueAt);
        const s = ms(d.resolutionDueAt);
        if (r !== null && f.respondedAt === null) f.responseDueAt = r;
        if (s !== null) f.resolutionDueAt = s;
        if (f.respondedAt === null) f.respondedAt = at;
        f.resolvedAt = at;
        if (f.pausedAt !== null) f.pausedAt = null;
        f.status = to ?? 'resolved';
        break;
      }
      case 'ticket.reopened':
        f.resolvedAt = null;
        f.status = to ?? 'new';
        break;
      case 'ticket.pending':
        f.pausedAt ??= at;
        f.status = to ?? 'pending';
        break;
      case 'ticket.resumed': {
        f.pausedAt = null;
        const r = ms(d.responseDueAt);
        const s = ms(d.resolutionDueAt);
        if (r !== null && f.respondedAt === null) f.responseDueAt = r;
        if (s !== null) f.resolutionDueAt = s;
        f.status = to ?? 'in_progress';
        break;
      }
      case 'ticket.moved': {
        kinds.add('functional');
        f.teamId = str(d.to) ?? f.teamId;
        // The SLA clock restarts on the new team's calendar: a new response is due.
        f.responseDueAt = ms(d.responseDueAt) ?? f.responseDueAt;
        f.resolutionDueAt = ms(d.resolutionDueAt) ?? f.resolutionDueAt;
        f.respondedAt = null;
        f.pausedAt = null;
        f.status = 'new';
        live.length = 0; // the move ends the live escalation
        break;
      }
      case 'ticket.elevated':
        kinds.add('elevated');
        break;
      case 'ticket.assigned':
      case 'ticket.closed':
        if (to) f.status = to;
        break;
      case 'sla.response_breached':
        f.responseBreachRecorded = true;
        break;
      case 'escalation.started': {
        const k = str(d.kind);
        if (k && (FACT_KINDS as readonly string[]).includes(k)) kinds.add(k as FactKind);
        if (f.planId === null) f.planId = str(d.planId);
        const id = str(d.escalationId);
        if (id) live.push(id);
        break;
      }
      case 'escalation.acknowledged': {
        const id = str(d.escalationId);
        const fired = num(d.firedBeforeAck);
        const next = num(d.nextStep);
        // stepOut: the step that was out, recorded since the engine kept it. Older events only have
        // the next step, one past the step out while the plan runs (not once it ran out or repeated).
        const out = num(d.stepOut);
        const step = fired !== null && fired > 0 ? (out !== null && out >= 1 ? out : next !== null && next - 1 >= 1 ? next - 1 : null) : null;
        const first = f.acknowledgedAt === null;
        if (first) {
          takeIt(true);
          f.ackStep = step;
          ackStepKnown = true;
        } else if (!ackStepKnown && id !== null && id === ackEscalation) {
          // The same acknowledgement, recorded on the escalation right after the ticket: it names the step.
          f.ackStep = step;
          f.ackChannel = via ?? f.ackChannel;
          ackStepKnown = true;
        }
        if (f.respondedAt === null) f.respondedAt = at;
        if (id && live.includes(id)) live.splice(live.indexOf(id), 1);
        break;
      }
      case 'escalation.resolved': {
        const id = str(d.escalationId);
        if (id && live.includes(id)) live.splice(live.indexOf(id), 1);
        break;
      }
      case 'escalation.hierarchical':
        kinds.add('hierarchical');
        break;
      case 'escalation.requested':
        kinds.add('manager_request');
        break;
      case 'escalation.request_claimed': {
        const w = num(d.waitedMs);
        if (f.requestWaitMs === null && w !== null) f.requestWaitMs = w;
        break;
      }
      case 'major.declared':
        kinds.add('major');
        break;
      case 'ticket.snoozed':
        f.snoozes++;
        f.snoozedMs += Math.max(0, (num(d.minutes) ?? 0) * 60_000);
        break;
      case 'escalation.ack_timeout':
        f.ackTimeouts++;
        break;
      case 'satisfaction.recorded': {
        const s = num(d.score);
        if (s !== null) {
          f.satisfactionScore = s;
          f.satisfactionComment = str(d.comment);
          f.satisfactionAt = at;
        }
        break;
      }
      default:
        break;
    }
  }
  if (!f) return null;
  f.kinds = FACT_KINDS.filter((k) => kinds.has(k));
  return f;
}
