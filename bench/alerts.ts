// `npm run bench -- alerts`: an alert storm (issue 18). Open loop, 500 alerts/s for 60 s over
// 100 dedup keys against the real alert API (POST /api/alerts); 1% of the operations resolve
// the key's ticket (POST /api/tickets/:id/resolve), so the next alert on it opens a new one.
// Goals: 100 open tickets at the end (one per key); every repeat counted (the alertCount of
// all the keys' tickets adds up to the alerts sent); intake p99 <= the p99 of a bare
// node:http server doing one equivalent database write, same requests, same run, + 50 ms; no
// 5xx. Also prints the database round trips per alert (driver command monitoring). Esc and the
// bare server each run in their own process and take the same load one after the other. BENCH_SECONDS (or BENCH_SCALE) shortens the run;
// BENCH_PROF=dir writes CPU profiles of both servers (node --cpu-prof).
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { MongoClient } from 'mongodb';
import { allPassed, percentile, report, scale, sleep } from './lib.js';
import { readRoundTrips, total } from './round-trips.js';
import { startBenchServer } from './slack-load.js';
import type { ServerProcess } from './slack-load.js';

const RATE = Number(process.env.BENCH_ALERTS_RATE ?? '500');
const SECONDS = process.env.BENCH_SECONDS ? Number(process.env.BENCH_SECONDS) : scale(60);
const KEYS = 100;
const RESOLVE_SHARE = 0.01;

type Server = ServerProcess;

const startServer = (mode: 'esc' | 'bare'): Promise<Server> => startBenchServer('bench/alerts-server.ts', mode, process.env, process.env.BENCH_PROF);

const agent = new Agent({ keepAlive: true, maxSockets: 1024 });

function post(url: string, token: string, body: unknown): Promise<{ status: number; ms: number; body: string }> {
  const data = JSON.stringify(body);
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started, body: '' }));
    req.end(data);
  });
}

const alert = (k: number, i: number) => ({ dedupKey: `bench/host-${k}/disk`, title: `Disk full on host-${k}`, description: `sample ${i}`, priority: 'P3', source: 'bench' });

