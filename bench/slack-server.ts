// A server for bench/slack.ts, in its own process so the load generator does not share its
// event loop: `esc` (a real Esc with the Slack adapter, Web API at SLACK_API_URL) or `bare`
// (node:http doing the same signature check and nothing else). Prints {"url"} when ready.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { verifySlackSignature } from '../src/adapters/slack/signature.js';
import { createSlackAdapter, createSlackChatNotifier } from '../src/adapters/slack/slack-app.js';
import { loadSlackConfig } from '../src/config/slack-env.js';
import { TEST_SIGNING_SECRET } from '../test/far-side/slack-requests.js';
import { MemoryLogger, freshDbUri, startTestEsc } from '../test/support/harness.js';
import { connectDatabase } from '../src/composition-root.js';
import { TestClock } from '../test/support/harness.js';
import { serveRoundTrips, withCommandMonitoring } from './round-trips.js';

async function bare(): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const h = (n: string) => (typeof req.headers[n] === 'string' ? (req.headers[n] as string) : undefined);
      const check = verifySlackSignature({ signingSecret: TEST_SIGNING_SECRET, body: Buffer.concat(chunks).toString('utf8'), timestamp: h('x-slack-request-timestamp'), signature: h('x-slack-signature'), nowMs: Date.now() });
      res.writeHead(check.ok ? 200 : 401).end();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** BENCH_SLACK_PROF: the database time of each command kind (driver's commandSucceeded durations), on stderr at exit. */
function dbTimeOnExit(conn: Awaited<ReturnType<typeof connectDatabase>>): void {
  const ms: Record<string, [number, number]> = {};
  const names = new Map<number, string>();
  const client = conn.getClient();
  client.on('commandStarted', (e: { requestId: number; commandName: string; command: Record<string, unknown> }) => {
    const target = e.command[e.commandName];
    names.set(e.requestId, `${e.commandName} ${typeof target === 'string' ? target : ''}`.trim());
  });
  client.on('commandSucceeded', (e: { requestId: number; duration: number }) => {
    const k = names.get(e.requestId) ?? '?';
    names.delete(e.requestId);
    const v = (ms[k] ??= [0, 0]);
    v[0] += 1;
    v[1] += e.duration;
  });
  process.on('exit', () => {
    const rows = Object.entries(ms).sort((a, b) => b[1][1] - a[1][1]).slice(0, 15);
    process.stderr.write(`esc database time by command (n, total ms, mean ms):\n${rows.map(([k, [n, t]]) => `  ${k}: ${n}, ${Math.round(t)}, ${(t / n).toFixed(1)}`).join('\n')}\n`);
  });
}

/** Prints the database too: the bench counts the tickets there. */
async function esc(): Promise<string> {
  // As in production (main.ts imports it first): the V8 memory settings (ESC_V8_FLAGS or the default).
  await import('../src/memory-settings.js');
  const config = loadSlackConfig({ SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: process.env.SLACK_API_URL })!;
  // As in production: the retry dedupe in the database (its round trips count too).
  const uri = withCommandMonitoring(freshDbUri());
  const conn = await connectDatabase(uri);
  serveRoundTrips(conn);
  if (process.env.BENCH_SLACK_PROF) dbTimeOnExit(conn);
  const work = process.env.BENCH_SLACK_WORK ? { workConcurrency: Number(process.env.BENCH_SLACK_WORK) } : {};
  const e = await startTestEsc({ db: { uri, conn, clock: new TestClock() }, notifiers: [createSlackChatNotifier(new MemoryLogger(), config)], mounts: (deps) => createSlackAdapter(deps, config, { ...work, connection: () => conn }).mounts });
  // For the human reading a bad run (a late drain, a tail): Esc's warnings and errors, at exit.
  process.on('SIGTERM', () => {
    const bad = e.log.lines.filter((l) => l.level === 'warn' || l.level === 'error');
    if (bad.length > 0) process.stderr.write(`esc logged ${bad.length} warnings/errors, first: ${bad.slice(0, 5).map((l) => `[${l.level}] ${l.msg ?? ''} ${JSON.stringify(l.obj)}`.slice(0, 300)).join(' | ')}\n`);
  });
  return JSON.stringify({ url: e.baseUrl, uri: e.uri });
}

const line = process.argv[2] === 'bare' ? JSON.stringify({ url: await bare() }) : await esc();
process.stdout.write(`${line}\n`);
// BENCH_SLACK_PROF=1: report the event-loop delay on stderr at exit (and a CPU profile, with --cpu-prof).
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
process.on('SIGTERM', () => {
  if (process.env.BENCH_SLACK_PROF) process.stderr.write(`${process.argv[2]} event loop delay: p50 ${(loop.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms; rss ${Math.round(process.memoryUsage().rss / 1e6)} MB\n`);
  process.exit(0);
});
