import { localTime } from '../../domain/time-text.js';
import { escalationLabel } from '../../domain/notice.js';
import { readFileSync } from 'node:fs';
import { Template } from 'adaptivecards-templating';
import type { AppDeps } from '../../app/deps.js';
import type { TicketView } from '../../app/views/ticket-view.js';
import { MORE_LABELS, MORE_NEEDS_TEXT } from '../../app/views/ticket-view.js';
import type { Notice } from '../../domain/notice.js';
import { ageText } from '../../domain/notice.js';
import type { Ticket } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';

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

function liveLines(v: TicketView) {
  const { now, timeZone } = v;
  const ackLine = v.acknowledgedBy && v.acknowledgedAt ? `Acknowledged by ${v.acknowledgedBy} at ${when(v.acknowledgedAt, now, timeZone)}` : '';
  const e = v.escalation;
  let stepLine = '';
  if (e?.status === 'exhausted') stepLine = `Escalation plan "${e.planName}" ran out of steps: nobody acknowledged.`;
  else if (e?.status === 'active') {
    stepLine = `Escalating: next step ${e.nextStep} of ${e.steps}${e.nextDueAt ? ` due ${when(e.nextDueAt, now, timeZone).replace(/ \(.*\)$/, '')}` : ''} (plan "${e.planName}")`;
    // Who's next, from the engine's own decision code: "next: Dana Whitfield by voice at 14:05, then …".
    if (e.next.length > 0) stepLine += `. Next: ${e.next.map((x) => `${x.who} by ${x.channel} at ${localTime(x.at, timeZone)}`).join(', then ')}`;
  }
  else if (e?.status === 'stopped') stepLine = `Escalation stopped after ${e.fired} step${e.fired === 1 ? '' : 's'}.`;
  return { ackLine, showAck: ackLine !== '', stepLine, showStep: stepLine !== '' };
}

/** Per-viewer cards (Teams user-specific views): Teams asks the bot for each listed user's card with this verb. */
export const REFRESH_VERB = 'refresh';
/** Teams refreshes a card automatically for at most 60 listed users. */
export const MAX_REFRESH_USERS = 60;

/** Adds a `refresh` so each listed user (Teams user MRIs) gets their own card, with only the buttons they may use. */
export function withRefresh(card: AdaptiveCardJson, key: string, userIds: string[]): AdaptiveCardJson {
  if (userIds.length === 0) return card;
  const action = { type: 'Action.Execute', title: 'Refresh', verb: REFRESH_VERB, data: { ticket: key } };
  return { ...card, refresh: { action, userIds: [...new Set(userIds)].slice(0, MAX_REFRESH_USERS) } };
}

/** Which ticket a rendered ticket card shows (so a reply carrying it can be recorded); not part of the JSON sent. */
const CARD_TICKET = new WeakMap<object, string>();
export function ticketIdOfCard(card: AdaptiveCardJson): string | null {
  return CARD_TICKET.get(card) ?? null;
}

