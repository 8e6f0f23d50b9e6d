/** The war room: opened, announced (summary pinned), posted in. */
import { DomainError } from '../../../domain/errors.js';
import { MAJOR_ROLE_LABELS } from '../../../domain/major.js';
import type { MajorEscalation } from '../../../domain/major.js';
import type { Ticket } from '../../../domain/ticket.js';
import type { AppDeps } from '../../deps.js';
import type { Actor } from '../../ports/timeline.js';
import { WarRoomError, warRoomName } from '../../ports/war-room.js';
import type { WarRoomMessage } from '../../ports/war-room.js';
import { personName } from '../actors.js';
import { event } from '../ticket-access.js';
import { keyOf, people, saveMajor, when } from './support.js';

/** Posts in the war room; a failure is logged, never fails the use case (the timeline has it). */
export async function roomPost(deps: AppDeps, m: MajorEscalation, message: WarRoomMessage): Promise<boolean> {
  if (!m.warRoom) return false;
  try {
    await deps.warRoom.post(m.warRoom, message);
    return true;
  } catch (e) {
    deps.log.warn({ majorId: m.id, room: m.warRoom.name, err: (e as Error).message }, 'war room post failed');
    return false;
  }
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
export async function announceRoom(deps: AppDeps, t: Ticket, m0: MajorEscalation, actor: Actor): Promise<MajorEscalation> {
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
export async function needsAnnouncement(deps: AppDeps, m: MajorEscalation): Promise<boolean> {
  if (!m.warRoom || m.summaryPostedAt || m.status === 'closed') return false;
  if (m.summaryPostedAt === null) return true;
  const k = `major.war_room_opened:${m.id}`;
  return !(await deps.timeline.existingKeys([k])).has(k);
}

/** The war room's name: a confidential ticket's carries no title (its name is seen in lists, invitations, notifications). */
export function roomNameFor(t: Ticket): string {
  return warRoomName(keyOf(t), t.confidential ? 'confidential' : t.title);
}

/** Opens the war room (or reuses it), posts and pins the summary. Returns the error text on failure. */
export async function openRoom(deps: AppDeps, t: Ticket, m: MajorEscalation, actor: Actor): Promise<{ m: MajorEscalation; error: string | null }> {
  // A confidential ticket's room is private, and its name and topic carry no title.
  const secret = !!t.confidential;
  const name = roomNameFor(t);
  const now = deps.clock.now();
  try {
    const room = await deps.warRoom.open({ name, topic: secret ? `${keyOf(t)} (confidential)` : t.title, members: people(deps, m.members.map((x) => x.personId)), ...(secret ? { private: true } : {}) });
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