async function main(): Promise<void> {
  const esc = await startServer('esc');
  const bare = await startServer('bare');
  const lat = { esc: [] as number[], bare: [] as number[] };
  const status = { esc5xx: 0, escOther: 0, bare5xx: 0 };
  const ticketOf = new Map<number, string>();
  // BENCH_TRACE=1: every Esc alert's send time, latency, key, status and the time since its key's last resolve.
  const trace: { at: number; ms: number; k: number; status: number; sinceResolve: number }[] = [];
  const resolvedAt = new Map<number, number>();
  let phaseStart = 0;
  const inflight: Promise<void>[] = [];
  // Warm-up, not measured: JIT and connections, on keys the load does not use. Both paths of
  // the intake run often enough to be compiled (V8 optimises a function after some thousands of
  // calls): 2,000 alerts over 200 keys, 20 at a time, so 200 tickets are opened and the rest
  // counted; then the openings' follow-ups settle. (With 200 alerts on 10 keys the storm's first
  // second measured the compiler: p50 130-150 ms there, 20-40 ms after.) The first second of the
  // storm is reported on its own line.
  const WARM = Number(process.env.BENCH_ALERTS_WARM ?? 2000);
  for (let i = 0; i < WARM; i += 20) {
    await Promise.all(
      Array.from({ length: 20 }, (_, j) => {
        const n = i + j;
        return Promise.all([post(`${esc.url}/api/alerts`, 'demo-monitor-token', { ...alert(1000 + (n % 200), n), dedupKey: `warm/${n % 200}` }), post(`${bare.url}/`, 't', alert(1000 + (n % 200), n))]);
      }),
    );
  }
  await sleep(2000);
  const db = new MongoClient(esc.uri);
  const tickets = db.db().collection('tickets');
  await sleep(500);
  // One phase each, the same open-loop load: the bare server first, then Esc (they would
  // otherwise share the database and the machine and slow each other down).
  const load = async (target: 'esc' | 'bare') => {
    let alerts = 0;
    let resolves = 0;
    let carry = 0;
    const start = performance.now();
    phaseStart = start;
    const resolveUntil = Math.max(0, SECONDS - 3) * 100;
    for (let tick = 0; tick < SECONDS * 100; tick++) {
      for (carry += RATE / 100; carry >= 1; carry -= 1) {
        const k = Math.floor(Math.random() * KEYS);
        const known = ticketOf.get(k);
        if (tick < resolveUntil && known && Math.random() < RESOLVE_SHARE) {
          resolves += 1;
          if (target === 'bare') {
            inflight.push(post(`${bare.url}/`, 't', { resolve: known }).then((r) => void (r.status >= 500 && (status.bare5xx += 1))));
            continue;
          }
          ticketOf.delete(k);
          resolvedAt.set(k, performance.now());
          inflight.push(post(`${esc.url}/api/tickets/${known}/resolve`, 'demo-admin-token', {}).then((r) => void (r.status >= 500 && (status.esc5xx += 1))));
          continue;
        }
        const a = alert(k, alerts++);
        const sentAt = performance.now();
        if (target === 'bare') {
          inflight.push(
            post(`${bare.url}/`, 't', a).then((r) => {
              lat.bare.push(r.ms);
              if (r.status >= 500 || r.status === 0) status.bare5xx += 1;
              if (!ticketOf.has(k)) ticketOf.set(k, 'x');
            }),
          );
          continue;
        }
        inflight.push(
          post(`${esc.url}/api/alerts`, 'demo-monitor-token', a).then((r) => {
            lat.esc.push(r.ms);
            trace.push({ at: sentAt - phaseStart, ms: r.ms, k, status: r.status, sinceResolve: sentAt - (resolvedAt.get(k) ?? -1e9) });
            if (r.status >= 500 || r.status === 0) status.esc5xx += 1;
            else if (r.status !== 200 && r.status !== 201) status.escOther += 1;
            else if (!ticketOf.has(k)) ticketOf.set(k, (JSON.parse(r.body) as { ticket: { id: string } }).ticket.id);
          }),
        );
      }
      const wait = start + (tick + 1) * 10 - performance.now();
      if (wait > 0) await sleep(wait);
    }
    await Promise.all(inflight);
    return { alerts, resolves };
  };
  const dbPid = serverPid(esc.uri);
  const cpu = (pid: number | undefined) => (pid ? cpuMs(pid) : NaN);
  const bare0 = [cpu(bare.child.pid), cpu(dbPid)];
  await load('bare');
  const bare1 = [cpu(bare.child.pid), cpu(dbPid)];
  ticketOf.clear();
  await sleep(Number(process.env.XPAUSE ?? 1000));
  esc.child.send('rt:reset');
  const esc0 = [cpu(esc.child.pid), cpu(dbPid)];
  const { alerts, resolves } = await load('esc');
  const esc1 = [cpu(esc.child.pid), cpu(dbPid)];
  if (process.env.BENCH_TRACE) {
    const per = (a: number[], b: number[]) => `server ${((b[0]! - a[0]!) / alerts).toFixed(3)} ms, database ${((b[1]! - a[1]!) / alerts).toFixed(3)} ms`;
    process.stderr.write(`CPU per alert: bare phase: ${per(bare0, bare1)}; esc phase: ${per(esc0, esc1)} (uptime: ${readFileSync('/proc/loadavg', 'utf8').trim()})\n`);
  }
  await sleep(500);
  const rt = await readRoundTrips(esc.child);
  const ours = { alertKey: { $regex: '^bench/host-' } };
  const open = await tickets.countDocuments({ ...ours, status: { $nin: ['resolved', 'closed'] } });
  // Repeats are counted on the keys and folded into the stored tickets within about a second
  // (reads through Esc add them at once): the sum is read from the stored tickets once folded.
  const storedSum = async () => (await tickets.aggregate<{ n: number }>([{ $match: ours }, { $group: { _id: null, n: { $sum: '$alertCount' } } }]).toArray())[0]?.n ?? 0;
  const foldStart = performance.now();
  let sum = await storedSum();
  while (sum !== alerts && performance.now() - foldStart < 15_000) {
    await sleep(250);
    sum = await storedSum();
  }
  const foldMs = performance.now() - foldStart;
  await db.close();

  const r1 = (n: number) => Math.round(n * 10) / 10;
  const p99 = { esc: percentile(lat.esc, 99), bare: percentile(lat.bare, 99) };
  report({ name: 'alerts.sent', value: alerts, unit: 'alerts', goal: `${RATE}/s for ${SECONDS} s over ${KEYS} keys, + ${resolves} resolves (1%)`, pass: alerts + resolves >= RATE * SECONDS * 0.99 });
  report({ name: 'alerts.open_tickets', value: open, unit: 'tickets', goal: `${KEYS} (one per key)`, pass: open === KEYS });
  report({ name: 'alerts.counted', value: sum, unit: 'alerts', goal: `= alerts sent (${alerts}): every repeat counted (the stored tickets, ${Math.round(foldMs)} ms after the load)`, pass: sum === alerts });
  report({ name: 'alerts.intake_p50', value: r1(percentile(lat.esc, 50)), unit: 'ms', goal: 'informational', pass: true });
  const first = trace.filter((t) => t.at < 1000).map((t) => t.ms);
  report({ name: 'alerts.first_second_p99', value: r1(percentile(first, 99)), unit: 'ms', goal: `informational: the storm's first second (${first.length} alerts, 100 keys opened; p50 ${r1(percentile(first, 50))})`, pass: true });
  report({ name: 'alerts.bare_p99', value: r1(p99.bare), unit: 'ms', goal: 'baseline: bare node:http + one insertOne, same load, same run (its own phase, before Esc)', pass: true });
  report({ name: 'alerts.intake_p99', value: r1(p99.esc), unit: 'ms', goal: `<= bare p99 + 50 (${r1(p99.bare + 50)})`, pass: p99.esc <= p99.bare + 50 });
  report({ name: 'alerts.5xx', value: status.esc5xx, unit: 'responses', goal: `0 (other non-2xx: ${status.escOther}; bare 5xx: ${status.bare5xx})`, pass: status.esc5xx === 0 && status.escOther === 0 });
  report({ name: 'alerts.round_trips_per_alert', value: Math.round((total(rt) / Math.max(1, alerts + resolves)) * 100) / 100, unit: 'commands', goal: `informational: ${JSON.stringify(rt)}`, pass: true });
  if (process.env.BENCH_TRACE) printTrace(trace);
  esc.child.kill('SIGTERM');
  bare.child.kill('SIGTERM');
  agent.destroy();
  process.exit(allPassed() ? 0 : 1);
}

