/**
 * Major escalations (seed 001, issue 7). CONTRACT for the chat and HTTP adapters: these
 * exported names and parameter shapes are fixed.
 * Every function refuses with DomainError (FORBIDDEN / VALIDATION / NOT_FOUND /
 * INVALID_TRANSITION / CONFLICT) and a sentence a person can read; every success is on the timeline.
 */
import { DomainError } from '../../domain/errors.js';
import { aarMarkdown, aarReads, buildAar, localTime } from '../../domain/aar.js';
import type { AarOmitted } from '../../domain/aar.js';
import type { Person } from '../../domain/directory.js';
import {
  ANNOUNCE_MAX_ATTEMPTS,
  CLOSE_OUT_MAX_ATTEMPTS,
  DEFAULT_MAJOR,
  MAJOR_ROLES,
  MAJOR_ROLE_LABELS,
  PROBLEM_REUSE_MINUTES,
  ROLE_INSTRUCTIONS,
  STATUS_TEXT,
  afterDue,
  dueWork,
  escalationManagers,
  nextReviewSlot,
  nextWake,
  problemKey,
  problemTitleKey,
  reopenMajor,
  toWarranty,
} from '../../domain/major.js';
import type { MajorConfig, MajorDue, MajorEscalation, MajorRole, MajorTask, PendingEffects, ProblemRecord } from '../../domain/major.js';
import type { Ticket } from '../../domain/ticket.js';
import { isOpen } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import type { AppDeps } from '../deps.js';
import type { Actor, TimelineEvent } from '../ports/timeline.js';
import type { WarRoomMessage } from '../ports/war-room.js';
import { WarRoomError, warRoomName } from '../ports/war-room.js';
import { actingPerson, noticeFor, personName, requestTicketResolved, requireRole } from './coordination.js';
import { markEscalated } from './escalations.js';
import { notifyPeople } from './notify.js';
import { event, requireTicket } from './tickets.js';

export interface MajorResult {
  ticket: Ticket;
  major: MajorEscalation;
  changed: boolean;
  /** One sentence for the person who acted. */
  message: string;
}

export interface AfterActionReport {
  markdown: string;
  pdf: Buffer;
  fileName: string;
  /** With `send`: who was emailed, and how the PDF travelled ("attached" when the email channel carries files). */
  sentTo?: string[];
}

const ENGINE: Actor = { personId: null, via: 'engine' };
const MIN = 60_000;
/** Tasks are due within this many days (the chat time parser's limit too). */
const TASK_HORIZON_DAYS = 366;

export function majorConfig(deps: Pick<AppDeps, 'directory'>): MajorConfig {
  return deps.directory().org.major ?? DEFAULT_MAJOR;
}

const when = (deps: AppDeps, d: Date | string) => localTime(new Date(d), deps.directory().org.timeZone);
const keyOf = (t: Ticket) => formatTicketKey(t.number);

/** The major escalation of a ticket: its own, or the one it was linked to as a recurrence. */
async function majorOf(deps: AppDeps, t: Ticket): Promise<MajorEscalation | null> {
  return (await deps.majors.forTicket(t.id)) ?? (await deps.majors.byRelatedTicket(t.id));
}

async function requireMajor(deps: AppDeps, ref: string | number): Promise<{ t: Ticket; m: MajorEscalation }> {
  const t = await requireTicket(deps, ref);
  const m = await majorOf(deps, t);
  if (!m) throw new DomainError('NOT_FOUND', `${keyOf(t)} has no major escalation: an escalation manager declares one first.`);
  return { t, m };
}

/** Saves with compare-and-set, with the engine's next wake-up time recomputed. */
async function saveMajor(deps: AppDeps, m: MajorEscalation): Promise<MajorEscalation | null> {
  return deps.majors.save({ ...m, nextWakeAt: nextWake(m, majorConfig(deps)) });
}

function requireEscalationManager(deps: AppDeps, pid: string, doing: string): void {
  requireRole(deps, pid, ['escalation_manager'], 'escalation managers', doing);
}

/** The escalation team (any role) and escalation managers. */
function requireTeam(deps: AppDeps, m: MajorEscalation, pid: string, doing: string, alsoOk = false): void {
  if (alsoOk || m.members.some((x) => x.personId === pid) || deps.directory().hasRole(pid, 'escalation_manager')) return;
  const p = deps.directory().person(pid)!;
  throw new DomainError('FORBIDDEN', `Only the escalation team of ${m.ticketKey} and escalation managers can ${doing}. ${p.name} is not on the team; an escalation manager can assign them a role.`, { permission: doing });
}

function requireNotClosed(m: MajorEscalation): void {
  if (m.status === 'closed') throw new DomainError('INVALID_TRANSITION', `The major escalation of ${m.ticketKey} is closed${m.closedAt ? ` (since ${new Date(m.closedAt).toISOString().slice(0, 16)} UTC)` : ''}: nothing more can change on it.`);
}

/**
 * Reads, changes and saves a major escalation with compare-and-set, retrying when another
 * writer got there first. `change` returns null for "nothing to do".
 */
async function mutate<X>(deps: AppDeps, ref: string | number, change: (m: MajorEscalation, t: Ticket, now: Date) => { next: MajorEscalation; extra: X } | null): Promise<{ t: Ticket; m: MajorEscalation; saved: MajorEscalation | null; extra: X | null; now: Date }> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const { t, m } = await requireMajor(deps, ref);
    const now = deps.clock.now();
    const r = change(m, t, now);
    if (!r) return { t, m, saved: null, extra: null, now };
    const saved = await saveMajor(deps, r.next);
    if (saved) return { t, m, saved, extra: r.extra, now };
  }
  throw new DomainError('CONFLICT', 'The major escalation is changing too fast; try again.');
}

/** A batch of effects for `pending`, to store in the action's own write. */
function effects(deps: AppDeps, now: Date, e: Partial<Pick<PendingEffects, 'notices' | 'events' | 'invites' | 'posts'>>): PendingEffects {
  return { id: deps.newId(), at: now, attempts: 0, notices: e.notices ?? [], events: e.events ?? [], invites: e.invites ?? [], posts: e.posts ?? [] };
}

/**
 * Sends the pending batches `ids` of an escalation (notices and events keyed: sent and stored
 * once however often this runs; invites and posts at least once), then removes them from
 * the record with compare-and-set. A failure leaves them for the engine. Returns the record
 * after, and the people the war room could not reach.
 */
async function flushPending(deps: AppDeps, m: MajorEscalation, ids: string[]): Promise<{ m: MajorEscalation; unreachable: Person[] }> {
  const batches = (m.pending ?? []).filter((b) => ids.includes(b.id));
  if (batches.length === 0) return { m, unreachable: [] };
  const t = await deps.tickets.get(m.ticketId);
  const unreachable: Person[] = [];
  for (const b of batches) {
    if (t) for (const n of b.notices) await notifyPeople(deps, t, n.personIds, n.channels, n.notice, n.key);
    if (b.events.length > 0) await deps.timeline.append(b.events.map((e) => ({ ...e, at: new Date(e.at) })));
    const invitees = people(deps, b.invites);
    if (m.warRoom && invitees.length > 0) {
      try {
        unreachable.push(...(await deps.warRoom.invite(m.warRoom, invitees)).unreachable);
      } catch (e) {
        deps.log.warn({ majorId: m.id, err: (e as Error).message }, 'war room invite failed');
        unreachable.push(...invitees);
      }
    }
    for (const text of b.posts) await roomPost(deps, m, { text });
  }
  for (let i = 0; i < 8; i++) {
    const cur = (await deps.majors.get(m.id)) ?? m;
    if (!(cur.pending ?? []).some((b) => ids.includes(b.id))) return { m: cur, unreachable };
    const saved = await saveMajor(deps, { ...cur, pending: (cur.pending ?? []).filter((b) => !ids.includes(b.id)) });
    if (saved) return { m: saved, unreachable };
  }
  return { m: (await deps.majors.get(m.id)) ?? m, unreachable };
}

/** Posts in the war room; a failure is logged, never fails the use case (the timeline has it). */
async function roomPost(deps: AppDeps, m: MajorEscalation, message: WarRoomMessage): Promise<boolean> {
  if (!m.warRoom) return false;
  try {
    await deps.warRoom.post(m.warRoom, message);
    return true;
  } catch (e) {
    deps.log.warn({ majorId: m.id, room: m.warRoom.name, err: (e as Error).message }, 'war room post failed');
    return false;
  }
}

function people(deps: AppDeps, ids: (string | null | undefined)[]): Person[] {
  const dir = deps.directory();
  return [...new Set(ids.filter((x): x is string => !!x))].map((id) => dir.person(id)).filter((p): p is Person => !!p);
}

