import { expect } from 'chai';
import { quietUntil } from '../../src/domain/quiet-hours.js';

describe('quiet hours', () => {
  const night = { timeZone: 'Europe/Berlin', quietHours: { start: '22:00', end: '07:00' } };
  const lunch = { timeZone: 'America/New_York', quietHours: { start: '12:00', end: '13:00' } };
  const cases: [string, typeof night, string, string | null][] = [
    ['before midnight, inside a span over midnight', night, '2026-11-24T23:30:00+01:00', '2026-11-25T07:00:00+01:00'],
    ['after midnight, inside', night, '2026-11-25T03:00:00+01:00', '2026-11-25T07:00:00+01:00'],
    ['at the end: outside', night, '2026-11-25T07:00:00+01:00', null],
    ['daytime: outside', night, '2026-11-25T12:00:00+01:00', null],
    ['a same-day span, in the person\'s own zone', lunch, '2026-11-24T17:30:00Z', '2026-11-24T18:00:00.000Z'],
  ];
  for (const [name, p, at, want] of cases) {
    it(name, () => {
      const got = quietUntil(p, new Date(at));
      expect(got ? got.toISOString() : null).to.equal(want ? new Date(want).toISOString() : null);
    });
  }
  it('no quiet hours: never deferred', () => {
    expect(quietUntil({ timeZone: 'UTC' }, new Date())).to.equal(null);
  });
});
