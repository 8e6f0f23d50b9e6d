/** People found by email when they first write from Slack or Teams; contact settings they set for themselves. */
import { IANAZone } from 'luxon';
import type { Person } from '../../../domain/directory.js';
import { DomainError } from '../../../domain/errors.js';
import type { AppDeps } from '../../deps.js';

/**
 * A chat user Esc does not know: matched to a person by email (the chat id is stored), else
 * added as a requester when the organisation allows it (`directory.autoRequesters`, default on).
 * Null when nobody matches and requesters are not added.
 */
export async function learnChatUser(deps: AppDeps, args: { platform: 'slack' | 'teams'; chatId: string; email: string | null; name?: string | null; timeZone?: string | null }): Promise<Person | null> {
  const email = args.email?.trim().toLowerCase();
  if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) return null;
  const dir = deps.directory();
  const idKey = args.platform === 'slack' ? 'slackId' : 'teamsId';
  const now = deps.clock.now();
  const known = dir.byEmail(email);
  if (known) {
    // An email match never takes over a person whose file already names another account.
    if (known[idKey] && known[idKey] !== args.chatId) {
      deps.log.warn({ personId: known.id, platform: args.platform, code: 'CHAT_ID_MISMATCH' }, 'a chat user matched a person by email, but the person already has another chat id: not linked');
      return null;
    }
    await deps.oncall.saveSettings(known.id, { [idKey]: args.chatId }, now);
  } else {
    if (dir.org.autoRequesters === false) return null;
    const id = `req-${email.replace(/[^a-z0-9._-]/g, '-').slice(0, 58)}`;
    const zone = args.timeZone && IANAZone.isValidZone(args.timeZone) ? args.timeZone : dir.org.timeZone;
    await deps.oncall.saveSettings(id, { [idKey]: args.chatId, added: { id, name: (args.name || email).slice(0, 100), email, timeZone: zone } }, now);
  }
  await deps.refreshDirectory();
  const d = deps.directory();
  return (args.platform === 'slack' ? d.bySlackId(args.chatId) : d.byTeamsId(args.chatId)) ?? null;
}

/** `/esc me phone +1…` and `/esc me quiet 22:00-07:00`: stored in MongoDB, overriding the file. */
export async function setMyContact(deps: AppDeps, personId: string, change: { phone: string } | { quiet: { start: string; end: string } | null }): Promise<void> {
  if ('phone' in change && !/^\+[1-9]\d{6,14}$/.test(change.phone)) throw new DomainError('VALIDATION', `"${change.phone.slice(0, 20)}" is not a phone number in international form, e.g. +15105550101.`);
  await deps.oncall.saveSettings(personId, 'phone' in change ? { phone: change.phone } : { quietHours: change.quiet ?? undefined }, deps.clock.now());
  await deps.refreshDirectory();
}
