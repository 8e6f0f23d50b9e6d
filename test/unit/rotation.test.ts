import { expect } from 'chai';
import { parseOrg } from '../../src/config/org-schema.js';
import { OrgFileError } from '../../src/config/org-schema.js';
import { toRotation } from '../../src/config/rotation-schema.js';
import type { Rotation, RotationLayer, RotationOverride } from '../../src/domain/rotation.js';
import { layerActive, onCallAt, shiftsBetween } from '../../src/domain/rotation.js';

const at = (s: string) => new Date(s);
const L = (p: Partial<RotationLayer> & Pick<RotationLayer, 'members'>): RotationLayer => ({ role: 'primary', timeZone: 'Europe/Berlin', start: '2026-03-02', handoffTime: '09:00', shiftHours: 24, restrictions: [], ...p });
const R = (layers: RotationLayer[], overrides: RotationOverride[] = []): Rotation => ({ id: 'r', timeZone: 'Europe/Berlin', layers, overrides });

// Berlin: CET (+01:00) until Sun 2026-03-29 02:00, then CEST (+02:00); back on Sun 2026-10-25 03:00.
const twelve = R([L({ members: ['a', 'b'], shiftHours: 12 })]);
const layered = R([L({ members: ['a', 'b'], shiftHours: 168 }), L({ role: 'secondary', members: ['c', 'd'], shiftHours: 168 })]);
const weekdayWeekend = R([L({ name: 'weekday', members: ['a', 'b'], restrictions: [{ days: [1, 2, 3, 4, 5] }] }), L({ name: 'weekend', members: ['w'], restrictions: [{ days: [6, 7] }] })]);
// Follow-the-sun: Berlin 08-16, Singapore 08-16 (= 01-09 Berlin in winter), New York 10-18 (= 16-24 Berlin).
const sun = R([
  L({ name: 'EMEA', members: ['eu'], restrictions: [{ from: '08:00', to: '16:00' }] }),
  L({ name: 'APAC', members: ['ap'], timeZone: 'Asia/Singapore', restrictions: [{ from: '08:00', to: '16:00' }] }),
  L({ name: 'AMER', members: ['am'], timeZone: 'America/New_York', restrictions: [{ from: '10:00', to: '18:00' }] }),
]);
const night = R([L({ members: ['n1', 'n2'], restrictions: [{ days: [1, 2, 3, 4, 5], from: '18:00', to: '08:00' }] })]);
const cover: RotationOverride = { personId: 'x', from: at('2026-03-03T07:00:00+01:00'), to: at('2026-03-03T11:00:00+01:00') };
const coverSecondary: RotationOverride = { personId: 'y', from: at('2026-03-03T00:00:00+01:00'), to: at('2026-03-04T00:00:00+01:00'), layer: 'secondary' };
const newer: RotationOverride = { personId: 'z', from: at('2026-03-03T08:00:00+01:00'), to: at('2026-03-03T08:30:00+01:00') };

