// `npm run bench -- all`: every issue-18 bench in one run, one after the other, each against its own
// fresh database (or MONGODB_URI when set), with the machine's load average before and after each, so a
// closing note can show every goal measured in the same run. BENCH_ALL=slack,alerts picks some.
// Exits non-zero when any goal is missed (or a bench fails to run).
import { execFileSync, spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { allPassed, report } from './lib.js';

const names = (process.env.BENCH_ALL ?? 'start,memory,slack,alerts,engine,reports').split(',').filter(Boolean);

function load(when: string): void {
  const [one, five] = loadavg();
  report({ name: `machine.loadavg_1m_${when}`, value: Number(one!.toFixed(2)), unit: 'load (2 cores)', goal: `reference (5 min: ${five!.toFixed(2)})`, pass: true });
}

function run(name: string): Promise<{ code: number; failed: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/bench.mjs', name], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
    const failed: string[] = [];
    let rest = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        try {
          const r = JSON.parse(line) as { name?: string; pass?: boolean };
          if (r.pass === false && r.name) failed.push(r.name);
        } catch {
          // not a result line
        }
      }
    });
    child.on('exit', (code) => resolve({ code: code ?? 1, failed }));
  });
}

/**
 * Between two benches: the previous one's database files are flushed (`sync`: its dirty pages
 * written back now, not under the next bench's database) and the load average may fall back
 * (at most 60 s), so each bench starts on a quiet machine.
 */
async function settle(): Promise<void> {
  const t = Date.now();
  try {
    execFileSync('sync');
  } catch {
    // no sync command: the wait alone
  }
  while (Date.now() - t < 60_000 && loadavg()[0]! > 1.2) await new Promise((r) => setTimeout(r, 2000));
  report({ name: 'machine.settle_s', value: Math.round((Date.now() - t) / 1000), unit: 's', goal: 'reference: sync, then until the 1-minute load is <= 1.2 (at most 60 s)', pass: true });
}

const t0 = Date.now();
const missed: string[] = [];
for (const [i, name] of names.entries()) {
  if (i > 0) await settle();
  load(`before_${name}`);
  const t = Date.now();
  const { code, failed } = await run(name);
  missed.push(...failed);
  report({ name: `all.${name}_exit`, value: code, unit: 'exit code', goal: `0 (${Math.round((Date.now() - t) / 1000)} s)`, pass: code === 0 });
}
load('after_all');
report({ name: 'all.goals_missed', value: missed.length, unit: 'results', goal: `0${missed.length ? ` (missed: ${missed.join(', ')})` : ''}; ${Math.round((Date.now() - t0) / 1000)} s in all`, pass: missed.length === 0 });
process.exit(allPassed() ? 0 : 1);
