// `npm run bench -- engine`: the escalation engine's numbers (issue 3), one JSON line each.
// BENCH_SCALE=0.1 runs a smaller version (for development); the goals are for scale 1.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import type { Delivery } from '../src/app/ports/deliveries.js';
import type { Notifier, SendResult } from '../src/app/ports/notifier.js';
import { respondToNotification } from '../src/app/use-cases/respond.js';
import { createEsc } from '../src/composition-root.js';
import type { Esc } from '../src/composition-root.js';
import { loadConfig } from '../src/config/env.js';
import { MemoryLogger, demoOrg, freshDbUri } from '../test/support/harness.js';
import { FakeProvider, HttpNotifier } from '../test/far-side/fake-provider.js';
import { allPassed, percentile, report, scale, sleep } from './lib.js';
import { seedEscalations } from './engine-seed.js';

class TimingNotifier implements Notifier {
  readonly name = 'timing';
  readonly lateness: number[] = [];
  readonly keys: string[] = [];
  constructor(readonly channel: 'chat' | 'sms') {}
  async send(d: Delivery): Promise<SendResult> {
    this.lateness.push(Date.now() - new Date(d.dueAt).getTime());
    this.keys.push(d.key);
    return { ok: true, status: 'sent' };
  }
}

async function esc(uri: string, notifiers: Notifier[], runEngine = true): Promise<Esc> {
  const config = loadConfig({ LOG_LEVEL: 'silent', ESC_ENGINE_TICK_MS: '20', ESC_ENGINE_LEASE_MS: '10000' });
  return createEsc({ config, mongoUri: uri, log: new MemoryLogger(), notifiers, org: demoOrg(), runEngine });
}

async function waitFor(pred: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (pred()) return true;
    await sleep(20);
  }
  return pred();
}

/** The bare loop: conditional findOneAndUpdate claims, one at a time, on the same server. */
async function baseline(): Promise<number> {
  const c = await MongoClient.connect(freshDbUri());
  const col = c.db().collection('claims');
  const n = 2000;
  await col.insertMany(Array.from({ length: n }, (_, i) => ({ i, state: 'due', dueAt: new Date() })));
  await col.createIndex({ state: 1, dueAt: 1 });
  const t0 = performance.now();
  let got = 0;
  while (await col.findOneAndUpdate({ state: 'due', dueAt: { $lte: new Date() } }, { $set: { state: 'claimed' } })) got++;
  const rate = got / ((performance.now() - t0) / 1000);
  await c.close();
  report({ name: 'baseline_claim_loop_rate', value: Math.round(rate), unit: 'claims/s', goal: 'reference', pass: true });
  return rate;
}

async function burst(baseRate: number): Promise<void> {
  const n = scale(1000);
  const uri = freshDbUri();
  const chat = new TimingNotifier('chat');
  const e = await esc(uri, [chat, new TimingNotifier('sms')]);
  const due = new Date(Date.now() + 3000);
  await seedEscalations(e.conn, n, () => due, new Date());
  await sleep(due.getTime() - Date.now());
  const t0 = Date.now();
  await waitFor(() => chat.keys.length >= n, 60_000);
  const secs = (Date.now() - t0) / 1000;
  report({ name: 'burst_1000_all_sent_s', value: Number(secs.toFixed(2)), unit: 's', goal: '<= 10', pass: chat.keys.length === n && secs <= 10 });
  const rate = n / secs;
  report({ name: 'burst_rate_vs_baseline', value: Number((rate / baseRate).toFixed(3)), unit: 'ratio', goal: '>= 0.25', pass: rate / baseRate >= 0.25 });
  await e.stop();
}

async function lateness(): Promise<void> {
  const n = scale(10_000);
  const windowMs = Number(process.env.BENCH_WINDOW_S ?? 600) * 1000;
  const uri = freshDbUri();
  const chat = new TimingNotifier('chat');
  const e = await esc(uri, [chat, new TimingNotifier('sms')]);
  const start = Date.now() + 5000;
  await seedEscalations(e.conn, n, (i) => new Date(start + Math.floor((i / n) * windowMs)), new Date());
  await waitFor(() => chat.keys.length >= n, windowMs + 120_000);
  const p99 = percentile(chat.lateness, 99);
  report({ name: 'lateness_p99', value: p99, unit: 'ms', goal: `<= 1000 (${n} escalations over ${windowMs / 1000} s)`, pass: chat.keys.length === n && p99 <= 1000 });
  await e.stop();
}

async function twoProcesses(): Promise<void> {
  const n = scale(10_000);
  const uri = freshDbUri();
  const a = [new TimingNotifier('chat'), new TimingNotifier('sms')];
  const b = [new TimingNotifier('chat'), new TimingNotifier('sms')];
  const ea = await esc(uri, a);
  const eb = await esc(uri, b);
  const start = Date.now() + 3000;
  await seedEscalations(ea.conn, n, (i) => new Date(start + (i % 200) * 100), new Date());
  const all = () => [...a, ...b].flatMap((x) => x.keys);
  await waitFor(() => all().length >= n, 300_000);
  await sleep(2000);
  const keys = all();
  report({ name: 'two_processes_duplicate_sends', value: keys.length - new Set(keys).size, unit: 'sends', goal: `0 (${n} steps)`, pass: keys.length - new Set(keys).size === 0 && new Set(keys).size === n });
  await ea.stop();
  await eb.stop();
}

