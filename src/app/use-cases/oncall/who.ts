/** Who is on call: per team and layer, now (or at a time) and next; a person's coming shifts. */
import type { Directory, Rotation, Team } from '../../../domain/directory.js';
import { DomainError } from '../../../domain/errors.js';
import { rolesOf } from '../../../domain/rotation.js';
import type { Shift } from '../../../domain/rotation.js';
import type { AppDeps } from '../../deps.js';

const DAY = 86_400_000;

export interface LayerOnCall {
  role: string;
  current: Shift | null;
  next: Shift | null;
}
export interface TeamOnCall {
  teamId: string;
  teamName: string;
  rotationId: string;
  layers: LayerOnCall[];
}

/** The team and its rotation, or a refusal that names the teams that have one. */
export function teamRotation(dir: Directory, teamId: string): { team: Team; rot: Rotation } {
  const team = dir.team(teamId) ?? dir.allTeams().find((t) => t.name.toLowerCase() === teamId.toLowerCase());
  const withRota = dir.allTeams().filter((t) => t.rotationId).map((t) => t.id).join(', ') || 'none';
  if (!team) throw new DomainError('UNKNOWN_TEAM', `There is no team "${teamId.slice(0, 40)}". Teams with an on-call rotation: ${withRota}.`);
  const rot = dir.rotation(team.rotationId);
  if (!rot) throw new DomainError('NOT_FOUND', `${team.name} has no on-call rotation. Teams with one: ${withRota}.`);
  return { team, rot };
}

/** The team a person means when they name none: their first team with a rotation, else the organisation's default. */
export function defaultTeamOf(dir: Directory, personId: string | null | undefined): string {
  return dir.teamsOf(personId ?? '').find((t) => t.rotationId)?.id ?? dir.org.defaultTeamId;
}

/** Current and next person of each layer of a team at `at`. */
export function teamOnCall(dir: Directory, teamId: string, at: Date): TeamOnCall {
  const { team, rot } = teamRotation(dir, teamId);
  const layers = rolesOf(rot).map((role) => {
    const shifts = dir.shifts(rot.id, at, new Date(at.getTime() + 35 * DAY), role);
    const current = shifts[0] && shifts[0].from.getTime() <= at.getTime() ? shifts[0] : null;
    const next = shifts.find((s) => s !== current && s.from.getTime() > at.getTime()) ?? null;
    return { role, current, next };
  });
  return { teamId: team.id, teamName: team.name, rotationId: rot.id, layers };
}

/** Every team with a rotation (or the one named). */
export function whoIsOnCall(deps: Pick<AppDeps, 'directory'>, args: { teamId?: string | null; at: Date }): TeamOnCall[] {
  const dir = deps.directory();
  if (args.teamId) return [teamOnCall(dir, args.teamId, args.at)];
  return dir.allTeams().filter((t) => dir.rotation(t.rotationId)).map((t) => teamOnCall(dir, t.id, args.at));
}

export interface PersonShift extends Shift {
  teamId: string;
  teamName: string;
  rotationId: string;
}

/** A person's shifts from `from` for `days` days, over every team's rotation, in time order. */
export function shiftsOf(dir: Directory, personId: string, from: Date, days = 28): PersonShift[] {
  const out: PersonShift[] = [];
  const seen = new Set<string>();
  for (const t of dir.allTeams()) {
    const rot = dir.rotation(t.rotationId);
    if (!rot || seen.has(rot.id)) continue;
    seen.add(rot.id);
    for (const role of rolesOf(rot)) {
      for (const s of dir.shifts(rot.id, from, new Date(from.getTime() + days * DAY), role)) if (s.personId === personId) out.push({ ...s, teamId: t.id, teamName: t.name, rotationId: rot.id });
    }
  }
  return out.sort((a, b) => a.from.getTime() - b.from.getTime());
}
