/**
 * The `shift-notices` engine module: a DM to whoever starts an on-call shift ("You are on call
 * for Service Desk until Mon 09:00"), and, for rotations that ask for it, a post to the team
 * channel at each hand-off. Keyed (rotation, layer, person, shift start): sent once, even with
 * two Esc processes or a pass that runs twice.
 */
import { DateTime } from 'luxon';
import type { AppDeps } from '../app/deps.js';
import { tell } from '../app/use-cases/oncall/overrides.js';
import { teamChannelIds } from '../app/use-cases/team-channel.js';
import { rolesOf } from '../domain/rotation.js';

/** A shift that began longer ago than this is not announced (Esc was down, or just started). */
const FRESH_MS = 60 * 60_000;
/** Passes closer together than this (on the Esc clock) skip the module. */
const EVERY_MS = 30_000;

export class ShiftNotices {
  private last = -Infinity;
  constructor(private readonly deps: AppDeps) {}

  async runOnce(): Promise<number> {
    const now = this.deps.clock.now();
    if (now.getTime() - this.last < EVERY_MS) return 0;
    this.last = now.getTime();
    const dir = this.deps.directory();
    let sent = 0;
    for (const team of dir.allTeams()) {
      const rot = dir.rotation(team.rotationId);
      if (!rot) continue;
      for (const role of rolesOf(rot)) {
        const s = dir.shifts(rot.id, now, new Date(now.getTime() + 35 * 86_400_000), role)[0];
        if (!s || s.from.getTime() > now.getTime() || now.getTime() - s.from.getTime() > FRESH_MS) continue;
        const key = `shift:${team.id}:${role}:${s.personId}:${s.from.toISOString()}`;
        if (!(await this.deps.oncall.claimNotice(key, now))) continue;
        const person = dir.person(s.personId);
        const zone = person?.timeZone || dir.org.timeZone;
        const until = DateTime.fromJSDate(s.to, { zone }).toFormat('ccc HH:mm');
        const layer = role === 'primary' ? '' : ` (${role})`;
        await tell(this.deps, { key: `${key}:dm`, to: { personId: s.personId }, text: `You are on call for ${team.name}${layer} until ${until}.` });
        if (rot.announceHandoffs) {
          const orgUntil = DateTime.fromJSDate(s.to, { zone: dir.org.timeZone }).toFormat('ccc d LLL HH:mm ZZZZ');
          // Every channel of the team: Slack and Teams.
          for (const c of teamChannelIds(this.deps, team.id)) await tell(this.deps, { key: `${key}:channel:${c}`, to: { channelId: c }, text: `Hand-off: ${person?.name ?? s.personId} is on call for ${team.name}${layer} until ${orgUntil}.` });
        }
        sent++;
      }
    }
    return sent;
  }
}
