/**
 * Checks an organisation built into a Directory before it replaces the running one: what the
 * file schema cannot see on its own (a snapshot given by code, or the overlay from MongoDB),
 * and what would otherwise fail only when a ticket arrives. Every problem, by dotted path.
 */
import type { Directory } from './directory.js';
import { PRIORITIES } from './priority.js';
import { rolesOf } from './rotation.js';

export function orgProblems(dir: Directory, now: Date): string[] {
  const out: string[] = [];
  const { org } = dir;
  org.teams.forEach((t, i) => {
    for (const p of PRIORITIES) {
      try {
        dir.calendarFor(t.id, p);
      } catch {
        out.push(`teams.${i}.calendar: no calendar "${t.calendarId}" for ${p} tickets of ${t.id}`);
      }
    }
    if (t.rotationId && !dir.rotation(t.rotationId)) out.push(`teams.${i}.rotation: unknown rotation "${t.rotationId}"`);
    for (const m of t.members) if (!dir.person(m)) out.push(`teams.${i}.members: unknown person "${m}"`);
  });
  org.rotations.forEach((r, i) => {
    r.layers.forEach((l, j) => {
      for (const m of l.members) if (!dir.person(m)) out.push(`rotations.${i}.layers.${j}.members: unknown person "${m}"`);
    });
    for (const role of rolesOf(r)) {
      try {
        dir.shifts(r.id, now, new Date(now.getTime() + 86_400_000), role);
      } catch (e) {
        out.push(`rotations.${i}: layer ${role} cannot be computed (${(e as Error).message})`);
      }
    }
  });
  return out;
}
