// `npm run bench -- slack`: how fast Esc acknowledges signed Slack requests under load (issue 4).
// Open loop: 500 signed /esc requests per second for 60 s (BENCH_SCALE shortens it), 5% of
// them sent again as retries, to Esc and, in the same run, to a bare node:http server doing
// the same signature check. Both servers run in their own processes; this one only sends
// and plays Slack's Web API. One JSON line per number; exits non-zero on a missed goal.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { parseEscCommand } from '../src/adapters/slack/command-parser.js';
import { signSlackRequest } from '../src/adapters/slack/signature.js';
import { FakeSlack } from '../test/far-side/fake-slack.js';
import { TEST_SIGNING_SECRET, commandBody } from '../test/far-side/slack-requests.js';
import { allPassed, percentile, report, scale, sleep } from './lib.js';

const RATE = Number(process.env.BENCH_SLACK_RATE ?? '500');
const SECONDS = scale(60);
const RETRY_SHARE = 0.05;
const TEXTS = process.env.BENCH_SLACK_TEXTS?.split(',') ?? ['help', 'status ESC-1000', 'list mine', 'report', 'history 1000', 'ack 999999', 'bogus words'];
const agent = new Agent({ keepAlive: true, maxSockets: 512 });

function server(mode: 'esc' | 'bare', env: NodeJS.ProcessEnv): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/slack-server.ts', mode], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (l) => resolve({ url: (JSON.parse(l) as { url: string }).url, child }));
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
}

/** One signed POST; resolves with status and milliseconds (status 0 on a transport error). */
function post(base: string, body: string, retryNum?: number): Promise<{ status: number; ms: number }> {
  const ts = Math.floor(Date.now() / 1000);
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(`${base}/slack/events`, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': signSlackRequest(TEST_SIGNING_SECRET, ts, body),
        ...(retryNum ? { 'x-slack-retry-num': String(retryNum), 'x-slack-retry-reason': 'http_timeout' } : {}),
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(body);
  });
}

async function main(): Promise<void> {
  const fake = new FakeSlack('xoxb-test-token');
  const apiUrl = await fake.start();
  const esc = await server('esc', { ...process.env, SLACK_API_URL: apiUrl });
  const bare = await server('bare', process.env);
  const lat = { esc: [] as number[], bare: [] as number[] };
  const bad = { esc: 0, bare: 0 };
  const retried = new Set<string>();
  const inflight: Promise<void>[] = [];
  const fire = (target: 'esc' | 'bare', url: string, body: string, retryNum?: number) => {
    inflight.push(
      post(url, body, retryNum).then((r) => {
        lat[target].push(r.ms);
        if (r.status !== 200) bad[target] += 1;
      }),
    );
  };
  // Warm-up (JIT, connections, Bolt's auth.test), not measured.
  for (let i = 0; i < 50; i++) await post(esc.url, commandBody({ text: 'help', userId: 'U0ERIN', responseUrl: `${fake.url}/response/warm${i}` }));
  let sent = 0;
  // help and usage are answered in the ack itself; the rest through response_url.
  let expected = 0;
  let carry = 0;
  const start = performance.now();
  for (let tick = 0; tick < SECONDS * 100; tick++) {
    for (carry += RATE / 100; carry >= 1; carry -= 1) {
      const id = `b${sent++}`;
      const text = TEXTS[sent % TEXTS.length]!;
      if (!['help', 'usage'].includes(parseEscCommand(text).kind)) expected += 1;
      const body = commandBody({ text, userId: 'U0ERIN', responseUrl: `${fake.url}/response/${id}`, triggerId: `${id}.trigger` });
      fire('esc', esc.url, body);
      fire('bare', bare.url, body);
      if (Math.random() < RETRY_SHARE) {
        retried.add(`/response/${id}`);
        // Slack retries after its 3 s timeout; sooner here, while the first copy may still run.
        setTimeout(() => fire('esc', esc.url, body, 1), 200);
      }
    }
    const wait = start + (tick + 1) * 10 - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await sleep(300);
  await Promise.all(inflight);
  // The answers (after the ack, through response_url) queue behind the database: time the drain.
  const loadEnd = performance.now();
  const answered = () => new Set(fake.responses.filter((r) => r.path.startsWith('/response/b')).map((r) => r.path)).size;
  while (answered() < expected && performance.now() - loadEnd < 60_000) await sleep(100);
  const drainMs = performance.now() - loadEnd;
  await sleep(1000);
  const perPath = new Map<string, number>();
  for (const r of fake.responses) perPath.set(r.path, (perPath.get(r.path) ?? 0) + 1);
  const twice = [...retried].filter((p) => (perPath.get(p) ?? 0) > 1).length;
  const p99 = { esc: percentile(lat.esc, 99), bare: percentile(lat.bare, 99) };
  const r1 = (n: number) => Math.round(n * 10) / 10;
  report({ name: 'slack.requests_sent', value: sent, unit: 'requests', goal: `${RATE * SECONDS} at ${RATE}/s`, pass: sent >= RATE * SECONDS * 0.99 });
  report({ name: 'slack.ack_p50', value: r1(percentile(lat.esc, 50)), unit: 'ms', goal: 'informational', pass: true });
  report({ name: 'slack.ack_p99', value: r1(p99.esc), unit: 'ms', goal: '< 3000 (Slack gives up at 3 s)', pass: p99.esc < 3000 });
  report({ name: 'slack.bare_p99', value: r1(p99.bare), unit: 'ms', goal: 'baseline, same run', pass: true });
  report({ name: 'slack.ack_p99_overhead', value: r1(p99.esc - p99.bare), unit: 'ms', goal: '<= 100 over the bare server', pass: p99.esc - p99.bare <= 100 });
  report({ name: 'slack.answers_delivered', value: answered(), unit: 'answers', goal: `all ${expected} sent through response_url`, pass: answered() === expected });
  report({ name: 'slack.answers_drain_after_load', value: Math.round(drainMs), unit: 'ms', goal: '< 30000 (response_url lasts 30 min; people wait)', pass: drainMs < 30_000 });
  report({ name: 'slack.non_200', value: bad.esc + bad.bare, unit: 'responses', goal: '0', pass: bad.esc + bad.bare === 0 });
  report({ name: 'slack.retries_processed_twice', value: twice, unit: 'requests', goal: `0 of ${retried.size} retried`, pass: twice === 0 });
  esc.child.kill('SIGTERM');
  bare.child.kill('SIGTERM');
  agent.destroy();
  await fake.stop();
  process.exit(allPassed() ? 0 : 1);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/slack failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
