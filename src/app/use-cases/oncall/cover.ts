/** Cover requests (first taker wins), taking the pager now. */
import { DomainError } from '../../../domain/errors.js';
import { PRIMARY } from '../../../domain/rotation.js';
import type { Actor } from '../../../domain/timeline.js';
import { authorize } from '../../authorize.js';
import type { AppDeps } from '../../deps.js';
import type { CoverRequest, StoredOverride } from '../../ports/oncall.js';
import { checkSpan, createOverride, shortTime, tell } from './overrides.js';
import { teamRotation } from './who.js';

const onTeam = (deps: AppDeps, teamId: string, personId: string) => {
  const t = deps.directory().team(teamId);
  const rot = deps.directory().rotation(t?.rotationId);
  return !!t && (t.members.includes(personId) || t.leadId === personId || !!rot?.layers.some((l) => l.members.includes(personId)));
};

/** Asks the team to cover a span; posts it to the team channel with a Take button. */
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
  if (team.channel) await tell(deps, { key: `cover:${cover.id}`, to: { channelId: team.channel }, text, take: { coverId: cover.id } });
  return { cover, channel: team.channel ?? null };
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