/** CPU time (user + system) of a process so far, in ms (Linux /proc). */
function cpuMs(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** The pid of the local database server listening on the uri's port (BENCH_TRACE; undefined if not found). */
function serverPid(uri: string): number | undefined {
  const port = new URL(uri).port;
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(`--listen-addr=127.0.0.1:${port}`)) return Number(d);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** Where the tail is: latency per second of the run, and per kind of request. */
function printTrace(trace: { at: number; ms: number; k: number; status: number; sinceResolve: number }[]): void {
  const r1 = (n: number) => Math.round(n * 10) / 10;
  const line = (name: string, xs: number[]) => process.stderr.write(`${name.padEnd(34)} n=${String(xs.length).padStart(6)} p50=${r1(percentile(xs, 50))} p99=${r1(percentile(xs, 99))} max=${r1(Math.max(...xs))}\n`);
  const secs = Math.ceil(Math.max(...trace.map((t) => t.at)) / 1000);
  for (let s = 0; s < secs; s++) line(`second ${s}`, trace.filter((t) => t.at >= s * 1000 && t.at < (s + 1) * 1000).map((t) => t.ms));
  line('201 (opened a ticket)', trace.filter((t) => t.status === 201).map((t) => t.ms));
  line('200 within 1 s after its resolve', trace.filter((t) => t.status !== 201 && t.sinceResolve < 1000).map((t) => t.ms));
  line('200 first second of the run', trace.filter((t) => t.status !== 201 && t.sinceResolve >= 1000 && t.at < 1000).map((t) => t.ms));
  line('200 other', trace.filter((t) => t.status !== 201 && t.sinceResolve >= 1000 && t.at >= 1000).map((t) => t.ms));
  const p99 = percentile(trace.map((t) => t.ms), 99);
  const slow = trace.filter((t) => t.ms >= p99);
  process.stderr.write(`slowest 1% (>= ${r1(p99)} ms): ${slow.filter((t) => t.status === 201).length} opened, ${slow.filter((t) => t.status !== 201 && t.sinceResolve < 1000).length} within 1 s of a resolve, ${slow.filter((t) => t.at < 1000).length} in the first second\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/alerts failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
