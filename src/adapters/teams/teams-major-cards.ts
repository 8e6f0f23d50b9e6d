import { localTime } from '../../domain/time-text.js';
import type { Directory } from '../../domain/directory.js';
import type { EscalationRequest } from '../../domain/coordination.js';
import { COORDINATION_STEPS, STEP_LABELS } from '../../domain/coordination.js';
import { MAJOR_ROLE_LABELS, STATUS_TEXT } from '../../domain/major.js';
import type { MajorEscalation } from '../../domain/major.js';
import type { Notice } from '../../domain/notice.js';
import type { Ticket } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import type { AdaptiveCardJson } from './teams-cards.js';
import { badgeText, escalationDmCard, renderCard } from './teams-cards.js';

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
/** A time in the organisation's zone, as Slack, email and the after-action report show it ("2026-11-23 09:00 PST"). */
const at = (zone: string, d: Date | string | null | undefined) => (d ? localTime(new Date(d), zone) : '—');
const name = (dir: Directory, id: string | null | undefined) => (id ? (dir.person(id)?.name ?? id) : '—');

/** The card for a notice: Claim for escalation requests, the 1–5 form for satisfaction checks, else the escalation DM. */
export function noticeCard(notice: Notice): AdaptiveCardJson {
  if (notice.actions.includes('claim')) return coordinatorNoticeCard(notice);
  if (notice.actions.includes('rate')) return satisfactionCard(notice);
  return escalationDmCard(notice);
}

/** The manager's request form (seed 000): a reason is required, urgency informational. */
export function escalationRequestCard(t: Ticket, error?: string): AdaptiveCardJson {
  return renderCard('escalation-request', { key: formatTicketKey(t.number), title: clip(t.title, 200), error: clip(error ?? '', 300), showError: !!error });
}

/** What the coordinators see for a manager escalation request: Claim while nobody has, then who did. */
export function coordinatorNoticeCard(notice: Notice, live?: { dir: Directory; request: EscalationRequest | null }): AdaptiveCardJson {
  const req = live?.request ?? null;
  const claimedBy = req?.claimedBy ? name(live!.dir, req.claimedBy) : null;
  const done = req ? COORDINATION_STEPS.filter((s) => req.steps[s]) : [];
  const badge = badgeText(notice.ticket);
  return renderCard('coordinator-notice', {
    key: notice.ticket.key,
    banner: `${notice.urgent ? 'URGENT · ' : ''}Manager escalation request`,
    title: clip(notice.title, 200),
    badge,
    showBadge: badge !== '',
    text: clip(notice.text, 2000),
    facts: notice.facts.slice(0, 12).map((f) => ({ label: clip(f.label, 40), value: clip(f.value, 300) })),
    claimedLine: claimedBy ? `Claimed by ${claimedBy} at ${at(live!.dir.org.timeZone, req!.claimedAt)}` : '',
    showClaimed: !!claimedBy,
    checklist: req && claimedBy ? COORDINATION_STEPS.map((s) => `${done.includes(s) ? '☑' : '☐'} ${STEP_LABELS[s]}`).join('  \n') : '',
    showChecklist: !!(req && claimedBy),
    canClaim: !claimedBy && notice.actions.includes('claim') && req?.status !== 'cancelled',
  });
}

/** The major escalation at a glance: status, reason, the team by role, the action plan, the war room. */
export function majorSummaryCard(dir: Directory, t: Ticket, m: MajorEscalation, now: Date): AdaptiveCardJson {
  const open = m.tasks.filter((x) => x.status === 'open');
  const overdue = open.filter((x) => new Date(x.dueAt).getTime() < now.getTime());
  const room = m.warRoom ? (m.warRoom.url ? `[${m.warRoom.name}](${m.warRoom.url})` : m.warRoom.name) : m.warRoomError ? `not opened: ${clip(m.warRoomError, 200)}` : '';
  const members = m.members.map((x) => ({ role: MAJOR_ROLE_LABELS[x.role] ?? x.role, name: name(dir, x.personId) }));
  const when = (d: Date | string | null | undefined) => at(dir.org.timeZone, d);
  return renderCard('major-summary', {
    key: formatTicketKey(t.number),
    priority: t.priority,
    title: clip(t.title, 200),
    status: STATUS_TEXT[m.status] ?? m.status,
    reason: clip(m.reason, 500),
    facts: [
      { label: 'Declared', value: `${when(m.declaredAt)} by ${name(dir, m.declaredBy)}` },
      { label: 'Next update', value: m.status === 'active' ? when(m.nextUpdateDueAt) : '—' },
      { label: 'Updates sent', value: String(m.updates.length) },
      ...(m.problemId ? [{ label: 'Problem', value: m.problemId }] : []),
      ...(m.warrantyEndsAt ? [{ label: 'Warranty ends', value: when(m.warrantyEndsAt) }] : []),
      ...(m.satisfaction ? [{ label: 'Satisfaction', value: `${m.satisfaction.score}/5${m.satisfaction.comment ? `: ${clip(m.satisfaction.comment, 200)}` : ''}` }] : []),
    ],
    members,
    hasMembers: members.length > 0,
    noMembers: members.length === 0,
    noMembersHint: `Nobody yet: \`role ${formatTicketKey(t.number)} @person <role>\`.`,
    taskLine: m.tasks.length === 0 ? 'no tasks yet' : `${open.length} open${overdue.length ? ` (${overdue.length} overdue)` : ''}, ${m.tasks.length - open.length} done`,
    room,
    showRoom: room !== '',
  });
}

