import type { Notice, NoticeAction } from '../../domain/notice.js';
import { escalationLabel } from '../../domain/notice.js';
import type { TicketAction, TicketView } from '../../app/views/ticket-view.js';

/** Block Kit limits this renderer keeps to. */
export const MAX_SECTION_TEXT = 3000;
export const MAX_BLOCKS = 50;
const MAX_FIELDS = 10;
const MAX_FIELD_TEXT = 2000;

/** Block Kit is plain JSON; a loose record keeps this renderer free of SDK types. */
export type Block = Record<string, unknown>;

/** Button action ids; the value carries the ticket (and escalation) ids as JSON. */
export const ACTIONS = {
  acknowledge: 'esc_ack',
  escalate: 'esc_escalate',
  elevate: 'esc_elevate',
  resolve: 'esc_resolve',
  history: 'esc_history',
  /** A coordinator takes a manager escalation request (issue 7). */
  claim: 'esc_claim',
} as const;
/** The satisfaction buttons: esc_rate_1 … esc_rate_5 (action ids must differ within a block). */
export const RATE_ACTION = /^esc_rate_[1-5]$/;
export type ButtonAction = keyof typeof ACTIONS;

export interface ButtonValue {
  t: string;
  e?: string | null;
  /** Satisfaction score of a rate button (1–5). */
  s?: number;
}

export function clip(text: string, max = MAX_SECTION_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Escapes the three characters Slack's mrkdwn treats as markup. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function section(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text) } };
}

export function context(text: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: clip(text) }] };
}

function button(action: ButtonAction, value: ButtonValue, primary = false): Block {
  const label: Record<ButtonAction, string> = { acknowledge: 'Acknowledge', escalate: 'Escalate', elevate: 'Elevate', resolve: 'Resolve', history: 'History', claim: 'Claim' };
  const b: Block = { type: 'button', action_id: ACTIONS[action], text: { type: 'plain_text', text: label[action] }, value: JSON.stringify(value) };
  if (primary) b.style = 'primary';
  return b;
}

export function actionsBlock(actions: ButtonAction[], value: ButtonValue): Block {
  return { type: 'actions', block_id: 'esc_actions', elements: actions.map((a, i) => button(a, value, i === 0 && (a === 'acknowledge' || a === 'claim'))) };
}

const SCORES = ['1 · very unhappy', '2 · unhappy', '3 · neutral', '4 · satisfied', '5 · very satisfied'];

/** Satisfaction 1–5 (issue 7): each opens a modal for an optional comment. */
export function rateBlock(ticketId: string): Block {
  return { type: 'actions', block_id: 'esc_rate', elements: SCORES.map((text, i) => ({ type: 'button', action_id: `esc_rate_${i + 1}`, text: { type: 'plain_text', text }, value: JSON.stringify({ t: ticketId, s: i + 1 } satisfies ButtonValue) })) };
}

/** The elevated / escalated badge every Slack message about a ticket shows (seed 001). */
export function badge(t: { elevated: boolean; escalated: boolean; escalationKind?: string | null }): string {
  const label = escalationLabel(t);
  return label ? `  [${label}]` : '';
}

function fields(facts: { label: string; value: string }[]): Block[] {
  const out: Block[] = [];
  for (let i = 0; i < facts.length; i += MAX_FIELDS) {
    out.push({ type: 'section', fields: facts.slice(i, i + MAX_FIELDS).map((f) => ({ type: 'mrkdwn', text: clip(`*${esc(f.label)}*\n${esc(f.value)}`, MAX_FIELD_TEXT) })) });
  }
  return out;
}

