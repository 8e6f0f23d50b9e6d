import type { Directory } from '../../domain/directory.js';
import type { Impact, Priority } from '../../domain/ticket.js';
import { IMPACTS, PRIORITIES } from '../../domain/ticket.js';
import type { Block } from './blocks.js';
import { clip } from './blocks.js';

export const TICKET_MODAL = 'esc_ticket_modal';
export const ESCALATE_MODAL = 'esc_escalate_modal';
export const RATE_MODAL = 'esc_rate_modal';
export const MORE_MODAL = 'esc_more_modal';

const opt = (value: string, text = value) => ({ text: { type: 'plain_text', text: clip(text, 75) }, value });

function input(blockId: string, label: string, element: Block, optional = false): Block {
  return { type: 'input', block_id: blockId, optional, label: { type: 'plain_text', text: label }, element: { action_id: 'v', ...element } };
}

function select(options: { value: string; text: string }[], initial?: string): Block {
  const opts = options.map((o) => opt(o.value, o.text));
  const init = opts.find((o) => o.value === initial);
  return { type: 'static_select', options: opts, ...(init ? { initial_option: init } : {}) };
}

/** The "open a ticket" modal. `channelId` is where the ticket message goes afterwards. */
/** The open form's Confidential box (issue 16); leads, managers, escalation managers and admins may tick it. */
const CONFIDENTIAL = { text: { type: 'plain_text', text: 'Confidential' }, description: { type: 'plain_text', text: 'Only the requester, the team, coordinators, escalation managers and admins see it (leads and managers may set this).' }, value: 'yes' };

export function ticketModal(dir: Directory, args: { title?: string; description?: string; channelId: string; confidential?: boolean }): Block {
  return {
    type: 'modal',
    callback_id: TICKET_MODAL,
    private_metadata: JSON.stringify({ c: args.channelId }),
    title: { type: 'plain_text', text: 'Open a ticket' },
    submit: { type: 'plain_text', text: 'Open' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      input('title', 'Title', { type: 'plain_text_input', max_length: 200, ...(args.title ? { initial_value: clip(args.title, 200) } : {}) }),
      input('description', 'Description', { type: 'plain_text_input', multiline: true, max_length: 3000, ...(args.description ? { initial_value: clip(args.description, 3000) } : {}) }, true),
      input('priority', 'Priority', select(PRIORITIES.map((p) => ({ value: p, text: p })), 'P3')),
      input('impact', 'Impact', select(IMPACTS.map((i) => ({ value: i, text: i })), 'medium')),
      input('team', 'Team', select(dir.allTeams().slice(0, 100).map((t) => ({ value: t.id, text: t.name })), dir.org.defaultTeamId)),
      input('confidential', 'Who may see it', { type: 'checkboxes', options: [CONFIDENTIAL], ...(args.confidential ? { initial_options: [CONFIDENTIAL] } : {}) }, true),
    ],
  };
}

/** The modal a person fills in to escalate: the reason is required (seed 000) and visible to all. */
export function escalateModal(args: { ticketId: string; ticketKey: string; channelId: string | null; ts: string | null; mode?: 'now' | 'request' }): Block {
  // 'request' (issue 7): managers, team leads and point persons ask the escalation coordinators.
  const request = args.mode === 'request';
  return {
    type: 'modal',
    callback_id: ESCALATE_MODAL,
    private_metadata: JSON.stringify({ t: args.ticketId, c: args.channelId, ts: args.ts }),
    title: { type: 'plain_text', text: clip(`Escalate ${args.ticketKey}`, 24) },
    submit: { type: 'plain_text', text: request ? 'Send request' : 'Escalate' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      ...(request ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: 'Your request goes to the escalation coordinators, with a copy to the CIO. Use it for urgent needs beyond the SLA, not routine requests.' }] }] : []),
      input('reason', 'Reason (everyone sees it)', { type: 'plain_text_input', multiline: true, min_length: 5, max_length: 1000 }),
      input('urgency', 'Urgency', select(request ? [{ value: 'normal', text: 'Normal: coordinators respond soon' }, { value: 'urgent', text: 'Urgent: needed today' }] : [{ value: 'normal', text: 'Normal: next step of the plan' }, { value: 'urgent', text: 'Urgent: page now' }], 'normal')),
    ],
  };
}

