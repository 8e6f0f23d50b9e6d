import { localTime } from '../../domain/time-text.js';
import { escalationLabel } from '../../domain/notice.js';
import { readFileSync } from 'node:fs';
import { Template } from 'adaptivecards-templating';
import type { AppDeps } from '../../app/deps.js';
import type { StoredEscalation } from '../../app/ports/escalations.js';
import type { TimelineEvent } from '../../app/ports/timeline.js';
import type { Notice } from '../../domain/notice.js';
import { ageText } from '../../domain/notice.js';
import type { Ticket } from '../../domain/ticket.js';
import { isOpen } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import { describeEvent } from './teams-text.js';

export const CARD_NAMES = ['ticket-form', 'ticket', 'escalation-dm', 'escalate-request', 'status-history', 'report', 'escalation-request', 'coordinator-notice', 'major-summary', 'task-list', 'satisfaction', 'war-room-post'] as const;
export type CardName = (typeof CARD_NAMES)[number];
/** An Adaptive Card as JSON. */
export type AdaptiveCardJson = Record<string, unknown> & { type: 'AdaptiveCard' };

/** Teams refuses messages over about 100 KB (cards count in full); stay well under. */
export const MAX_CARD_BYTES = 80 * 1024;
const CARDS_DIR = new URL('../../../cards/', import.meta.url);
const cache = new Map<CardName, Template>();

function template(name: CardName): Template {
  let t = cache.get(name);
  if (!t) {
    t = new Template(JSON.parse(readFileSync(new URL(`${name}.json`, CARDS_DIR), 'utf8')) as object);
    cache.set(name, t);
  }
  return t;
}

/** Expands a card template from cards/ with data. Data values are inserted as text, never re-expanded. */
export function renderCard(name: CardName, data: Record<string, unknown>): AdaptiveCardJson {
  const card = template(name).expand({ $root: data }) as AdaptiveCardJson;
  delete card.$schema;
  return card;
}

/** Bytes of a card as sent. */
export function cardBytes(card: object): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

/**
 * Elevated vs escalated (seed 001) as a Teams badge: "ESCALATED · major", "ELEVATED", both,
 * or '' for an ordinary ticket.
 */
