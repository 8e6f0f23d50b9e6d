/** Pending batches: the messages of an action, stored with it and sent after (by the action, or by the engine after a crash). */
import type { Person } from '../../../domain/directory.js';
import type { MajorEscalation } from '../../../domain/major.js';
import type { AppDeps } from '../../deps.js';
import { notifyPeople } from '../notify.js';
import { roomPost } from './room.js';
import { people, saveMajor } from './support.js';

/**
 * Sends the pending batches `ids` of an escalation (notices and events keyed: sent and stored
 * once however often this runs; invites and posts at least once), then removes them from
 * the record with compare-and-set. A failure leaves them for the engine. Returns the record
 * after, and the people the war room could not reach.
 */
export async function flushPending(deps: AppDeps, m: MajorEscalation, ids: string[]): Promise<{ m: MajorEscalation; unreachable: Person[] }> {
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
