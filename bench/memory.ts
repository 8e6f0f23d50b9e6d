// `npm run bench -- memory` (issue 18): the compiled Esc (node dist/main.js) with Slack
// configured against a local Slack Web API (test/far-side/fake-slack.ts), in this order:
//  - idle RSS after start-up settles: <= 150 MB (baseline: a bare node:http server, same run);
//  - peak RSS under hostile bodies (oversized and just-under-the-limit bodies, many at once, on
//    the Slack and API routes), from idle: <= 300 MB, and every one answered 4xx (never 5xx);
//  - peak RSS during the slack load (signed ticket submissions at BENCH_SLACK_RATE, default
//    500/s, for BENCH_SECONDS, default 60; 5% retried, as bench/slack.ts sends them, plus 10 s
//    of draining the tickets behind the acknowledgements): <= 300 MB.
// RSS is read from /proc (VmRSS sampled every 50-100 ms); CPU time too (load-independent).
import { request } from 'node:http';
import { FakeSlack } from '../test/far-side/fake-slack.js';
import { TEST_SIGNING_SECRET, ticketSubmission } from '../test/far-side/slack-requests.js';
import { allPassed, percentile, report, scale, sleep } from './lib.js';
import { closeAgent, postSigned } from './slack-load.js';
import { cpuMs, ensureBuilt, median, rssMb, startBare, startCompiledEsc } from './esc-process.js';

const RATE = Number(process.env.BENCH_SLACK_RATE ?? '500');
const SECONDS = process.env.BENCH_SECONDS ? Number(process.env.BENCH_SECONDS) : scale(60);
const SETTLE_MS = Number(process.env.BENCH_MEMORY_SETTLE_MS ?? '5000');
const IDLE_GOAL = 150;
const PEAK_GOAL = 300;
const r1 = (n: number) => Math.round(n * 10) / 10;

