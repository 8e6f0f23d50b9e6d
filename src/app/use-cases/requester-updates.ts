import type { Channel } from '../../domain/plan.js';
import type { Ticket } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../ports/timeline.js';
import { noticeFor, notifyPeople } from './notify.js';

/** What the requester hears about (the ETA goes to them from the coordinators' checklist). */
export type RequesterUpdate =
  | { kind: 'acknowledged'; by: string | null }
  | { kind: 'escalated'; level: number; team?: string | null; to?: string | null }
  | { kind: 'on_hold'; reason?: string | null }
  | { kind: 'resolved'; note?: string | null };

/** The requester's way to be told: their first chat or email contact method. */
export function requesterChannel(deps: Pick<AppDeps, 'directory'>, personId: string): Channel | null {
  const p = deps.directory().person(personId);
  const c = p?.contacts.find((x) => x.kind === 'chat' || x.kind === 'email');
  if (!c) return p ? 'email' : null;
  return c.kind === 'chat' && !p?.slackId && !p?.teamsId ? 'email' : (c.kind as Channel);
}

/** The words a requester reads: plain, no internal paging text, no buttons. */
/** ": <text>." (no full stop after a question or an exclamation), or "." alone. */
const colon = (x: string | null | undefined) => (x?.trim() ? `: ${x.trim()}${/[.!?]$/.test(x.trim()) ? '' : '.'}` : '.');

function words(t: Ticket, u: RequesterUpdate, name: (id: string | null | undefined) => string | null): { title: string; text: string } {
  const key = formatTicketKey(t.number);
  const subject = `"${t.title}"`;
  switch (u.kind) {
    case 'acknowledged':
      return { title: `${key}: ${name(u.by) ?? 'a technician'} is on it`, text: `${name(u.by) ?? 'A technician'} has taken your ticket ${key} ${subject}. We will keep you informed.` };
    case 'escalated':
      return {
        title: `${key}: escalated${u.team ? ` to ${u.team}` : u.to ? ` to ${u.to}` : ''}`,
        text: `Your ticket ${key} ${subject} has been escalated${u.team ? ` to ${u.team}` : u.to ? ` to ${u.to}` : ` to level ${u.level}`} so it gets the right attention. We will keep you informed.`,
      };
    case 'on_hold':
      return { title: `${key}: waiting on you`, text: `Your ticket ${key} ${subject} is on hold${colon(u.reason)} Reply to the technician to move it on.` };
    case 'resolved':
      return { title: `${key}: resolved`, text: `Your ticket ${key} ${subject} is resolved${colon(u.note)} If it is not fixed for you, tell us and we will reopen it.` };
  }
}

/**
 * Tells the requester (issue 14), once per `key` (the event it answers): DM or email by
 * their contact methods, when their priority's policy says so (`informRequester`), never
 * when they did it themselves. Never throws: the change is made either way.
 */
export async function informRequester(deps: AppDeps, t: Ticket, u: RequesterUpdate, actor: Actor, key: string): Promise<void> {
  try {
    const dir = deps.directory();
    if (!t.requesterId || actor.personId === t.requesterId) return;
    if (dir.slaPolicy(t.priority)?.informRequester === false) return;
    const channel = requesterChannel(deps, t.requesterId);
    if (!channel) return;
    const w = words(t, u, (id) => (id ? (dir.person(id)?.name ?? null) : null));
    const notice = noticeFor(deps, t, { kind: 'requester_update', title: w.title, text: w.text, actions: [], urgent: false });
    await notifyPeople(deps, t, [t.requesterId], [channel], notice, `requester:${key}`);
  } catch (e) {
    deps.log.warn({ ticketId: t.id, err: (e as Error).message, code: 'REQUESTER_UPDATE_FAILED' }, 'the requester could not be told about a change');
  }
}
