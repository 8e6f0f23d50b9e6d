/** Cover requests (first taker wins), taking the pager now. */
import { DomainError } from '../../../domain/errors.js';
import { PRIMARY } from '../../../domain/rotation.js';
import type { Actor } from '../../../domain/timeline.js';
import { authorize } from '../../authorize.js';
import type { AppDeps } from '../../deps.js';
import type { CoverRequest, StoredOverride } from '../../ports/oncall.js';
import { teamChannelIds } from '../team-channel.js';
import { checkSpan, createOverride, retellCover, shortTime, tell } from './overrides.js';
import { teamRotation } from './who.js';

const onTeam = (deps: AppDeps, teamId: string, personId: string) => {
  const t = deps.directory().team(teamId);
  const rot = deps.directory().rotation(t?.rotationId);
  return !!t && (t.members.includes(personId) || t.leadId === personId || !!rot?.layers.some((l) => l.members.includes(personId)));
};

/** Asks the team to cover a span; posts it to the team's channels (Slack, Teams) with a Take button. */
export async function requestCover(deps: AppDeps, args: { actor: Actor; teamId: string; layer?: string; from: Date; to: Date }): Promise<{ cover: CoverRequest; channel: string | null }> {
  const dir = deps.directory();
  const now = deps.clock.now();
  const { team, rot } = teamRotation(dir, args.teamId);
  authorize(deps, args.actor, 'cover_oncall');
  const me = dir.person(args.actor.personId);
  if (!me || !onTeam(deps, team.id, me.id)) throw new DomainError('FORBIDDEN', `Only people on ${team.name}'s rotation can ask it for cover.`);
  checkSpan(args.from, args.to, now);
  const cover: CoverRequest = { id: deps.newId(), teamId: team.id, rotationId: rot.id, layer: args.layer ?? PRIMARY, requesterId: me.id, from: args.from, to: args.to, status: 'open', createdAt: now };
  await deps.oncall.addCover(cover);
  await deps.oncall.record({ id: `cover.requested:${cover.id}`, subject: rot.id, type: 'cover.requested', at: now, actor: args.actor, data: { coverId: cover.id, from: cover.from, to: cover.to, layer: cover.layer } });
  const zone = dir.org.timeZone;
  const text = `${me.name} asks for cover of ${team.name} on-call (${cover.layer}) from ${shortTime(cover.from, zone)} to ${shortTime(cover.to, zone)}. The first to take it carries the pager.`;
  const channels = teamChannelIds(deps, team.id);
  for (const c of channels) await tell(deps, { key: `cover:${cover.id}:${c}`, to: { channelId: c }, text, take: { coverId: cover.id } });
  return { cover, channel: channels[0] ?? null };
}

/** Takes a cover request: compare-and-set, so the first taker wins; the requester and the lead are told. */
export async function takeCover(deps: AppDeps, args: { actor: Actor; coverId: string }): Promise<{ cover: CoverRequest; override: StoredOverride }> {
  const dir = deps.directory();
  const c = await deps.oncall.getCover(args.coverId);
  if (!c) throw new DomainError('NOT_FOUND', 'That cover request does not exist (any more).');
  const team = dir.team(c.teamId);
  const who = dir.person(args.actor.personId);
  if (c.status === 'taken') throw new DomainError('CONFLICT', `${dir.person(c.takenBy)?.name ?? 'Someone'} already took this cover.`);
  if (c.status !== 'open') throw new DomainError('CONFLICT', 'That cover request was cancelled.');
  if (!who) throw new DomainError('FORBIDDEN', 'Esc could not tell who you are.');
  if (who.id === c.requesterId) throw new DomainError('VALIDATION', 'You asked for this cover; a colleague takes it.');
  authorize(deps, args.actor, 'cover_oncall');
  if (!onTeam(deps, c.teamId, who.id)) throw new DomainError('FORBIDDEN', `Only people on ${team?.name ?? c.teamId}'s rotation can take its cover.`);
  const now = deps.clock.now();
  const overrideId = `cover-${c.id}`;
  const taken = await deps.oncall.takeCover(c.id, who.id, overrideId, now);
  if (!taken) {
    const again = await deps.oncall.getCover(c.id);
    throw new DomainError('CONFLICT', `${dir.person(again?.takenBy)?.name ?? 'Someone'} took this cover first.`);
  }
  const from = new Date(Math.max(new Date(c.from).getTime(), now.getTime()));
  const override = await createOverride(deps, { actor: args.actor, teamId: c.teamId, layer: c.layer, personId: who.id, from, to: new Date(c.to), reason: `cover for ${dir.person(c.requesterId)?.name ?? c.requesterId}`, coverId: c.id, id: overrideId });
  await deps.oncall.record({ id: `cover.taken:${c.id}`, subject: c.rotationId, type: 'cover.taken', at: now, actor: args.actor, data: { coverId: c.id, personId: who.id, overrideId } });
  const zone = dir.org.timeZone;
  const line = `${who.name} took the ${team?.name ?? c.teamId} on-call cover (${c.layer}) from ${shortTime(from, zone)} to ${shortTime(new Date(c.to), zone)}.`;
  await retellCover(deps, c.id, `${line} (${dir.person(c.requesterId)?.name ?? c.requesterId} asked for it.)`);
  await tell(deps, { key: `cover-taken:${c.id}:${c.requesterId}`, to: { personId: c.requesterId }, text: line });
  if (team?.leadId && team.leadId !== c.requesterId && team.leadId !== who.id) await tell(deps, { key: `cover-taken:${c.id}:${team.leadId}`, to: { personId: team.leadId }, text: line });
  return { cover: taken, override };
}

