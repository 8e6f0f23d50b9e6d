/** The org file's `rotations:` section: the old single-layer form or layers with hour shifts and restrictions. */
import { z } from 'zod/v4';
import type { Rotation, RotationLayer } from '../domain/rotation.js';
import { simpleLayer } from '../domain/rotation.js';
import { date, hm, id, instant, zone } from './schema-atoms.js';

const restriction = z.strictObject({ days: z.array(z.number().int().min(1).max(7)).min(1).optional(), from: hm.optional(), to: hm.optional() });
const weekdayNames: Record<string, number[]> = { weekdays: [1, 2, 3, 4, 5], weekends: [6, 7] };
const layer = z.strictObject({
  role: id.default('primary'),
  name: z.string().min(1).optional(),
  members: z.array(id).min(1),
  timeZone: zone.optional(),
  start: date.optional(),
  handoffTime: hm.optional(),
  shiftHours: z.number().min(1).max(2160).optional(),
  shiftDays: z.number().int().min(1).max(90).optional(),
  /** Restrictions, or the shorthand `weekdays` / `weekends`. */
  restrict: z.preprocess((v) => (typeof v === 'string' && v in weekdayNames ? [{ days: weekdayNames[v] }] : v), z.array(restriction)).optional(),
});
/** A rotation: the old single-layer form (members, start, handoffTime, shiftDays) or `layers`. */
export const rotation = z.strictObject({
  id,
  name: z.string().optional(),
  members: z.array(id).min(1).optional(),
  timeZone: zone,
  start: date.optional(),
  handoffTime: hm.default('09:00'),
  shiftDays: z.number().int().min(1).max(90).optional(),
  shiftHours: z.number().min(1).max(2160).optional(),
  layers: z.array(layer).min(1).optional(),
  announceHandoffs: z.boolean().optional(),
  overrides: z.array(z.strictObject({ person: id, from: instant, to: instant, layer: id.optional() })).default([]),
});

type RotationFile = z.output<typeof rotation>;

/** The rotation's layers, the old single-layer form read as one primary layer of whole days. */
export function toRotation(r: RotationFile): Rotation {
  const hours = (h: number | undefined, d: number | undefined) => h ?? (d ?? 7) * 24;
  const layers: RotationLayer[] = r.layers
    ? r.layers.map((l) => ({
        role: l.role,
        ...(l.name ? { name: l.name } : {}),
        members: l.members,
        timeZone: l.timeZone ?? r.timeZone,
        start: l.start ?? r.start ?? '2026-01-05',
        handoffTime: l.handoffTime ?? r.handoffTime,
        shiftHours: hours(l.shiftHours, l.shiftDays),
        restrictions: l.restrict ?? [],
      }))
    : [simpleLayer({ members: r.members ?? [], timeZone: r.timeZone, start: r.start ?? '2026-01-05', handoffTime: r.handoffTime, shiftHours: hours(r.shiftHours, r.shiftDays) })];
  return { id: r.id, ...(r.name ? { name: r.name } : {}), ...(r.announceHandoffs ? { announceHandoffs: true } : {}), timeZone: r.timeZone, layers, overrides: r.overrides.map((x) => ({ personId: x.person, from: x.from, to: x.to, ...(x.layer ? { layer: x.layer } : {}) })) };
}

