import type { Channel } from '../../domain/plan.js';
import type { AppDeps } from '../deps.js';
import { event } from './tickets.js';
import { notifyPeople, ticketFacts } from './notify.js';
import { ticketNotice } from '../../domain/notice.js';

/** Channels that still reach a person whose phone refuses SMS (calls reach the same phone, but a call is no way to tell them this). */
const OTHER: Channel[] = ['chat', 'email', 'push'];

/** The person's lead: the lead of a team they are a member of (not themselves), else their manager. */
export function leadOf(deps: Pick<AppDeps, 'directory'>, personId: string): string | null {
  const dir = deps.directory();
  const team = dir.teamsOf(personId).find((t) => t.members.includes(personId) && t.leadId && t.leadId !== personId);
  return team?.leadId ?? dir.person(personId)?.managerId ?? null;
}

/** The first of the person's contact methods among `OTHER`, else chat. */
function otherChannel(deps: Pick<AppDeps, 'directory'>, personId: string): Channel {
  const p = deps.directory().person(personId);
  return (p?.contacts.find((c) => OTHER.includes(c.kind as Channel))?.kind as Channel | undefined) ?? 'chat';
}

/**
 * A phone refused Esc's SMS (a STOP reply, or Twilio error 21610): the person is told on another
 * channel and their lead is informed, on the ticket the person was last paged about (deliveries
 * and notices belong to a ticket). Idempotent per opt-out (`at`).
 */
export async function announceSmsOptOut(deps: AppDeps, args: { personId: string; ticketId: string; phone: string; keyword: string; at: Date; optedOut: boolean }): Promise<void> {
  const t = await deps.tickets.get(args.ticketId);
  const person = deps.directory().person(args.personId);
  if (!t || !person) return;
  const facts = ticketFacts(deps, t);
  const key = `sms-opt-${args.optedOut ? 'out' : 'in'}:${args.phone}:${args.at.getTime()}`;
  const masked = `…${args.phone.slice(-4)}`;
  const mine = args.optedOut
    ? ticketNotice(facts, {
        kind: 'info',
        title: `Esc can no longer text you at ${masked}`,
        text: `Your phone ${masked} replied ${args.keyword.toUpperCase()}, so the carrier blocks Esc's SMS to it. Pages that would go by SMS now use your next contact method. Reply START to an Esc text to receive SMS pages again.`,
      })
    : ticketNotice(facts, { kind: 'info', title: `Esc can text you at ${masked} again`, text: `Your phone ${masked} replied ${args.keyword.toUpperCase()}: SMS pages are on again.` });
  await notifyPeople(deps, t, [person.id], [otherChannel(deps, person.id)], mine, `${key}:person`);
  const lead = leadOf(deps, person.id);
  if (lead && lead !== person.id) {
    const theirs = ticketNotice(facts, {
      kind: 'info',
      title: args.optedOut ? `${person.name} opted out of Esc SMS` : `${person.name} opted back in to Esc SMS`,
      text: args.optedOut
        ? `${person.name}'s phone ${masked} replied ${args.keyword.toUpperCase()}: Esc cannot text it until they reply START. Their SMS pages now go by their next contact method; check that they can still be reached on call.`
        : `${person.name}'s phone ${masked} replied ${args.keyword.toUpperCase()}: Esc pages them by SMS again.`,
    });
    await notifyPeople(deps, t, [lead], [otherChannel(deps, lead)], theirs, `${key}:lead`);
  }
  await deps.timeline.append([event(deps, t.id, args.optedOut ? 'sms.opted_out' : 'sms.opted_in', args.at, { personId: person.id, via: 'sms' }, { keyword: args.keyword, lead }, key)]);
}