/** `take 2h`: the person carries the team's pager from now for the duration. */
export async function takeNow(deps: AppDeps, args: { actor: Actor; teamId: string; layer?: string; until: Date }): Promise<StoredOverride> {
  const who = deps.directory().person(args.actor.personId);
  if (!who) throw new DomainError('FORBIDDEN', 'Esc could not tell who you are.');
  const { team } = teamRotation(deps.directory(), args.teamId);
  authorize(deps, args.actor, 'cover_oncall');
  if (!onTeam(deps, team.id, who.id)) throw new DomainError('FORBIDDEN', `Only people on ${team.name}'s rotation can take its pager; ask its lead for an override.`);
  return createOverride(deps, { actor: args.actor, teamId: team.id, ...(args.layer ? { layer: args.layer } : {}), personId: who.id, from: deps.clock.now(), to: args.until, reason: 'took the pager', self: true });
}

/**
 * Cancels an open cover request: its asker, the team's lead, or whoever may override. Its posts
 * say it was cancelled (no Take button any more). Without an id: the newest open request of
 * `requesterId` (default: the actor).
 */
export async function cancelCover(deps: AppDeps, args: { actor: Actor; coverId?: string | null; requesterId?: string | null }): Promise<CoverRequest> {
  const dir = deps.directory();
  const now = deps.clock.now();
  const asker = args.requesterId ?? args.actor.personId;
  let c: CoverRequest | null;
  if (args.coverId) c = await deps.oncall.getCover(args.coverId);
  else c = (await deps.oncall.openCovers(now)).find((x) => x.requesterId === asker) ?? null;
  if (!c) throw new DomainError('NOT_FOUND', args.coverId ? 'That cover request does not exist.' : asker === args.actor.personId ? 'You have no open cover request.' : `${dir.person(asker)?.name ?? asker} has no open cover request.`);
  if (c.status === 'taken') throw new DomainError('CONFLICT', `${dir.person(c.takenBy)?.name ?? 'Someone'} already took this cover; ask them, or cancel their override (\`/esc overrides\`).`);
  if (c.status === 'cancelled') throw new DomainError('CONFLICT', 'That cover request was already cancelled.');
  const team = dir.team(c.teamId);
  const mine = !!args.actor.personId && (args.actor.personId === c.requesterId || args.actor.personId === team?.leadId);
  if (!mine) authorize(deps, args.actor, 'override_oncall');
  const done = await deps.oncall.cancelCover(c.id, args.actor, now);
  if (!done) {
    const again = await deps.oncall.getCover(c.id);
    throw new DomainError('CONFLICT', again?.status === 'taken' ? `${dir.person(again.takenBy)?.name ?? 'Someone'} took this cover first.` : 'That cover request was already cancelled.');
  }
  await deps.oncall.record({ id: `cover.cancelled:${c.id}`, subject: c.rotationId, type: 'cover.cancelled', at: now, actor: args.actor, data: { coverId: c.id } });
  const zone = dir.org.timeZone;
  const by = args.actor.personId === c.requesterId ? '' : ` by ${args.actor.name ?? dir.person(args.actor.personId)?.name ?? 'an admin'}`;
  await retellCover(deps, c.id, `Cancelled${by}: ${dir.person(c.requesterId)?.name ?? c.requesterId} no longer needs cover of ${team?.name ?? c.teamId} on-call (${c.layer}) from ${shortTime(new Date(c.from), zone)} to ${shortTime(new Date(c.to), zone)}.`);
  if (args.actor.personId !== c.requesterId) await tell(deps, { key: `cover-cancelled:${c.id}:${c.requesterId}`, to: { personId: c.requesterId }, text: `${args.actor.name ?? 'A lead'} cancelled your cover request for ${team?.name ?? c.teamId} on-call from ${shortTime(new Date(c.from), zone)}.` });
  return done;
}