async function ackRace(): Promise<void> {
  const n = scale(10_000);
  const uri = freshDbUri();
  const far = new FakeProvider();
  await far.start();
  const e = await esc(uri, [new HttpNotifier('chat', far.url), new HttpNotifier('sms', far.url)]);
  const due = new Date(Date.now() + 8000);
  const ids = await seedEscalations(e.conn, n, () => due, new Date());
  await sleep(due.getTime() - 200 - Date.now());
  // When each acknowledgement ANSWERED ("Escalation stopped"), by escalation.
  const answeredAt = new Map<string, number>();
  // Acknowledgements land from just before the step until well into its burst of sends (10 s
  // by default), so many land while the step's messages are going out.
  const spreadMs = Number(process.env.BENCH_ACK_SPREAD_MS ?? 10_000);
  const acks = ids.map((id) => {
    const at = due.getTime() - 200 + Math.random() * (spreadMs + 200);
    return sleep(Math.max(0, at - Date.now()))
      .then(() => respondToNotification(e.deps, { ticket: id, reply: 'acknowledge', actor: { personId: 'alice', via: 'bench' } }))
      .then((r) => {
        if (r.changed && r.escalation) answeredAt.set(r.escalation.id, Date.now());
      });
  });
  await Promise.all(acks);
  await sleep(3000);
  let after = 0;
  const db = e.conn.db!;
  const evts = await db.collection('timeline').find({ type: { $in: ['escalation.acknowledged', 'escalation.step_fired'] } }, { projection: { type: 1, data: 1 } }).toArray();
  const firedBefore = new Map<string, number>();
  for (const ev of evts) if (ev.type === 'escalation.acknowledged') firedBefore.set(String(ev.data.escalationId), Number(ev.data.firedBeforeAck));
  for (const ev of evts) if (ev.type === 'escalation.step_fired' && Number(ev.data.seq) >= (firedBefore.get(String(ev.data.escalationId)) ?? Infinity)) after++;
  const sendsAfter = far.arrivals.filter((a) => a.at > (answeredAt.get(a.escalationId ?? "") ?? Infinity)).length;
  report({ name: 'ack_race_claims_after_ack', value: after, unit: 'claims', goal: `0 (${n} acks from 200 ms before the step to ${spreadMs} ms after)`, pass: after === 0 && firedBefore.size === n });
  report({ name: 'ack_race_sends_after_ack_answer', value: sendsAfter, unit: 'sends at the provider', goal: `0 (${answeredAt.size} acks answered; ${far.arrivals.length} sends arrived, all before their ack or racing it)`, pass: sendsAfter === 0 && answeredAt.size === n });
  await e.stop();
  await far.stop();
}

async function sigkill(): Promise<void> {
  const n = scale(1000);
  const uri = freshDbUri();
  const dir = mkdtempSync(join(tmpdir(), 'esc-kill-'));
  const file = join(dir, 'sent.log');
  writeFileSync(file, '');
  const seeder = await esc(uri, [], false);
  const start = Date.now() + 4000;
  await seedEscalations(seeder.conn, n, () => new Date(start), new Date());
  await seeder.stop();
  const spawnWorker = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/engine-worker.ts', uri, file, '50'], { stdio: ['ignore', 'pipe', 'inherit'] });
    return child;
  };
  const sent = () => readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const w1 = spawnWorker();
  // Kill once a tenth went out: the rest are claimed, in flight or still due.
  await waitFor(() => sent().length >= n / 10, 60_000);
  const c = await MongoClient.connect(uri);
  const inFlight = (await c.db().collection('deliveries').countDocuments({ status: 'sending' })) + 0;
  w1.kill('SIGKILL');
  const killedAt = Date.now();
  const w2 = spawnWorker();
  const ok = await waitFor(() => new Set(sent()).size >= n, 90_000);
  const recovery = (Date.now() - killedAt) / 1000;
  w2.kill('SIGTERM');
  await c.close();
  const keys = sent();
  const lost = n - new Set(keys).size;
  const dups = keys.length - new Set(keys).size;
  report({ name: 'sigkill_in_flight_at_kill', value: inFlight, unit: 'steps', goal: '>= 100', pass: inFlight >= 100 });
  report({ name: 'sigkill_steps_lost', value: lost, unit: 'steps', goal: '0', pass: ok && lost === 0 });
  report({ name: 'sigkill_duplicates', value: dups, unit: 'sends', goal: `<= 1 per killed step (${inFlight})`, pass: dups <= inFlight });
  report({ name: 'sigkill_recovery_s', value: Number(recovery.toFixed(1)), unit: 's', goal: '<= 30', pass: ok && recovery <= 30 });
}

const only = process.env.BENCH_ONLY?.split(',');
const run = async (name: string, fn: () => Promise<void>) => {
  if (!only || only.includes(name)) await fn();
};
const base = await baseline();
await run('burst', () => burst(base));
await run('sigkill', sigkill);
await run('two', twoProcesses);
await run('ack', ackRace);
await run('lateness', lateness);
process.exit(allPassed() ? 0 : 1);
