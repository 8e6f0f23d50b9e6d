import type { Channel } from './plan.js';
import type { Impact, Priority, TicketStatus } from './ticket.js';
import { formatTicketKey } from './ticket-number.js';

/** claim: a coordinator takes a manager escalation request; rate: the customer's satisfaction score (1–5). */
export type NoticeAction = 'acknowledge' | 'escalate' | 'resolve' | 'claim' | 'rate';
/** ticket_post: a ticket posted in its team's channel (it follows the ticket like a step's message); requester_update: to the requester. */
export type NoticeKind = 'escalation_step' | 'manager_request' | 'major_escalation' | 'info' | 'ticket_post' | 'requester_update';

/** Notices whose chat message shows the ticket and is kept up to date with it (the message registry). */
export function followsTicket(kind: NoticeKind): boolean {
  return kind === 'escalation_step' || kind === 'ticket_post';
}

/**
 * A platform-neutral message. Each channel renders it at the edge: Block Kit, an
 * Adaptive Card, SMS text, voice TwiML, email, webhook JSON.
 */
export interface Notice {
  kind: NoticeKind;
  /** One line, fit for an SMS or a push title. */
  title: string;
  /** A few sentences of plain text. */
  text: string;
  ticket: {
    id: string;
    key: string;
    number: number;
    title: string;
    priority: Priority;
    impact: Impact;
    status: TicketStatus;
    team: string;
    assignee: string | null;
    openedAt: Date;
    elevated: boolean;
    escalated: boolean;
    /** The strongest escalation kind (major, manager_request, automatic…), when known. */
    escalationKind?: string | null;
    /** Issue 16: texts that others may read (SMS, voice, push) say only the key. */
    confidential?: boolean;
  };
  escalation: { id: string; kind: string; step: number; steps: number; round: number } | null;
  facts: { label: string; value: string }[];
  actions: NoticeAction[];
  urgent: boolean;
  /** Files for channels that carry them (email); others show `text` (and a link, if given). */
  attachments?: { name: string; contentType: string; base64: string }[];
}

export interface NoticeTicketFacts {
  id: string;
  number: number;
  title: string;
  priority: Priority;
  impact: Impact;
  status: TicketStatus;
  teamName: string;
  assigneeName: string | null;
  createdAt: Date;
  elevated: boolean;
  escalated: boolean;
  escalationKind?: string | null;
  confidential?: boolean;
}

/** Channels whose texts others may read or hear (a lock screen, a speaker): a confidential ticket says only its key there. */
const EXPOSED = new Set(['sms', 'voice', 'push']);

/**
 * The notice as a channel may carry it: for a confidential ticket on SMS, voice and push, only
 * "Confidential ticket ESC-1042 needs you"; posted in a shared channel (`shared`: a team's
 * channel, a plan step's channel), only "ESC-1042: confidential" (issue 16).
 */
export function noticeForChannel(n: Notice, channel: string, shared = false): Notice {
  if (n.ticket.confidential && shared) {
    const text = `Only the requester, the team, coordinators, escalation managers and admins see this ticket: \`status ${n.ticket.key}\`.`;
    return { ...n, title: `${n.ticket.key}: confidential`, text, facts: [], attachments: undefined, ticket: { ...n.ticket, title: 'confidential', assignee: null } };
  }
  if (!n.ticket.confidential || !EXPOSED.has(channel)) return n;
  const line = `Confidential ticket ${n.ticket.key} needs you`;
  return { ...n, title: line, text: `${line}.`, facts: [], attachments: undefined, ticket: { ...n.ticket, title: 'confidential', team: '', assignee: null } };
}

const KIND_RANK: Record<string, number> = { major: 3, manager_request: 2 };

/** The stronger of two escalation kinds (major > manager_request > any other). */
export function strongerKind(a: string | null | undefined, b: string): string {
  return !a || (KIND_RANK[b] ?? 1) > (KIND_RANK[a] ?? 1) ? b : a;
}

/**
 * Elevated vs escalated (seed 001), as every channel shows it: "ESCALATED · major",
 * "ELEVATED", both, or null for an ordinary ticket.
 */