function summaryText(deps: AppDeps, t: Ticket, m: MajorEscalation): string {
  const dir = deps.directory();
  const team = m.members.map((x) => `${MAJOR_ROLE_LABELS[x.role]}: ${personName(deps, x.personId)}`).join(' · ');
  return [
    `MAJOR ESCALATION ${keyOf(t)}: ${t.title}`,
    `${t.priority} · ${t.impact} impact · team ${dir.team(t.teamId)?.name ?? t.teamId} · requester ${t.requesterId ? personName(deps, t.requesterId) : 'unknown'}`,
    `Declared by ${personName(deps, m.declaredBy)} at ${when(deps, m.declaredAt)}: ${m.reason}`,
    team,
    `Stop-work: the team puts other work aside for this incident. Customer updates every ${m.cadenceMinutes} min. Roles, tasks, updates and the problem case are recorded on the ticket's timeline.`,
  ].join('\n');
}

/**
 * The war room's announcement: the `major.war_room_opened` event (keyed) and the pinned
 * summary, then `summaryPostedAt` recorded. Run right after the room is stored, and again by
 * a repeat declaration or the engine when a crash or a failed post left it undone. The event
 * is stored once; the summary is posted again only if the process stopped between posting it
 * and recording that it did. Returns the record after (unchanged when the post failed).
 */
async function announceRoom(deps: AppDeps, t: Ticket, m0: MajorEscalation, actor: Actor): Promise<MajorEscalation> {
  if (!m0.warRoom || m0.summaryPostedAt) return m0;
  const room = m0.warRoom;
  const at = new Date(m0.warRoomOpenedAt ?? deps.clock.now());
  await deps.timeline.append([event(deps, t.id, 'major.war_room_opened', at, actor, { majorId: m0.id, room }, `major.war_room_opened:${m0.id}`)]);
  if (!(await roomPost(deps, m0, { text: summaryText(deps, t, m0), pin: true }))) return m0; // the engine retries
  for (let i = 0; i < 8; i++) {
    const cur = (await deps.majors.get(m0.id)) ?? m0;
    if (cur.summaryPostedAt) return cur;
    const saved = await saveMajor(deps, { ...cur, summaryPostedAt: deps.clock.now() });
    if (saved) return saved;
  }
  return (await deps.majors.get(m0.id)) ?? m0;
}

/** Whether a record's war room still owes its announcement (older records without the flag: when the event is missing). */
async function needsAnnouncement(deps: AppDeps, m: MajorEscalation): Promise<boolean> {
  if (!m.warRoom || m.summaryPostedAt || m.status === 'closed') return false;
  if (m.summaryPostedAt === null) return true;
  const k = `major.war_room_opened:${m.id}`;
  return !(await deps.timeline.existingKeys([k])).has(k);
}

/** Opens the war room (or reuses it), posts and pins the summary. Returns the error text on failure. */
async function openRoom(deps: AppDeps, t: Ticket, m: MajorEscalation, actor: Actor): Promise<{ m: MajorEscalation; error: string | null }> {
  const name = warRoomName(keyOf(t), t.title);
  const now = deps.clock.now();
  try {
    const room = await deps.warRoom.open({ name, topic: t.title, members: people(deps, m.members.map((x) => x.personId)) });
    for (let i = 0; i < 8; i++) {
      const cur = (await deps.majors.get(m.id))!;
      if (cur.warRoom) return { m: cur, error: null }; // another declaration finished first
      // Stored unannounced (summaryPostedAt null): if this process stops now, the next declaration or the engine announces it.
      const saved = await saveMajor(deps, { ...cur, warRoom: room, warRoomError: null, warRoomOpenedAt: now, summaryPostedAt: null });
      if (!saved) continue;
      return { m: await announceRoom(deps, t, saved, actor), error: null };
    }
    throw new DomainError('CONFLICT', 'The major escalation is changing too fast; try again.');
  } catch (e) {
    if (!(e instanceof WarRoomError)) throw e;
    const error = e.message;
    deps.log.warn({ majorId: m.id, room: name, err: error, retryable: e.retryable }, 'war room could not be opened');
    const cur = (await deps.majors.get(m.id)) ?? m;
    const saved = (await saveMajor(deps, { ...cur, warRoomError: error })) ?? cur;
    await deps.timeline.append([event(deps, t.id, 'major.war_room_failed', now, actor, { majorId: m.id, room: name, error, retryable: e.retryable })]);
    return { m: saved, error };
  }
}

/**
 * What follows the stored declaration: the ticket marked escalated (kind major), the
 * declaration and the first roles on the timeline, the incident owner told. Every step is
 * idempotent (keyed events and messages), so a retry repairs what a crash left undone.
 */
async function announceDeclared(deps: AppDeps, t0: Ticket, m: MajorEscalation, actor: Actor): Promise<void> {
  const key = keyOf(t0);
  const declaredAt = new Date(m.declaredAt);
  // The notices below show the ticket as it is now: escalated, kind major.
  const t1 = await markEscalated(deps, t0.id, {}, 'major');
  const first = m.members.filter((x) => x.assignedBy === m.declaredBy && new Date(x.assignedAt).getTime() === declaredAt.getTime());
  await deps.timeline.append([
    event(deps, t0.id, 'major.declared', declaredAt, actor, { majorId: m.id, reason: m.reason, warRoom: warRoomName(key, t0.title) }, `major.declared:${m.id}`),
    ...first.map((x) => event(deps, t0.id, 'major.role_assigned', declaredAt, actor, { majorId: m.id, personId: x.personId, role: x.role }, `major.role_assigned:${m.id}:${x.personId}:${x.role}`)),
  ]);
  const owner = first.find((x) => x.role === 'incident_owner');
  if (owner) {
    await notifyPeople(deps, t1, [owner.personId], ['chat'], noticeFor(deps, t1, { kind: 'major_escalation', title: `You are the incident owner of major escalation ${key}`, text: ROLE_INSTRUCTIONS.incident_owner, facts: [{ label: 'Reason', value: m.reason }], urgent: true }), `major:${m.id}:role:${owner.personId}:incident_owner`);
  }
  deps.nudge?.();
}

