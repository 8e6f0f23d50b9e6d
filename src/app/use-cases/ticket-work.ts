/**
 * Everyday ticket work (issue 16): assign, note, hold/resume (the SLA pauses in business
 * time), reopen, page a responder outside the plan, mark confidential. Each use case asks the
 * one authorization table first, so chat, the API and every other path give the same answer.
 */
import { DomainError } from '../../domain/errors.js';
import type { Channel } from '../../domain/plan.js';
import type { Responder, Ticket } from '../../domain/ticket.js';
import { isOpen } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import { authorize } from '../authorize.js';
import type { AppDeps } from '../deps.js';
import type { Actor, TimelineEvent } from '../ports/timeline.js';
import { changeTicket } from './change-ticket.js';
import { noticeFor, notifyPeople } from './notify.js';
import { event, requireTicket } from './ticket-access.js';

const by = (actor: Actor) => actor.personId ?? `via:${actor.via}`;
const nameOf = (deps: AppDeps, id: string | null | undefined) => (id ? (deps.directory().person(id)?.name ?? id) : 'someone');

/** Gives the ticket to a person (themselves or someone else). */
export async function assignTicket(deps: AppDeps, ref: string | number, assigneeId: string, actor: Actor): Promise<{ ticket: Ticket; changed: boolean }> {
  const t = await requireTicket(deps, ref);
  authorize(deps, actor, 'assign', t);
  if (!deps.directory().person(assigneeId)) throw new DomainError('UNKNOWN_PERSON', `There is no person "${assigneeId}" in the directory.`, { field: 'assigneeId' });
  return changeTicket(deps, t.id, (x) => (x.assigneeId === assigneeId ? null : { type: 'assign', assigneeId }), actor, { assigneeId });
}

/**
 * A note on the timeline, with its author. `key` makes it idempotent (a chat thread reply
 * delivered twice is one note).
 */
export async function addNote(deps: AppDeps, ref: string | number, text: string, actor: Actor, extra: { key?: string; data?: Record<string, unknown> } = {}): Promise<{ ticket: Ticket; event: TimelineEvent }> {
  const t = await requireTicket(deps, ref);
  authorize(deps, actor, 'comment', t);
  const body = text.trim().slice(0, 5000);
  if (!body) throw new DomainError('VALIDATION', 'The note is empty: write what you want to add.', { field: 'text' });
  const e = event(deps, t.id, 'ticket.commented', deps.clock.now(), actor, { text: body, ...extra.data }, extra.key);
  await deps.timeline.append([e]);
  return { ticket: t, event: e };
}

/** Waiting on the customer: the SLA clock pauses, keeping the remaining business time. */
export async function holdTicket(deps: AppDeps, ref: string | number, reason: string, actor: Actor): Promise<{ ticket: Ticket; changed: boolean }> {
  const t = await requireTicket(deps, ref);
  authorize(deps, actor, 'hold', t);
  if (!reason.trim()) throw new DomainError('VALIDATION', 'Say why it waits (it is on the timeline for everyone).', { field: 'reason' });
  return changeTicket(deps, t.id, (x) => (x.status === 'pending' ? null : { type: 'pend', by: by(actor), reason: reason.trim() }), actor);
}

/** Back to work: the SLA due times are the remaining business time from now. */
export async function resumeTicket(deps: AppDeps, ref: string | number, actor: Actor): Promise<{ ticket: Ticket; changed: boolean }> {
  const t = await requireTicket(deps, ref);
  authorize(deps, actor, 'hold', t);
  return changeTicket(deps, t.id, (x) => (x.status === 'pending' ? { type: 'resume', by: by(actor) } : null), actor);
}

/** A resolved or closed ticket is open again (a reason is required). */
export async function reopenTicket(deps: AppDeps, ref: string | number, reason: string, actor: Actor): Promise<{ ticket: Ticket; changed: boolean }> {
  const t = await requireTicket(deps, ref);
  authorize(deps, actor, 'reopen', t);
  if (!reason.trim()) throw new DomainError('VALIDATION', 'Say why it is reopened (it is on the timeline for everyone).', { field: 'reason' });
  return changeTicket(deps, t.id, (x) => (isOpen(x) ? null : { type: 'reopen', by: by(actor), reason: reason.trim() }), actor);
}

/** The contact methods a page uses: the person's own, in their order (webhooks are for systems), else chat. */
function pageChannels(deps: AppDeps, personId: string): Channel[] {
  const p = deps.directory().person(personId);
  const kinds = [...new Set((p?.contacts ?? []).map((c) => c.kind).filter((k) => k !== 'webhook'))];
  return kinds.length > 0 ? kinds : ['chat'];
}

/**
 * Adds a responder (PagerDuty's "add responders"): pages a person, or a team's on-call
 * person, through their contact methods, outside the plan. They acknowledge like any page
 * (button, SMS, key press, command); the acknowledgement is recorded against their page.
 */
