// `npm run bench -- alerts`: an alert storm (issue 18). Open loop, 500 alerts/s for 60 s over
// 100 dedup keys against the real alert API (POST /api/alerts); 1% of the operations resolve
// the key's ticket (POST /api/tickets/:id/resolve), so the next alert on it opens a new one.
// Goals: 100 open tickets at the end (one per key); every repeat counted (the alertCount of
// all the keys' tickets adds up to the alerts sent); intake p99 <= the p99 of a bare
// node:http server doing one equivalent database write, same requests, same run, + 50 ms; no
// 5xx. Also prints the database round trips per alert (driver command monitoring). Esc and the
// bare server each run in their own process and take the same load one after the other. BENCH_SECONDS (or BENCH_SCALE) shortens the run;
// BENCH_PROF=dir writes CPU profiles of both servers (node --cpu-prof).
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
  const inflight: Promise<void>[] = [];
  // Warm-up, not measured: JIT and connections, on keys the load does not use.
  for (let i = 0; i < 200; i++) {
    await Promise.all([post(`${esc.url}/api/alerts`, 'demo-monitor-token', { ...alert(1000 + (i % 10), i), dedupKey: `warm/${i % 10}` }), post(`${bare.url}/`, 't', alert(1000 + (i % 10), i))]);
  }
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
          inflight.push(post(`${esc.url}/api/tickets/${known}/resolve`, 'demo-admin-token', {}).then((r) => void (r.status >= 500 && (status.esc5xx += 1))));
          continue;
        }
        const a = alert(k, alerts++);
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
  await load('bare');
  ticketOf.clear();
  await sleep(1000);
  esc.child.send('rt:reset');
  const { alerts, resolves } = await load('esc');
  await sleep(500);
  const rt = await readRoundTrips(esc.child);
  const ours = { alertKey: { $regex: '^bench/host-' } };
  const open = await tickets.countDocuments({ ...ours, status: { $nin: ['resolved', 'closed'] } });
  const counted = await tickets.aggregate<{ n: number }>([{ $match: ours }, { $group: { _id: null, n: { $sum: '$alertCount' } } }]).toArray();
  const sum = counted[0]?.n ?? 0;
  await db.close();

  const r1 = (n: number) => Math.round(n * 10) / 10;
  const p99 = { esc: percentile(lat.esc, 99), bare: percentile(lat.bare, 99) };
  report({ name: 'alerts.sent', value: alerts, unit: 'alerts', goal: `${RATE}/s for ${SECONDS} s over ${KEYS} keys, + ${resolves} resolves (1%)`, pass: alerts + resolves >= RATE * SECONDS * 0.99 });
  report({ name: 'alerts.open_tickets', value: open, unit: 'tickets', goal: `${KEYS} (one per key)`, pass: open === KEYS });
  report({ name: 'alerts.counted', value: sum, unit: 'alerts', goal: `= alerts sent (${alerts}): every repeat counted`, pass: sum === alerts });
  report({ name: 'alerts.intake_p50', value: r1(percentile(lat.esc, 50)), unit: 'ms', goal: 'informational', pass: true });
  report({ name: 'alerts.bare_p99', value: r1(p99.bare), unit: 'ms', goal: 'baseline: bare node:http + one insertOne, same load, same run (its own phase, before Esc)', pass: true });
  report({ name: 'alerts.intake_p99', value: r1(p99.esc), unit: 'ms', goal: `<= bare p99 + 50 (${r1(p99.bare + 50)})`, pass: p99.esc <= p99.bare + 50 });
  report({ name: 'alerts.5xx', value: status.esc5xx, unit: 'responses', goal: `0 (other non-2xx: ${status.escOther}; bare 5xx: ${status.bare5xx})`, pass: status.esc5xx === 0 && status.escOther === 0 });
  report({ name: 'alerts.round_trips_per_alert', value: Math.round((total(rt) / Math.max(1, alerts + resolves)) * 100) / 100, unit: 'commands', goal: `informational: ${JSON.stringify(rt)}`, pass: true });
  esc.child.kill('SIGTERM');
  bare.child.kill('SIGTERM');
  agent.destroy();
  process.exit(allPassed() ? 0 : 1);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/alerts failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
