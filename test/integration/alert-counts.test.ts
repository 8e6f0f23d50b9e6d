// Issue 18: an alert ticket's repeats are counted on its dedup key (a small document) and folded
// into the ticket document within a second, and when the key is released. What monitoring and
// people see never lags: the alert's answer and every ticket read carry the whole count. Real
// HTTP, real database, two Esc instances on it where another process matters.
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { api, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('issue 18: alert repeats counted on the key, folded into the ticket', function () {
  this.timeout(60_000);
  let a: TestEsc;
  let db: MongoClient;
  const others: TestEsc[] = [];
  before(async () => {
    a = await startTestEsc();
    db = new MongoClient(a.uri);
  });
  after(async () => {
    for (const e of others) await e.stop();
    await a.stop();
    await db.close();
  });

  const alert = (esc: TestEsc, dedupKey: string) => api(esc.baseUrl, 'POST', '/api/alerts', { dedupKey, title: `Disk full (${dedupKey})`, priority: 'P3' }, 'demo-monitor-token');
  const stored = async (id: string) => (await db.db().collection('tickets').findOne({ _id: id as never }))!;
  const keyDoc = (key: string) => db.db().collection('alert_keys').findOne({ _id: key as never });
  const another = async () => {
    const e = await startTestEsc({ uri: a.uri });
    others.push(e);
    return e;
  };

  it('each answer and every read carry the whole count at once; the stored ticket has it after the next fold', async () => {
    const first = await alert(a, 'counts/live');
    expect(first.status).to.equal(201);
    const id = (first.body.ticket as { id: string }).id;
    const before = await stored(id);
    const counts: number[] = [];
    for (let i = 0; i < 6; i++) counts.push(((await alert(a, 'counts/live')).body.ticket as { alertCount: number }).alertCount);
    expect(counts, 'each answer has the count it reached').to.deep.equal([2, 3, 4, 5, 6, 7]);
    expect((await api(a.baseUrl, 'GET', `/api/tickets/${id}`)).body.alertCount, 'a read right after').to.equal(7);
    const listed = (await api(a.baseUrl, 'GET', '/api/tickets?limit=50')).body.tickets as { id: string; alertCount: number }[];
    expect(listed.find((t) => t.id === id)?.alertCount, 'the list too').to.equal(7);
    expect((await keyDoc('counts/live'))?.n, 'counted on the key').to.equal(7);
    const until = Date.now() + 10_000;
    while ((await stored(id)).alertCount !== 7 && Date.now() < until) await sleep(100);
    expect((await stored(id)).alertCount, 'folded into the stored ticket').to.equal(7);
    // A repeat is no sign of life from the people on the ticket (the ack-timeout chase counts from their last update).
    expect((await stored(id)).updatedAt, 'not an update of the ticket').to.deep.equal(before.updatedAt);
    expect((await stored(id)).version).to.equal(before.version);
  });

  it('a resolve folds the count into the ticket before it frees the key; the next alert opens a new ticket', async () => {
    const id = ((await alert(a, 'counts/resolve')).body.ticket as { id: string }).id;
    for (let i = 0; i < 4; i++) await alert(a, 'counts/resolve');
    expect((await api(a.baseUrl, 'POST', `/api/tickets/${id}/resolve`, {})).status).to.equal(200);
    expect((await stored(id)).alertCount, 'stored at once, not after a fold').to.equal(5);
    expect(await keyDoc('counts/resolve'), 'the key is free').to.equal(null);
    const next = await alert(a, 'counts/resolve');
    expect(next.status).to.equal(201);
    expect((next.body.ticket as { id: string }).id).to.not.equal(id);
    expect((await api(a.baseUrl, 'GET', `/api/tickets/${id}`)).body.alertCount, 'the resolved ticket counts nothing more').to.equal(5);
  });

  it('a key left naming a resolved ticket (a crash between the resolve and the release): the next alert opens a new ticket, the old count is folded', async () => {
    const id = ((await alert(a, 'counts/crashed-resolve')).body.ticket as { id: string }).id;
    // What a crash leaves: the ticket stored resolved, its key still held with 9 alerts counted on it.
    await db.db().collection('tickets').updateOne({ _id: id as never }, { $set: { status: 'resolved', resolvedAt: new Date() } });
    await db.db().collection('alert_keys').updateOne({ _id: 'counts/crashed-resolve' as never }, { $set: { n: 9 } });
    const b = await another();
    const next = await alert(b, 'counts/crashed-resolve');
    expect(next.status, 'a new ticket, not a count on the resolved one').to.equal(201);
    expect((await stored(id)).alertCount, 'the counts made before the crash are on the old ticket').to.equal(9);
    expect((await keyDoc('counts/crashed-resolve'))?.ticketId).to.equal((next.body.ticket as { id: string }).id);
  });

  it('a key stored by an older Esc (no count on it) goes on counting from the ticket\'s count', async () => {
    const id = ((await alert(a, 'counts/legacy')).body.ticket as { id: string }).id;
    await db.db().collection('tickets').updateOne({ _id: id as never }, { $set: { alertCount: 40 } });
    await db.db().collection('alert_keys').updateOne({ _id: 'counts/legacy' as never }, { $unset: { n: '' } });
    const b = await another();
    const r = await alert(b, 'counts/legacy');
    expect(r.status).to.equal(200);
    expect((r.body.ticket as { id: string; alertCount: number }).id).to.equal(id);
    expect((r.body.ticket as { alertCount: number }).alertCount).to.equal(41);
    expect((await api(b.baseUrl, 'GET', `/api/tickets/${id}`)).body.alertCount).to.equal(41);
  });

  it('two processes counting one key in parallel: every alert counted once, on one ticket', async () => {
    const b = await another();
    const first = await alert(a, 'counts/two');
    const id = (first.body.ticket as { id: string }).id;
    const rs = await Promise.all(Array.from({ length: 60 }, (_, i) => alert(i % 2 ? a : b, 'counts/two')));
    expect(rs.every((r) => r.status === 200 && (r.body.ticket as { id: string }).id === id)).to.equal(true);
    const answered = rs.map((r) => (r.body.ticket as { alertCount: number }).alertCount);
    expect(Math.max(...answered)).to.equal(61);
    expect((await api(a.baseUrl, 'GET', `/api/tickets/${id}`)).body.alertCount).to.equal(61);
    const until = Date.now() + 10_000;
    while ((await stored(id)).alertCount !== 61 && Date.now() < until) await sleep(100);
    expect((await stored(id)).alertCount).to.equal(61);
  });

  it('a key whose ticket another process resolved and opened again: this process counts on the new ticket from its own count', async () => {
    const b = await another();
    const old = ((await alert(a, 'counts/moved')).body.ticket as { id: string }).id;
    for (let i = 0; i < 9; i++) await alert(a, 'counts/moved');
    expect((await api(b.baseUrl, 'POST', `/api/tickets/${old}/resolve`, {})).status).to.equal(200);
    const opened = await alert(b, 'counts/moved');
    expect(opened.status).to.equal(201);
    const id = (opened.body.ticket as { id: string }).id;
    const r = await alert(a, 'counts/moved');
    expect(r.status).to.equal(200);
    expect(r.body.ticket as { id: string; alertCount: number }).to.include({ id, alertCount: 2 });
    const until = Date.now() + 10_000;
    while ((await stored(id)).alertCount !== 2 && Date.now() < until) await sleep(100);
    await sleep(300);
    expect((await stored(id)).alertCount, 'folded as 2, not as the old ticket\'s 10').to.equal(2);
    expect((await stored(old)).alertCount).to.equal(10);
  });
});
