/** Customer / stakeholder updates at the agreed cadence. */
import { DomainError } from '../../../domain/errors.js';
import { STATUS_TEXT } from '../../../domain/major.js';
import type { Ticket } from '../../../domain/ticket.js';
import type { AppDeps } from '../../deps.js';
import type { Actor } from '../../ports/timeline.js';
import { actingPerson, personName } from '../actors.js';
import { noticeFor } from '../notify.js';
import { event } from '../ticket-access.js';
import { flushPending } from './pending.js';
import { effects, majorConfig, MIN, mutate, requireNotClosed, requireTeam, when } from './support.js';
import type { MajorResult } from './support.js';

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