/** An escalation manager declares a major escalation: war room opened, summary pinned, team invited. */
export async function declareMajor(deps: AppDeps, args: { ticket: string | number; reason: string; actor: Actor }): Promise<MajorResult> {
  const pid = actingPerson(deps, args.actor, 'declare a major escalation');
  requireEscalationManager(deps, pid, 'declare a major escalation');
  const reason = (args.reason ?? '').trim();
  if (!reason) throw new DomainError('VALIDATION', 'A reason is required: say why this incident needs a major escalation (stop-work, cross-functional team).', { field: 'reason' });
  if (reason.length > 2000) throw new DomainError('VALIDATION', 'The reason is too long: at most 2000 characters.', { field: 'reason' });
  const t0 = await requireTicket(deps, args.ticket);
  const key = keyOf(t0);
  let m = await deps.majors.forTicket(t0.id);
  let created = false;
  if (m) {
    requireNotClosed(m);
    if (m.warRoom) {
      if (await needsAnnouncement(deps, m)) {
        // Stored by a declaration that stopped before announcing the room: finish it now.
        deps.log.warn({ majorId: m.id }, 'war room stored without its announcement: announcing it now');
        await announceDeclared(deps, t0, m, args.actor);
        const done = await announceRoom(deps, t0, { ...m, summaryPostedAt: null }, args.actor);
        const ticket = await requireTicket(deps, t0.id);
        if (done.summaryPostedAt) return { ticket, major: done, changed: true, message: `${key} is already a major escalation (${STATUS_TEXT[done.status]}); its war room ${m.warRoom.name} had not been announced: the summary is now posted and pinned.` };
        return { ticket, major: done, changed: false, message: `${key} is already a major escalation; its war room ${m.warRoom.name} is open but the summary could not be posted yet (Esc retries).` };
      }
      return { ticket: t0, major: m, changed: false, message: `${key} is already a major escalation (${STATUS_TEXT[m.status]}); war room ${m.warRoom.name}. Nothing changed.` };
    }
  } else {
    if (!isOpen(t0)) throw new DomainError('INVALID_TRANSITION', `${key} is ${t0.status}: reopen it (or open a new ticket) before declaring a major escalation.`);
    const linked = await deps.majors.byRelatedTicket(t0.id);
    if (linked && linked.relatedTicketIds.includes(t0.id)) {
      throw new DomainError('INVALID_TRANSITION', `${key} is linked to the major escalation of ${linked.ticketKey} (${STATUS_TEXT[linked.status]}): work it there, in its war room${linked.warRoom ? ` ${linked.warRoom.name}` : ''}.`);
    }
    const now = deps.clock.now();
    const cfg = majorConfig(deps);
    const cadence = cfg.updateCadenceMinutes[t0.priority];
    const members = [{ personId: pid, role: 'escalation_manager' as MajorRole, assignedAt: now, assignedBy: pid }];
    if (t0.assigneeId && t0.assigneeId !== pid) members.push({ personId: t0.assigneeId, role: 'incident_owner', assignedAt: now, assignedBy: pid });
    const fresh: MajorEscalation = {
      id: deps.newId(),
      ticketId: t0.id,
      ticketKey: key,
      status: 'active',
      declaredBy: pid,
      declaredAt: now,
      reason,
      warRoom: null,
      members,
      tasks: [],
      updates: [],
      cadenceMinutes: cadence,
      nextUpdateDueAt: new Date(now.getTime() + cadence * MIN),
      updateReminders: 0,
      problemId: null,
      executivesAlertedAt: null,
      resolvedAt: null,
      warrantyEndsAt: null,
      recurrences: 0,
      satisfaction: null,
      satisfactionRequestedAt: null,
      reviewScheduledAt: null,
      aarGeneratedAt: null,
      closedAt: null,
      archivedAt: null,
      version: 0,
      priority: t0.priority,
      ticketOpenedAt: t0.createdAt,
      vipRequester: !!deps.directory().person(t0.requesterId)?.vip,
      relatedTicketIds: [],
      warRoomError: null,
      reviewAt: null,
      nextWakeAt: null,
      summaryPostedAt: null,
      warRoomOpenedAt: null,
    };
    fresh.nextWakeAt = nextWake(fresh, cfg);
    if (await deps.majors.insert(fresh)) {
      created = true;
      m = fresh;
    } else {
      m = (await deps.majors.forTicket(t0.id))!; // declared at the same moment by someone else
      if (m.warRoom) return { ticket: t0, major: m, changed: false, message: `${key} is already a major escalation; war room ${m.warRoom.name}. Nothing changed.` };
    }
  }
  // Also on a retry: a process that stopped between the insert and these would otherwise
  // leave the ticket unmarked, the declaration off the timeline and the incident owner untold.
  await announceDeclared(deps, t0, m, args.actor);
  const opened = await openRoom(deps, t0, m, args.actor);
  const ticket = await requireTicket(deps, t0.id);
  if (opened.error) {
    return {
      ticket,
      major: opened.m,
      changed: true,
      message: `${key} ${created ? 'is declared' : 'remains'} a major escalation, but the war room could not be created: ${opened.error}. Declare it again to retry; nothing else needs redoing.`,
    };
  }
  const pinned = opened.m.summaryPostedAt !== null ? 'is open with the summary pinned' : 'is open, but the summary could not be posted yet (Esc retries)';
  return { ticket, major: opened.m, changed: true, message: `${key} is declared a major escalation. War room ${opened.m.warRoom!.name} ${pinned}; ${opened.m.members.map((x) => personName(deps, x.personId)).join(' and ')} invited.` };
}

/** Assigns a role on the cross-functional team: invited to the war room, sent the role's instructions. */
export async function assignRole(deps: AppDeps, args: { ticket: string | number; personId: string; role: MajorRole; actor: Actor }): Promise<MajorResult> {
  const pid = actingPerson(deps, args.actor, 'assign roles on a major escalation');
  requireEscalationManager(deps, pid, 'assign roles on a major escalation');
  if (!MAJOR_ROLES.includes(args.role)) throw new DomainError('VALIDATION', `role: one of ${MAJOR_ROLES.join(', ')}.`, { field: 'role' });
  const person = deps.directory().person(args.personId);
  if (!person) throw new DomainError('UNKNOWN_PERSON', `There is no person "${args.personId}" in the directory.`, { field: 'personId' });
  const label = MAJOR_ROLE_LABELS[args.role];
  const r = await mutate(deps, args.ticket, (m, t, now) => {
    requireNotClosed(m);
    if (m.members.some((x) => x.personId === person.id && x.role === args.role)) return null;
    const key = m.ticketKey;
    // Stored with the role (same write): the invite, the instructions, the event and the post are sent even after a crash.
    const batch = effects(deps, now, {
      invites: [person.id],
      notices: [{ key: `major:${m.id}:role:${person.id}:${args.role}`, personIds: [person.id], channels: ['chat'], notice: noticeFor(deps, t, { kind: 'major_escalation', title: `You are ${label} on major escalation ${key}`, text: ROLE_INSTRUCTIONS[args.role], facts: [{ label: 'Ticket', value: `${key} ${t.title}` }, { label: 'War room', value: m.warRoom?.name ?? 'not open yet' }, { label: 'Assigned by', value: personName(deps, pid) }], urgent: true }) }],
      events: [event(deps, m.ticketId, 'major.role_assigned', now, args.actor, { majorId: m.id, personId: person.id, role: args.role }, `major.role_assigned:${m.id}:${person.id}:${args.role}`)],
      posts: [`${person.name} joins as ${label} (assigned by ${personName(deps, pid)}).`],
    });
    return { next: { ...m, members: [...m.members, { personId: person.id, role: args.role, assignedAt: now, assignedBy: pid }], pending: [...(m.pending ?? []), batch] }, extra: batch.id };
  });
  const key = r.m.ticketKey;
  if (!r.saved) return { ticket: r.t, major: r.m, changed: false, message: `${person.name} already is ${label} on ${key}; nothing changed.` };
  const sent = await flushPending(deps, r.saved, [r.extra!]);
  const m = sent.m;
  const t = (await deps.tickets.get(m.ticketId)) ?? r.t;
  const unreachable = sent.unreachable.length > 0;
  return { ticket: t, major: m, changed: true, message: `${person.name} is ${label} on ${key}: ${unreachable ? 'NOT reachable in the war room (invite them by hand)' : m.warRoom ? 'invited to the war room' : 'the war room is not open yet'}; the role's instructions were sent.` };
}

export async function addTask(deps: AppDeps, args: { ticket: string | number; title: string; ownerId: string; dueAt: Date; actor: Actor }): Promise<MajorResult & { task: MajorTask }> {
  const pid = actingPerson(deps, args.actor, 'add tasks to the action plan');
  const title = (args.title ?? '').trim();
  if (!title) throw new DomainError('VALIDATION', 'title: say what must be done.', { field: 'title' });
  if (title.length > 300) throw new DomainError('VALIDATION', 'title: at most 300 characters.', { field: 'title' });
  const owner = deps.directory().person(args.ownerId);
  if (!owner) throw new DomainError('UNKNOWN_PERSON', `There is no person "${args.ownerId}" in the directory: every task needs an owner.`, { field: 'ownerId' });
  if (!(args.dueAt instanceof Date) || Number.isNaN(args.dueAt.getTime())) throw new DomainError('VALIDATION', 'dueAt: an ISO 8601 date-time, e.g. 2026-11-24T15:00:00-08:00.', { field: 'dueAt' });
  const nowMs = deps.clock.now().getTime();
  // A minute of slack for clocks and typing; the chat parsers refuse the same range.
  if (args.dueAt.getTime() < nowMs - MIN) throw new DomainError('VALIDATION', `dueAt: ${args.dueAt.toISOString()} is already past; give a time still ahead.`, { field: 'dueAt' });
  if (args.dueAt.getTime() > nowMs + TASK_HORIZON_DAYS * 24 * 60 * MIN) throw new DomainError('VALIDATION', `dueAt: ${args.dueAt.toISOString()} is more than a year away; an action-plan task is due within a year.`, { field: 'dueAt' });
  const r = await mutate(deps, args.ticket, (m, tk, now) => {
    requireNotClosed(m);
    requireTeam(deps, m, pid, 'add tasks to the action plan');
    const task: MajorTask = { n: Math.max(0, ...m.tasks.map((x) => x.n)) + 1, title, ownerId: owner.id, dueAt: args.dueAt, status: 'open', createdAt: now, createdBy: pid, doneAt: null, doneBy: null, reminders: 0 };
    const batch = effects(deps, now, {
      events: [event(deps, m.ticketId, 'major.task_added', now, args.actor, { majorId: m.id, n: task.n, title, ownerId: owner.id, dueAt: args.dueAt }, `major.task_added:${m.id}:${task.n}`)],
      notices:
        owner.id !== pid
          ? [{ key: `major:${m.id}:task:${task.n}:owner`, personIds: [owner.id], channels: ['chat'], notice: noticeFor(deps, tk, { kind: 'major_escalation', title: `Task ${task.n} on ${m.ticketKey} is yours, due ${when(deps, args.dueAt)}`, text: `${personName(deps, pid)} gave you task ${task.n} of the major escalation on ${m.ticketKey}: ${title}`, facts: [{ label: 'Due', value: when(deps, args.dueAt) }] }) }]
          : [],
      posts: [`Task ${task.n} added: ${title} (owner ${owner.name}, due ${when(deps, args.dueAt)}).`],
    });
    return { next: { ...m, tasks: [...m.tasks, task], pending: [...(m.pending ?? []), batch] }, extra: { task, batch: batch.id } };
  });
  const { task, batch } = r.extra!;
  const m = (await flushPending(deps, r.saved!, [batch])).m;
  const t = (await deps.tickets.get(m.ticketId)) ?? r.t;
  deps.nudge?.();
  return { ticket: t, major: m, changed: true, task, message: `Task ${task.n} added to ${m.ticketKey}: ${title} (owner ${owner.name}, due ${when(deps, args.dueAt)}).` };
}