export function badgeText(t: { elevated: boolean; escalated: boolean; escalationKind?: string | null }, kind?: string | null): string {
  const k = kind ?? t.escalationKind ?? null;
  // The same words as every other channel (src/domain/notice.ts).
  return escalationLabel({ elevated: t.elevated, escalated: t.escalated || k === 'major' || k === 'manager_request', escalationKind: k }) ?? '';
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const PRIORITY_STYLE: Record<string, string> = { P1: 'attention', P2: 'warning', P3: 'emphasis', P4: 'default' };

/** A time in the organisation's zone, as Slack, email and the after-action report show it. */
function when(d: Date | null, now: Date, zone: string): string {
  if (!d) return '';
  return `${localTime(d, zone)} (${ageText(d, now)} ago)`;
}

function liveLines(deps: AppDeps, t: Ticket, esc: StoredEscalation | null, now: Date) {
  const dir = deps.directory();
  const ackBy = t.acknowledgedBy ? (dir.person(t.acknowledgedBy)?.name ?? t.acknowledgedBy) : null;
  const ackLine = ackBy && t.acknowledgedAt ? `Acknowledged by ${ackBy} at ${when(t.acknowledgedAt, now, dir.org.timeZone)}` : '';
  let stepLine = '';
  if (esc && (esc.status === 'active' || esc.status === 'exhausted')) {
    const steps = esc.plan.steps.length;
    stepLine = esc.status === 'exhausted' ? `Escalation plan "${esc.plan.name}" ran out of steps: nobody acknowledged.` : `Escalating: next step ${Math.min(esc.stepIndex + 1, steps)} of ${steps}${esc.nextDueAt ? ` due ${when(esc.nextDueAt, now, dir.org.timeZone).replace(/ \(.*\)$/, '')}` : ''} (plan "${esc.plan.name}")`;
  } else if (esc && esc.status === 'acknowledged') {
    stepLine = `Escalation stopped after ${esc.fired} step${esc.fired === 1 ? '' : 's'}.`;
  }
  return { ackLine, showAck: ackLine !== '', stepLine, showStep: stepLine !== '' };
}

/** The ticket card: who acknowledged and when, the current escalation step, the actions. */
export function ticketCard(deps: AppDeps, t: Ticket, esc: StoredEscalation | null, note?: string): AdaptiveCardJson {
  const dir = deps.directory();
  const now = deps.clock.now();
  const style = PRIORITY_STYLE[t.priority] ?? 'default';
  return renderCard('ticket', {
    key: formatTicketKey(t.number),
    title: clip(t.title, 200),
    priority: t.priority,
    style,
    elevated: t.elevated,
    escalatedBadge: badgeText({ ...t, elevated: false }, t.escalationKind ?? esc?.kind ?? null),
    showEscalated: badgeText({ ...t, elevated: false }, t.escalationKind ?? esc?.kind ?? null) !== '',
    open: isOpen(t),
    canAck: isOpen(t) && !t.acknowledgedBy,
    facts: [
      { label: 'Status', value: t.status.replace('_', ' ') },
      { label: 'Impact', value: t.impact },
      { label: 'Team', value: dir.team(t.teamId)?.name ?? t.teamId },
      { label: 'Assignee', value: dir.person(t.assigneeId)?.name ?? 'unassigned' },
      { label: 'Open for', value: ageText(t.createdAt, t.resolvedAt ?? now) },
      { label: 'Response due', value: t.sla.responseDueAt ? when(new Date(t.sla.responseDueAt), now, dir.org.timeZone).replace(/ \(.*\)$/, '') : '—' },
    ],
    ...liveLines(deps, t, esc, now),
    note: clip(note ?? '', 500),
    showNote: !!note,
    updatedLine: when(now, now, dir.org.timeZone).replace(/ \(.*\)$/, ''),
  });
}

/** The proactive escalation DM: the notice, then live state when re-rendered after an action. */
export function escalationDmCard(notice: Notice, live?: { deps: AppDeps; ticket: Ticket; escalation: StoredEscalation | null }): AdaptiveCardJson {
  const lines = live ? liveLines(live.deps, live.ticket, live.escalation, live.deps.clock.now()) : { ackLine: '', showAck: false, stepLine: '', showStep: false };
  const open = live ? isOpen(live.ticket) : notice.ticket.status !== 'resolved' && notice.ticket.status !== 'closed';
  const acked = live ? !!live.ticket.acknowledgedBy : false;
  const esc = notice.escalation;
  return renderCard('escalation-dm', {
    key: notice.ticket.key,
    banner: esc ? `${notice.urgent ? 'URGENT · ' : ''}Escalation step ${esc.step} of ${esc.steps}` : notice.urgent ? 'URGENT' : 'Esc',
    title: clip(notice.title, 200),
    badge: badgeText(notice.ticket, notice.ticket.escalationKind ?? notice.escalation?.kind ?? null),
    showBadge: badgeText(notice.ticket, notice.ticket.escalationKind ?? notice.escalation?.kind ?? null) !== '',
    text: clip(notice.text, 2000),
    facts: notice.facts.slice(0, 12).map((f) => ({ label: clip(f.label, 40), value: clip(f.value, 300) })),
    ...lines,
    open,
    canAck: open && !acked && notice.actions.includes('acknowledge'),
    // Information (an ETA to the user, "X claimed it") offers no ticket actions.
    canEscalate: open && notice.actions.includes('escalate'),
    canResolve: open && notice.actions.includes('resolve'),
  });
}

/** The form asking for a reason before escalating (seed 000: reason required, visible to all). */
export function escalateRequestCard(t: Ticket): AdaptiveCardJson {
  return renderCard('escalate-request', { key: formatTicketKey(t.number), title: clip(t.title, 200) });
}

/** The new-ticket form, with the organisation's teams to choose from. */
export function ticketFormCard(deps: AppDeps): AdaptiveCardJson {
  const dir = deps.directory();
  return renderCard('ticket-form', { defaultTeam: dir.org.defaultTeamId, teams: dir.allTeams().map((t) => ({ id: t.id, name: t.name })) });
}

/** Status and timeline; the newest events when the whole history would not fit. */
export function statusHistoryCard(deps: AppDeps, t: Ticket, events: TimelineEvent[], max = 40): AdaptiveCardJson {
  const dir = deps.directory();
  const shown = events.slice(-max);
  return renderCard('status-history', {
    key: formatTicketKey(t.number),
    title: clip(t.title, 200),
    facts: [
      { label: 'Status', value: t.status.replace('_', ' ') },
      { label: 'Priority', value: `${t.priority}${t.elevated ? ' (elevated)' : ''}` },
      { label: 'Team', value: dir.team(t.teamId)?.name ?? t.teamId },
      { label: 'Assignee', value: dir.person(t.assigneeId)?.name ?? 'unassigned' },
    ],
    events: shown.map((e) => ({ at: e.at.toISOString().slice(5, 16).replace('T', ' '), what: clip(describeEvent(dir, e), 300) })),
    showMore: events.length > shown.length,
    more: `${events.length - shown.length} earlier events not shown: GET /api/tickets/${formatTicketKey(t.number)}/timeline has them all.`,
  });
}