/** The satisfaction check's comment modal (issue 7): the clicked score, changeable, and an optional comment. */
export function rateModal(args: { ticketId: string; ticketKey: string; score: number; channelId: string | null; ts: string | null }): Block {
  const scores = [1, 2, 3, 4, 5].map((n) => ({ value: String(n), text: `${n}${n === 1 ? ' · very unhappy' : n === 5 ? ' · very satisfied' : ''}` }));
  return {
    type: 'modal',
    callback_id: RATE_MODAL,
    private_metadata: JSON.stringify({ t: args.ticketId, c: args.channelId, ts: args.ts }),
    title: { type: 'plain_text', text: clip(`Rate ${args.ticketKey}`, 24) },
    submit: { type: 'plain_text', text: 'Send' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      input('score', 'How satisfied are you with the resolution?', select(scores, String(args.score))),
      input('comment', 'Comment (optional)', { type: 'plain_text_input', multiline: true, max_length: 2000 }, true),
    ],
  };
}

/** A "More" action that needs words (issue 16): one text box, the action and ticket in the metadata. */
export function moreModal(args: { ticketId: string; ticketKey: string; action: string; label: string; prompt: string; channelId: string | null; ts: string | null }): Block {
  return {
    type: 'modal',
    callback_id: MORE_MODAL,
    private_metadata: JSON.stringify({ t: args.ticketId, d: args.action, c: args.channelId, ts: args.ts }),
    title: { type: 'plain_text', text: clip(args.ticketKey, 24) },
    submit: { type: 'plain_text', text: clip(args.label.replace(/…$/, ''), 24) },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [input('text', clip(args.prompt, 150), { type: 'plain_text_input', multiline: args.action === 'note', min_length: 2, max_length: 2000 })],
  };
}

/** The words of a More modal. */
export function readMoreForm(state: ViewState | undefined): string {
  return read(state, 'text');
}

export function readRateForm(state: ViewState | undefined): { ok: true; score: number; comment: string } | { ok: false; errors: Record<string, string> } {
  const score = Number(read(state, 'score'));
  if (!Number.isInteger(score) || score < 1 || score > 5) return { ok: false, errors: { score: 'Pick a score from 1 (very unhappy) to 5 (very satisfied).' } };
  const comment = read(state, 'comment');
  if (comment.length > 2000) return { ok: false, errors: { comment: 'Keep the comment under 2,000 characters.' } };
  return { ok: true, score, comment };
}

type ViewState = Record<string, Record<string, { value?: string | null; selected_option?: { value: string } | null; selected_options?: { value: string }[] | null }>>;

function read(state: ViewState | undefined, block: string): string {
  const v = state?.[block]?.v;
  return (v?.selected_option?.value ?? v?.value ?? '').trim();
}

export interface TicketForm {
  title: string;
  description: string;
  priority: Priority;
  impact: Impact;
  teamId: string;
  confidential: boolean;
}

/** Reads and checks a ticket modal: the form, or errors by block id for response_action errors. */
export function readTicketForm(dir: Directory, state: ViewState | undefined): { ok: true; form: TicketForm } | { ok: false; errors: Record<string, string> } {
  const title = read(state, 'title');
  const priority = read(state, 'priority');
  const impact = read(state, 'impact') || 'medium';
  const teamId = read(state, 'team') || dir.org.defaultTeamId;
  const errors: Record<string, string> = {};
  if (title.length < 3) errors.title = 'Give the ticket a title of at least 3 characters.';
  if (title.length > 200) errors.title = 'Keep the title under 200 characters.';
  if (!PRIORITIES.includes(priority as Priority)) errors.priority = 'Pick a priority, P1 (most urgent) to P4.';
  if (!IMPACTS.includes(impact as Impact)) errors.impact = `Pick an impact: ${IMPACTS.join(', ')}.`;
  if (!dir.team(teamId)) errors.team = 'Pick one of the teams in the list.';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const confidential = !!state?.confidential?.v?.selected_options?.some((o) => o.value === 'yes');
  return { ok: true, form: { title, description: read(state, 'description'), priority: priority as Priority, impact: impact as Impact, teamId, confidential } };
}

export function readEscalateForm(state: ViewState | undefined): { ok: true; reason: string; urgent: boolean } | { ok: false; errors: Record<string, string> } {
  const reason = read(state, 'reason');
  if (reason.length < 5) return { ok: false, errors: { reason: 'Say why, in at least 5 characters: coordinators and managers read it.' } };
  return { ok: true, reason, urgent: read(state, 'urgency') === 'urgent' };
}

/** JSON in private_metadata, or {} when it is missing or not ours. */
export function meta(s: unknown): Record<string, string | null | undefined> {
  try {
    const v: unknown = typeof s === 'string' && s ? JSON.parse(s) : {};
    if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
    // Only text (or null) values: an object where an id belongs never reaches a query.
    return Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === 'string' || x === null)) as Record<string, string | null>;
  } catch {
    return {};
  }
}