export async function closeTask(deps: AppDeps, args: { ticket: string | number; n: number; actor: Actor }): Promise<MajorResult & { task: MajorTask }> {
  const pid = actingPerson(deps, args.actor, 'close tasks of the action plan');
  const r = await mutate(deps, args.ticket, (m, _t, now) => {
    requireNotClosed(m);
    const task = m.tasks.find((x) => x.n === args.n);
    if (!task) throw new DomainError('NOT_FOUND', `${m.ticketKey} has no task ${args.n}${m.tasks.length ? ` (tasks: ${m.tasks.map((x) => x.n).join(', ')})` : ''}.`, { field: 'n' });
    requireTeam(deps, m, pid, 'close tasks of the action plan', task.ownerId === pid);
    if (task.status === 'done') return null;
    const done: MajorTask = { ...task, status: 'done', doneAt: now, doneBy: pid };
    return { next: { ...m, tasks: m.tasks.map((x) => (x.n === task.n ? done : x)) }, extra: done };
  });
  if (!r.saved) {
    const task = r.m.tasks.find((x) => x.n === args.n)!;
    return { ticket: r.t, major: r.m, changed: false, task, message: `Task ${task.n} was already done${task.doneBy ? ` (by ${personName(deps, task.doneBy)})` : ''}; nothing changed.` };
  }
  const m = r.saved;
  const task = r.extra!;
  const late = task.doneAt!.getTime() > new Date(task.dueAt).getTime();
  await deps.timeline.append([event(deps, m.ticketId, 'major.task_done', r.now, args.actor, { majorId: m.id, n: task.n, title: task.title, ownerId: task.ownerId, late }, `major.task_done:${m.id}:${task.n}`)]);
  await roomPost(deps, m, { text: `Task ${task.n} done: ${task.title} (${personName(deps, pid)}${late ? ', after its due time' : ''}).` });
  const open = m.tasks.filter((x) => x.status === 'open').length;
  return { ticket: (await deps.tickets.get(m.ticketId)) ?? r.t, major: m, changed: true, task, message: `Task ${task.n} done on ${m.ticketKey}. ${open} task${open === 1 ? '' : 's'} still open.` };
}

/** Who gets customer / stakeholder updates: the requester, the executives, the configured stakeholders. */
function stakeholders(deps: AppDeps, t: Ticket): string[] {
  const dir = deps.directory();
  return [...new Set([t.requesterId, ...dir.org.executives, ...majorConfig(deps).stakeholders].filter((x): x is string => !!x && !!dir.person(x)))];
}

/** A customer / stakeholder update: sent to the stakeholders, posted in the war room, cadence restarted. */
export async function postUpdate(deps: AppDeps, args: { ticket: string | number; text: string; actor: Actor }): Promise<MajorResult> {
  const pid = actingPerson(deps, args.actor, 'send a customer update');
  const text = (args.text ?? '').trim();
  if (!text) throw new DomainError('VALIDATION', 'text: write the update the customer and stakeholders will read.', { field: 'text' });
  if (text.length > 4000) throw new DomainError('VALIDATION', 'text: at most 4000 characters.', { field: 'text' });
  const r = await mutate(deps, args.ticket, (m, t, now) => {
    requireNotClosed(m);
    requireTeam(deps, m, pid, 'send customer updates');
    const sentTo = stakeholders(deps, t);
    const next = { ...m, updates: [...m.updates, { at: now, by: pid, text, sentTo }], nextUpdateDueAt: m.status === 'active' ? new Date(now.getTime() + m.cadenceMinutes * MIN) : m.nextUpdateDueAt, updateReminders: 0 };
    const n = next.updates.length;
    // Stored with the update (same write): the stakeholders get it even if this process stops right after.
    const batch = effects(deps, now, {
      notices: [{ key: `major:${m.id}:update:${n}`, personIds: sentTo, channels: ['chat', 'email'], notice: noticeFor(deps, t, { kind: 'major_escalation', title: `Update ${n} on ${m.ticketKey}: ${t.title}`, text, facts: [{ label: 'From', value: personName(deps, pid) }, { label: 'Status', value: STATUS_TEXT[m.status] }, ...(next.status === 'active' ? [{ label: 'Next update by', value: when(deps, next.nextUpdateDueAt!) }] : [])] }) }],
      events: [event(deps, m.ticketId, 'major.update_sent', now, args.actor, { majorId: m.id, n, text, sentTo }, `major.update_sent:${m.id}:${n}`)],
      posts: [`Update ${n} sent to ${sentTo.length} stakeholders (${sentTo.map((id) => personName(deps, id)).join(', ')}): ${text}`],
    });
    return { next: { ...next, pending: [...(m.pending ?? []), batch] }, extra: { sentTo, batch: batch.id } };
  });
  const { sentTo, batch } = r.extra!;
  const m = (await flushPending(deps, r.saved!, [batch])).m;
  const t = (await deps.tickets.get(m.ticketId)) ?? r.t;
  const n = r.saved!.updates.length;
  return { ticket: t, major: m, changed: true, message: `Update ${n} sent to ${sentTo.length} stakeholders and posted in the war room.${m.status === 'active' ? ` Next update due by ${when(deps, m.nextUpdateDueAt!)}.` : ''}` };
}

/** Refuses to link a second problem to the escalation without `replace`, naming the one linked. */
function problemConflict(m: MajorEscalation, linked: ProblemRecord | null): DomainError {
  const which = linked ? `problem ${problemKey(linked.number)} "${linked.title}"` : 'a problem';
  return new DomainError('CONFLICT', `The major escalation of ${m.ticketKey} is already linked to ${which}. To link another one instead, ask again with replace (API: "replace": true; chat: problem ${m.ticketKey} replace …).`, { field: 'problem', linkedProblem: linked ? problemKey(linked.number) : m.problemId });
}

/**
 * Creates a problem record (title) or links an existing one (PRB number) and relates the
 * incident to it. The same title again from the same ticket within PROBLEM_REUSE_MINUTES
 * reuses the record (a double click creates one). An escalation has one problem: linking
 * another refuses (CONFLICT, naming the linked one) unless `replace`.
 */
