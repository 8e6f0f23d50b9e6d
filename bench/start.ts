// `npm run bench -- start` (issue 18): compiled start (`npm run build`, then `node dist/main.js`
// with the database already running) to the first 200 of /readyz, median of BENCH_START_RUNS
// (default 5) runs; goal <= 3 s. Same-run baseline: a bare `node -e` HTTP server started and
// polled the same way (process start-up on this machine under its current load). Also: which
// of the heavy packages the started process loaded (Teams, Slack, Twilio, email, PDF, charts: only when configured or used),
// and what each package costs to import alone in a fresh process (BENCH_START_IMPORTS=0 skips).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allPassed, report } from './lib.js';
import { ensureBuilt, median, startBare, startCompiledEsc } from './esc-process.js';

const RUNS = Number(process.env.BENCH_START_RUNS ?? '5');
const GOAL_MS = 3000;
/** Loaded only when configured or used (dynamic import()). */
const LAZY = ['botbuilder', '@microsoft/teams-ai', 'botframework-connector', 'adaptivecards-templating', '@slack/bolt', 'twilio', 'nodemailer', 'pdfkit', 'vega', 'vega-lite', '@resvg/resvg-js'];
/** What every start loads: measured alone for the table of costs. */
const AT_START = ['mongoose', 'express', 'agenda', '@agendajs/mongo-backend', 'prom-client', 'pino', 'pino-http', 'zod', 'luxon', 'yaml'];

const r0 = (n: number) => Math.round(n);

/** A preload that writes the packages in the CommonJS cache (ESM imports of CommonJS land there too) to `file`. */
function probe(file: string): string {
  const code = `import { createRequire } from 'node:module'; import { writeFileSync } from 'node:fs';
const cache = createRequire(process.cwd() + '/package.json').cache;
setInterval(() => { const p = new Set(); for (const k of Object.keys(cache)) { const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(k); if (m) p.add(m[1]); } writeFileSync(${JSON.stringify(file)}, JSON.stringify([...p])); }, 200).unref();`;
  return `data:text/javascript,${encodeURIComponent(code)}`;
}

async function main(): Promise<void> {
  ensureBuilt();
  const esc: number[] = [];
  const bare: number[] = [];
  const cpu = { esc: [] as number[], bare: [] as number[] };
  // Warm the file cache once (not counted), then alternate so both see the same load.
  await (await startCompiledEsc({})).stop();
  for (let i = 0; i < RUNS; i++) {
    const b = await startBare();
    bare.push(b.readyMs);
    cpu.bare.push(b.cpuMs);
    await b.stop();
    const e = await startCompiledEsc({});
    esc.push(e.readyMs);
    cpu.esc.push(e.cpuMs);
    await e.stop();
  }
  const m = median(esc);
  const mb = median(bare);
  report({ name: 'start.bare_node_ready_ms', value: r0(mb), unit: 'ms', goal: `baseline: bare node -e HTTP server to its first 200, same run (runs ${bare.map(r0).join(', ')})`, pass: true });
  report({ name: 'start.ready_ms', value: r0(m), unit: 'ms', goal: `<= ${GOAL_MS}: node dist/main.js to /readyz 200, median of ${RUNS} (runs ${esc.map(r0).join(', ')})`, pass: m <= GOAL_MS });
  report({ name: 'start.cpu_ms', value: r0(median(cpu.esc)), unit: 'ms', goal: `informational: CPU time (user + system) of the Esc process until /readyz, median (bare node: ${r0(median(cpu.bare))} ms); wall time is this stretched by the machine's load`, pass: true });
  report({ name: 'start.ready_minus_bare_ms', value: r0(m - mb), unit: 'ms', goal: 'informational: what Esc adds to a bare node start', pass: true });

  const file = join(tmpdir(), `esc-start-probe-${process.pid}.json`);
  const p = await startCompiledEsc({}, ['--import', probe(file)]);
  await new Promise((r) => setTimeout(r, 600));
  const loaded = new Set(JSON.parse(readFileSync(file, 'utf8')) as string[]);
  await p.stop();
  rmSync(file, { force: true });
  const wrong = LAZY.filter((x) => loaded.has(x));
  report({ name: 'start.heavy_packages_loaded', value: wrong.length, unit: 'packages', goal: `0 of ${LAZY.join(', ')} loaded by a start with nothing configured${wrong.length ? ` (loaded: ${wrong.join(', ')})` : ''}; ${loaded.size} packages loaded`, pass: wrong.length === 0 });

  if (process.env.BENCH_START_IMPORTS === '0') return;
  // Each package alone in a fresh node: its import time and RSS growth (they overlap: shared dependencies count in each).
  for (const pkg of [...AT_START, ...LAZY]) {
    const code = `const r0 = process.memoryUsage().rss; const t = performance.now(); await import(${JSON.stringify(pkg)}); process.stdout.write(JSON.stringify({ ms: performance.now() - t, mb: (process.memoryUsage().rss - r0) / 1048576 }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
    if (r.status !== 0) continue;
    const v = JSON.parse(r.stdout) as { ms: number; mb: number };
    const when = LAZY.includes(pkg) ? 'only when configured/used' : 'at start';
    report({ name: `start.import_ms.${pkg}`, value: r0(v.ms), unit: 'ms', goal: `informational: import alone, +${r0(v.mb)} MB RSS (${when})`, pass: true });
  }
}

main().then(
  () => process.exit(allPassed() ? 0 : 1),
  (err: unknown) => {
    process.stderr.write(`bench/start failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
