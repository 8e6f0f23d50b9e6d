// Issue 18: alert keys are opened in groups (claim insert, block of numbers, insertMany of the
// tickets, timeline). A SIGKILL while groups of new keys are being opened and resolved keys
// reopened loses no answered alert, counts none twice, and leaves one open ticket per key
// once the keys settle again. Real database, Esc's real entry point as a child process.
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import type { EscProcess } from '../support/esc-process.js';
import { startEscProcess } from '../support/esc-process.js';
import { alertTicketViews } from '../support/alert-tickets.js';
import { freshDbUri } from '../support/harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('issue 18: a crash in the middle of grouped alert openings (SIGKILL, real database)', function () {
  this.timeout(240_000);
  const cleanup: (() => Promise<unknown>)[] = [];
  let uri: string;
  let db: MongoClient;

  beforeEach(() => {
    uri = freshDbUri();
    db = new MongoClient(uri);
    cleanup.push(() => db.close());
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });

  const start = async (): Promise<EscProcess> => {
    const p = await startEscProcess({ MONGODB_URI: uri, LOG_LEVEL: 'warn' });
    cleanup.push(async () => {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await p.exited;
    });
    return p;
  };
  const post = (url: string, path: string, token: string, body: unknown) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const alert = (url: string, key: string) => post(url, '/api/alerts', 'demo-monitor-token', { dedupKey: key, title: `Disk full ${key}`, priority: 'P3' });

  it('a key held by a process that died while opening its ticket answers 503 BUSY with Retry-After, never a 500', async () => {
    const a = await start();
    // What a SIGKILL between the key's claim and its ticket's insert leaves behind, within the grace period.
    await db.db().collection('alert_keys').insertOne({ _id: 'held/by-the-dead' as never, ticketId: 'ghost-ticket', state: 'creating', at: new Date() });
    const res = await alert(a.url, 'held/by-the-dead');
    expect(res.status).to.equal(503);
    expect(res.headers.get('retry-after')).to.equal('5');
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).to.equal('BUSY');
    expect(body.message).to.match(/retry in a few seconds/);
    // Other keys are not held up.
    expect((await alert(a.url, 'free/key')).status).to.equal(201);
  });

  it('new keys opened in groups and resolved keys reopened: after a SIGKILL every answered alert is counted once, one open ticket per key', async () => {
    const a = await start();
    const keys = 120;
    const n = 600;
    const sent = new Map<string, number>();
    const answered = new Map<string, number>();
    let ok = 0;
    let kill!: () => void;
    const killed = new Promise<void>((r) => (kill = r));
    const sends = Array.from({ length: n }, async (_, i) => {
      // Keys come in waves of new ones, so most groups open tickets; every 7th alert first resolves its key's ticket.
      const key = `crashopen/host-${(i * 7) % keys}`;
      await sleep(i * 3);
      const first = await alert(a.url, key).catch(() => null);
      sent.set(key, (sent.get(key) ?? 0) + 1);
      if (!first || (first.status !== 200 && first.status !== 201)) return;
      answered.set(key, (answered.get(key) ?? 0) + 1);
      if (++ok >= n / 3) kill();
      if (i % 7 === 0) {
        const id = ((await first.json()) as { ticket: { id: string } }).ticket.id;
        await post(a.url, `/api/tickets/${id}/resolve`, 'demo-admin-token', { note: 'fixed' }).catch(() => null);
      }
    });
    await Promise.race([killed, Promise.all(sends)]);
    a.child.kill('SIGKILL');
    await a.exited;
    await Promise.all(sends);
    expect(ok, 'some alerts were answered before the kill').to.be.greaterThan(0);
    expect(n - ok, 'the kill came while alerts were in flight').to.be.greaterThan(0);

    // After the restart each key takes one more alert. A key claimed by the killed process for a
    // ticket it never wrote is taken over after the creator's grace period (30 s): retried until then.
    const b = await start();
    const end = Date.now() + 90_000;
    for (let k = 0; k < keys; k++) {
      const key = `crashopen/host-${k}`;
      for (;;) {
        const r = await alert(b.url, key);
        if (r.status === 200 || r.status === 201) break;
        expect(Date.now(), `${key}: ${r.status} ${await r.text()}`).to.be.below(end);
        await sleep(1000);
      }
    }
    const isOpenDoc = (t: Record<string, unknown>) => t.status !== 'resolved' && t.status !== 'closed';
    const views = await alertTicketViews(db, b.url, 'crashopen/');
    for (const tickets of [views.shown, views.stored]) {
      for (let k = 0; k < keys; k++) {
        const key = `crashopen/host-${k}`;
        const mine = tickets.filter((t) => t.alertKey === key);
        expect(mine.filter(isOpenDoc).length, `${key}: one open ticket`).to.equal(1);
        const counted = mine.reduce((s, t) => s + Number(t.alertCount), 0);
        expect(counted, `${key}: answered ${answered.get(key) ?? 0} + 1`).to.be.at.least((answered.get(key) ?? 0) + 1);
        expect(counted, `${key}: sent ${sent.get(key) ?? 0} + 1`).to.be.at.most((sent.get(key) ?? 0) + 1);
      }
    }
    const tickets = views.stored;
    expect(tickets.filter((t) => t.status === 'resolved').length, 'keys were resolved and reopened').to.be.greaterThan(0);
    const numbers = tickets.map((t) => Number(t.number));
    expect(new Set(numbers).size, 'ticket numbers unique').to.equal(numbers.length);
    const opened = await db.db().collection('timeline').aggregate<{ _id: string; n: number }>([{ $match: { type: 'ticket.opened' } }, { $group: { _id: '$ticketId', n: { $sum: 1 } } }]).toArray();
    expect(opened.filter((o) => o.n !== 1), 'never two opening events for one ticket').to.deep.equal([]);
  });
});