/** The action plan: every task, overdue ones in red, and a picker to close one. */
export function taskListCard(dir: Directory, t: Ticket, m: MajorEscalation, now: Date): AdaptiveCardJson {
  const tasks = [...m.tasks].sort((a, b) => (a.status === b.status ? a.n - b.n : a.status === 'open' ? -1 : 1)).slice(0, 40);
  const open = m.tasks.filter((x) => x.status === 'open');
  const when = (d: Date | string | null | undefined) => at(dir.org.timeZone, d);
  return renderCard('task-list', {
    key: formatTicketKey(t.number),
    summary: `${clip(t.title, 120)} · ${open.length} open, ${m.tasks.length - open.length} done`,
    tasks: tasks.map((x) => {
      const late = x.status === 'open' && new Date(x.dueAt).getTime() < now.getTime();
      return {
        line: `${x.status === 'done' ? '☑' : '☐'} ${x.n}. ${clip(x.title, 200)}`,
        detail: x.status === 'done' ? `${name(dir, x.ownerId)} · done ${when(x.doneAt)}${x.doneBy ? ` by ${name(dir, x.doneBy)}` : ''}` : `${name(dir, x.ownerId)} · due ${when(x.dueAt)}${late ? ' · OVERDUE' : ''}`,
        weight: x.status === 'open' ? 'Bolder' : 'Default',
        color: late ? 'Attention' : x.status === 'done' ? 'Good' : 'Default',
      };
    }),
    empty: m.tasks.length === 0,
    emptyHint: `No tasks yet: \`task ${formatTicketKey(t.number)} add @person <when> <title>\`.`,
    hasOpen: open.length > 0,
    openChoices: open.map((x) => ({ title: `${x.n}. ${clip(x.title, 80)}`, value: String(x.n) })),
  });
}

/** The satisfaction check (seed 001): 1–5 and a comment; after an answer, what was recorded. */
export function satisfactionCard(notice: Pick<Notice, 'title' | 'text'> & { ticket: { key: string; title: string } }, answered?: { score: number; comment: string } | null): AdaptiveCardJson {
  return renderCard('satisfaction', {
    key: notice.ticket.key,
    title: clip(notice.ticket.title, 200),
    text: clip(notice.text || 'The escalation team resolved your issue and the warranty period is over. Is the resolution still working for you?', 1000),
    answered: !!answered,
    answeredLine: answered ? `Thank you: ${answered.score}/5 recorded${answered.comment ? ` ("${clip(answered.comment, 200)}")` : ''}.` : '',
    open: !answered,
  });
}

/**
 * A war-room message: paragraphs as written (Teams renders the Markdown subset), the first in
 * bold when it is the pinned summary, and a download link with its expiry for a file, in the
 * organisation's zone (`timeZone`; UTC when the caller does not know it).
 */
export function warRoomPostCard(args: { text: string; pinned: boolean; link: { url: string; expiresAt: Date; name: string } | null; header?: string; timeZone?: string }): AdaptiveCardJson {
  // One TextBlock per line: Adaptive Card Markdown joins single line breaks.
  const paragraphs = args.text
    .split(/\n+/)
    .map((p) => p.trim())
    .filter(Boolean)
    .slice(0, 30)
    .map((p, i) => ({ text: clip(p, 4000), weight: args.pinned && i === 0 ? 'Bolder' : 'Default' }));
  return renderCard('war-room-post', {
    pinned: args.pinned,
    header: args.header ?? 'Summary (pinned)',
    paragraphs: paragraphs.length ? paragraphs : [{ text: ' ', weight: 'Default' }],
    hasLink: !!args.link,
    linkText: args.link ? `Download: [${args.link.name.replace(/[[\]]/g, '')}](${args.link.url})` : '',
    linkNote: args.link ? `Served by Esc; the link works until ${at(args.timeZone ?? 'UTC', args.link.expiresAt)}. Teams bots cannot attach files in channels or group chats.` : '',
  });
}