export function escalationLabel(t: { elevated: boolean; escalated: boolean; escalationKind?: string | null }): string | null {
  const parts: string[] = [];
  if (t.escalated) parts.push(t.escalationKind ? `ESCALATED · ${t.escalationKind.replace(/_/g, ' ')}` : 'ESCALATED');
  if (t.elevated) parts.push('ELEVATED');
  return parts.length ? parts.join('  ·  ') : null;
}

/** A one-off notice about a ticket (coordination, major escalation), not an escalation step. */
export function ticketNotice(t: NoticeTicketFacts, args: { kind: NoticeKind; title: string; text: string; facts?: { label: string; value: string }[]; actions?: NoticeAction[]; urgent?: boolean; attachments?: Notice['attachments'] }): Notice {
  const key = formatTicketKey(t.number);
  return {
    kind: args.kind,
    title: args.title.slice(0, 150),
    text: args.text,
    ticket: {
      id: t.id,
      key,
      number: t.number,
      title: t.title,
      priority: t.priority,
      impact: t.impact,
      status: t.status,
      team: t.teamName,
      assignee: t.assigneeName,
      openedAt: t.createdAt,
      elevated: t.elevated,
      escalated: t.escalated,
      escalationKind: t.escalationKind ?? null,
      ...(t.confidential ? { confidential: true } : {}),
    },
    escalation: null,
    facts: args.facts ?? [],
    actions: args.actions ?? [],
    urgent: args.urgent ?? false,
    ...(args.attachments ? { attachments: args.attachments } : {}),
  };
}

/** How long ago, in words a person reads at 3 a.m.: "2 h 5 min". */
export function ageText(from: Date, now: Date): string {
  const min = Math.max(0, Math.floor((now.getTime() - from.getTime()) / 60_000));
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} days ${h % 24} h`;
}

export function escalationStepNotice(args: {
  ticket: NoticeTicketFacts;
  escalation: { id: string; kind: string };
  stepIndex: number;
  steps: number;
  round: number;
  channel: Channel;
  urgent: boolean;
  now: Date;
  /** Why the escalation started (its reason), shown when the ticket was already acknowledged. */
  reason?: string | null;
}): Notice {
  const t = args.ticket;
  const key = formatTicketKey(t.number);
  const age = ageText(t.createdAt, args.now);
  // A plan that starts on open pages within the first minute: "not acknowledged after 0 min" reads oddly.
  const waiting = args.now.getTime() - t.createdAt.getTime() < 60_000 ? 'was just opened and is not acknowledged yet' : `has not been acknowledged after ${age}`;
  const flag = t.elevated ? ' [ELEVATED]' : '';
  return {
    kind: 'escalation_step',
    title: `${t.priority} ${key}${flag}: ${t.title}`.slice(0, 150),
    // An acknowledged ticket chased again (ack timeout, resolution breach) says why, not "not acknowledged".
    text: `${key} (${t.priority}, ${t.impact} impact) ${args.reason && t.status !== 'new' && t.status !== 'assigned' ? `is escalated again: ${args.reason}` : waiting}. Team: ${t.teamName}. Assignee: ${t.assigneeName ?? 'unassigned'}. Escalation step ${args.stepIndex + 1} of ${args.steps}.`,
    ticket: {
      id: t.id,
      key,
      number: t.number,
      title: t.title,
      priority: t.priority,
      impact: t.impact,
      status: t.status,
      team: t.teamName,
      assignee: t.assigneeName,
      openedAt: t.createdAt,
      elevated: t.elevated,
      escalated: t.escalated,
      escalationKind: t.escalationKind ?? null,
      ...(t.confidential ? { confidential: true } : {}),
    },
    escalation: { id: args.escalation.id, kind: args.escalation.kind, step: args.stepIndex + 1, steps: args.steps, round: args.round },
    facts: [
      { label: 'Priority', value: t.priority },
      { label: 'Impact', value: t.impact },
      { label: 'Team', value: t.teamName },
      { label: 'Assignee', value: t.assigneeName ?? 'unassigned' },
      { label: 'Open for', value: age },
      { label: 'Step', value: `${args.stepIndex + 1} of ${args.steps}${args.round > 0 ? ` (repeat ${args.round})` : ''}` },
    ],
    actions: ['acknowledge', 'escalate', 'resolve'],
    urgent: args.urgent,
  };
}
