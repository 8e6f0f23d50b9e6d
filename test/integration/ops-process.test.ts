import { expect } from 'chai';
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mongoose from 'mongoose';
import { freshDbUri } from '../support/harness.js';
// @ts-expect-error: a plain ES module script without types
import { build, buildIsStale } from '../../scripts/build.mjs';
// @ts-expect-error: a plain ES module script without types
import { startLocalDb } from '../../scripts/local-db.mjs';

const ROOT = resolve('.');

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

/** Every process below `root` (children, grandchildren…), from ps. */
function descendants(root: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [pid, ppid] of rows) {
      if (ppid !== p) continue;
      out.push(pid);
      walk(pid);
    }
  };
  walk(root);
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

interface Run {
  child: ChildProcess;
  out: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

function run(cmd: string, args: string[], env: Record<string, string | undefined>, cwd = ROOT): Run {
  let out = '';
  const child = spawn(cmd, args, { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, ESC_CACHE_DIR: process.env.ESC_CACHE_DIR, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((res) => child.on('exit', (code, signal) => res({ code, signal, at: Date.now() })));
  return { child, out: () => out, exited };
}

async function waitReady(base: string, r: Run, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (r.child.exitCode !== null) throw new Error(`exited early:\n${r.out()}`);
    const ok = await fetch(`${base}/readyz`).then((x) => x.status === 200, () => false);
    if (ok) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`not ready within ${ms} ms:\n${r.out()}`);
}

/** The engine's lease after a stop: Agenda's lock released and no process named as running passes. */
async function leaseOf(uri: string): Promise<{ lockedAt: unknown; holder: unknown }> {
  const conn = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 5000 }).asPromise();
  try {
    const job = await conn.collection('agenda_jobs').findOne({ name: 'esc-engine' });
    const st = await conn.collection('esc_engine_status').findOne({ _id: 'engine' as never });
    expect(job, 'the engine job exists').to.not.equal(null);
    return { lockedAt: job!.lockedAt ?? null, holder: st?.holder ?? null };
  } finally {
    await conn.close();
  }
}

const errorLines = (out: string) => out.split('\n').filter((l) => /"level":(50|60)/.test(l));

describe('ops: the compiled build as a process', function () {
  this.timeout(240_000);
  before(function () {
    if (buildIsStale()) build();
  });

  it('`npm start` (local database), SIGTERM: everything of its tree exits within 10 s and the engine lease is released', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'esc-npm-start-'));
    const r = run('npm', ['start'], { PORT: String(port), ESC_LOCAL_DB_DIR: dataDir, MONGODB_URI: '' });
    const base = `http://127.0.0.1:${port}`;
    await waitReady(base, r, 120_000);
    const tree = descendants(r.child.pid!);
    expect(tree.length, 'npm, start.mjs, Esc and the database').to.be.greaterThanOrEqual(3);
    expect(r.out()).to.match(/listening on this machine only \(127\.0\.0\.1\)/);
    const t0 = Date.now();
    r.child.kill('SIGTERM');
    const ex = await r.exited;
    expect(ex.at - t0, r.out()).to.be.lessThan(10_000);
    // Give the kernel a moment to reap, then: nothing of the tree is left.
    await new Promise((res) => setTimeout(res, 200));
    expect(tree.filter(alive), r.out()).to.deep.equal([]);
    expect(errorLines(r.out())).to.deep.equal([]);
    expect(r.out()).to.match(/"msg":"stopped"/).and.match(/local database stopped/);
    // The lease, read from the same data once the database is up again.
    const db = (await startLocalDb({ dataDir })) as { uri: string; stop(): Promise<void> };
    try {
      expect(await leaseOf(db.uri)).to.deep.equal({ lockedAt: null, holder: null });
    } finally {
      await db.stop();
    }
  });

  it('`node dist/main.js`, SIGTERM: exits 0 within 10 s, no ERROR line, lease released; a second signal exits at once', async () => {
    const uri = freshDbUri();
    const port = await freePort();
    const r = run(process.execPath, ['dist/main.js'], { PORT: String(port), MONGODB_URI: uri });
    await waitReady(`http://127.0.0.1:${port}`, r, 60_000);
    const t0 = Date.now();
    r.child.kill('SIGTERM');
    const ex = await r.exited;
    expect(ex.code, r.out()).to.equal(0);
    expect(ex.at - t0).to.be.lessThan(10_000);
    expect(errorLines(r.out())).to.deep.equal([]);
    expect(await leaseOf(uri)).to.deep.equal({ lockedAt: null, holder: null });

    const r2 = run(process.execPath, ['dist/main.js'], { PORT: String(port), MONGODB_URI: uri });
    await waitReady(`http://127.0.0.1:${port}`, r2, 60_000);
    r2.child.kill('SIGTERM');
    r2.child.kill('SIGTERM');
    const ex2 = await r2.exited;
    expect(ex2.code).to.be.oneOf([0, 130]);
  });

  it('refuses to start on a public interface without ESC_API_TOKENS, saying what to set', async () => {
    const r = run(process.execPath, ['dist/main.js'], { HOST: '0.0.0.0', MONGODB_URI: freshDbUri() });
    const ex = await r.exited;
    expect(ex.code).to.equal(2);
    expect(r.out()).to.match(/HOST: 0\.0\.0\.0 is reachable from other machines/).and.match(/Set ESC_API_TOKENS/);
  });

  it('reads .env from the working directory; variables already in the environment win', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'esc-dotenv-'));
    writeFileSync(join(dir, '.env'), '# from .env\nHOST=0.0.0.0\nLOG_LEVEL=warn\n');
    const main = join(ROOT, 'dist', 'main.js');
    const fromFile = run(process.execPath, [main], {}, dir);
    expect((await fromFile.exited).code).to.equal(2);
    expect(fromFile.out()).to.match(/HOST: 0\.0\.0\.0 is reachable/);
    const envWins = run(process.execPath, [main], { HOST: '127.0.0.1' }, dir);
    expect((await envWins.exited).code).to.equal(2);
    expect(envWins.out()).to.match(/MONGODB_URI is not set/).and.not.match(/HOST:/);
  });
});
