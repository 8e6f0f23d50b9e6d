// A bench child process that only serves reports (as a running Esc would): connects, then
// answers report queries given on stdin (one JSON line each) with timings, its own CPU time
// per report, the database commands per report (driver command monitoring), and its peak RSS.
import { createInterface } from 'node:readline';
import { buildReport } from '../src/app/use-cases/reports.js';
import { createEsc } from '../src/composition-root.js';
import { loadConfig } from '../src/config/env.js';
import type { ReportQuery } from '../src/domain/reports/report.js';
import { MemoryLogger, demoOrg } from '../test/support/harness.js';
import { withCommandMonitoring } from './round-trips.js';

const [uri, nowIso] = process.argv.slice(2);
const now = new Date(nowIso!);
const config = loadConfig({ LOG_LEVEL: 'silent' });
const esc = await createEsc({ config, mongoUri: withCommandMonitoring(uri!), log: new MemoryLogger(), org: demoOrg(), runEngine: false, clock: { now: () => now } });
let commands = 0;
esc.conn.getClient().on('commandStarted', () => commands++);
let peak = process.memoryUsage().rss;
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const { query, runs } = JSON.parse(line) as { query: ReportQuery; runs: number };
  const times: number[] = [];
  const cpu: number[] = [];
  const rt: number[] = [];
  let tickets = 0;
  for (let i = 0; i < runs; i++) {
    commands = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await buildReport(esc.deps, query);
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    rt.push(commands);
    tickets = r.figures.tickets;
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  process.stdout.write(`${JSON.stringify({ times, cpu, rt, tickets, peakRss: peak })}\n`);
}
clearInterval(sample);
await esc.stop();