export async function linkProblem(deps: AppDeps, args: { ticket: string | number; problem: { number: number } | { title: string }; replace?: boolean; actor: Actor }): Promise<MajorResult & { problem: ProblemRecord }> {
  const pid = actingPerson(deps, args.actor, 'link a problem case');
  const { t, m } = await requireMajor(deps, args.ticket);
  requireNotClosed(m);
  requireTeam(deps, m, pid, 'link a problem case');
  const own = m.ticketId === t.id;
  const replace = args.replace === true;
  const linked = own && m.problemId ? await deps.problems.get(m.problemId) : null;
  let problem: ProblemRecord;
  let created = false;
  let major = m;
  let now = deps.clock.now();
  if ('number' in args.problem) {
    const found = await deps.problems.getByNumber(args.problem.number);
    if (!found) throw new DomainError('NOT_FOUND', `There is no problem ${problemKey(args.problem.number)}; give a title to create one.`, { field: 'number' });
    if (own && m.problemId && m.problemId !== found.id && !replace) throw problemConflict(m, linked);
    if (found.ticketIds.includes(t.id) && (!own || m.problemId === found.id)) return { ticket: t, major: m, changed: false, problem: found, message: `${keyOf(t)} is already related to ${problemKey(found.number)}; nothing changed.` };
    problem = (await deps.problems.relate(found.id, t.id))!;
    if (own && m.problemId !== problem.id) {
      const r = await mutate(deps, m.ticketId, (cur) => {
        if (cur.problemId === problem.id) return null;
        if (cur.problemId && cur.problemId !== linked?.id && !replace) throw problemConflict(cur, null);
        return { next: { ...cur, problemId: problem.id }, extra: null };
      });
      major = r.saved ?? r.m;
      now = r.now;
    }
  } else {
    const title = (args.problem.title ?? '').trim();
    if (!title) throw new DomainError('VALIDATION', 'title: name the problem, or give the number of an existing one.', { field: 'title' });
    if (title.length > 300) throw new DomainError('VALIDATION', 'title: at most 300 characters.', { field: 'title' });
    const key = problemTitleKey(t.id, title);
    const fresh = deps.newId();
    // The escalation record decides (compare-and-set): a second click sees the first's reservation and reuses it.
    const r = await mutate(deps, m.ticketId, (cur, _t, at) => {
      requireNotClosed(cur);
      const recent = cur.recentProblem;
      if (recent && recent.key === key && at.getTime() - new Date(recent.at).getTime() <= PROBLEM_REUSE_MINUTES * MIN) return null;
      if (own && cur.problemId && !replace) throw problemConflict(cur, cur.problemId === linked?.id ? linked : null);
      return { next: { ...cur, recentProblem: { key, problemId: fresh, at }, ...(own ? { problemId: fresh } : {}) }, extra: null };
    });
    major = r.saved ?? r.m;
    now = r.now;
    const id = r.saved ? fresh : r.m.recentProblem!.problemId;
    const reused = !r.saved;
    let rec = await deps.problems.get(id);
    if (!rec) {
      // Not stored yet: this call reserved it, or the one that did stopped (or is still under way) before storing it.
      const draft: ProblemRecord = { id, number: await deps.problems.nextNumber(), title, ownerId: major.members.find((x) => x.role === 'problem_owner')?.personId ?? null, ticketIds: [t.id], createdAt: now, createdBy: pid, status: 'open' };
      rec = (await deps.problems.insert(draft)) ? draft : await deps.problems.get(id);
    }
    problem = rec!;
    created = true;
    if (reused) {
      const k = `problem.linked:${problem.id}:${t.id}`;
      if ((await deps.timeline.existingKeys([k])).has(k)) {
        return { ticket: t, major, changed: false, problem, message: `${keyOf(t)} opened problem ${problemKey(problem.number)} "${problem.title}" a moment ago; the same record is kept (nothing changed).` };
      }
    }
  }
  const replaced = own && linked && linked.id !== problem.id ? linked : null;
  if (replaced) await deps.problems.unrelate(replaced.id, t.id);
  await deps.timeline.append([event(deps, t.id, 'problem.linked', now, args.actor, { majorId: m.id, problemId: problem.id, number: problem.number, created, title: problem.title, incidents: problem.ticketIds.length, ...(replaced ? { replaced: { problemId: replaced.id, number: replaced.number } } : {}) }, `problem.linked:${problem.id}:${t.id}`)]);
  const instead = replaced ? ` instead of ${problemKey(replaced.number)}` : '';
  await roomPost(deps, major, { text: `${keyOf(t)} ${created ? 'opened' : 'is related to'} problem ${problemKey(problem.number)}: ${problem.title} (${problem.ticketIds.length} incident${problem.ticketIds.length === 1 ? '' : 's'})${instead}.` });
  return { ticket: t, major, changed: true, problem, message: `${keyOf(t)} ${created ? 'opened problem' : 'is now related to problem'} ${problemKey(problem.number)} "${problem.title}" (${problem.ticketIds.length} incident${problem.ticketIds.length === 1 ? '' : 's'})${instead}.` };
}

/** The team is told in the war room and by chat that the incident is back. */
async function alertRecurrence(deps: AppDeps, m: MajorEscalation, t: Ticket, via: string, source: Ticket, now: Date, actor: Actor): Promise<void> {
  const n = m.recurrences;
  await deps.timeline.append([event(deps, m.ticketId, 'major.recurred', now, actor, { majorId: m.id, via, ticketId: source.id, key: keyOf(source), recurrence: n }, `major.recurred:${m.id}:${n}`)]);
  const text = `The incident recurred during the warranty (${via === 'reopen' ? `${keyOf(source)} was reopened` : `new ticket ${keyOf(source)} is the same incident`}). The major escalation of ${m.ticketKey} is active again (recurrence ${n}): back to the war room.`;
  await roomPost(deps, m, { text: `RECURRENCE: ${text}` });
  await notifyPeople(deps, t, m.members.map((x) => x.personId), ['chat'], noticeFor(deps, t, { kind: 'major_escalation', title: `Recurrence: ${m.ticketKey} ${t.title}`, text, urgent: true }), `major:${m.id}:recurred:${n}`);
  deps.nudge?.();
}

/** A new ticket is a recurrence of a major escalation's incident (during warranty: reopens it). */
export async function linkRecurrence(deps: AppDeps, args: { ticket: string | number; of: string | number; actor: Actor }): Promise<MajorResult> {
  const pid = actingPerson(deps, args.actor, 'link a recurrence');
  const source = await requireTicket(deps, args.ticket);
  const orig = await requireTicket(deps, args.of);
  if (source.id === orig.id) throw new DomainError('VALIDATION', `of: ${keyOf(orig)} cannot be a recurrence of itself; name the major escalation's ticket.`, { field: 'of' });
  const m0 = await deps.majors.forTicket(orig.id);
  if (!m0) throw new DomainError('NOT_FOUND', `${keyOf(orig)} has no major escalation to link ${keyOf(source)} to.`, { field: 'of' });
  requireNotClosed(m0);
  const ok = m0.members.some((x) => x.personId === pid) || deps.directory().hasRole(pid, 'escalation_manager', 'coordinator', 'technician', 'team_lead', 'manager');
  if (!ok) throw new DomainError('FORBIDDEN', `Only the escalation team, escalation managers, coordinators, technicians and managers can link a recurrence. ${personName(deps, pid)} is none of these.`);
  // One major escalation per ticket: its own, or the one it is linked to.
  const own = await deps.majors.forTicket(source.id);
  if (own) throw new DomainError('INVALID_TRANSITION', `${keyOf(source)} is a major escalation of its own, so it cannot be linked to ${keyOf(orig)}'s.`, { field: 'ticket' });
  const elsewhere = await deps.majors.byRelatedTicket(source.id);
  if (elsewhere && elsewhere.id !== m0.id && elsewhere.relatedTicketIds.includes(source.id)) {
    throw new DomainError('INVALID_TRANSITION', `${keyOf(source)} is already linked to the major escalation of ${elsewhere.ticketKey}.`, { field: 'ticket' });
  }
  const r = await mutate(deps, orig.id, (m, _t, now) => {
    if (m.relatedTicketIds.includes(source.id)) return null;
    const linked = { ...m, relatedTicketIds: [...m.relatedTicketIds, source.id] };
    const reopen = m.status === 'warranty' || m.status === 'satisfaction';
    return { next: reopen ? reopenMajor(linked, now) : linked, extra: reopen };
  });
  if (!r.saved) {
    // Already linked. A process that stopped right after the compare-and-set left the
    // ticket → escalation link (written after it) or the marks below undone: write them again.
    if (!(await deps.majors.byRelatedTicket(source.id))) await saveMajor(deps, r.m);
    await markEscalated(deps, source.id, {}, 'major');
    return { ticket: source, major: r.m, changed: false, message: `${keyOf(source)} is already linked to the major escalation of ${keyOf(orig)}; nothing changed.` };
  }
  await markEscalated(deps, source.id, {}, 'major');
  await deps.timeline.append([event(deps, source.id, 'major.linked', r.now, args.actor, { majorId: r.saved.id, of: orig.id, key: keyOf(orig) }, `major.linked:${r.saved.id}:${source.id}`)]);
  if (r.extra) {
    await alertRecurrence(deps, r.saved, orig, 'linked', source, r.now, args.actor);
    return { ticket: source, major: r.saved, changed: true, message: `${keyOf(source)} is a recurrence of ${keyOf(orig)} during its warranty: the major escalation is active again and the team was alerted.` };
  }
  await deps.timeline.append([event(deps, orig.id, 'major.incident_linked', r.now, args.actor, { majorId: r.saved.id, ticketId: source.id, key: keyOf(source) }, `major.incident_linked:${r.saved.id}:${source.id}`)]);
  await roomPost(deps, r.saved, { text: `${keyOf(source)} (${source.title}) is linked to this major escalation as the same incident.` });
  return { ticket: source, major: r.saved, changed: true, message: `${keyOf(source)} is linked to the major escalation of ${keyOf(orig)} (${STATUS_TEXT[r.saved.status]}).` };
}

