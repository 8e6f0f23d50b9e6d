// Issue 13: the engine lease holds through a pass longer than itself, and a pass that lost it stops sending.
import { expect } from 'chai';
import { seedEscalations } from '../../bench/engine-seed.js';
import { FakeProvider, HttpNotifier } from '../far-side/fake-provider.js';
import { TestClock, freshDbUri, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

class WallClock extends TestClock {
  override now(): Date {
    return new Date();
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('engine lease', function () {
  this.timeout(90_000);
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });

  const twoEngines = async (far: FakeProvider, uri: string): Promise<[TestEsc, TestEsc]> => {
    // A 1 s lease; the provider's answer time makes a pass over the burst last longer than it.
    const env = { ESC_ENGINE_LEASE_MS: '1000', ESC_ENGINE_TICK_MS: '20' };
    const a = await startTestEsc({ uri, clock: new WallClock(), runEngine: true, env, listen: false, notifiers: [new HttpNotifier('chat', far.url, 'a'), new HttpNotifier('sms', far.url, 'a')] });
    cleanup.push(() => a.stop());
    const b = await startTestEsc({ uri, clock: new WallClock(), runEngine: true, env, listen: false, notifiers: [new HttpNotifier('chat', far.url, 'b'), new HttpNotifier('sms', far.url, 'b')] });
    cleanup.push(() => b.stop());
    return [a, b];
  };

  it('a pass longer than the lease keeps it: no second engine runs beside it, every page goes once', async () => {
    const n = 64;
    // Each send takes 1.2 s: any pass that sends lasts longer than the lease, however the
    // steps are split between passes.
    const far = new FakeProvider(1200);
    await far.start();
    cleanup.push(() => far.stop());
    const uri = freshDbUri();
    const [a, b] = await twoEngines(far, uri);
    await seedEscalations(a.conn, n, () => new Date(Date.now() + 500), new Date());
    let both = 0;
    let longest = 0;
    // Since when each engine has been in a pass without a break (the step lane's long pass
    // overlaps the module lane's short ones, whose lastPassMs soon replaces its own).
    const inPassSince: [number | null, number | null] = [null, null];
    const end = Date.now() + 15_000;
    let settled: number | null = null;
    // Watch until every page arrived, and 1.5 s more (the pass then records its last sends).
    while (Date.now() < end && (settled === null || Date.now() < settled + 1500)) {
      if (a.runner!.running && b.runner!.running) both++;
      longest = Math.max(longest, a.runner!.facts().lastPassMs ?? 0, b.runner!.facts().lastPassMs ?? 0);
      [a, b].forEach((e, i) => {
        const since = e.runner!.running ? (inPassSince[i] ?? Date.now()) : null;
        inPassSince[i] = since;
        if (since !== null) longest = Math.max(longest, Date.now() - since);
      });
      if (settled === null && new Set(far.keys()).size >= n) settled = Date.now();
      await sleep(5);
    }
    expect(new Set(far.keys()).size).to.equal(n);
    expect(longest, 'a pass lasted longer than the 1 s lease').to.be.greaterThan(1000);
    expect(both, 'moments both engines were in a pass').to.equal(0);
    expect(far.duplicates()).to.equal(0);
    // The pass was never declared dead by Agenda ("execution took more than …").
    expect([...a.log.errors(), ...b.log.errors()].map((l) => l.obj)).to.deep.equal([]);
  });

  it('a pass that lost its lease stops handing messages to the provider', async () => {
    const n = 64;
    const far = new FakeProvider(400);
    await far.start();
    cleanup.push(() => far.stop());
    const uri = freshDbUri();
    const a = await startTestEsc({ uri, clock: new WallClock(), runEngine: true, env: { ESC_ENGINE_LEASE_MS: '1000', ESC_ENGINE_TICK_MS: '20' }, listen: false, notifiers: [new HttpNotifier('chat', far.url, 'a')] });
    cleanup.push(() => a.stop());
    await seedEscalations(a.conn, n, () => new Date(Date.now() + 300), new Date());
    const lease = a.conn.db!.collection<{ _id: string; holder: string; until: Date }>('engine_lease');
    while (far.arrivals.length === 0) await sleep(10);
    // Another process takes the engine over (as if this one had stalled past its lease).
    await lease.updateOne({ _id: 'engine' }, { $set: { holder: 'intruder', until: new Date(Date.now() + 60_000) } });
    // One renewal interval (250 ms) to notice, plus the sends already at the provider (400 ms).
    await sleep(250 + 400 + 200);
    const atLoss = far.arrivals.length;
    await sleep(2000);
    expect(far.arrivals.length, 'sends after the lease was lost').to.equal(atLoss);
    expect(atLoss).to.be.lessThan(n);
    expect(a.runner!.facts().leaseHeld).to.equal(false);
    expect(a.runner!.facts().leaseHolder).to.equal('intruder');
    // Nothing is stranded: the unsent ones went back to the queue; the intruder goes, this one resumes.
    await lease.deleteOne({ _id: 'engine' });
    const end = Date.now() + 20_000;
    while (new Set(far.keys()).size < n && Date.now() < end) await sleep(20);
    expect(new Set(far.keys()).size).to.equal(n);
    expect(far.duplicates()).to.equal(0);
  });
});
