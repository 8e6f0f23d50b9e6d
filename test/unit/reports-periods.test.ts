import { expect } from 'chai';
import { validateReportQuery } from '../../src/app/use-cases/reports.js';
import { Directory } from '../../src/domain/directory.js';
import { DomainError } from '../../src/domain/errors.js';
import { localDay, resolvePeriod } from '../../src/domain/reports/periods.js';
import { demoOrg } from '../support/harness.js';

const LA = 'America/Los_Angeles';
const iso = (d: Date) => d.toISOString();

describe('reports: periods in the organisation time zone', () => {
  it('today starts at local midnight, even when asked exactly at midnight', () => {
    // 2026-11-24 00:00 PST = 08:00Z.
    const { period, previous } = resolvePeriod({ period: 'today' }, new Date('2026-11-24T08:00:00Z'), LA);
    expect([iso(period.from), iso(period.to)]).to.deep.equal(['2026-11-24T08:00:00.000Z', '2026-11-25T08:00:00.000Z']);
    expect(period.days).to.deep.equal(['2026-11-24']);
    expect(period.label).to.equal('Today, Tue 24 Nov 2026');
    expect(previous.days).to.deep.equal(['2026-11-23']);
    // One millisecond earlier it is still Monday.
    expect(resolvePeriod({ period: 'today' }, new Date('2026-11-24T07:59:59.999Z'), LA).period.days).to.deep.equal(['2026-11-23']);
  });

  it('puts 23:59 and 00:01 local on different days', () => {
    expect(localDay(new Date('2026-11-24T07:59:00Z'), LA)).to.equal('2026-11-23');
    expect(localDay(new Date('2026-11-24T08:01:00Z'), LA)).to.equal('2026-11-24');
  });

  it('7 days across the end of daylight saving time (Sun 1 Nov 2026) are 7 local days and 169 hours', () => {
    const { period, previous } = resolvePeriod({ period: '7d' }, new Date('2026-11-04T20:00:00Z'), LA);
    expect(period.days).to.deep.equal(['2026-10-29', '2026-10-30', '2026-10-31', '2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04']);
    // Starts at midnight PDT (UTC−7), ends at midnight PST (UTC−8).
    expect([iso(period.from), iso(period.to)]).to.deep.equal(['2026-10-29T07:00:00.000Z', '2026-11-05T08:00:00.000Z']);
    expect((period.to.getTime() - period.from.getTime()) / 3_600_000).to.equal(169);
    expect([iso(previous.from), iso(previous.to)]).to.deep.equal(['2026-10-22T07:00:00.000Z', '2026-10-29T07:00:00.000Z']);
    // 01:30 happens twice on 1 Nov (PDT then PST): both are 1 Nov.
    expect(localDay(new Date('2026-11-01T08:30:00Z'), LA)).to.equal('2026-11-01');
    expect(localDay(new Date('2026-11-01T09:30:00Z'), LA)).to.equal('2026-11-01');
  });

  it('30 days, the quarter to date and custom days', () => {
    const now = new Date('2026-11-24T20:00:00Z');
    const d30 = resolvePeriod({ period: '30d' }, now, LA);
    expect(d30.period.days[0]).to.equal('2026-10-26');
    expect(d30.period.days).to.have.length(30);
    expect(d30.previous.days[29]).to.equal('2026-10-25');
    // 1 Oct .. 24 Nov = 31 + 24 = 55 days; the previous 55 days are 7 Aug .. 30 Sep.
    const q = resolvePeriod({ period: 'quarter' }, now, LA);
    expect(q.period.days).to.have.length(55);
    expect(iso(q.period.from)).to.equal('2026-10-01T07:00:00.000Z');
    expect([q.previous.days[0], q.previous.days[54]]).to.deep.equal(['2026-08-07', '2026-09-30']);
    const c = resolvePeriod({ period: 'custom', fromDay: '2026-10-31', toDay: '2026-11-01' }, now, LA);
    expect([iso(c.period.from), iso(c.period.to)]).to.deep.equal(['2026-10-31T07:00:00.000Z', '2026-11-02T08:00:00.000Z']);
    expect(c.previous.days).to.deep.equal(['2026-10-29', '2026-10-30']);
  });
});

describe('reports: query validation', () => {
  const deps = { directory: () => new Directory(demoOrg()) };
  const refuse = (q: unknown, re: RegExp) => {
    let err: unknown;
    try {
      validateReportQuery(deps, q);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(DomainError);
    expect((err as DomainError).code).to.equal('VALIDATION');
    expect((err as DomainError).message).to.match(re);
  };

  it('accepts good queries and defaults to 7 days', () => {
    expect(validateReportQuery(deps, {})).to.deep.equal({ period: '7d' });
    expect(validateReportQuery(deps, { period: 'custom', fromDay: '2026-01-01', toDay: '2026-12-31', teamId: 'infrastructure', priority: 'P1', planId: 'urgent', channel: 'slack', kind: 'major' })).to.deep.equal({
      period: 'custom',
      fromDay: '2026-01-01',
      toDay: '2026-12-31',
      teamId: 'infrastructure',
      priority: 'P1',
      planId: 'urgent',
      channel: 'slack',
      kind: 'major',
    });
  });

  it('refuses unknown teams and plans, naming the valid ones', () => {
    refuse({ period: '7d', teamId: 'helpdesk' }, /no team "helpdesk".*service-desk, infrastructure/);
    refuse({ period: '7d', planId: 'fast' }, /no escalation plan "fast".*urgent, standard, low/);
  });

  it('refuses bad periods, days and filters', () => {
    refuse({ period: 'year' }, /period/);
    refuse({ period: 'custom', fromDay: '2026-01-01' }, /toDay.*needs both/);
    refuse({ period: 'custom', fromDay: '2026-03-01', toDay: '2026-02-01' }, /toDay.*not be before/);
    refuse({ period: 'custom', fromDay: '2025-01-01', toDay: '2026-03-01' }, /at most 400 days/);
    refuse({ period: 'custom', fromDay: '2026-02-30', toDay: '2026-03-01' }, /fromDay.*not a real calendar day/);
    refuse({ period: 'custom', fromDay: '1 March', toDay: '2026-03-01' }, /fromDay.*YYYY-MM-DD/);
    refuse({ period: '7d', fromDay: '2026-03-01' }, /only with period "custom"/);
    refuse({ period: '7d', priority: 'P9' }, /priority/);
    refuse({ period: '7d', kind: 'manual' }, /kind/);
    refuse({ period: '7d', channel: 'fax' }, /channel/);
  });
});
