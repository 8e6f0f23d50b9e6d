import { expect } from 'chai';
import type { BusinessCalendar } from '../../src/domain/sla/calendar.js';
import { addBusinessMinutes, addBusinessMs, businessMsBetween, calendarProblems, isBusinessTime } from '../../src/domain/sla/calendar.js';
import { ALWAYS, ALWAYS_NY, BERLIN, BERLIN_EVENING, HOUR, LOS_ANGELES, MIN, NEW_YORK, NY_ALL_DAY, NY_NIGHT, at, calendar, expectDomainError } from '../fixtures/domain.js';

// Every expected instant below was worked out by hand. Dates used:
// 2026-01-15 Thu, 01-16 Fri, 01-17 Sat, 01-19 Mon (Berlin +01:00).
// US DST: starts Sun 2026-03-08 02:00 EST -> 03:00 EDT; ends Sun 2026-11-01 02:00 EDT -> 01:00 EST.
// EU DST: starts Sun 2026-03-29 02:00 CET -> 03:00 CEST; ends Sun 2026-10-25 03:00 CEST -> 02:00 CET.

interface AddCase {
  name: string;
  cal: BusinessCalendar;
  from: string;
  minutes: number;
  expected: string;
}

const addCases: AddCase[] = [
  { name: 'inside hours', cal: BERLIN, from: '2026-01-15T10:00:00+01:00', minutes: 30, expected: '2026-01-15T10:30:00+01:00' },
  { name: 'opened before opening time', cal: BERLIN, from: '2026-01-15T07:30:00+01:00', minutes: 60, expected: '2026-01-15T10:00:00+01:00' },
  { name: 'opened after closing time', cal: BERLIN, from: '2026-01-15T18:00:00+01:00', minutes: 60, expected: '2026-01-16T10:00:00+01:00' },
  { name: 'opened on a Saturday', cal: BERLIN, from: '2026-01-17T12:00:00+01:00', minutes: 60, expected: '2026-01-19T10:00:00+01:00' },
  { name: 'spanning a weekend', cal: BERLIN, from: '2026-01-16T16:00:00+01:00', minutes: 120, expected: '2026-01-19T10:00:00+01:00' },
  { name: 'ending exactly at closing time stays that day', cal: BERLIN, from: '2026-01-15T16:00:00+01:00', minutes: 60, expected: '2026-01-15T17:00:00+01:00' },
  { name: 'two whole working days', cal: BERLIN, from: '2026-01-15T09:00:00+01:00', minutes: 960, expected: '2026-01-16T17:00:00+01:00' },
  { name: 'a week of working days (5 × 8 h)', cal: BERLIN, from: '2026-01-15T10:00:00+01:00', minutes: 2400, expected: '2026-01-22T10:00:00+01:00' },
  { name: 'zero minutes from a closed time is the next opening', cal: BERLIN, from: '2026-01-17T12:00:00+01:00', minutes: 0, expected: '2026-01-19T09:00:00+01:00' },
  { name: 'fractional minutes', cal: BERLIN, from: '2026-01-15T10:00:00+01:00', minutes: 0.5, expected: '2026-01-15T10:00:30+01:00' },
  { name: 'Berlin calendar, start given in UTC before opening', cal: BERLIN, from: '2026-01-15T07:30:00Z', minutes: 60, expected: '2026-01-15T09:00:00Z' },
  { name: 'Berlin calendar, start given in UTC after closing', cal: BERLIN, from: '2026-01-15T16:30:00Z', minutes: 30, expected: '2026-01-16T08:30:00Z' },
  { name: 'Berlin calendar, New York requester', cal: BERLIN, from: '2026-01-15T08:00:00-05:00', minutes: 240, expected: '2026-01-16T04:00:00-05:00' },
  { name: 'holidays (Thu 24, Fri 25 Dec) skipped', cal: BERLIN, from: '2026-12-23T16:00:00+01:00', minutes: 120, expected: '2026-12-28T10:00:00+01:00' },
  { name: 'opened on a holiday', cal: BERLIN, from: '2026-12-24T10:00:00+01:00', minutes: 30, expected: '2026-12-28T09:30:00+01:00' },
  { name: 'Thanksgiving in Los Angeles', cal: LOS_ANGELES, from: '2026-11-25T16:30:00-08:00', minutes: 60, expected: '2026-11-30T08:30:00-08:00' },
  { name: 'US DST start over the weekend', cal: NEW_YORK, from: '2026-03-06T16:00:00-05:00', minutes: 120, expected: '2026-03-09T10:00:00-04:00' },
  { name: 'US DST end over the weekend', cal: NEW_YORK, from: '2026-10-30T16:00:00-04:00', minutes: 120, expected: '2026-11-02T10:00:00-05:00' },
  { name: 'US DST start inside a window (01:00–05:00 is 3 h)', cal: NY_NIGHT, from: '2026-03-08T01:00:00-05:00', minutes: 180, expected: '2026-03-08T05:00:00-04:00' },
  { name: 'US DST start: one minute more goes to the next night', cal: NY_NIGHT, from: '2026-03-08T01:00:00-05:00', minutes: 181, expected: '2026-03-09T01:01:00-04:00' },
  { name: 'US DST start: two hours from opening at 01:00 EST is 04:00 EDT', cal: NY_NIGHT, from: '2026-03-08T00:00:00-05:00', minutes: 120, expected: '2026-03-08T04:00:00-04:00' },
  { name: 'US DST end: an hour from 00:30 EDT is 01:00 EST', cal: NY_NIGHT, from: '2026-11-01T00:30:00-04:00', minutes: 60, expected: '2026-11-01T01:00:00-05:00' },
  { name: 'US DST end inside a window (01:00–05:00 is 5 h)', cal: NY_NIGHT, from: '2026-11-01T01:00:00-04:00', minutes: 300, expected: '2026-11-01T05:00:00-05:00' },
  { name: 'US DST start: a 23-hour day', cal: NY_ALL_DAY, from: '2026-03-08T00:00:00-05:00', minutes: 1440, expected: '2026-03-09T01:00:00-04:00' },
  { name: 'US DST end: a 25-hour day', cal: NY_ALL_DAY, from: '2026-11-01T00:00:00-04:00', minutes: 1440, expected: '2026-11-01T23:00:00-05:00' },
  { name: 'EU DST start over the weekend', cal: BERLIN, from: '2026-03-27T16:00:00+01:00', minutes: 120, expected: '2026-03-30T10:00:00+02:00' },
  { name: 'EU DST end over the weekend', cal: BERLIN, from: '2026-10-23T16:00:00+02:00', minutes: 120, expected: '2026-10-26T10:00:00+01:00' },
  { name: 'alwaysOpen: a Saturday counts', cal: ALWAYS, from: '2026-01-17T12:00:00Z', minutes: 90, expected: '2026-01-17T13:30:00Z' },
  { name: 'alwaysOpen across US DST start is elapsed time', cal: ALWAYS_NY, from: '2026-03-08T01:30:00-05:00', minutes: 60, expected: '2026-03-08T03:30:00-04:00' },
  { name: "'24:00' end: runs to midnight, then the next evening", cal: BERLIN_EVENING, from: '2026-01-15T23:30:00+01:00', minutes: 60, expected: '2026-01-16T18:30:00+01:00' },
  { name: "'24:00' end: Friday night to Monday evening", cal: BERLIN_EVENING, from: '2026-01-16T23:00:00+01:00', minutes: 120, expected: '2026-01-19T19:00:00+01:00' },
  { name: "'24:00' end: ending at midnight exactly", cal: BERLIN_EVENING, from: '2026-01-15T23:00:00+01:00', minutes: 60, expected: '2026-01-16T00:00:00+01:00' },
];

