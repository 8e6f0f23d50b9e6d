import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, freshDbUri, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
// The local test database server (scripts/local-db.mjs), started here so the test can stop it.
// @ts-expect-error: a plain ES module script without types
import { startLocalDb } from '../../scripts/local-db.mjs';

interface LocalDb {
  uri: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

interface Ready {
  status: number;
  ms: number;
  body: { ready: boolean; reason?: string; database: string; engine: { holder: string | null } | null };
}

async function probe(baseUrl: string, path = '/readyz'): Promise<Ready> {
  const t0 = Date.now();
  const res = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, ms: Date.now() - t0, body: (await res.json()) as Ready['body'] };
}

/** Polls /readyz until `want` holds (every 100 ms, up to `ms`); returns the last answer. */
async function until(baseUrl: string, want: (r: Ready) => boolean, ms: number): Promise<Ready> {
  const deadline = Date.now() + ms;
  let r = await probe(baseUrl);
  while (!want(r) && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 100));
    r = await probe(baseUrl);
  }
  return r;
}

describe('ops: /healthz and /readyz', function () {
  this.timeout(90_000);

  describe('the engine stops passing', () => {
    let a: TestEsc;
    let b: TestEsc | null = null;
    after(async () => {
      await b?.stop();
      await a?.stop();
    });

    it('503 with the reason when no process passes any more, 200 again when another process takes the engine over', async () => {
      const uri = freshDbUri();
      a = await startTestEsc({ uri, runEngine: true, readinessIntervalMs: 200 });
      const up = await until(a.baseUrl, (r) => r.status === 200, 15_000);
      expect(up.status, JSON.stringify(up.body)).to.equal(200);
      expect(up.body.engine?.holder).to.be.a('string');
      const engine = await api(a.baseUrl, 'GET', '/api/engine');
      expect(engine.status).to.equal(200);
      expect(engine.body).to.deep.include({ holder: up.body.engine!.holder, healthy: true });
      expect(engine.body.lastPass).to.have.keys(['endedAt', 'ageMs', 'durationMs', 'latenessMs', 'passes']);
      expect((await api(a.baseUrl, 'GET', '/api/engine', undefined, 'demo-agent-token')).status).to.equal(403);

      // The engine stops (as if stuck or crashed): its last pass ages past 3 passes.
      await a.runner!.stop();
      const down = await until(a.baseUrl, (r) => r.status === 503, 10_000);
      expect(down.status).to.equal(503);
      expect(down.body.reason).to.match(/^engine: /);
      expect(down.body.database).to.equal('up');
      expect((await probe(a.baseUrl, '/healthz')).status).to.equal(200);

      // A second process (no HTTP traffic needed) takes the engine: A is ready again.
      b = await startTestEsc({ uri, runEngine: true, listen: false });
      const back = await until(a.baseUrl, (r) => r.status === 200, 20_000);
      expect(back.status, JSON.stringify(back.body)).to.equal(200);
      expect(back.body.engine?.holder).to.not.equal(up.body.engine!.holder);
    });
  });

  describe('start-up', () => {
    let a: TestEsc;
    after(async () => {
      await a?.stop();
    });

    it('ready as soon as the engine recorded its first pass, not at the next refresh (issue 18: start to /readyz)', async () => {
      // Refreshes every 60 s: only the first check (at listen) and the pass record can make it ready.
      const t0 = Date.now();
      a = await startTestEsc({ uri: freshDbUri(), runEngine: true, readinessIntervalMs: 60_000 });
      const up = await until(a.baseUrl, (r) => r.status === 200, 20_000);
      expect(up.status, JSON.stringify(up.body)).to.equal(200);
      expect(up.body.engine?.holder).to.be.a('string');
      // The engine job ran at Agenda's first look (no processEvery wait) and readiness looked again at once.
      expect(Date.now() - t0, 'start to ready').to.be.below(15_000);
      expect(a.runner!.facts().passes).to.be.at.least(1);
    });
  });

  describe('the database goes away', () => {
    let db: LocalDb;
    let esc: TestEsc;
    after(async () => {
      await esc?.stop().catch(() => undefined);
      await db?.stop();
    });

    it('503 "database" while it is down (probes answer within 1 s, /healthz stays 200), 200 again after it returns', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'esc-ready-db-'));
      db = (await startLocalDb({ dataDir })) as LocalDb;
      esc = await startTestEsc({ uri: db.uri, runEngine: true, readinessIntervalMs: 200 });
      expect((await until(esc.baseUrl, (r) => r.status === 200, 15_000)).status).to.equal(200);

      await db.stop();
      const down = await until(esc.baseUrl, (r) => r.status === 503, 10_000);
      expect(down.status).to.equal(503);
      expect(down.body.database).to.equal('down');
      expect(down.body.reason).to.match(/database: /);
      for (let i = 0; i < 5; i++) {
        const h = await probe(esc.baseUrl, '/healthz');
        expect(h.status).to.equal(200);
        expect(h.ms).to.be.lessThan(1000);
        const r = await probe(esc.baseUrl);
        expect(r.status).to.equal(503);
        expect(r.ms).to.be.lessThan(1000);
        await new Promise((res) => setTimeout(res, 300));
      }

      db = (await startLocalDb({ dataDir, port: db.port })) as LocalDb;
      const back = await until(esc.baseUrl, (r) => r.status === 200, 45_000);
      expect(back.status, JSON.stringify(back.body)).to.equal(200);
      expect(back.body.database).to.equal('up');
    });
  });
});
