import { createHash } from 'node:crypto';
import type { Org } from '../../domain/directory.js';
import type { OrgRepository } from '../../app/ports/org.js';
import type { Models } from './models.js';

type Kind = 'meta' | 'person' | 'team' | 'rotation' | 'calendar' | 'sla' | 'plan';

function items(org: Org): { _id: string; kind: Kind; doc: unknown }[] {
  const { people, teams, rotations, calendars, slaPolicies, plans, ...meta } = org;
  return [
    { _id: 'meta', kind: 'meta', doc: meta },
    ...people.map((p) => ({ _id: `person:${p.id}`, kind: 'person' as const, doc: p })),
    ...teams.map((t) => ({ _id: `team:${t.id}`, kind: 'team' as const, doc: t })),
    ...rotations.map((r) => ({ _id: `rotation:${r.id}`, kind: 'rotation' as const, doc: r })),
    ...calendars.map((c) => ({ _id: `calendar:${c.id}`, kind: 'calendar' as const, doc: c })),
    ...slaPolicies.map((s) => ({ _id: `sla:${s.id}`, kind: 'sla' as const, doc: s })),
    ...plans.map((p) => ({ _id: `plan:${p.id}`, kind: 'plan' as const, doc: p })),
  ];
}

const hash = (doc: unknown) => createHash('sha256').update(JSON.stringify(doc)).digest('hex');

/** One document per person, team, rotation, calendar, SLA policy and plan, keyed by kind and id. */
export class MongoOrgRepository implements OrgRepository {
  constructor(private readonly m: Models) {}

  async save(org: Org, now: Date): Promise<{ changed: boolean }> {
    const wanted = items(org);
    const existing = new Map((await this.m.OrgItem.find({}, { hash: 1 }).lean()).map((d) => [String(d._id), String(d.hash)]));
    let changed = false;
    for (const it of wanted) {
      const h = hash(it.doc);
      if (existing.get(it._id) === h) continue;
      changed = true;
      await this.m.OrgItem.collection.replaceOne({ _id: it._id } as never, { kind: it.kind, hash: h, doc: it.doc, updatedAt: now }, { upsert: true });
    }
    const gone = [...existing.keys()].filter((k) => !wanted.some((w) => w._id === k));
    if (gone.length > 0) {
      changed = true;
      await this.m.OrgItem.deleteMany({ _id: { $in: gone } });
    }
    return { changed };
  }

  async load(): Promise<Org | null> {
    const docs = await this.m.OrgItem.find({}).lean();
    const meta = docs.find((d) => d._id === 'meta');
    if (!meta) return null;
    return fromItems(docs.map((d) => ({ kind: d.kind as Kind, doc: d.doc })));
  }
}

/** The organisation as load() gives it back (sorted by id, dates revived), without the database. */
export function storedForm(org: Org): Org {
  return fromItems(items(org));
}

function fromItems(docs: { kind: Kind; doc: unknown }[]): Org {
  const meta = docs.find((d) => d.kind === 'meta')!;
  const of = <T>(k: Kind) => docs.filter((d) => d.kind === k).map((d) => d.doc as T).sort((a, b) => String((a as { id: string }).id).localeCompare(String((b as { id: string }).id)));
  const revive = <T>(x: T): T => JSON.parse(JSON.stringify(x), (_k, v) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v) ? new Date(v) : v)) as T;
  return revive({
    ...(meta.doc as Omit<Org, 'people' | 'teams' | 'rotations' | 'calendars' | 'slaPolicies' | 'plans'>),
    people: of('person'),
    teams: of('team'),
    rotations: of('rotation'),
    calendars: of('calendar'),
    slaPolicies: of('sla'),
    plans: of('plan'),
  });
}
