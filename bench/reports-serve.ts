// A bench child process that only serves reports (as a running Esc would): connects, then
// answers report queries given on stdin (one JSON line each) with timings, and its peak RSS.
import { createInterface } from 'node:readline';
import { buildReport } from '../src/app/use-cases/reports.js';
import { createEsc } from '../src/composition-root.js';
import { loadConfig } from '../src/config/env.js';
import type { ReportQuery } from '../src/domain/reports/report.js';
import { MemoryLogger, demoOrg } from '../test/support/harness.js';

const [uri, nowIso] = process.argv.slice(2);
const now = new Date(nowIso!);
const config = loadConfig({ LOG_LEVEL: 'silent' });
const esc = await createEsc({ config, mongoUri: uri!, log: new MemoryLogger(), org: demoOrg(), runEngine: false, clock: { now: () => now } });
let peak = process.memoryUsage().rss;
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const { query, runs } = JSON.parse(line) as { query: ReportQuery; runs: number };
  const times: number[] = [];
  let tickets = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = await buildReport(esc.deps, query);
    times.push(performance.now() - t0);
    tickets = r.figures.tickets;
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  process.stdout.write(`${JSON.stringify({ times, tickets, peakRss: peak })}\n`);
}
clearInterval(sample);
await esc.stop();