/** The customer's answer to the satisfaction check (1–5 and a comment). */
export async function recordSatisfaction(deps: AppDeps, args: { ticket: string | number; score: number; comment?: string; actor: Actor }): Promise<MajorResult> {
  const pid = actingPerson(deps, args.actor, 'record the customer satisfaction');
  if (!Number.isInteger(args.score) || args.score < 1 || args.score > 5) throw new DomainError('VALIDATION', 'score: a whole number from 1 (not satisfied) to 5 (very satisfied).', { field: 'score' });
  const comment = (args.comment ?? '').trim().slice(0, 2000);
  const satisfied = args.score >= 4;
  const r = await mutate(deps, args.ticket, (m, t, now) => {
    const customer = t.id === m.ticketId ? t.requesterId : null;
    if (pid !== customer && !deps.directory().hasRole(pid, 'escalation_manager')) {
      throw new DomainError('FORBIDDEN', `Only the customer (${personName(deps, customer)}) or an escalation manager can record the satisfaction of ${m.ticketKey}.`);
    }
    const asked = m.status === 'satisfaction' || (m.status === 'active' && !!m.satisfactionRequestedAt && !!m.satisfaction && m.satisfaction.score <= 3);
    if (!asked) {
      throw new DomainError('INVALID_TRANSITION', `${m.ticketKey} has no satisfaction check open (it is ${STATUS_TEXT[m.status]}${m.warrantyEndsAt ? `; the check is sent when the warranty ends, ${when(deps, m.warrantyEndsAt)}` : ''}).`);
    }
    const satisfaction = { score: args.score, comment, at: now, by: pid };
    if (satisfied) {
      const dir = deps.directory();
      const cal = dir.calendar(dir.team(t.teamId)?.calendarId ?? '');
      const reviewAt = nextReviewSlot(now, dir.org.timeZone, cal && !cal.alwaysOpen ? cal.workingDays : [1, 2, 3, 4, 5], cal?.holidays ?? []);
      return { next: { ...m, satisfaction, status: 'closed', closedAt: now, reviewScheduledAt: now, reviewAt, nextUpdateDueAt: null }, extra: reviewAt };
    }
    return { next: { ...m, satisfaction, status: 'active', nextUpdateDueAt: new Date(now.getTime() + m.cadenceMinutes * MIN), updateReminders: 0 }, extra: null };
  });
  const m = r.saved!;
  const t = (await deps.tickets.get(m.ticketId)) ?? r.t;
  const now = r.now;
  await deps.timeline.append([event(deps, m.ticketId, 'satisfaction.recorded', now, args.actor, { majorId: m.id, score: args.score, comment, by: pid }, `satisfaction.recorded:${m.id}:${now.getTime()}`)]);
  const ems = escalationManagers(m);
  if (!satisfied) {
    const text = `The customer is not satisfied with the resolution of ${m.ticketKey} (${args.score}/5)${comment ? `: "${comment}"` : '.'} The major escalation is back with you: follow up with the customer, then ask them again.`;
    await notifyPeople(deps, t, ems, ['chat', 'email'], noticeFor(deps, t, { kind: 'major_escalation', title: `Not satisfied (${args.score}/5): ${m.ticketKey} ${t.title}`, text, urgent: true }), `major:${m.id}:unsatisfied:${now.getTime()}`);
    await roomPost(deps, m, { text: `Customer satisfaction ${args.score}/5${comment ? `: "${comment}"` : ''}. Back to the escalation manager; the escalation is active again.` });
    deps.nudge?.();
    return { ticket: t, major: m, changed: true, message: `Recorded ${args.score}/5 for ${m.ticketKey}. Not satisfied: the escalation manager (${ems.map((id) => personName(deps, id)).join(', ')}) was told and the escalation is active again.` };
  }
  // Satisfied: review scheduled, the escalation closed, the report generated and sent, the war room archived.
  const reviewAt = r.extra!;
  await roomPost(deps, m, { text: `Customer satisfaction ${args.score}/5${comment ? `: "${comment}"` : ''}. Post-escalation review scheduled for ${when(deps, reviewAt)}. The escalation is closed; this room will be archived.` });
  const done = await closeOut(deps, m, t, now);
  const aarNote = done.aar ? 'the after-action report was sent' : 'the after-action report could NOT be generated yet (Esc retries; see the log)';
  return { ticket: t, major: (await deps.majors.get(m.id)) ?? m, changed: true, message: `Recorded ${args.score}/5 for ${m.ticketKey}: post-escalation review scheduled for ${when(deps, reviewAt)}, ${aarNote}, the escalation is closed${m.warRoom ? (done.archived ? ' and its war room archived' : ' (its war room could not be archived yet; Esc retries)') : ''}.` };
}

/**
 * The closing work of a satisfied escalation, each step idempotent: review scheduled and the
 * team told, closed on the timeline, the after-action report sent (unless it was), the war
 * room archived (unless it was). Run at once by `recordSatisfaction`, and by the engine
 * (`close_out`) when a crash or a failure left part of it undone.
 */
async function closeOut(deps: AppDeps, m0: MajorEscalation, t: Ticket, now: Date): Promise<{ aar: boolean; archived: boolean }> {
  const m = m0;
  const at = new Date(m.closedAt ?? now);
  const score = m.satisfaction?.score ?? null;
  if (m.reviewAt) {
    const reviewAt = new Date(m.reviewAt);
    await deps.timeline.append([event(deps, m.ticketId, 'major.review_scheduled', at, ENGINE, { majorId: m.id, at: reviewAt }, `major.review_scheduled:${m.id}`)]);
    const team = [...new Set([...escalationManagers(m), ...m.members.map((x) => x.personId)])];
    await notifyPeople(deps, t, team, ['chat'], noticeFor(deps, t, { kind: 'major_escalation', title: `Post-escalation review of ${m.ticketKey}: ${when(deps, reviewAt)}`, text: `The customer is satisfied${score !== null ? ` (${score}/5)` : ''}. The post-escalation review of ${m.ticketKey} is scheduled for ${when(deps, reviewAt)}; its findings go to problem management.`, facts: [{ label: 'Review', value: when(deps, reviewAt) }] }), `major:${m.id}:review`);
  }
  await deps.timeline.append([event(deps, m.ticketId, 'major.closed', at, ENGINE, { majorId: m.id, score }, `major.closed:${m.id}`)]);
  let aar = !!m.aarGeneratedAt;
  if (!aar) {
    try {
      await afterActionReport(deps, { ticket: m.ticketId, actor: ENGINE, send: true });
      aar = true;
    } catch (e) {
      deps.log.error({ majorId: m.id, err: (e as Error).stack ?? String(e) }, 'after-action report failed at closing');
    }
  }
  let archived = !m.warRoom || !!m.archivedAt;
  if (!archived && m.warRoom) {
    try {
      await deps.warRoom.archive(m.warRoom);
      for (let i = 0; i < 8 && !archived; i++) {
        const cur = (await deps.majors.get(m.id)) ?? m;
        archived = !!(await saveMajor(deps, { ...cur, archivedAt: now }));
      }
      await deps.timeline.append([event(deps, m.ticketId, 'major.war_room_archived', now, ENGINE, { majorId: m.id, room: m.warRoom }, `major.war_room_archived:${m.id}`)]);
    } catch (e) {
      deps.log.warn({ majorId: m.id, err: (e as Error).message }, 'war room could not be archived');
    }
  }
  return { aar, archived };
}

/** Who receives the after-action report (seed 001): executives, the configured list, team managers, service owners. */
async function aarRecipients(deps: AppDeps, m: MajorEscalation, t: Ticket): Promise<string[]> {
  const dir = deps.directory();
  const cfg = majorConfig(deps);
  const teamManagers = [t.teamId, ...m.members.flatMap((x) => dir.teamsOf(x.personId).map((tm) => tm.id))].map((id) => dir.team(id)?.managerId);
  const req = await deps.requests.latestForTicket(t.id);
  const owners = [req?.ownerId, ...m.members.filter((x) => x.role === 'problem_owner' || x.role === 'abrm').map((x) => x.personId)];
  return [...new Set([...dir.org.executives, ...cfg.aarRecipients, ...teamManagers, ...owners].filter((x): x is string => !!x && !!dir.person(x)))];
}

/** The report keeps at most this many of the events it reads (half the first, half the newest). */
export const AAR_KEEP_EVENTS = 20_000;
const AAR_PAGE = 2_000;

/**
 * Reads a ticket's whole timeline page by page, keeping the events the report reads (the
 * others, such as deliveries, are only counted). Past `keep` of them, the first half and
 * the newest half are kept and the rest counted as left out, so memory stays bounded.
 */