describe('rotation math (layers, hour shifts, restrictions, DST, overrides)', () => {
  const cases: { name: string; rot: Rotation; stored?: RotationOverride[]; at: string; role?: string; who: string | null }[] = [
    { name: '12 h shifts: first shift', rot: twelve, at: '2026-03-02T09:00:00+01:00', who: 'a' },
    { name: '12 h shifts: 20:59 still the day shift', rot: twelve, at: '2026-03-02T20:59:00+01:00', who: 'a' },
    { name: '12 h shifts: 21:00 the night shift', rot: twelve, at: '2026-03-02T21:00:00+01:00', who: 'b' },
    { name: '12 h shifts: next morning 09:00', rot: twelve, at: '2026-03-03T09:00:00+01:00', who: 'a' },
    { name: 'DST start: the night shift spans the change (11 real hours)', rot: twelve, at: '2026-03-29T08:59:00+02:00', who: 'b' },
    { name: 'DST start: hand-off stays at 09:00 local (07:00Z)', rot: twelve, at: '2026-03-29T07:00:00Z', who: 'a' },
    { name: 'DST end: hand-off stays at 09:00 local (08:00Z)', rot: twelve, at: '2026-10-25T08:00:00Z', who: 'a' },
    { name: 'DST end: 07:59Z is 08:59 local, still night', rot: twelve, at: '2026-10-25T07:59:00Z', who: 'b' },
    { name: 'layers: primary', rot: layered, at: '2026-03-03T12:00:00+01:00', who: 'a' },
    { name: 'layers: secondary', rot: layered, at: '2026-03-03T12:00:00+01:00', role: 'secondary', who: 'c' },
    { name: 'layers: second week both turn', rot: layered, at: '2026-03-10T12:00:00+01:00', role: 'secondary', who: 'd' },
    { name: 'layers: an unknown role has nobody', rot: layered, at: '2026-03-03T12:00:00+01:00', role: 'tertiary', who: null },
    { name: 'weekday layer on Friday', rot: weekdayWeekend, at: '2026-03-06T12:00:00+01:00', who: 'a' },
    { name: 'weekend layer on Saturday', rot: weekdayWeekend, at: '2026-03-07T12:00:00+01:00', who: 'w' },
    { name: 'weekday layer again on Monday', rot: weekdayWeekend, at: '2026-03-09T00:00:00+01:00', who: 'a' },
    { name: 'follow-the-sun: Berlin morning', rot: sun, at: '2026-03-03T10:00:00+01:00', who: 'eu' },
    { name: 'follow-the-sun: Singapore day (03:00 Berlin)', rot: sun, at: '2026-03-03T03:00:00+01:00', who: 'ap' },
    { name: 'follow-the-sun: New York day (17:00 Berlin)', rot: sun, at: '2026-03-03T17:00:00+01:00', who: 'am' },
    { name: 'follow-the-sun: a gap nobody covers (00:30 Berlin)', rot: sun, at: '2026-03-03T00:30:00+01:00', who: null },
    { name: 'overnight restriction: Tuesday 23:00', rot: night, at: '2026-03-03T23:00:00+01:00', who: 'n2' },
    { name: 'overnight restriction: Saturday 07:00 (Friday night)', rot: night, at: '2026-03-07T07:00:00+01:00', who: 'n1' },
    { name: 'overnight restriction: Saturday 19:00 off', rot: night, at: '2026-03-07T19:00:00+01:00', who: null },
    { name: 'overnight restriction: Tuesday noon off', rot: night, at: '2026-03-03T12:00:00+01:00', who: null },
    { name: 'override before the hand-off', rot: R(twelve.layers, [cover]), at: '2026-03-03T08:00:00+01:00', who: 'x' },
    { name: 'override across the hand-off', rot: R(twelve.layers, [cover]), at: '2026-03-03T10:59:00+01:00', who: 'x' },
    { name: 'override over: the new shift carries on', rot: R(twelve.layers, [cover]), at: '2026-03-03T11:00:00+01:00', who: 'a' },
    { name: 'a stored override beats the file', rot: R(twelve.layers, [cover]), stored: [newer], at: '2026-03-03T08:15:00+01:00', who: 'z' },
    { name: 'a secondary override leaves primary alone', rot: R(layered.layers, [coverSecondary]), at: '2026-03-03T12:00:00+01:00', who: 'a' },
    { name: 'a secondary override', rot: R(layered.layers, [coverSecondary]), at: '2026-03-03T12:00:00+01:00', role: 'secondary', who: 'y' },
    { name: 'an override fills a restricted gap', rot: R(night.layers, [{ personId: 'x', from: at('2026-03-03T11:00:00+01:00'), to: at('2026-03-03T13:00:00+01:00') }]), at: '2026-03-03T12:00:00+01:00', who: 'x' },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.at}${c.role ? ` (${c.role})` : ''} -> ${c.who}`, () => expect(onCallAt(c.rot, c.stored ?? [], at(c.at), c.role)?.personId ?? null).to.equal(c.who));
  }

  it('restriction windows: days, hours, past midnight', () => {
    const l = L({ members: ['a'], restrictions: [{ days: [5], from: '22:00', to: '02:00' }] });
    const table: [string, boolean][] = [
      ['2026-03-06T22:00:00+01:00', true],
      ['2026-03-07T01:59:00+01:00', true],
      ['2026-03-07T02:00:00+01:00', false],
      ['2026-03-07T23:00:00+01:00', false],
      ['2026-03-05T23:00:00+01:00', false],
    ];
    for (const [t, want] of table) expect(layerActive(l, at(t)), t).to.equal(want);
  });

  it('shiftsBetween: an override cutting a hand-off gives three shifts with their real bounds', () => {
    const s = shiftsBetween(R(twelve.layers, [cover]), [], at('2026-03-03T06:00:00+01:00'), at('2026-03-03T22:00:00+01:00'));
    expect(s.map((x) => [x.personId, x.from.toISOString(), x.to.toISOString(), !!x.override])).to.deep.equal([
      ['b', '2026-03-02T20:00:00.000Z', '2026-03-03T06:00:00.000Z', false],
      ['x', '2026-03-03T06:00:00.000Z', '2026-03-03T10:00:00.000Z', true],
      ['a', '2026-03-03T10:00:00.000Z', '2026-03-03T20:00:00.000Z', false],
      ['b', '2026-03-03T20:00:00.000Z', '2026-03-03T21:00:00.000Z', false],
    ]);
  });

  it('shiftsBetween: DST start makes the night shift 11 hours', () => {
    const s = shiftsBetween(twelve, [], at('2026-03-28T21:00:00+01:00'), at('2026-03-29T09:00:00+02:00'));
    expect(s).to.have.length(1);
    expect((s[0]!.to.getTime() - s[0]!.from.getTime()) / 3_600_000).to.equal(11);
  });

  it('shiftsBetween: follow-the-sun over a day, gaps left out', () => {
    const s = shiftsBetween(sun, [], at('2026-03-03T00:00:00+01:00'), at('2026-03-04T00:00:00+01:00'));
    expect(s.map((x) => `${x.personId}@${x.layerName}`)).to.deep.equal(['ap@APAC', 'eu@EMEA', 'am@AMER']);
  });

  describe('org file', () => {
    const base = (rotations: unknown[], plans: unknown[] = []) => ({
      name: 'X',
      timeZone: 'Europe/Berlin',
      defaultTeam: 't',
      calendars: [{ id: 'c', timeZone: 'Europe/Berlin' }],
      people: ['a', 'b', 'c'].map((p) => ({ id: p, name: p, email: `${p}@x.test` })),
      teams: [{ id: 't', name: 'T', members: ['a', 'b'], rotation: 'r', calendar: 'c' }],
      rotations,
      slaPolicies: (['P1', 'P2', 'P3', 'P4'] as const).map((priority) => ({ priority, responseMinutes: 10, resolutionMinutes: 20, calendar: 'c' })),
      plans,
    });
    it('the old single-layer form still reads, as one primary layer of whole days', () => {
      const org = parseOrg(base([{ id: 'r', members: ['a', 'b'], timeZone: 'Europe/Berlin', start: '2026-01-05', shiftDays: 1 }]));
      expect(org.rotations[0]!.layers).to.deep.equal([{ role: 'primary', members: ['a', 'b'], timeZone: 'Europe/Berlin', start: '2026-01-05', handoffTime: '09:00', shiftHours: 24, restrictions: [] }]);
    });
    it('layers with shiftHours, restrictions, shorthand weekdays; oncall:secondary targets', () => {
      const org = parseOrg(
        base(
          [{ id: 'r', timeZone: 'Europe/Berlin', start: '2026-01-05', layers: [{ members: ['a'], shiftHours: 12, restrict: 'weekdays' }, { role: 'secondary', members: ['b', 'c'], restrict: [{ from: '18:00', to: '08:00' }] }] }],
          [{ id: 'p', name: 'P', steps: [{ delayMinutes: 0, channel: 'chat', targets: ['oncall', 'oncall:secondary', { oncall: 'secondary' }, { oncall: 't', layer: 'secondary' }] }] }],
        ),
      );
      const r = org.rotations[0]!;
      expect(r.layers.map((l) => [l.role, l.shiftHours, l.restrictions])).to.deep.equal([
        ['primary', 12, [{ days: [1, 2, 3, 4, 5] }]],
        ['secondary', 168, [{ from: '18:00', to: '08:00' }]],
      ]);
      expect(org.plans[0]!.steps[0]!.targets).to.deep.equal([{ type: 'oncall' }, { type: 'oncall', layer: 'secondary' }, { type: 'oncall', layer: 'secondary' }, { type: 'oncall', team: 't', layer: 'secondary' }]);
      expect(toRotation).to.be.a('function');
    });
    it('every rotation problem at once, by dotted path', () => {
      let err: OrgFileError | undefined;
      try {
        parseOrg(
          base([
            { id: 'r', timeZone: 'Europe/Berlin', start: '2026-01-05', members: ['a'], layers: [{ members: ['zed'], shiftHours: 0.5, restrict: [{ days: [8], from: '25:00' }] }], overrides: [{ person: 'a', from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', layer: 'tertiary' }] },
            { id: 'r2', timeZone: 'Europe/Berlin' },
          ]),
        );
      } catch (e) {
        err = e as OrgFileError;
      }
      expect(err).to.be.instanceOf(OrgFileError);
      expect(err!.problems).to.include.members([
        'rotations.0.layers.0.shiftHours: Too small: expected number to be >=1',
        'rotations.0.layers.0.restrict.0.days.0: Too big: expected number to be <=7',
        'rotations.0.layers.0.restrict.0.from: a time of day HH:mm',
        'rotations.0.layers.0.members.0: unknown person "zed"',
      ]);
    });
    it('cross-reference problems of layers and overrides', () => {
      let err: OrgFileError | undefined;
      try {
        parseOrg(base([{ id: 'r', timeZone: 'Europe/Berlin', start: '2026-01-05', members: ['a'], layers: [{ members: ['zed'] }], overrides: [{ person: 'a', from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', layer: 'tertiary' }] }, { id: 'r2', timeZone: 'Europe/Berlin' }]));
      } catch (e) {
        err = e as OrgFileError;
      }
      expect(err!.problems).to.deep.equal([
        'rotations.0: give either members (one layer) or layers, not both',
        'rotations.0.layers.0.members.0: unknown person "zed"',
        'rotations.0.overrides.0.layer: the rotation has no layer "tertiary" (it has primary)',
        'rotations.1.members: a rotation needs members (or layers)',
        'rotations.1.start: the date of the first shift (YYYY-MM-DD) is required',
      ]);
    });
  });
});
