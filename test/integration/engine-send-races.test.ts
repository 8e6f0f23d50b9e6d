// Issue 13: the acknowledgement wins at the provider, and stopping Esc never re-pages people.
// Real database, real HTTP to a local far-side provider, Esc's real entry point as a child process.
import { expect } from 'chai';
import type { EscalationPlan } from '../../src/domain/plan.js';
import { seedEscalations } from '../../bench/engine-seed.js';
import { FakeProvider, HttpNotifier } from '../far-side/fake-provider.js';
import { TestClock, freshDbUri, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import { startEscProcess } from '../support/esc-process.js';
import type { EscProcess } from '../support/esc-process.js';

/** The real clock, for tests that run the Agenda loop. */
class WallClock extends TestClock {
  override now(): Date {
    return new Date();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Step 1 pages the assignee by webhook at once; step 2 much later (never reached here). */
const webhookPlan: EscalationPlan = {
  id: 'burst',
  name: 'burst',
  match: {},
  steps: [
    { delayMinutes: 0, channel: 'webhook', targets: [{ type: 'assignee' }] },
    { delayMinutes: 60, channel: 'webhook', targets: [{ type: 'assignee' }] },
  ],
};

describe('engine: the acknowledgement wins at the provider; a stop never re-pages', function () {
  this.timeout(120_000);
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });

  it('acks landing while a burst is going out: zero sends reach the provider after the ack answered', async () => {
    const n = 120;
    // Each send takes 250 ms at the provider, so the burst lasts seconds and acks land inside it.
    const far = new FakeProvider(250);
    await far.start();
    cleanup.push(() => far.stop());
    const esc = await startTestEsc({ clock: new WallClock(), runEngine: true, env: { ESC_ENGINE_LEASE_MS: '10000' }, notifiers: [new HttpNotifier('chat', far.url), new HttpNotifier('sms', far.url)] });
    cleanup.push(() => esc.stop());
    const due = new Date(Date.now() + 1500);
    const ids = await seedEscalations(esc.conn, n, () => due, new Date());
    const answeredAt = new Map<string, number>();
    await Promise.all(
      ids.map(async (ticketId) => {
        await sleep(due.getTime() - 100 + Math.random() * 6000 - Date.now());
        const res = await fetch(`${esc.baseUrl}/api/tickets/${ticketId}/acknowledge`, { method: 'POST', headers: { authorization: 'Bearer demo-agent-token', 'content-type': 'application/json' }, body: '{}' });
        const body = (await res.json()) as { changed: boolean; escalation: { id: string } | null };
        expect(res.status).to.equal(200);
        expect(body.changed).to.equal(true);
        answeredAt.set(body.escalation!.id, Date.now());
      }),
    );
    await sleep(1500);
    const late = far.arrivals.filter((a) => a.at > answeredAt.get(a.escalationId!)!);
    const first = Math.min(...far.arrivals.map((a) => a.at));
    const last = Math.max(...far.arrivals.map((a) => a.at));
    const duringBurst = [...answeredAt.values()].filter((t) => t >= first && t <= last).length;
    expect(far.arrivals.length, 'some pages went out before their ack').to.be.at.least(5);
    expect(duringBurst, 'acks answered while the burst was going out').to.be.at.least(3);
    expect(late.map((a) => `${a.key} arrived ${a.at - answeredAt.get(a.escalationId!)!} ms after its ack answered`)).to.deep.equal([]);
    // Nothing is left in between: every step-1 message was sent or cancelled.
    const stuck = await esc.conn.db!.collection('deliveries').countDocuments({ status: { $in: ['queued', 'sending'] } });
    expect(stuck).to.equal(0);
  });

  describe('Esc as a child process (src/main.ts), paging a far-side webhook', () => {
    const n = 240;
    let far: FakeProvider;
    let uri: string;
    let seeder: TestEsc;

    beforeEach(async () => {
      far = new FakeProvider(25);
      await far.start();
      cleanup.push(() => far.stop());
      uri = freshDbUri();
      seeder = await startTestEsc({ uri, clock: new WallClock(), listen: false });
      await seeder.stop();
    });

    const env = () => ({
      MONGODB_URI: uri,
      WEBHOOK_URL: far.url,
      WEBHOOK_SECRET: 'a-webhook-secret-of-16+',
      ESC_ENGINE_TICK_MS: '20',
      ESC_ENGINE_LEASE_MS: '3000',
      ESC_DELIVERY_LEASE_MS: '3000',
    });
    const start = async (): Promise<EscProcess> => {
      const p = await startEscProcess(env());
      cleanup.push(async () => {
        if (p.child.exitCode === null) p.child.kill('SIGKILL');
        await p.exited;
      });
      return p;
    };
    const seed = async (dueInMs: number) => {
      const s = await startTestEsc({ uri, clock: new WallClock(), listen: false });
      await seedEscalations(s.conn, n, () => new Date(Date.now() + dueInMs), new Date(), { plan: webhookPlan });
      await s.stop();
    };

    it('SIGTERM in the middle of a burst, then a restart: every page arrives once (zero duplicates)', async () => {
      const a = await start();
      await seed(500);
      await waitFor(() => far.arrivals.length >= n / 4, 30_000, 'a quarter of the burst');
      a.child.kill('SIGTERM');
      const code = await a.exited;
      expect(code, a.output.join('')).to.equal(0);
      const atStop = far.arrivals.length;
      expect(atStop, 'stopped in the middle of the burst').to.be.lessThan(n);
      const b = await start();
      await waitFor(() => new Set(far.keys()).size >= n, 60_000, 'every page after the restart');
      await sleep(1500);
      expect(far.duplicates(), `duplicates (${atStop} had arrived at SIGTERM)`).to.equal(0);
      b.child.kill('SIGTERM');
      expect(await b.exited).to.equal(0);
    });

    it('SIGKILL in the middle of a burst: nothing lost, duplicates within the documented window (16)', async () => {
      const a = await start();
      await seed(500);
      await waitFor(() => far.arrivals.length >= n / 4, 30_000, 'a quarter of the burst');
      a.child.kill('SIGKILL');
      await a.exited;
      await start();
      await waitFor(() => new Set(far.keys()).size >= n, 60_000, 'every page after the restart');
      await sleep(1500);
      // The dispatcher hands at most `concurrency` (16) messages over before their outcomes are written.
      expect(far.duplicates()).to.be.at.most(16);
      expect(new Set(far.keys()).size).to.equal(n);
    });
  });
});
