/**
 * On-call rotations: layers (primary, secondary, …), shifts in hours, restrictions to days and
 * hours, overrides. Pure functions of (rotation, overrides, at): no clock, no database.
 *
 * Shifts are counted in the layer's local wall-clock time from its start (start date at the
 * hand-off time): a daily or weekly hand-off at 09:00 stays at 09:00 across daylight-saving
 * changes (the shift that spans the change is an hour shorter or longer in real time).
 */
import { DateTime } from 'luxon';

/** The layer a plan target `oncall` means when none is named. */
export const PRIMARY = 'primary';

/** A window a layer is on duty in, local to the layer's zone. `to` <= `from` runs past midnight. */
export interface Restriction {
  /** ISO weekdays 1 (Mon) … 7 (Sun) the window starts on; all when absent. */
  days?: number[];
  /** Local 'HH:mm', default '00:00'. */
  from?: string;
  /** Local 'HH:mm', default '24:00'. */
  to?: string;
}

export interface RotationLayer {
  /** The layer's role: `primary`, `secondary`, or another name a plan can target. */
  role: string;
  /** An optional name ("weekday", "APAC"); several layers may share a role (weekday/weekend, follow-the-sun). */
  name?: string;
  members: string[];
  /** IANA zone of start, hand-off and restrictions. */
  timeZone: string;
  /** Local 'YYYY-MM-DD' of the first shift. */
  start: string;
  /** Local 'HH:mm' of the hand-off. */
  handoffTime: string;
  /** Length of a shift in hours (wall-clock). */
  shiftHours: number;
  /** On duty only inside these windows; always when empty. */
  restrictions: Restriction[];
}

/** Somebody else carries the pager of a layer between `from` and `to`. */
export interface RotationOverride {
  personId: string;
  from: Date;
  to: Date;
  /** The layer's role; primary when absent. */
  layer?: string;
  /** Stored overrides have an id; those from the org file do not. */
  id?: string;
}

export interface Rotation {
  id: string;
  name?: string;
  timeZone: string;
  /** Listed order matters: for one role, the first layer on duty at a time wins. */
  layers: RotationLayer[];
  /** From the org file. Stored overrides (chat, API) are passed next to the rotation. */
  overrides: RotationOverride[];
  /** Post each hand-off to the team channel (org file `announceHandoffs: true`). */
  announceHandoffs?: boolean;
}

/** Who holds one role of a rotation from `from` to `to`. */
export interface Shift {
  role: string;
  personId: string;
  from: Date;
  to: Date;
  /** Set when an override put the person there. */
  override?: RotationOverride;
  /** The layer's name, when it has one. */
  layerName?: string;
}

const HOUR = 3_600_000;