export async function pageResponder(deps: AppDeps, ref: string | number, target: { personId: string } | { teamId: string }, reason: string | null, actor: Actor): Promise<{ ticket: Ticket; personId: string; deliveries: number }> {
  const t0 = await requireTicket(deps, ref);
  authorize(deps, actor, 'page', t0);
  const dir = deps.directory();
  const now = deps.clock.now();
  const key = formatTicketKey(t0.number);
  if (!isOpen(t0)) throw new DomainError('INVALID_TRANSITION', `${key} is ${t0.status}: there is nobody to page for it.`);
  let personId: string;
  if ('teamId' in target) {
    const team = dir.team(target.teamId);
    if (!team) throw new DomainError('UNKNOWN_TEAM', `There is no team "${target.teamId}". Teams: ${dir.allTeams().map((x) => x.id).join(', ')}.`, { field: 'teamId' });
    const on = dir.onCall(team.id, now);
    if (!on) throw new DomainError('NOT_FOUND', `${team.name} has nobody on call now: page a person instead.`);
    personId = on.id;
  } else {
    if (!dir.person(target.personId)) throw new DomainError('UNKNOWN_PERSON', `There is no person "${target.personId}" in the directory.`, { field: 'personId' });
    personId = target.personId;
  }
  for (;;) {
    const t = await requireTicket(deps, t0.id);
    const responders = (t.responders ?? []).filter((r) => r.personId !== personId);
    const entry: Responder = { personId, pagedBy: actor.personId ?? null, pagedAt: now, reason, acknowledgedAt: null };
    const saved = await deps.tickets.save({ ...t, responders: [...responders, entry], updatedAt: now });
    if (!saved) continue;
    const pageKey = `page:${t.id}:${personId}:${now.getTime()}`;
    const who = nameOf(deps, actor.personId);
    const notice = noticeFor(deps, saved, {
      kind: 'info',
      title: `${who} needs you on ${key}: ${t.title}`,
      text: `${who} paged you on ${key} (${t.priority})${reason ? `: ${reason}` : ''}. Acknowledge to say you are on it.`,
      facts: reason ? [{ label: 'Reason', value: reason }] : [],
      actions: ['acknowledge'],
      urgent: t.priority === 'P1',
    });
    const n = await notifyPeople(deps, saved, [personId], pageChannels(deps, personId), notice, pageKey);
    await deps.timeline.append([event(deps, t.id, 'responder.paged', now, actor, { personId, name: nameOf(deps, personId), reason, via: actor.via, ...('teamId' in target ? { teamId: target.teamId } : {}) }, pageKey)]);
    return { ticket: saved, personId, deliveries: n };
  }
}

/**
 * Records a responder's acknowledgement of their page (called by the one reply entry); null
 * when the actor has no page waiting on this ticket.
 */
export async function acknowledgePage(deps: AppDeps, ticketId: string, actor: Actor): Promise<Ticket | null> {
  if (!actor.personId) return null;
  for (;;) {
    const t = await requireTicket(deps, ticketId);
    const mine = t.responders?.find((r) => r.personId === actor.personId && !r.acknowledgedAt);
    if (!mine) return null;
    const now = deps.clock.now();
    const responders = t.responders!.map((r) => (r === mine ? { ...r, acknowledgedAt: now } : r));
    const saved = await deps.tickets.save({ ...t, responders, updatedAt: now });
    if (!saved) continue;
    const pagedAt = new Date(mine.pagedAt);
    await deps.timeline.append([event(deps, t.id, 'responder.acknowledged', now, actor, { personId: actor.personId, via: actor.via, pagedAt, afterMs: now.getTime() - pagedAt.getTime() }, `responder.acknowledged:${t.id}:${actor.personId}:${pagedAt.getTime()}`)]);
    return saved;
  }
}

/** Marks a ticket confidential (or not): leads, managers, escalation managers and admins. */
export async function setConfidential(deps: AppDeps, ref: string | number, on: boolean, actor: Actor): Promise<{ ticket: Ticket; changed: boolean; publicRoom: string | null }> {
  const t0 = await requireTicket(deps, ref);
  authorize(deps, actor, 'mark_confidential', t0);
  for (;;) {
    const t = await requireTicket(deps, t0.id);
    // A war room opened before the ticket became confidential stays as it is (bots cannot make a channel private): say so.
    const room = on ? ((await deps.majors.forTicket(t.id))?.warRoom ?? null) : null;
    const publicRoom = room && !room.private && room.platform !== 'outbox' ? room.name : null;
    if (!!t.confidential === on) return { ticket: t, changed: false, publicRoom };
    const now = deps.clock.now();
    const saved = await deps.tickets.save({ ...t, confidential: on, updatedAt: now });
    if (!saved) continue;
    await deps.timeline.append([event(deps, t.id, on ? 'ticket.confidential' : 'ticket.not_confidential', now, actor, {})]);
    return { ticket: saved, changed: true, publicRoom };
  }
}
