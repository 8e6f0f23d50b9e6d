/** What a new organisation snapshot would change: people, teams, plans, rotations, calendars added, removed, changed. Pure. */
import type { Org } from './directory.js';

export interface SectionDiff {
  added: string[];
  removed: string[];
  /** id → the fields that differ. */
  changed: { id: string; fields: string[] }[];
}
export type OrgDiff = Record<'people' | 'teams' | 'plans' | 'rotations' | 'calendars' | 'slaPolicies', SectionDiff> & { settings: string[] };

// A stored snapshot has null where the file had nothing: both mean "not set".
const norm = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (x === null ? undefined : x));
const same = (a: unknown, b: unknown) => norm(a) === norm(b);

function section<T extends { id: string }>(before: readonly T[], after: readonly T[]): SectionDiff {
  const was = new Map(before.map((x) => [x.id, x]));
  const now = new Map(after.map((x) => [x.id, x]));
  const changed: SectionDiff['changed'] = [];
  for (const [id, x] of now) {
    const old = was.get(id);
    if (!old) continue;
    const keys = [...new Set([...Object.keys(old), ...Object.keys(x)])];
    const fields = keys.filter((k) => !same((old as Record<string, unknown>)[k], (x as Record<string, unknown>)[k]));
    if (fields.length > 0) changed.push({ id, fields });
  }
  return { added: [...now.keys()].filter((id) => !was.has(id)), removed: [...was.keys()].filter((id) => !now.has(id)), changed };
}

export function diffOrgs(before: Org, after: Org): OrgDiff {
  const settings = (['name', 'timeZone', 'defaultTeamId', 'executives', 'coordination', 'major'] as const).filter((k) => !same(before[k], after[k]));
  return {
    people: section(before.people, after.people),
    teams: section(before.teams, after.teams),
    plans: section(before.plans, after.plans),
    rotations: section(before.rotations, after.rotations),
    calendars: section(before.calendars, after.calendars),
    slaPolicies: section(before.slaPolicies, after.slaPolicies),
    settings,
  };
}

/** The diff as lines people read: "people: + zoe; - bob; ~ alice (phone, roles)". Empty sections are left out. */
export function diffLines(d: OrgDiff): string[] {
  const out: string[] = [];
  for (const k of ['people', 'teams', 'rotations', 'plans', 'calendars', 'slaPolicies'] as const) {
    const s = d[k];
    const parts = [...s.added.map((x) => `+ ${x}`), ...s.removed.map((x) => `- ${x}`), ...s.changed.map((c) => `~ ${c.id} (${c.fields.join(', ')})`)];
    if (parts.length > 0) out.push(`${k}: ${parts.join('; ')}`);
  }
  if (d.settings.length > 0) out.push(`settings: ~ ${d.settings.join(', ')}`);
  return out.length > 0 ? out : ['No changes.'];
}