async function aarEvents(deps: AppDeps, ticketId: string, keep: number): Promise<{ events: TimelineEvent[]; total: number; omitted: AarOmitted | null }> {
  const half = Math.max(1, Math.floor(keep / 2));
  const head: TimelineEvent[] = [];
  let tail: TimelineEvent[] = [];
  let total = 0;
  let dropped = 0;
  let from: Date | null = null;
  let to: Date | null = null;
  const drop = (es: TimelineEvent[]) => {
    for (const e of es) {
      dropped++;
      const at = new Date(e.at);
      if (!from || at < from) from = at;
      if (!to || at > to) to = at;
    }
  };
  let cursor: string | null = null;
  for (;;) {
    const page: { events: TimelineEvent[]; next: string | null } = await deps.timeline.pageForTicket(ticketId, cursor, AAR_PAGE);
    total += page.events.length;
    for (const e of page.events) {
      if (!aarReads(e)) continue;
      if (head.length < half) head.push(e);
      else tail.push(e);
    }
    if (tail.length > 2 * half) {
      drop(tail.slice(0, tail.length - half));
      tail = tail.slice(-half);
    }
    if (!page.next) break;
    cursor = page.next;
  }
  if (tail.length > half) {
    drop(tail.slice(0, tail.length - half));
    tail = tail.slice(-half);
  }
  return { events: [...head, ...tail], total, omitted: dropped > 0 && from && to ? { count: dropped, from, to } : null };
}

/** Builds the after-action report from the timeline (Markdown + PDF); `send` posts it in the war room and to the stakeholders. `keepEvents`: see AAR_KEEP_EVENTS. */
export async function afterActionReport(deps: AppDeps, args: { ticket: string | number; actor: Actor; send?: boolean; keepEvents?: number }): Promise<AfterActionReport> {
  const { m } = await requireMajor(deps, args.ticket);
  if (args.send && args.actor.via !== 'engine') {
    const pid = actingPerson(deps, args.actor, 'send the after-action report');
    requireEscalationManager(deps, pid, 'send the after-action report');
  }
  const t = (await deps.tickets.get(m.ticketId))!;
  // The whole timeline, not its oldest 5,000 events: a long escalation keeps its resolution and satisfaction.
  const read = await aarEvents(deps, m.ticketId, args.keepEvents ?? AAR_KEEP_EVENTS);
  const now = deps.clock.now();
  const model = buildAar(read.events, { name: (id) => personName(deps, id), timeZone: deps.directory().org.timeZone, now, sourceEvents: read.total, omitted: read.omitted });
  const markdown = aarMarkdown(model);
  const pdf = await deps.renderAarPdf(model);
  const fileName = `aar-${m.ticketKey}.pdf`;
  if (!args.send) return { markdown, pdf, fileName };
  const sentTo = await aarRecipients(deps, m, t);
  await roomPost(deps, m, { text: `After-action report for ${m.ticketKey} (${fileName}).`, file: { name: fileName, contentType: 'application/pdf', data: pdf, title: model.title } });
  const text = `The after-action report of the major escalation ${m.ticketKey} (${t.title}) is attached as a PDF (${fileName}). Summary: ${model.summary.join(' ')}`;
  await notifyPeople(deps, t, sentTo, ['email'], noticeFor(deps, t, { kind: 'major_escalation', title: `After-action report: ${m.ticketKey} ${t.title}`, text, facts: model.facts, attachments: [{ name: fileName, contentType: 'application/pdf', base64: pdf.toString('base64') }, { name: fileName.replace(/\.pdf$/, '.md'), contentType: 'text/markdown', base64: Buffer.from(markdown).toString('base64') }] }), `major:${m.id}:aar:${now.getTime()}`);
  await deps.timeline.append([event(deps, m.ticketId, 'major.aar_generated', now, args.actor, { majorId: m.id, fileName, bytes: pdf.length, sentTo, sourceEvents: model.sourceEvents }, `major.aar_generated:${m.id}:${now.getTime()}`)]);
  for (let i = 0; i < 8; i++) {
    const cur = (await deps.majors.get(m.id))!;
    if (await saveMajor(deps, { ...cur, aarGeneratedAt: now })) break;
  }
  return { markdown, pdf, fileName, sentTo };
}

/** The major escalation on a ticket (its own, or the one it is linked to), or null. */
export async function majorForTicket(deps: AppDeps, ticket: string | number): Promise<MajorEscalation | null> {
  const t = await requireTicket(deps, ticket);
  return majorOf(deps, t);
}

/**
 * Hook for ticket changes (called where tickets are resolved and reopened): resolving a
 * ticket closes its live manager escalation request; resolving the last open incident of an active major escalation starts the warranty; reopening one during
 * the warranty (or while the customer is asked) reopens the escalation.
 */
export async function majorTicketChanged(deps: AppDeps, ticket: Ticket, change: 'resolve' | 'reopen', actor: Actor): Promise<void> {
  if (change === 'resolve') {
    // A resolved ticket needs no manager escalation request any more (open: no more reminders).
    await requestTicketResolved(deps, ticket, actor).catch((e: unknown) => deps.log.error({ ticketId: ticket.id, err: (e as Error).stack ?? String(e) }, 'could not close the escalation request of a resolved ticket'));
  }
  const m0 = await majorOf(deps, ticket);
  if (!m0 || m0.status === 'closed') return;
  const cfg = majorConfig(deps);
  if (change === 'resolve') {
    if (m0.status !== 'active') return;
    const all = await deps.tickets.getMany([m0.ticketId, ...m0.relatedTicketIds]);
    if ([...all.values()].some((x) => isOpen(x))) return;
    const r = await mutate(deps, m0.ticketId, (m, _t, now) => (m.status === 'active' ? { next: toWarranty(m, now, cfg), extra: null } : null));
    if (!r.saved) return;
    const m = r.saved;
    await deps.timeline.append([event(deps, m.ticketId, 'major.resolved', r.now, actor, { majorId: m.id, warrantyEndsAt: m.warrantyEndsAt, resolvedTicket: ticket.id }, `major.resolved:${m.id}:${r.now.getTime()}`)]);
    await roomPost(deps, m, { text: `${keyOf(ticket)} is resolved. Warranty until ${when(deps, m.warrantyEndsAt!)}: the team stays on standby in case it recurs; then the customer is asked for their satisfaction.` });
    deps.nudge?.();
    return;
  }
  if (m0.status !== 'warranty' && m0.status !== 'satisfaction') return;
  const r = await mutate(deps, m0.ticketId, (m, _t, now) => (m.status === 'warranty' || m.status === 'satisfaction' ? { next: reopenMajor(m, now), extra: null } : null));
  if (!r.saved) return;
  await alertRecurrence(deps, r.saved, r.t, 'reopen', ticket, r.now, actor);
}

/**
 * Engine: does what is due on one major escalation (overdue tasks, a missing update, the
 * executive alert, the end of the warranty). Messages and events carry keys derived from the
 * escalation's state, so two processes doing the same work store them once; the
 * compare-and-set then records it. Returns how many things it did.
 */
export async function advanceMajor(deps: AppDeps, m: MajorEscalation, now: Date): Promise<number> {
  const cfg = majorConfig(deps);
  const due = dueWork(m, cfg, now);
  const closing = due.find((d) => d.type === 'close_out');
  if (closing) {
    // Claim the attempt first (compare-and-set), so one process does the closing work.
    const claimed = await saveMajor(deps, afterDue(m, closing, now));
    if (!claimed) return 0;
    const t = await deps.tickets.get(m.ticketId);
    if (!t) return 1;
    deps.log.warn({ majorId: m.id, attempt: closing.attempt }, 'major escalation closed with its closing work undone: finishing it');
    const done = await closeOut(deps, claimed, t, now);
    if (!(done.aar && done.archived) && closing.attempt >= CLOSE_OUT_MAX_ATTEMPTS) deps.log.error({ majorId: m.id, ...done }, 'major escalation: closing work still undone after the last retry; send the report / archive the war room by hand');
    return 1;
  }
  const flushing = due.find((d) => d.type === 'flush');
  if (flushing) {
    // Claim the attempt first (compare-and-set), so one process sends them.
    const claimed = await saveMajor(deps, afterDue(m, flushing, now));
    if (!claimed) return 0;
    deps.log.warn({ majorId: m.id, batches: flushing.ids.length }, 'major escalation: messages of an action left unsent (a crash or a failure): sending them');
    await flushPending(deps, claimed, flushing.ids);
    return 1;
  }
  const announcing = due.find((d) => d.type === 'announce');
  if (announcing) {
    // Claim the attempt first (compare-and-set), so one process posts the summary.
    const claimed = await saveMajor(deps, afterDue(m, announcing, now));
    if (!claimed) return 0;
    const t = await deps.tickets.get(m.ticketId);
    if (!t) return 1;
    deps.log.warn({ majorId: m.id, attempt: announcing.attempt }, 'war room open but not announced: announcing it');
    const done = await announceRoom(deps, t, claimed, ENGINE);
    if (!done.summaryPostedAt && announcing.attempt >= ANNOUNCE_MAX_ATTEMPTS) deps.log.error({ majorId: m.id }, 'war room summary still not posted after the last retry; post it by hand');
    return 1;
  }
  if (due.length === 0) {
    const wake = nextWake(m, cfg);
    // Nothing due (the settings changed since): move the wake-up on, never spin on it.
    await deps.majors.save({ ...m, nextWakeAt: wake && wake.getTime() > now.getTime() ? wake : null });
    return 0;
  }
  const t = await deps.tickets.get(m.ticketId);
  if (!t) return 0;
  let next = m;
  const posts: string[] = [];
  for (const d of due) {
    await doDue(deps, m, t, d, now, cfg, posts);
    next = afterDue(next, d, now);
  }
  const saved = await saveMajor(deps, next);
  if (saved) for (const text of posts) await roomPost(deps, saved, { text });
  return due.length;
}