/** The blocks of an escalation notice: title, text, facts, buttons. */
export function noticeBlocks(n: Notice): Block[] {
  const verbs = n.actions.filter((a): a is Extract<NoticeAction, 'acknowledge' | 'escalate' | 'resolve'> => a === 'acknowledge' || a === 'escalate' || a === 'resolve');
  const rateOnly = n.actions.includes('rate') && verbs.length === 0 && !n.actions.includes('claim');
  const actions: ButtonAction[] = [...(n.actions.includes('claim') ? (['claim'] as const) : []), ...verbs, ...(rateOnly ? [] : (['history'] as const))];
  const label = escalationLabel(n.ticket);
  const blocks: Block[] = [
    section(`${n.urgent ? ':rotating_light: ' : ''}*${esc(n.title)}*`),
    section(esc(n.text)),
    ...fields(n.facts),
    ...(label ? [context(`${n.ticket.key}: *${label}*`)] : []),
    ...(n.actions.includes('rate') ? [rateBlock(n.ticket.id)] : []),
    ...(actions.length > 0 ? [actionsBlock(actions, { t: n.ticket.id, e: n.escalation?.id ?? null })] : []),
  ];
  return capBlocks(blocks);
}

/** Slack shows a date token in each reader's own time zone; the UTC text is the fallback. */
function slackDate(d: Date): string {
  return `<!date^${Math.floor(d.getTime() / 1000)}^{date_num} {time}|${d.toISOString().slice(0, 16).replace('T', ' ')} UTC>`;
}

const BUTTON_OF: Record<TicketAction, ButtonAction> = { ack: 'acknowledge', escalate: 'escalate', elevate: 'elevate', resolve: 'resolve', history: 'history' };

/** A ticket message (channel post, DM, updated in place): a pure function of the view. */
export function ticketBlocks(v: TicketView, note?: string): Block[] {
  const facts = [
    { label: 'Priority', value: v.priority },
    { label: 'Impact', value: v.impact },
    { label: 'Status', value: v.status },
    { label: 'Team', value: v.teamName },
    { label: 'Assignee', value: v.assigneeName ?? 'unassigned' },
    { label: 'Requester', value: v.requesterName ?? 'unknown' },
  ];
  const blocks: Block[] = [section(`*${v.key}: ${esc(v.title)}*${v.escalationLabel ? `  [${v.escalationLabel}]` : ''}`)];
  if (v.description) blocks.push(section(esc(v.description)));
  blocks.push(...fields(facts));
  if (v.acknowledgedBy && v.acknowledgedAt) blocks.push(context(`:white_check_mark: Acknowledged by ${esc(v.acknowledgedBy)} at ${slackDate(v.acknowledgedAt)}`));
  if (v.resolvedBy && v.resolvedAt) blocks.push(context(`:heavy_check_mark: Resolved by ${esc(v.resolvedBy)} at ${slackDate(v.resolvedAt)}`));
  if (note) blocks.push(context(esc(note)));
  blocks.push(actionsBlock(v.actions.map((a) => BUTTON_OF[a]), { t: v.id }));
  return capBlocks(blocks);
}

/** The fallback `text` of a ticket message (notifications, screen readers): user text escaped. */
export function ticketText(v: TicketView, note?: string): string {
  return clip(esc(`${v.key}: ${v.title} (${v.priority}, ${v.status}${v.acknowledgedBy ? `, acknowledged by ${v.acknowledgedBy}` : ''})${note ? ` · ${note}` : ''}`), 3000);
}

/** Keeps the first 49 blocks and the last (the buttons) when a message would pass 50. */
export function capBlocks(blocks: Block[]): Block[] {
  if (blocks.length <= MAX_BLOCKS) return blocks;
  return [...blocks.slice(0, MAX_BLOCKS - 1), blocks[blocks.length - 1]!];
}

/** Plain lines as a few sections, within the per-section and per-message limits. */
export function linesBlocks(lines: string[]): Block[] {
  const out: Block[] = [];
  let cur = '';
  for (const l of lines) {
    const line = clip(l, MAX_SECTION_TEXT - 10);
    if (cur.length + line.length + 1 > MAX_SECTION_TEXT) {
      out.push(section(cur));
      cur = '';
    }
    cur = cur ? `${cur}\n${line}` : line;
  }
  if (cur) out.push(section(cur));
  return out.slice(0, MAX_BLOCKS);
}
