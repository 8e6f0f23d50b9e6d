import { expect } from 'chai';
import type { SlaClock, SlaState } from '../../src/domain/sla/sla-clock.js';
import { markResolved, markResponded, pauseClock, resolutionState, responseState, resumeClock, startClock } from '../../src/domain/sla/sla-clock.js';
import { ALWAYS, BERLIN, HOUR, MIN, at, policy } from '../fixtures/domain.js';

// BERLIN: Mon–Fri 09:00–17:00, +01:00 in January. 2026-01-15 Thu, 16 Fri, 19 Mon, 20 Tue.
// policy(): response 240 business minutes (4 h), resolution 480 (8 h).
const iso = (d: Date | null) => (d ? d.toISOString() : null);

describe('SLA clock', () => {
  describe('startClock', () => {
    it('sets due times in business time of the calendar', () => {
      const c = startClock(policy(), BERLIN, at('2026-01-16T15:00:00+01:00'));
      expect(iso(c.responseDueAt)).to.equal(at('2026-01-19T11:00:00+01:00').toISOString());
      expect(iso(c.resolutionDueAt)).to.equal(at('2026-01-19T15:00:00+01:00').toISOString());
      expect(c).to.include({ policyId: 'sla-P2', calendarId: 'berlin', responseMinutes: 240, resolutionMinutes: 480, pausedMs: 0 });
      expect(c.respondedAt).to.equal(null);
      expect(c.pausedAt).to.equal(null);
    });

    it('on a 24×7 calendar the due times are elapsed time', () => {
      const c = startClock(policy({ responseMinutes: 30, resolutionMinutes: 240 }), ALWAYS, at('2026-01-17T10:00:00Z'));
      expect(iso(c.responseDueAt)).to.equal('2026-01-17T10:30:00.000Z');
      expect(iso(c.resolutionDueAt)).to.equal('2026-01-17T14:00:00.000Z');
    });
  });

  describe('pause and resume keep the remaining business time exactly', () => {
    const cases: {
      name: string;
      opened: string;
      respondedAt?: string;
      pause: string;
      resume: string;
      remaining: [number | null, number];
      due: [string, string];
    }[] = [
      {
        name: 'pause Friday 16:00, resume Monday 10:00',
        opened: '2026-01-16T15:00:00+01:00',
        pause: '2026-01-16T16:00:00+01:00',
        resume: '2026-01-19T10:00:00+01:00',
        remaining: [3 * HOUR, 7 * HOUR],
        due: ['2026-01-19T13:00:00+01:00', '2026-01-19T17:00:00+01:00'],
      },
      {
        name: 'paused over the weekend only: due times do not move',
        opened: '2026-01-16T15:00:00+01:00',
        pause: '2026-01-17T12:00:00+01:00',
        resume: '2026-01-18T20:00:00+01:00',
        remaining: [2 * HOUR, 6 * HOUR],
        due: ['2026-01-19T11:00:00+01:00', '2026-01-19T15:00:00+01:00'],
      },
      {
        name: 'pause and resume the same day',
        opened: '2026-01-15T09:00:00+01:00',
        pause: '2026-01-15T10:00:00+01:00',
        resume: '2026-01-15T14:00:00+01:00',
        remaining: [3 * HOUR, 7 * HOUR],
        due: ['2026-01-15T17:00:00+01:00', '2026-01-16T13:00:00+01:00'],
      },
      {
        name: 'paused right at the response due time, resumed before opening: counts from opening',
        opened: '2026-01-15T12:30:00+01:00',
        pause: '2026-01-15T16:30:00+01:00',
        resume: '2026-01-16T07:00:00+01:00',
        remaining: [0, 4 * HOUR],
        due: ['2026-01-16T09:00:00+01:00', '2026-01-16T13:00:00+01:00'],
      },
      {
        name: 'responded before the pause: the response due time is kept',
        opened: '2026-01-15T09:00:00+01:00',
        respondedAt: '2026-01-15T09:30:00+01:00',
        pause: '2026-01-15T10:00:00+01:00',
        resume: '2026-01-16T09:00:00+01:00',
        remaining: [null, 7 * HOUR],
        due: ['2026-01-15T13:00:00+01:00', '2026-01-16T16:00:00+01:00'],
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        let clock = startClock(policy(), BERLIN, at(c.opened));
        if (c.respondedAt) clock = markResponded(clock, at(c.respondedAt));
        const paused = pauseClock(clock, BERLIN, at(c.pause));
        expect(paused.pausedAt?.toISOString()).to.equal(at(c.pause).toISOString());
        expect([paused.responseRemainingMs, paused.resolutionRemainingMs]).to.deep.equal(c.remaining);
        expect(paused.resolutionDueAt).to.equal(null);
        expect(iso(paused.responseDueAt)).to.equal(c.respondedAt ? iso(clock.responseDueAt) : null);
        expect(resolutionState(paused, at(c.resume))).to.equal('paused');

        const resumed = resumeClock(paused, BERLIN, at(c.resume));
        expect([iso(resumed.responseDueAt), iso(resumed.resolutionDueAt)]).to.deep.equal(c.due.map((d) => at(d).toISOString()));
        expect(resumed.pausedAt).to.equal(null);
        expect(resumed.responseRemainingMs).to.equal(null);
        expect(resumed.resolutionRemainingMs).to.equal(null);
        expect(resumed.pausedMs).to.equal(at(c.resume).getTime() - at(c.pause).getTime());
      });
    }

    it('sums wall-clock pause time over several pauses', () => {
      let c = startClock(policy(), BERLIN, at('2026-01-15T09:00:00+01:00'));
      c = resumeClock(pauseClock(c, BERLIN, at('2026-01-15T10:00:00+01:00')), BERLIN, at('2026-01-15T10:30:00+01:00'));
      c = resumeClock(pauseClock(c, BERLIN, at('2026-01-15T11:00:00+01:00')), BERLIN, at('2026-01-16T11:00:00+01:00'));
      expect(c.pausedMs).to.equal(30 * MIN + 24 * HOUR);
      // 1 h + 30 min used before the second pause: 2.5 h of response time left from Fri 11:00.
      expect(iso(c.responseDueAt)).to.equal(at('2026-01-16T13:30:00+01:00').toISOString());
    });

    it('pausing a paused clock and resuming a running one change nothing', () => {
      const running = startClock(policy(), BERLIN, at('2026-01-15T09:00:00+01:00'));
      const paused = pauseClock(running, BERLIN, at('2026-01-15T10:00:00+01:00'));
      expect(pauseClock(paused, BERLIN, at('2026-01-15T12:00:00+01:00'))).to.equal(paused);
      expect(resumeClock(running, BERLIN, at('2026-01-15T12:00:00+01:00'))).to.equal(running);
    });
  });

  describe('breached while paused', () => {
    // Opened Thu 09:00: response due Thu 13:00, resolution due Thu 17:00. Paused Thu 14:00.
    const opened = at('2026-01-15T09:00:00+01:00');
    const paused = pauseClock(startClock(policy(), BERLIN, opened), BERLIN, at('2026-01-15T14:00:00+01:00'));

    it('keeps the overdue business time as a negative remainder and reports breached', () => {
      expect(paused.responseRemainingMs).to.equal(-1 * HOUR);
      expect(paused.resolutionRemainingMs).to.equal(3 * HOUR);
      expect(responseState(paused, at('2026-01-20T12:00:00+01:00'))).to.equal('breached');
      expect(resolutionState(paused, at('2026-01-20T12:00:00+01:00'))).to.equal('paused');
    });

    it('stays breached after resuming, overdue by the same time', () => {
      const resumed = resumeClock(paused, BERLIN, at('2026-01-16T10:00:00+01:00'));
      expect(iso(resumed.responseDueAt)).to.equal(at('2026-01-16T09:00:00+01:00').toISOString());
      expect(iso(resumed.resolutionDueAt)).to.equal(at('2026-01-16T13:00:00+01:00').toISOString());
      expect(responseState(resumed, at('2026-01-16T10:00:00+01:00'))).to.equal('breached');
      expect(resolutionState(resumed, at('2026-01-16T10:00:00+01:00'))).to.equal('running');
      expect(responseState(markResponded(resumed, at('2026-01-16T10:05:00+01:00')), at('2026-01-16T10:05:00+01:00'))).to.equal('breached');
    });

    it('resuming near opening time keeps it overdue by the same business time', () => {
      const resumed = resumeClock(paused, BERLIN, at('2026-01-19T09:30:00+01:00'));
      expect(iso(resumed.responseDueAt)).to.equal(at('2026-01-16T16:30:00+01:00').toISOString());
      expect(pauseClock(resumed, BERLIN, at('2026-01-19T09:30:00+01:00')).responseRemainingMs).to.equal(-1 * HOUR);
    });
  });

  describe('responseState and resolutionState', () => {
    // Opened Thu 09:00 on BERLIN: response due 13:00, resolution due 17:00.
    const base = startClock(policy(), BERLIN, at('2026-01-15T09:00:00+01:00'));
    const cases: { name: string; clock: SlaClock; now: string; response: SlaState; resolution: SlaState }[] = [
      { name: 'before the due times', clock: base, now: '2026-01-15T12:59:59+01:00', response: 'running', resolution: 'running' },
      { name: 'exactly at the response due time', clock: base, now: '2026-01-15T13:00:00+01:00', response: 'running', resolution: 'running' },
      { name: 'just past the response due time', clock: base, now: '2026-01-15T13:00:01+01:00', response: 'breached', resolution: 'running' },
      { name: 'past both', clock: base, now: '2026-01-15T17:00:01+01:00', response: 'breached', resolution: 'breached' },
      { name: 'responded in time', clock: markResponded(base, at('2026-01-15T12:00:00+01:00')), now: '2026-01-16T12:00:00+01:00', response: 'met', resolution: 'breached' },
      { name: 'responded late', clock: markResponded(base, at('2026-01-15T13:30:00+01:00')), now: '2026-01-15T14:00:00+01:00', response: 'breached', resolution: 'running' },
      {
        name: 'resolved in time',
        clock: markResolved(markResponded(base, at('2026-01-15T10:00:00+01:00')), at('2026-01-15T17:00:00+01:00')),
        now: '2026-01-20T12:00:00+01:00',
        response: 'met',
        resolution: 'met',
      },
      {
        name: 'resolved late',
        clock: markResolved(markResponded(base, at('2026-01-15T10:00:00+01:00')), at('2026-01-16T09:00:00+01:00')),
        now: '2026-01-20T12:00:00+01:00',
        response: 'met',
        resolution: 'breached',
      },
      { name: 'paused in time', clock: pauseClock(base, BERLIN, at('2026-01-15T10:00:00+01:00')), now: '2026-01-30T10:00:00+01:00', response: 'paused', resolution: 'paused' },
    ];
    for (const c of cases) {
      it(`${c.name}: response ${c.response}, resolution ${c.resolution}`, () => {
        expect(responseState(c.clock, at(c.now))).to.equal(c.response);
        expect(resolutionState(c.clock, at(c.now))).to.equal(c.resolution);
      });
    }
  });

  describe('markResponded', () => {
    it('records the first response only (idempotent)', () => {
      const c = startClock(policy(), BERLIN, at('2026-01-15T09:00:00+01:00'));
      const once = markResponded(c, at('2026-01-15T10:00:00+01:00'));
      expect(iso(once.respondedAt)).to.equal(at('2026-01-15T10:00:00+01:00').toISOString());
      const twice = markResponded(once, at('2026-01-15T15:00:00+01:00'));
      expect(twice).to.equal(once);
      expect(iso(twice.respondedAt)).to.equal(at('2026-01-15T10:00:00+01:00').toISOString());
      expect(c.respondedAt, 'the input is not mutated').to.equal(null);
    });
  });
});