async function doDue(deps: AppDeps, m: MajorEscalation, t: Ticket, d: MajorDue, now: Date, cfg: MajorConfig, posts: string[]): Promise<void> {
  const ems = escalationManagers(m);
  const dir = deps.directory();
  switch (d.type) {
    case 'task_overdue': {
      const task = m.tasks.find((x) => x.n === d.n)!;
      const late = Math.round((now.getTime() - new Date(task.dueAt).getTime()) / MIN);
      const k = `major:${m.id}:task:${d.n}:overdue:${d.reminder}`;
      await notifyPeople(deps, t, [task.ownerId, ...ems], ['chat'], noticeFor(deps, t, { kind: 'major_escalation', title: `Overdue: task ${d.n} on ${m.ticketKey}`, text: `Task ${d.n} of the major escalation on ${m.ticketKey} was due ${when(deps, task.dueAt)} (${late} min ago) and is still open: ${task.title}. Owner: ${personName(deps, task.ownerId)}.`, urgent: true }), k);
      await deps.timeline.append([event(deps, m.ticketId, 'major.task_overdue', now, ENGINE, { majorId: m.id, n: d.n, ownerId: task.ownerId, reminder: d.reminder, dueAt: task.dueAt }, k)]);
      if (d.reminder === 1) posts.push(`Task ${d.n} is overdue (due ${when(deps, task.dueAt)}): ${task.title}. ${personName(deps, task.ownerId)} and the escalation manager were reminded.`);
      return;
    }
    case 'update_due': {
      const k = `major:${m.id}:update_due:${new Date(m.nextUpdateDueAt!).getTime()}:${d.reminder}`;
      await notifyPeople(deps, t, ems, ['chat'], noticeFor(deps, t, { kind: 'major_escalation', title: `Customer update due: ${m.ticketKey}`, text: `A customer / stakeholder update on ${m.ticketKey} was due ${when(deps, m.nextUpdateDueAt!)} (every ${m.cadenceMinutes} min for ${m.priority}) and none was sent. Send one now.`, urgent: true }), k);
      await deps.timeline.append([event(deps, m.ticketId, 'major.update_due', now, ENGINE, { majorId: m.id, dueAt: m.nextUpdateDueAt, reminder: d.reminder, to: ems }, k)]);
      return;
    }
    case 'executives': {
      const to = [...new Set([...dir.org.executives, ...cfg.notifyAlso].filter((x) => dir.person(x)))];
      const k = `major.executives_alerted:${m.id}`;
      await notifyPeople(deps, t, to, ['chat', 'email'], noticeFor(deps, t, { kind: 'major_escalation', title: `Major escalation: ${m.ticketKey} ${t.title}`, text: `Hierarchical escalation: the major escalation on ${m.ticketKey} meets the executive criteria (${d.criteria.join(', ')}). Escalation manager: ${personName(deps, m.declaredBy)}. Reason: ${m.reason}`, facts: [{ label: 'Criteria', value: d.criteria.join(', ') }, { label: 'Status', value: STATUS_TEXT[m.status] }], urgent: true }), k);
      await deps.timeline.append([event(deps, m.ticketId, 'major.executives_alerted', now, ENGINE, { majorId: m.id, to, criteria: d.criteria }, k)]);
      posts.push(`Executives alerted (${d.criteria.join(', ')}): ${to.map((id) => personName(deps, id)).join(', ')}.`);
      return;
    }
    case 'warranty_end': {
      const k = `major.satisfaction_requested:${m.id}:${new Date(m.warrantyEndsAt!).getTime()}`;
      const customer = t.requesterId;
      if (customer) {
        await notifyPeople(deps, t, [customer], ['chat', 'email'], noticeFor(deps, t, { kind: 'major_escalation', title: `How satisfied are you with the resolution of ${m.ticketKey}?`, text: `The warranty period of ${m.ticketKey} (${t.title}) is over without a recurrence. Please rate the resolution from 1 (not satisfied) to 5 (very satisfied), with a comment if you like.`, actions: ['rate'] }), k);
      } else {
        await notifyPeople(deps, t, ems, ['chat'], noticeFor(deps, t, { kind: 'major_escalation', title: `Warranty over: ${m.ticketKey} has no requester to ask`, text: `The warranty of ${m.ticketKey} is over, but the ticket names no customer: record their satisfaction yourself.` }), k);
      }
      await deps.timeline.append([event(deps, m.ticketId, 'major.satisfaction_requested', now, ENGINE, { majorId: m.id, to: customer }, k)]);
      posts.push(`Warranty over without a recurrence; the satisfaction check went to ${customer ? personName(deps, customer) : 'nobody (no requester)'}.`);
      return;
    }
    case 'satisfaction_reminder': {
      const asked = new Date(m.satisfactionRequestedAt!);
      const customer = t.requesterId;
      if (!customer) return; // the escalation managers were told at the end of the warranty
      const k = `major.satisfaction_reminded:${m.id}:${asked.getTime()}`;
      await notifyPeople(deps, t, [customer], ['chat', 'email'], noticeFor(deps, t, { kind: 'major_escalation', title: `Reminder: how satisfied are you with the resolution of ${m.ticketKey}?`, text: `We asked you on ${when(deps, asked)} to rate the resolution of ${m.ticketKey} (${t.title}) and have no answer yet. Please rate it from 1 (not satisfied) to 5 (very satisfied), with a comment if you like: it decides whether the escalation can close.`, actions: ['rate'] }), k);
      await deps.timeline.append([event(deps, m.ticketId, 'major.satisfaction_reminded', now, ENGINE, { majorId: m.id, to: customer, requestedAt: asked }, k)]);
      posts.push(`The customer (${personName(deps, customer)}) has not answered the satisfaction check sent ${when(deps, asked)}; they were reminded.`);
      return;
    }
    case 'satisfaction_timeout': {
      const asked = new Date(m.satisfactionRequestedAt!);
      const customer = t.requesterId;
      const k = `major.satisfaction_unanswered:${m.id}:${asked.getTime()}`;
      const who = customer ? personName(deps, customer) : 'the customer';
      const text = `${who} has not answered the satisfaction check of ${m.ticketKey} (${t.title}), sent ${when(deps, asked)}${customer ? ' and reminded since' : ''}. The escalation stays open until a person decides: contact the customer and record their answer (an escalation manager may record it on their behalf), or reopen the work if they are not satisfied.`;
      await notifyPeople(deps, t, ems, ['chat', 'email'], noticeFor(deps, t, { kind: 'major_escalation', title: `No answer to the satisfaction check: ${m.ticketKey} ${t.title}`, text, facts: [{ label: 'Asked', value: when(deps, asked) }, { label: 'Customer', value: who }], actions: ['rate'], urgent: true }), k);
      await deps.timeline.append([event(deps, m.ticketId, 'major.satisfaction_unanswered', now, ENGINE, { majorId: m.id, to: ems, customer, requestedAt: asked }, k)]);
      posts.push(`No answer from ${who} to the satisfaction check; the escalation manager (${ems.map((id) => personName(deps, id)).join(', ')}) decides what happens next.`);
      return;
    }
  }
}

/** The major escalation whose war room this conversation is (people may leave the ticket out there), or null. */
export async function majorForWarRoom(deps: AppDeps, roomId: string): Promise<MajorEscalation | null> {
  return roomId ? deps.majors.byWarRoom(roomId) : null;
}