const minutesOf = (hm: string): number => {
  const [h, m] = hm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Local wall-clock time as if it were UTC: hour arithmetic on it ignores DST. */
const wall = (at: Date, zone: string): number => DateTime.fromJSDate(at, { zone }).setZone('UTC', { keepLocalTime: true }).toMillis();
/** The instant of a wall-clock time in the zone (a time in a DST gap moves forward). */
const unwall = (w: number, zone: string): Date => DateTime.fromMillis(w, { zone: 'UTC' }).setZone(zone, { keepLocalTime: true }).toJSDate();

const layerEpoch = (l: RotationLayer): number => DateTime.fromISO(`${l.start}T00:00`, { zone: 'UTC' }).toMillis() + minutesOf(l.handoffTime) * 60_000;

/** True when the layer is on duty at `at` (its restrictions, in its zone). */
export function layerActive(l: RotationLayer, at: Date): boolean {
  if (l.restrictions.length === 0) return true;
  const local = DateTime.fromJSDate(at, { zone: l.timeZone });
  const mins = local.hour * 60 + local.minute;
  const day = local.weekday;
  const prevDay = day === 1 ? 7 : day - 1;
  return l.restrictions.some((r) => {
    const from = minutesOf(r.from ?? '00:00');
    const to = minutesOf(r.to ?? '24:00');
    const onDay = (d: number) => !r.days || r.days.length === 0 || r.days.includes(d);
    if (from < to) return onDay(day) && mins >= from && mins < to;
    // Past midnight: the evening part on the start day, the morning part on the next.
    return (onDay(day) && mins >= from) || (onDay(prevDay) && mins < to);
  });
}

/** The layer's base shift at `at` (ignoring restrictions and overrides). */
export function baseShift(l: RotationLayer, at: Date): { personId: string; from: Date; to: Date } | null {
  if (l.members.length === 0 || !(l.shiftHours > 0)) return null;
  const len = l.shiftHours * HOUR;
  const k = Math.floor((wall(at, l.timeZone) - layerEpoch(l)) / len);
  const n = l.members.length;
  const from = unwall(layerEpoch(l) + k * len, l.timeZone);
  const to = unwall(layerEpoch(l) + (k + 1) * len, l.timeZone);
  return { personId: l.members[((k % n) + n) % n]!, from, to };
}

const coversAt = (o: RotationOverride, at: Date) => o.from.getTime() <= at.getTime() && at.getTime() < o.to.getTime();
const roleOf = (o: RotationOverride) => o.layer ?? PRIMARY;

/** The roles a rotation has, primary first. */
export function rolesOf(rot: Rotation): string[] {
  const roles = [...new Set(rot.layers.map((l) => l.role))];
  return roles.sort((a, b) => (a === PRIMARY ? -1 : b === PRIMARY ? 1 : 0));
}

/**
 * Who is on call for `role` at `at`: the newest override covering it (stored ones first, then
 * the file's), else the first layer of that role on duty. Null when nobody is.
 */
export function onCallAt(rot: Rotation, stored: readonly RotationOverride[], at: Date, role = PRIMARY): { personId: string; override?: RotationOverride; layer?: RotationLayer } | null {
  const ov = [...stored, ...rot.overrides].find((o) => roleOf(o) === role && coversAt(o, at));
  if (ov) return { personId: ov.personId, override: ov };
  for (const l of rot.layers) {
    if (l.role !== role || !layerActive(l, at)) continue;
    const s = baseShift(l, at);
    if (s) return { personId: s.personId, layer: l };
  }
  return null;
}

/** Instants in (from, to) where who is on call for `role` may change. */
function boundaries(rot: Rotation, stored: readonly RotationOverride[], from: Date, to: Date, role: string): number[] {
  const out = new Set<number>();
  const lo = from.getTime();
  const hi = to.getTime();
  const add = (t: number) => {
    if (t > lo && t < hi) out.add(t);
  };
  for (const o of [...stored, ...rot.overrides]) {
    if (roleOf(o) !== role) continue;
    add(o.from.getTime());
    add(o.to.getTime());
  }
  for (const l of rot.layers) {
    if (l.role !== role) continue;
    // Shift hand-offs.
    let s = baseShift(l, from);
    for (let i = 0; s && s.to.getTime() < hi && i < 2000; i++) {
      add(s.to.getTime());
      s = baseShift(l, s.to);
    }
    // Restriction edges, day by day in the layer's zone.
    if (l.restrictions.length > 0) {
      let day = DateTime.fromJSDate(from, { zone: l.timeZone }).startOf('day').minus({ days: 1 });
      for (let i = 0; day.toMillis() < hi && i < 400; i++, day = day.plus({ days: 1 })) {
        for (const r of l.restrictions) {
          for (const m of [minutesOf(r.from ?? '00:00'), minutesOf(r.to ?? '24:00')]) add(day.plus({ minutes: m }).toMillis());
        }
      }
    }
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * The shifts of one role between `from` and `to`, in order, merged where the same person
 * carries on; gaps (nobody on duty) are left out. Bounded: at most `max` shifts.
 */
export function shiftsBetween(rot: Rotation, stored: readonly RotationOverride[], from: Date, to: Date, role = PRIMARY, max = 500): Shift[] {
  const cuts = [from.getTime(), ...boundaries(rot, stored, from, to, role), to.getTime()];
  const out: Shift[] = [];
  for (let i = 0; i + 1 < cuts.length && out.length <= max; i++) {
    const a = new Date(cuts[i]!);
    const who = onCallAt(rot, stored, a, role);
    if (!who) continue;
    const last = out[out.length - 1];
    if (last && last.personId === who.personId && last.to.getTime() === a.getTime() && last.override === who.override) {
      last.to = new Date(cuts[i + 1]!);
      continue;
    }
    out.push({ role, personId: who.personId, from: a, to: new Date(cuts[i + 1]!), ...(who.override ? { override: who.override } : {}), ...(who.layer?.name ? { layerName: who.layer.name } : {}) });
  }
  // A shift that began before `from` shows its real start.
  const first = out[0];
  if (first && first.from.getTime() === from.getTime()) first.from = shiftStart(rot, stored, from, role, first.personId);
  return out.slice(0, max);
}

/** When the person on call for `role` at `at` took over (looks back at most 60 days). */
function shiftStart(rot: Rotation, stored: readonly RotationOverride[], at: Date, role: string, personId: string): Date {
  const back = new Date(at.getTime() - 60 * 24 * HOUR);
  // Every instant where who is on call may change, `at` included, latest first.
  const cuts = boundaries(rot, stored, back, new Date(at.getTime() + 1), role).reverse();
  let start = at;
  for (const c of cuts) {
    start = new Date(c);
    if (onCallAt(rot, stored, new Date(c - 1), role)?.personId !== personId) return start;
  }
  return start;
}

/** The single-layer rotation the old org-file form (members, start, handoffTime, shiftDays) describes. */
export function simpleLayer(args: { members: string[]; timeZone: string; start: string; handoffTime: string; shiftHours: number; role?: string }): RotationLayer {
  return { role: args.role ?? PRIMARY, members: args.members, timeZone: args.timeZone, start: args.start, handoffTime: args.handoffTime, shiftHours: args.shiftHours, restrictions: [] };
}