/** Heap and external memory from Esc's own /metrics (prom-client's process metrics), in MB: what holds the RSS. */
async function heapMb(url: string): Promise<string> {
  const text = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer demo-admin-token' } }).then((r) => r.text(), () => '');
  const v = (name: string) => Number(new RegExp(`^esc_${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 1048576;
  return `heap used ${r1(v('nodejs_heap_size_used_bytes'))} of ${r1(v('nodejs_heap_size_total_bytes'))} MB, external ${r1(v('nodejs_external_memory_bytes'))} MB`;
}

/** One raw POST (no agent): status, or 0 when the connection was cut. */
function post(url: string, headers: Record<string, string>, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length), connection: 'close' } });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

async function main(): Promise<void> {
  ensureBuilt();
  const fake = new FakeSlack('xoxb-test-token');
  const apiUrl = await fake.start();

  const bare = await startBare();
  await sleep(1000);
  const bareRss = rssMb(bare.child.pid!).rss;
  await bare.stop();

  // BENCH_MEMORY_SNAPSHOT=1: heap snapshots of Esc (in the working directory) when idle and after the load.
  const snap = !!process.env.BENCH_MEMORY_SNAPSHOT;
  const esc = await startCompiledEsc({ SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: apiUrl, ESC_ENGINE: 'true' }, [...(snap ? ['--heapsnapshot-signal=SIGUSR2'] : []), ...(process.env.BENCH_MEMORY_NODE_ARGS?.split(' ').filter(Boolean) ?? [])]);
  const snapshot = async () => {
    if (!snap) return;
    esc.child.kill('SIGUSR2');
    await sleep(15_000);
  };
  const pid = esc.child.pid!;
  // Idle: start-up settled (first engine passes, readiness refreshes), nothing asked.
  await sleep(SETTLE_MS);
  const idle: number[] = [];
  for (let i = 0; i < 20; i++) {
    idle.push(rssMb(pid).rss);
    await sleep(100);
  }
  const startPeak = rssMb(pid).peak;
  report({ name: 'memory.bare_node_rss_mb', value: r1(bareRss), unit: 'MB', goal: 'baseline: bare node:http server, same run', pass: true });
  process.stderr.write(`[memory] idle: ${await heapMb(esc.url)}\n`);
  await snapshot();
  report({ name: 'memory.idle_rss_mb', value: r1(median(idle)), unit: 'MB', goal: `<= ${IDLE_GOAL}: node dist/main.js with Slack configured, idle ${SETTLE_MS / 1000} s after /readyz (start-up peak ${r1(startPeak)} MB)`, pass: median(idle) <= IDLE_GOAL });

  // Hostile bodies first (from idle, so the load's heap does not count here), 48 at once per kind: over the Slack limit, just under it (bad signature), over the API limit.
  let sampled = 0;
  const hostileSampler = setInterval(() => (sampled = Math.max(sampled, rssMb(pid).rss)), 50);
  const form = { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)), 'x-slack-signature': 'v0=00' };
  const big = Buffer.alloc(4 * 1024 * 1024, 'a');
  const under = Buffer.alloc(1000 * 1024, 'b');
  const json = Buffer.from(`{"title":"${'x'.repeat(2 * 1024 * 1024)}"}`);
  const statuses: number[] = [];
  for (let round = 0; round < 3; round++) {
    const all: Promise<number>[] = [];
    for (let i = 0; i < 48; i++) {
      all.push(post(`${esc.url}/slack/events`, form, big), post(`${esc.url}/slack/events`, form, under));
      all.push(post(`${esc.url}/api/tickets`, { 'content-type': 'application/json', authorization: 'Bearer demo-agent-token' }, json));
    }
    statuses.push(...(await Promise.all(all)));
  }
  await sleep(500);
  clearInterval(hostileSampler);
  const wrong = statuses.filter((s) => s < 400 || s >= 500).length;
  report({ name: 'memory.peak_rss_hostile_mb', value: r1(sampled), unit: 'MB', goal: `<= ${PEAK_GOAL}: ${statuses.length} hostile bodies (4 MB and 1000 KB to /slack/events, 2 MB JSON to /api/tickets, 144 at once)`, pass: sampled <= PEAK_GOAL });
  report({ name: 'memory.hostile_not_4xx', value: wrong, unit: 'responses', goal: `0 (answers: ${[...new Set(statuses)].sort().join(', ')}; 0 = connection cut)`, pass: wrong === 0 });

  // The slack load: every unique submission opens a ticket.
  sampled = 0;
  const sampler = setInterval(() => (sampled = Math.max(sampled, rssMb(pid).rss)), 100);
  // Diagnostics on stderr every 5 s: RSS against the JS heap (BENCH_MEMORY_QUIET=1 turns it off).
  const diag = process.env.BENCH_MEMORY_QUIET ? null : setInterval(() => void heapMb(esc.url).then((h) => process.stderr.write(`[memory] rss ${r1(rssMb(pid).rss)} MB; ${h}\n`)), 5000);
  const inflight: Promise<unknown>[] = [];
  let sent = 0;
  let bad = 0;
  let carry = 0;
  const acks: number[] = [];
  const fire = (body: string, retry?: number) =>
    inflight.push(
      postSigned(esc.url, body, retry).then((r) => {
        acks.push(r.ms);
        if (r.status !== 200) bad++;
      }),
    );
  const cpu0 = cpuMs(pid);
  const t0 = performance.now();
  for (let tick = 0; tick < SECONDS * 100; tick++) {
    for (carry += RATE / 100; carry >= 1; carry -= 1) {
      const body = ticketSubmission({ userId: 'U0ERIN', viewId: `VM${sent++}`, title: `Memory load ${sent}` });
      fire(body);
      if (Math.random() < 0.05) setTimeout(() => fire(body, 1), 200);
    }
    const wait = t0 + (tick + 1) * 10 - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await sleep(300);
  await Promise.all(inflight);
  // Tickets open behind the acknowledgement: keep sampling while that work drains.
  await sleep(Number(process.env.BENCH_MEMORY_DRAIN_MS ?? '10000'));
  clearInterval(sampler);
  if (diag) clearInterval(diag);
  // Sampled, not VmHWM: the hostile phase ran before this one.
  const loadPeak = sampled;
  report({ name: 'memory.peak_rss_load_mb', value: r1(loadPeak), unit: 'MB', goal: `<= ${PEAK_GOAL}: peak RSS (sampled every 100 ms) through ${sent} signed submissions at ${RATE}/s for ${SECONDS} s + 5% retries (${bad} not 200)`, pass: loadPeak <= PEAK_GOAL });
  await snapshot();
  report({ name: 'memory.load_cpu_ms', value: Math.round(cpuMs(pid) - cpu0), unit: 'ms', goal: 'informational: CPU time Esc used for the load and its drain (load-independent: what the memory settings cost in work)', pass: true });
  report({ name: 'memory.load_ack_p99_ms', value: r1(percentile(acks, 99)), unit: 'ms', goal: `informational: what the memory settings cost in latency (p50 ${r1(percentile(acks, 50))} ms); bench/slack.ts judges it`, pass: true });
  report({ name: 'memory.rss_after_load_mb', value: r1(rssMb(pid).rss), unit: 'MB', goal: 'informational: RSS 10 s after the load', pass: true });

  await esc.stop();
  closeAgent();
  await fake.stop();
}

main().then(
  () => process.exit(allPassed() ? 0 : 1),
  (err: unknown) => {
    process.stderr.write(`bench/memory failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
