import { expect } from 'chai';
import { respondToNotification } from '../../src/app/use-cases/respond.js';
import { buildReport, compareRollups, reportCsvRows } from '../../src/app/use-cases/reports.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import { encodeDay } from '../../src/adapters/mongo/report-codec.js';
import { startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

/** Period boundaries in the organisation's time zone (America/Los_Angeles), through the real rollups. */
describe('reports: period boundaries through the rollups', function () {
  this.timeout(60_000);
  let esc: TestEsc;
  before(async () => {
    esc = await startTestEsc({ listen: false });
  });
  after(async () => esc?.stop());

  const open = async (at: string, title: string) => {
    esc.clock.set(at);
    return openTicket(esc.deps, { title, priority: 'P3', source: 'api' }, { personId: 'judy', via: 'api' });
  };
  const keys = async (q: Parameters<typeof reportCsvRows>[1]) => (await reportCsvRows(esc.deps, q)).map((r) => r.title);

  it('puts a ticket at 23:59 local in one day and one at 00:01 in the next', async () => {
    await open('2026-11-24T07:59:00Z', 'late Monday'); // Mon 23 Nov 23:59 PST
    // Today asked at local midnight exactly: a new day, nothing in it yet; Monday is the previous day.
    esc.clock.set('2026-11-24T08:00:00Z');
    await esc.settle();
    const at0 = await buildReport(esc.deps, { period: 'today' });
    expect(at0.period.from.toISOString()).to.equal('2026-11-24T08:00:00.000Z');
    expect(at0.figures.tickets).to.equal(0);
    expect(at0.previousFigures.tickets).to.equal(1);
    await open('2026-11-24T08:01:00Z', 'early Tuesday'); // Tue 24 Nov 00:01 PST
    await esc.settle();
    const days = (await esc.conn.db!.collection('report_days').find({}, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)).sort();
    expect(days).to.deep.equal(['2026-11-23', '2026-11-24']);
    expect(await keys({ period: 'today' })).to.deep.equal(['early Tuesday']);
    esc.clock.set('2026-11-24T20:00:00Z');
    expect((await buildReport(esc.deps, { period: 'today' })).figures.tickets).to.equal(1);
    expect(await keys({ period: 'custom', fromDay: '2026-11-23', toDay: '2026-11-23' })).to.deep.equal(['late Monday']);
    expect(await keys({ period: '7d' })).to.deep.equal(['late Monday', 'early Tuesday']);
  });

  it('counts a DST week (7 days spanning Sun 1 Nov 2026) by local days', async () => {
    await open('2026-10-29T06:59:00Z', 'Wed 28 Oct 23:59 PDT');
    await open('2026-10-29T07:01:00Z', 'Thu 29 Oct 00:01 PDT');
    await open('2026-11-01T08:30:00Z', '1 Nov 01:30 PDT');
    await open('2026-11-01T09:30:00Z', '1 Nov 01:30 PST');
    const t = await open('2026-11-05T07:59:00Z', 'Wed 4 Nov 23:59 PST');
    await respondToNotification(esc.deps, { ticket: t.id, reply: 'acknowledge', actor: { personId: 'alice', via: 'teams' } });
    await open('2026-11-05T08:00:00Z', 'Thu 5 Nov 00:00 PST');
    esc.clock.set('2026-11-04T20:00:00Z');
    await esc.settle();
    esc.clock.set('2026-11-04T20:00:00Z');
    expect(await keys({ period: '7d' })).to.deep.equal(['Thu 29 Oct 00:01 PDT', '1 Nov 01:30 PDT', '1 Nov 01:30 PST', 'Wed 4 Nov 23:59 PST']);
    const r = await buildReport(esc.deps, { period: '7d' });
    expect(r.daily.map((d) => [d.day, d.opened])).to.deep.equal([
      ['2026-10-29', 1],
      ['2026-10-30', 0],
      ['2026-10-31', 0],
      ['2026-11-01', 2],
      ['2026-11-02', 0],
      ['2026-11-03', 0],
      ['2026-11-04', 1],
    ]);
    expect(r.daily[6]!.acknowledged).to.equal(1);
    expect(r.previousFigures.tickets).to.equal(1); // Wed 28 Oct 23:59 PDT
    expect((await compareRollups(esc.deps)).equal).to.equal(true);
  });

  it('reads buckets of the earlier formats (report, slowest names, CSV) and rewrites them in the current one', async () => {
    const t = await open('2026-11-25T18:00:00Z', 'written the old way'); // Wed 25 Nov 10:00 PST
    esc.clock.set('2026-11-25T19:00:00Z');
    await esc.settle();
    const days = esc.conn.db!.collection('report_days');
    const texts = esc.conn.db!.collection('report_day_texts');
    const doc = await days.findOne({ _id: '2026-11-25' } as never);
    expect(doc?.r, 'the current format: dictionary and rows in one string').to.be.a('string');
    expect(doc?.ids, 'ticket ids and titles are kept apart').to.equal(undefined);
    expect((await texts.findOne({ _id: '2026-11-25' } as never))?.t).to.include(t.id);
    const check = async () => {
      const r = await buildReport(esc.deps, { period: 'today' });
      expect(r.figures.tickets).to.equal(1);
      expect(r.figures.slowest[0]).to.include({ ticketId: t.id, title: 'written the old way' });
      expect(await keys({ period: 'today' })).to.deep.equal(['written the old way']);
      expect((await compareRollups(esc.deps)).equal).to.equal(true);
    };
    // Format 1 (issue 18 wave 3): dict, rows and ids in the day document, no texts document.
    const v1 = encodeDay(await esc.deps.reports.factsForDays(['2026-11-25']));
    await days.updateOne({ _id: '2026-11-25' } as never, { $set: { dict: v1.dict, rows: v1.rows, ids: v1.ids }, $unset: { r: '' } });
    await texts.deleteOne({ _id: '2026-11-25' } as never);
    await check();
    // Before that: the ticket id and title in the row, no `ids`.
    const ids = v1.ids.split('\n').map((l) => l.split('\t'));
    const rows = v1.rows.split('\n').map((l, i) => {
      const c = l.split('\t');
      c[0] = ids[i]![1]!;
      c[3] = ids[i]![2]!;
      return c.join('\t');
    });
    await days.updateOne({ _id: '2026-11-25' } as never, { $set: { rows: rows.join('\n') }, $unset: { ids: '' } });
    await check();
    // The next change of one of the day's tickets rewrites the bucket in the current format.
    await respondToNotification(esc.deps, { ticket: t.id, reply: 'acknowledge', actor: { personId: 'alice', via: 'slack' } });
    await esc.settle();
    const again = await days.findOne({ _id: '2026-11-25' } as never);
    expect([typeof again?.r, again?.rows, again?.ids]).to.deep.equal(['string', undefined, undefined]);
    await check();
  });
});
