/** Overrides from chat and the API: stored with who and why, on the rotation's timeline, routing changed at once. */
import { DateTime } from 'luxon';
import { DomainError } from '../../../domain/errors.js';
import { PRIMARY, rolesOf } from '../../../domain/rotation.js';
import type { Actor } from '../../../domain/timeline.js';
import { authorize } from '../../authorize.js';
import type { AppDeps } from '../../deps.js';
import type { OnCallMessage, OnCallMessenger, StoredOverride } from '../../ports/oncall.js';
import { teamRotation } from './who.js';

const MAX_MS = 90 * 86_400_000;

/** "Mon 23 Nov 09:00 PST" in a zone. */
export const shortTime = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toFormat('ccc d LLL HH:mm ZZZZ');

/** Checks the times of an override or cover: from < to, not over, at most 90 days. */
export function checkSpan(from: Date, to: Date, now: Date): void {
  if (!(to.getTime() > from.getTime())) throw new DomainError('VALIDATION', 'The end must be after the start.');
  if (to.getTime() <= now.getTime()) throw new DomainError('VALIDATION', 'That time is already over; give a time in the future.');
  if (to.getTime() - from.getTime() > MAX_MS) throw new DomainError('VALIDATION', 'An override is at most 90 days; ask an admin to change the rotation in the org file instead.');
}

/** Posts a message, keeps a copy; a failure is logged and never undoes the change it tells about. */
export async function tell(deps: AppDeps, m: OnCallMessage): Promise<void> {
  const person = 'personId' in m.to ? deps.directory().person(m.to.personId) : undefined;
  let r: Awaited<ReturnType<OnCallMessenger['post']>> = { sent: false };
  try {
    r = await deps.oncallMessenger.post(m, person);
  } catch (err) {
    deps.log.warn({ err: (err as Error).message, key: m.key, code: 'ONCALL_MESSAGE_FAILED' }, 'on-call: a message could not be posted');
  }
  await deps.oncall.keepMessage(m, r.sent, deps.clock.now(), r.posted);
}

/** Rewrites every post of a cover request (taken, cancelled): the Take button goes, everyone reads the outcome. */
export async function retellCover(deps: AppDeps, coverId: string, text: string): Promise<void> {
  const update = deps.oncallMessenger.update?.bind(deps.oncallMessenger);
  if (!update) return;
  for (const posted of await deps.oncall.coverPosts(coverId)) {
    try {
      await update(posted, { text });
    } catch (err) {
      deps.log.warn({ err: (err as Error).message, coverId, platform: posted.platform, code: 'ONCALL_MESSAGE_FAILED' }, 'on-call: a cover post could not be updated');
    }
  }
}

export interface OverrideInput {
  actor: Actor;
  teamId: string;
  layer?: string;
  personId: string;
  from: Date;
  to: Date;
  reason?: string;
  /** Set by a taken cover request (the taker's own consent; no lead needed). */
  coverId?: string;
  /** `take`: the person puts themselves on call (cover_oncall instead of override_oncall). */
  self?: boolean;
  id?: string;
}

/** Stores an override (authorized inside), records it on the rotation's timeline, refreshes routing. */
export async function createOverride(deps: AppDeps, input: OverrideInput): Promise<StoredOverride> {
  const dir = deps.directory();
  const now = deps.clock.now();
  const { team, rot } = teamRotation(dir, input.teamId);
  authorize(deps, input.actor, input.self || input.coverId ? 'cover_oncall' : 'override_oncall');
  const layer = input.layer ?? PRIMARY;
  if (!rolesOf(rot).includes(layer)) throw new DomainError('VALIDATION', `${team.name}'s rotation has no layer "${layer.slice(0, 30)}"; it has ${rolesOf(rot).join(', ')}.`);
  const person = dir.person(input.personId);
  if (!person) throw new DomainError('UNKNOWN_PERSON', `I don't know "${input.personId.slice(0, 40)}".`);
  checkSpan(input.from, input.to, now);
  const o: StoredOverride = {
    id: input.id ?? deps.newId(),
    rotationId: rot.id,
    teamId: team.id,
    layer,
    personId: person.id,
    from: input.from,
    to: input.to,
    reason: (input.reason ?? '').slice(0, 500),
    createdBy: input.actor,
    createdAt: now,
    ...(input.coverId ? { coverId: input.coverId } : {}),
  };
  await deps.oncall.addOverride(o);
  await deps.oncall.record({ id: `override.created:${o.id}`, subject: rot.id, type: 'override.created', at: now, actor: input.actor, data: { overrideId: o.id, personId: o.personId, layer, from: o.from, to: o.to, reason: o.reason, teamId: team.id } });
  await deps.refreshDirectory();
  deps.nudge?.();
  return o;
}

/** Cancels an override: its creator, the person on it, or whoever may override. */
export async function cancelOverride(deps: AppDeps, args: { actor: Actor; id: string }): Promise<StoredOverride> {
  const o = await deps.oncall.getOverride(args.id);
  if (!o) throw new DomainError('NOT_FOUND', `There is no override "${args.id.slice(0, 40)}": \`/esc overrides\` lists them.`);
  const own = !!args.actor.personId && (args.actor.personId === o.personId || args.actor.personId === o.createdBy.personId);
  if (!own) authorize(deps, args.actor, 'override_oncall');
  const now = deps.clock.now();
  const done = await deps.oncall.cancelOverride(o.id, args.actor, now);
  if (!done) throw new DomainError('CONFLICT', 'That override was already cancelled.');
  await deps.oncall.record({ id: `override.cancelled:${o.id}`, subject: o.rotationId, type: 'override.cancelled', at: now, actor: args.actor, data: { overrideId: o.id, personId: o.personId, layer: o.layer } });
  await deps.refreshDirectory();
  return done;
}

/** Overrides that have not ended, newest first (one team's, or all). */
export async function listOverrides(deps: AppDeps, args: { teamId?: string | null }): Promise<StoredOverride[]> {
  const all = await deps.oncall.activeOverrides(deps.clock.now());
  if (!args.teamId) return all;
  const { rot } = teamRotation(deps.directory(), args.teamId);
  return all.filter((o) => o.rotationId === rot.id);
}
