// Helpers for the start and memory benches: the compiled Esc (dist/main.js) as a child process,
// a bare node:http server as the same-run baseline, free ports and the RSS of a process.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { sleep } from './lib.js';

/** `npm run build` when dist/ is missing or older than src/ (the build is not timed). */
export function ensureBuilt(): void {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', "const m = await import('./scripts/build.mjs'); if (m.buildIsStale()) { process.stderr.write('[bench] building dist/\\n'); m.build(); }"], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** MONGODB_URI with a fresh database name (the server stays the same). */
export function freshDb(prefix: string): string {
  const base = process.env.MONGODB_URI;
  if (!base) throw new Error('MONGODB_URI is not set: run through `npm run bench -- NAME`');
  const u = new URL(base);
  u.pathname = `/${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  return u.toString();
}

/** Resident set size now and at its peak (VmHWM), in MB, from /proc. */
export function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

export interface Started {
  child: ChildProcess;
  url: string;
  /** From spawn to the first 200 of `path`. */
  readyMs: number;
  /** CPU time the process used until then. */
  cpuMs: number;
  /** Everything the process wrote (for a failure message). */
  output: () => string;
  stop(): Promise<void>;
}

/** Spawns `node ...args` with `env`, then polls `url + path` until it answers 200. */
export async function startAndWait(args: string[], env: NodeJS.ProcessEnv, url: string, path: string, timeoutMs = 120_000): Promise<Started> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString('utf8')).slice(-8000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: number | null = null;
  const gone = new Promise<void>((r) => child.once('exit', (code) => ((exited = code ?? -1), r())));
  for (;;) {
    if (exited !== null) throw new Error(`${args.join(' ')} exited with ${exited} before ${path} answered:\n${out}`);
    if (performance.now() - t0 > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`${args.join(' ')}: ${path} did not answer 200 within ${timeoutMs} ms:\n${out}`);
    }
    const ok = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => (void r.body?.cancel(), r.status === 200),
      () => false,
    );
    if (ok) break;
    await sleep(20);
  }
  const readyMs = performance.now() - t0;
  return {
    child,
    url,
    readyMs,
    cpuMs: cpuMs(child.pid!),
    output: () => out,
    async stop() {
      if (exited === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(t);
    },
  };
}

/** The compiled Esc on a free port with `env` added (LOG_LEVEL warn, a fresh database unless given). */
export async function startCompiledEsc(env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<Started> {
  const port = await freePort();
  const full = { ...process.env, LOG_LEVEL: 'warn', MONGODB_URI: freshDb('bench'), ...env, PORT: String(port), HOST: '127.0.0.1' };
  return startAndWait([...nodeArgs, 'dist/main.js'], full, `http://127.0.0.1:${port}`, '/readyz');
}

/** The baseline: a bare `node -e` HTTP server answering /readyz, started the same way. */
export async function startBare(): Promise<Started> {
  const port = await freePort();
  const code = `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`;
  return startAndWait(['-e', code], process.env, `http://127.0.0.1:${port}`, '/readyz');
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