/** The ticket card, a pure function of the view: who acknowledged and when, the escalation step, the actions. */
export function ticketCard(v: TicketView, note?: string, refreshUserIds: string[] = []): AdaptiveCardJson {
  const { now, timeZone } = v;
  if (v.confidential && v.viewerId === null) {
    // A confidential ticket's shared card: only its key; those who may see it get their own card by refresh (issue 16).
    const card: AdaptiveCardJson = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: `${v.key}: confidential`, weight: 'Bolder', wrap: true }, { type: 'TextBlock', text: `Only the requester, the team, coordinators, escalation managers and admins see it: type "status ${v.key}".`, wrap: true, isSubtle: true }] };
    const out = withRefresh(card, v.key, refreshUserIds);
    CARD_TICKET.set(out, v.id);
    return out;
  }
  const escalated = v.escalated || v.escalationKind === 'major' || v.escalationKind === 'manager_request';
  const escalatedBadge = escalationLabel({ elevated: false, escalated, escalationKind: v.escalationKind }) ?? '';
  const card = renderCard('ticket', {
    key: v.key,
    title: clip(v.title, 200),
    priority: v.priority,
    style: PRIORITY_STYLE[v.priority] ?? 'default',
    elevated: v.elevated,
    escalatedBadge,
    showEscalated: escalatedBadge !== '',
    canAck: v.actions.includes('ack'),
    canEscalate: v.actions.includes('escalate'),
    canElevate: v.actions.includes('elevate'),
    canResolve: v.actions.includes('resolve'),
    canHistory: v.actions.includes('history'),
    facts: [
      { label: 'Status', value: v.status.replace('_', ' ') },
      { label: 'Impact', value: v.impact },
      { label: 'Team', value: v.teamName },
      { label: 'Assignee', value: v.assigneeName ?? 'unassigned' },
      { label: 'Open for', value: ageText(v.createdAt, v.resolvedAt ?? now) },
      { label: 'Response due', value: v.responseDueAt ? when(v.responseDueAt, now, timeZone).replace(/ \(.*\)$/, '') : '—' },
    ],
    ...liveLines(v),
    note: clip(note ?? '', 500),
    showNote: !!note,
    updatedLine: when(now, now, timeZone).replace(/ \(.*\)$/, ''),
  });
  const out = withRefresh(v.more.length > 0 ? withMore(card, v) : card, v.key, refreshUserIds);
  CARD_TICKET.set(out, v.id);
  return out;
}

/** The "More" action set (issue 16): a box for the words (reason, note, team, @person) and the viewer's actions. */
function withMore(card: AdaptiveCardJson, v: TicketView): AdaptiveCardJson {
  const words = v.more.some((m) => MORE_NEEDS_TEXT.includes(m));
  const actions = v.more.map((m) => ({ type: 'Action.Execute', title: MORE_LABELS[m].replace(/…$/, ''), verb: 'more', data: { ticket: v.key, do: m }, fallback: { type: 'Action.Submit', title: MORE_LABELS[m].replace(/…$/, ''), data: { verb: 'more', ticket: v.key, do: m } } }));
  const body = words ? [{ type: 'Input.Text', id: 'text', isMultiline: true, maxLength: 2000, placeholder: 'Reason, note, team or @person (for the actions that need words)' }] : [];
  const more = { type: 'Action.ShowCard', title: 'More', card: { type: 'AdaptiveCard', version: '1.5', body, actions } };
  return { ...card, actions: [...((card.actions as unknown[] | undefined) ?? []), more] };
}

/** The proactive escalation DM: the notice, then live state (the recipient's view) when re-rendered. */
export function escalationDmCard(notice: Notice, live?: TicketView): AdaptiveCardJson {
  const lines = live ? liveLines(live) : { ackLine: '', showAck: false, stepLine: '', showStep: false };
  const open = live ? live.open : notice.ticket.status !== 'resolved' && notice.ticket.status !== 'closed';
  const may = (a: 'ack' | 'escalate' | 'resolve') => !live || live.actions.includes(a);
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
    canAck: open && may('ack') && notice.actions.includes('acknowledge'),
    // Information (an ETA to the user, "X claimed it") offers no ticket actions.
    canEscalate: open && may('escalate') && notice.actions.includes('escalate'),
    canResolve: open && may('resolve') && notice.actions.includes('resolve'),
  });
}

/** The form asking for a reason before escalating (seed 000: reason required, visible to all). */
export function escalateRequestCard(t: Ticket): AdaptiveCardJson {
  return renderCard('escalate-request', { key: formatTicketKey(t.number), title: clip(t.title, 200) });
}

/** The new-ticket form, with the organisation's teams to choose from; the title typed after `ticket` and the Confidential toggle prefilled. */
export function ticketFormCard(deps: AppDeps, prefill: { title?: string; confidential?: boolean } = {}): AdaptiveCardJson {
  const dir = deps.directory();
  const card = renderCard('ticket-form', { defaultTeam: dir.org.defaultTeamId, teams: dir.allTeams().map((t) => ({ id: t.id, name: t.name })), confidential: prefill.confidential ? 'true' : 'false' });
  if (!prefill.title) return card;
  return { ...card, body: (card.body as Record<string, unknown>[]).map((b) => (b.id === 'title' ? { ...b, value: prefill.title } : b)) };
}
