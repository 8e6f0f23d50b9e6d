// Issue 13: a database outage is two log lines (WARN when it goes, INFO when it is back), not dozens of ERRORs, and loses nothing.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { seedEscalations } from '../../bench/engine-seed.js';
import { RecordingNotifier } from '../support/counting-notifier.js';
import { TestClock, startTestEsc } from '../support/harness.js';
import { TcpProxy } from '../support/tcp-proxy.js';

class WallClock extends TestClock {
  override now(): Date {
    return new Date();
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('engine: a database outage', function () {
  this.timeout(150_000);

  it('a 12 s outage while steps fall due: one WARN, one INFO, no ERROR; every step goes once, soon after the database is back', async () => {
    const { proxy, uri } = await TcpProxy.forMongo(`t_${randomUUID().replace(/-/g, '').slice(0, 16)}`);
    const chat = new RecordingNotifier('chat');
    const esc = await startTestEsc({ uri, clock: new WallClock(), runEngine: true, listen: false, env: { ESC_ENGINE_LEASE_MS: '4000' }, notifiers: [chat, new RecordingNotifier('sms')] });
    try {
      await seedEscalations(esc.conn, 10, () => new Date(Date.now() + 300), new Date());
      await seedEscalations(esc.conn, 20, () => new Date(Date.now() + 3000), new Date());
      while (chat.sent.length < 10) await sleep(20);
      proxy.cut();
      await sleep(12_000);
      proxy.restore();
      // Recovery waits for the engine lease (4 s) and Agenda's next claim; when the driver's server check got
      // stuck by the cut (a driver hang), for the client watchdog too (connectTimeoutMS 10 s + 5 s).
      const restoredAt = Date.now();
      const end = Date.now() + 60_000;
      while (chat.sent.length < 30 && Date.now() < end) await sleep(50);
      const recoveredMs = Date.now() - restoredAt;
      await sleep(1000);
      expect(chat.sent.length, 'every step once').to.equal(30);
      expect(new Set(chat.sent.map((d) => d.key)).size).to.equal(30);
      const lines = esc.log.lines.filter((l) => l.level !== 'debug');
      const show = (level: string) => lines.filter((l) => l.level === level).map((l) => `${l.msg} ${JSON.stringify(l.obj)}`);
      // On a failure, every WARN/INFO line is in the message: the order tells which operation said what.
      const all = lines.filter((l) => l.level !== 'debug').map((l) => `${l.level} ${l.msg} ${JSON.stringify(l.obj)}`).join('\n');
      expect(show('error'), `ERROR lines\n${all}`).to.deep.equal([]);
      expect(show('warn').filter((m) => m.startsWith('database unreachable')), `one WARN when it went\n${all}`).to.have.length(1);
      // Other WARNs only for what may need a look: the driver got stuck and was revived; firings left by the failed pass.
      expect(show('warn').filter((m) => !/^(database unreachable|database driver stuck|recovering firings)/.test(m)), `other WARN lines\n${all}`).to.deep.equal([]);
      expect(recoveredMs, 'all sent within 30 s of the database coming back').to.be.below(30_000);
      expect(show('info').filter((m) => m.startsWith('database reachable again')), `one INFO when it came back\n${all}`).to.have.length(1);
      // What the ops side reads: the engine knows the database is back.
      expect(esc.runner!.facts().dbReachable).to.equal(true);
    } finally {
      proxy.restore();
      await esc.stop().catch(() => undefined);
      await proxy.stop();
    }
  });
});