describe('business calendar', () => {
  describe('addBusinessMinutes', () => {
    for (const c of addCases) {
      it(`${c.name}: ${c.from} + ${c.minutes} min = ${c.expected}`, () => {
        expect(addBusinessMinutes(c.cal, at(c.from), c.minutes).toISOString()).to.equal(at(c.expected).toISOString());
      });
    }

    it('refuses negative business time with VALIDATION', () => {
      expectDomainError(() => addBusinessMs(BERLIN, at('2026-01-15T10:00:00+01:00'), -1), 'VALIDATION');
    });

    it('refuses a calendar with no working time with INVALID_CALENDAR', () => {
      expectDomainError(() => addBusinessMinutes(calendar({ workingDays: [] }), at('2026-01-15T10:00:00+01:00'), 1), 'INVALID_CALENDAR');
    });
  });

  describe('businessMsBetween', () => {
    const cases: { name: string; cal: BusinessCalendar; a: string; b: string; ms: number }[] = [
      { name: 'inside one working day', cal: BERLIN, a: '2026-01-15T10:00:00+01:00', b: '2026-01-15T11:30:00+01:00', ms: 90 * MIN },
      { name: 'b before a', cal: BERLIN, a: '2026-01-15T11:00:00+01:00', b: '2026-01-15T10:00:00+01:00', ms: 0 },
      { name: 'a equals b', cal: BERLIN, a: '2026-01-15T11:00:00+01:00', b: '2026-01-15T11:00:00+01:00', ms: 0 },
      { name: 'overnight, both outside hours', cal: BERLIN, a: '2026-01-15T18:00:00+01:00', b: '2026-01-16T08:00:00+01:00', ms: 0 },
      { name: 'across a weekend', cal: BERLIN, a: '2026-01-16T16:00:00+01:00', b: '2026-01-19T10:00:00+01:00', ms: 2 * HOUR },
      { name: 'inside a weekend', cal: BERLIN, a: '2026-01-17T08:00:00+01:00', b: '2026-01-18T20:00:00+01:00', ms: 0 },
      { name: 'across holidays', cal: BERLIN, a: '2026-12-23T16:00:00+01:00', b: '2026-12-28T10:00:00+01:00', ms: 2 * HOUR },
      { name: 'a UTC day on a Berlin calendar', cal: BERLIN, a: '2026-01-15T00:00:00Z', b: '2026-01-16T00:00:00Z', ms: 8 * HOUR },
      { name: 'US DST start night is 3 h', cal: NY_NIGHT, a: '2026-03-08T00:00:00-05:00', b: '2026-03-08T23:00:00-04:00', ms: 3 * HOUR },
      { name: 'US DST end night is 5 h', cal: NY_NIGHT, a: '2026-11-01T00:00:00-04:00', b: '2026-11-01T23:00:00-05:00', ms: 5 * HOUR },
      { name: 'US DST start day is 23 h', cal: NY_ALL_DAY, a: '2026-03-08T00:00:00-05:00', b: '2026-03-09T00:00:00-04:00', ms: 23 * HOUR },
      { name: 'US DST end day is 25 h', cal: NY_ALL_DAY, a: '2026-11-01T00:00:00-04:00', b: '2026-11-02T00:00:00-05:00', ms: 25 * HOUR },
      { name: 'EU DST start weekend', cal: BERLIN, a: '2026-03-27T16:00:00+01:00', b: '2026-03-30T10:00:00+02:00', ms: 2 * HOUR },
      { name: 'alwaysOpen is elapsed time', cal: ALWAYS, a: '2026-01-17T00:00:00Z', b: '2026-01-19T06:00:00Z', ms: 54 * HOUR },
      { name: "'24:00' end counts to midnight", cal: BERLIN_EVENING, a: '2026-01-15T23:00:00+01:00', b: '2026-01-16T19:00:00+01:00', ms: 2 * HOUR },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.ms / MIN} min`, () => {
        expect(businessMsBetween(c.cal, at(c.a), at(c.b))).to.equal(c.ms);
      });
    }

    it('inverts addBusinessMinutes for every addition case', () => {
      for (const c of addCases) {
        const from = at(c.from);
        expect(businessMsBetween(c.cal, from, addBusinessMinutes(c.cal, from, c.minutes)), c.name).to.equal(Math.round(c.minutes * MIN));
      }
    });
  });

  describe('isBusinessTime', () => {
    const cases: { name: string; cal: BusinessCalendar; at: string; open: boolean }[] = [
      { name: 'opening time is inside', cal: BERLIN, at: '2026-01-15T09:00:00+01:00', open: true },
      { name: 'a second before opening', cal: BERLIN, at: '2026-01-15T08:59:59+01:00', open: false },
      { name: 'a second before closing', cal: BERLIN, at: '2026-01-15T16:59:59+01:00', open: true },
      { name: 'closing time is outside', cal: BERLIN, at: '2026-01-15T17:00:00+01:00', open: false },
      { name: 'Saturday noon', cal: BERLIN, at: '2026-01-17T12:00:00+01:00', open: false },
      { name: 'a holiday', cal: BERLIN, at: '2026-12-24T12:00:00+01:00', open: false },
      { name: '08:00Z is 09:00 in Berlin', cal: BERLIN, at: '2026-01-15T08:00:00Z', open: true },
      { name: '16:30Z is 17:30 in Berlin', cal: BERLIN, at: '2026-01-15T16:30:00Z', open: false },
      { name: '13:30Z on Thursday is 08:30 in New York', cal: NEW_YORK, at: '2026-01-15T13:30:00Z', open: false },
      { name: 'US DST start: 03:30 EDT inside 01:00–05:00', cal: NY_NIGHT, at: '2026-03-08T03:30:00-04:00', open: true },
      { name: 'US DST end: the second 01:30 (EST)', cal: NY_NIGHT, at: '2026-11-01T01:30:00-05:00', open: true },
      { name: "'24:00' end: a second before midnight", cal: BERLIN_EVENING, at: '2026-01-15T23:59:59+01:00', open: true },
      { name: "'24:00' end: midnight belongs to the next day", cal: BERLIN_EVENING, at: '2026-01-16T00:00:00+01:00', open: false },
      { name: 'alwaysOpen on a Sunday night', cal: ALWAYS, at: '2026-01-18T03:00:00Z', open: true },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.at} is ${c.open ? 'open' : 'closed'}`, () => {
        expect(isBusinessTime(c.cal, at(c.at))).to.equal(c.open);
      });
    }
  });

  describe('calendarProblems', () => {
    const cases: { name: string; cal: BusinessCalendar; problems: RegExp[] }[] = [
      { name: 'a valid calendar', cal: BERLIN, problems: [] },
      { name: "'24:00' as end", cal: BERLIN_EVENING, problems: [] },
      { name: 'alwaysOpen ignores days and hours', cal: calendar({ alwaysOpen: true, workingDays: [], hours: { start: 'x', end: 'y' } }), problems: [] },
      { name: 'an unknown zone', cal: calendar({ timeZone: 'Mars/Olympus_Mons' }), problems: [/^timeZone: "Mars\/Olympus_Mons" is not an IANA time zone/] },
      { name: 'end before start', cal: calendar({ hours: { start: '17:00', end: '09:00' } }), problems: [/^hours: end \(09:00\) must be after start \(17:00\)/] },
      { name: 'end equal to start', cal: calendar({ hours: { start: '09:00', end: '09:00' } }), problems: [/^hours: end/] },
      { name: "start '24:00'", cal: calendar({ hours: { start: '24:00', end: '24:00' } }), problems: [/^hours: end/] },
      { name: "end past '24:00'", cal: calendar({ hours: { start: '09:00', end: '24:30' } }), problems: [/^hours: end/] },
      { name: 'a time without two-digit hours', cal: calendar({ hours: { start: '9:00', end: '17:00' } }), problems: [/^hours: "9:00" is not a time of day \(HH:mm\)/] },
      { name: 'no working days', cal: calendar({ workingDays: [] }), problems: [/^workingDays: at least one working day/] },
      { name: 'weekdays out of range', cal: calendar({ workingDays: [0, 1, 8] }), problems: [/^workingDays: 0 is not/, /^workingDays: 8 is not/] },
      {
        name: 'bad holidays',
        cal: calendar({ holidays: ['2026-02-30', '26-12-25', 'Christmas', '2026-12-25'] }),
        problems: [/^holidays: "2026-02-30"/, /^holidays: "26-12-25"/, /^holidays: "Christmas"/],
      },
      {
        name: 'several problems at once',
        cal: calendar({ timeZone: 'Nowhere', workingDays: [9], hours: { start: '18:00', end: '08:00' }, holidays: ['soon'] }),
        problems: [/^timeZone:/, /^workingDays: 9/, /^hours: end/, /^holidays: "soon"/],
      },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.problems.length} problem(s)`, () => {
        const got = calendarProblems(c.cal);
        expect(got, got.join('\n')).to.have.length(c.problems.length);
        c.problems.forEach((re, i) => expect(got[i]).to.match(re));
      });
    }

    it('rejects minutes past 59 in hours (17:60)', () => {
      expect(calendarProblems(calendar({ hours: { start: '09:00', end: '17:60' } }))).to.have.length(1);
    });
  });
});
