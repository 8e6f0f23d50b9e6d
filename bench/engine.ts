// `npm run bench -- engine`: the escalation engine's numbers (issues 3 and 18), one JSON line each.
// Knobs: BENCH_SCALE=0.1 shrinks every count (the goals are for scale 1); BENCH_ONLY=burst,flat
// picks parts (burst, burst10k, flat, idle, sigkill, two, ack; default: all); BENCH_FLAT_SIZES=1000,10000
// picks the active-escalation counts of the flat-cost part (default 1000,10000,100000).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import type { CommandStartedEvent, CommandSucceededEvent } from 'mongodb';
import type { Connection } from 'mongoose';
import type { Delivery } from '../src/app/ports/deliveries.js';
import type { Notifier, SendResult } from '../src/app/ports/notifier.js';
import { respondToNotification } from '../src/app/use-cases/respond.js';
import { createEsc } from '../src/composition-root.js';
import type { Esc } from '../src/composition-root.js';
import { loadConfig } from '../src/config/env.js';
import { connectMongo as connectDatabase } from '../src/adapters/mongo/models.js';
import { MemoryLogger, demoOrg, freshDbUri } from '../test/support/harness.js';
import { FakeProvider, HttpNotifier } from '../test/far-side/fake-provider.js';
import { allPassed, dbCpuMs, percentile, report, scale, sleep } from './lib.js';
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

/** Counts the driver's commands (round trips) by command and collection while `on`. */
class CommandCounter {
  on = false;
  readonly counts = new Map<string, number>();
  /** Time spent in the database by the same keys (ms), to see which commands are slow. */
  readonly ms = new Map<string, number>();
  private readonly keys = new Map<number, string>();
  attach(conn: Connection): void {
    conn.getClient().on('commandStarted', (ev: CommandStartedEvent) => {
      if (!this.on) return;
      // A getMore names its collection in `collection` (its own key holds the cursor id).
      const coll = ev.commandName === 'getMore' ? ev.command.collection : ev.command[ev.commandName];
      const key = `${ev.commandName}${typeof coll === 'string' ? ` ${coll}` : ''}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      this.keys.set(ev.requestId, key);
    });
    conn.getClient().on('commandSucceeded', (ev: CommandSucceededEvent) => {
      const key = this.keys.get(ev.requestId);
      if (key === undefined) return;
      this.keys.delete(ev.requestId);
      this.ms.set(key, (this.ms.get(key) ?? 0) + ev.duration);
    });
  }
  get total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }
  reset(): void {
    this.counts.clear();
    this.ms.clear();
  }
  /** The biggest contributors, for the human reading the bench (stderr). */
  top(n = 12): Record<string, string> {
    return Object.fromEntries([...this.counts].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, c]) => [k, `${c} (${Math.round(this.ms.get(k) ?? 0)} ms)`]));
  }
}

async function esc(uri: string, notifiers: Notifier[], runEngine = true, counter?: CommandCounter): Promise<Esc> {
  const config = loadConfig({ LOG_LEVEL: 'silent', ESC_ENGINE_TICK_MS: '20', ESC_ENGINE_LEASE_MS: '10000' });
  // monitorCommands: the driver emits one 'commandStarted' event per command sent (a round trip).
  const conn = await connectDatabase(counter ? `${uri}?monitorCommands=true` : uri);
  counter?.attach(conn);
  return createEsc({ config, conn, log: new MemoryLogger(), notifiers, org: demoOrg(), runEngine });
}

async function waitFor(pred: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (pred()) return true;
    await sleep(20);
  }
  return pred();
}

/** CPU per step of the database server and of this process (Esc), in ms: the cost behind a rate, less sensitive than time to a loaded machine. */
function cpuPerStep(prefix: string, steps: number, db0: number | null, cpu0: NodeJS.CpuUsage): void {
  const db1 = dbCpuMs();
  const own = process.cpuUsage(cpu0);
  if (db0 !== null && db1 !== null) report({ name: `${prefix}_db_cpu_ms_per_step`, value: Number(((db1 - db0) / steps).toFixed(2)), unit: 'ms', goal: 'reference (database server CPU / steps)', pass: true });
  report({ name: `${prefix}_esc_cpu_ms_per_step`, value: Number(((own.user + own.system) / 1000 / steps).toFixed(2)), unit: 'ms', goal: 'reference (this process CPU / steps)', pass: true });
}

/** The bare loop: conditional findOneAndUpdate claims, one at a time, on the same server. */
async function baseline(): Promise<number> {
  const c = await MongoClient.connect(freshDbUri());
  const col = c.db().collection('claims');
  const n = 2000;
  await col.insertMany(Array.from({ length: n }, (_, i) => ({ i, state: 'due', dueAt: new Date() })));
  await col.createIndex({ state: 1, dueAt: 1 });
  const t0 = performance.now();
  const db0 = dbCpuMs();
  const cpu0 = process.cpuUsage();
  let got = 0;
  while (await col.findOneAndUpdate({ state: 'due', dueAt: { $lte: new Date() } }, { $set: { state: 'claimed' } })) got++;
  const rate = got / ((performance.now() - t0) / 1000);
  cpuPerStep('baseline_claim_loop', got, db0, cpu0);
  await c.close();
  report({ name: 'baseline_claim_loop_rate', value: Math.round(rate), unit: 'claims/s', goal: 'reference', pass: true });
  return rate;
}

/**
 * `full` steps fall due in the same second: how fast they all go out, and how many database
 * commands (round trips, counted by the driver's command monitoring) each step firing costs,
 * everything included (claims, messages, sends' outcomes, timeline, the engine's other
 * modules and Agenda's polling while the burst lasts).
 */
async function burst(full: number, baseRate: number | null, limitS: number): Promise<void> {
  const n = scale(full);
  const uri = freshDbUri();
  const chat = new TimingNotifier('chat');
  const counter = new CommandCounter();
  const e = await esc(uri, [chat, new TimingNotifier('sms')], true, counter);
  const due = new Date(Date.now() + 3000 + n / 2);
  await seedEscalations(e.conn, n, () => due, new Date());
  // Idle cost first (the engine polling with nothing due), then the burst.
  await sleep(Math.max(0, due.getTime() - 1200 - Date.now()));
  counter.on = true;
  await sleep(1000);
  const idlePerS = counter.total / 1;
  counter.reset();
  await sleep(Math.max(0, due.getTime() - Date.now()));
  const t0 = Date.now();
  const db0 = dbCpuMs();
  const cpu0 = process.cpuUsage();
  await waitFor(() => chat.keys.length >= n, Math.max(120_000, limitS * 2000));
  counter.on = false;
  cpuPerStep(`burst_${full}`, n, db0, cpu0);
  const secs = (Date.now() - t0) / 1000;
  const sent = new Set(chat.keys).size;
  report({ name: `burst_${full}_all_sent_s`, value: Number(secs.toFixed(2)), unit: 's', goal: `<= ${limitS} (${n} steps due in one second)`, pass: sent === n && secs <= limitS });
  if (baseRate !== null) {
    const ratio = n / secs / baseRate;
    report({ name: `burst_${full}_rate_vs_baseline`, value: Number(ratio.toFixed(3)), unit: 'ratio', goal: '>= 0.5 x bare claim loop', pass: sent === n && ratio >= 0.5 });
  }
  report({ name: `burst_${full}_roundtrips_per_step`, value: Number((counter.total / n).toFixed(2)), unit: 'commands/step', goal: 'fewer is better (all commands during the burst / steps)', pass: true });
  report({ name: `burst_${full}_idle_roundtrips_per_s`, value: idlePerS, unit: 'commands/s', goal: 'polling with nothing due (reference)', pass: true });
  process.stderr.write(`${JSON.stringify({ burst: full, commands: counter.total, top: counter.top() })}\n`);
  // Sends per 200 ms from the due time (for the human: when the first went out, how even the pace was).
  const per = new Map<number, number>();
  for (const l of chat.lateness) per.set(Math.floor(l / 200), (per.get(Math.floor(l / 200)) ?? 0) + 1);
  process.stderr.write(`${JSON.stringify({ burst: full, sendsPer200ms: [...per].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k * 200}:${v}`).join(' ') })}\n`);
  await e.stop();
}

/**
 * Flat cost: step lateness while N escalations are active (their next steps hours away),
 * measured on a trickle of probe escalations due over a window. The engine's queries must
 * find due work through indexes on due time, whatever N is.
 */
async function flatCost(): Promise<void> {
  const sizes = (process.env.BENCH_FLAT_SIZES ?? '1000,10000,100000').split(',').map(Number);
  const probes = scale(300);
  const windowMs = Number(process.env.BENCH_FLAT_WINDOW_S ?? 15) * 1000;
  const p99s: { size: number; p99: number }[] = [];
  for (const size of sizes) {
    const n = scale(size);
    const uri = freshDbUri();
    const chat = new TimingNotifier('chat');
    const counter = new CommandCounter();
    const e = await esc(uri, [chat, new TimingNotifier('sms')], true, counter);
    const t0 = Date.now();
    const now = new Date();
    await seedEscalations(e.conn, n, (i) => new Date(now.getTime() + 3_600_000 + Math.floor((i / n) * 86_400_000)), now);
    report({ name: `flat_seed_${size}_s`, value: Number(((Date.now() - t0) / 1000).toFixed(1)), unit: 's', goal: `reference (${n} tickets + active escalations, insertMany in chunks)`, pass: true });
    // BENCH_FLAT_SETTLE_S: a pause between the bulk seed and the probes (the database digests the load).
    await sleep(Number(process.env.BENCH_FLAT_SETTLE_S ?? 2) * 1000);
    const start = Date.now() + 2000;
    await seedEscalations(e.conn, probes, (i) => new Date(start + Math.floor((i / probes) * windowMs)), new Date());
    counter.on = true;
    const ok = await waitFor(() => chat.keys.length >= probes, windowMs + 60_000);
    counter.on = false;
    process.stderr.write(`${JSON.stringify({ flat: size, commands: counter.total, top: counter.top() })}\n`);
    const p99 = percentile(chat.lateness, 99);
    // Where the lateness goes: from due to the pass that noticed the step (its claim time), then to the notifier.
    const fired = await e.conn.db!.collection('timeline').find({ type: 'escalation.step_fired' }, { projection: { data: 1 } }).toArray();
    const noticed = fired.map((ev) => new Date(ev.data.claimedAt).getTime() - new Date(ev.data.dueAt).getTime());
    const dist = (xs: number[]) => ({ p50: percentile(xs, 50), p90: percentile(xs, 90), p99: percentile(xs, 99), max: Math.max(...xs) });
    process.stderr.write(`${JSON.stringify({ flat: size, lateness_ms: dist(chat.lateness), noticed_ms: dist(noticed) })}\n`);
    p99s.push({ size, p99 });
    report({ name: `flat_lateness_p99_${size}_active`, value: p99, unit: 'ms', goal: `${size === 100_000 ? '<= 500; ' : ''}${probes} steps over ${windowMs / 1000} s beside ${n} active escalations`, pass: ok && (size !== 100_000 || p99 <= 500) });
    if (size === sizes[sizes.length - 1]) await explainDueQueries(e.conn);
    await e.stop();
  }
  if (p99s.length > 1) {
    const first = p99s[0]!;
    const last = p99s[p99s.length - 1]!;
    const ratio = last.p99 / Math.max(1, first.p99);
    report({ name: `flat_lateness_p99_ratio_${last.size}_vs_${first.size}`, value: Number(ratio.toFixed(2)), unit: 'ratio', goal: '<= 1.5', pass: ratio <= 1.5 });
  }
}

/**
 * The engine's due-time queries, explained on the database of the largest flat-cost run: each
 * must be an index lookup (MongoDB: IXSCAN, no COLLSCAN; the FerretDB stand-in: SQLite's
 * "SEARCH … USING INDEX"), never a scan of every escalation, ticket or delivery.
 */
async function explainDueQueries(conn: Connection): Promise<void> {
  const db = conn.db!;
  const now = new Date();
  const slots = [String(Math.floor(now.getTime() / 1000) - 1), String(Math.floor(now.getTime() / 1000))];
  const queries: [string, string, Record<string, unknown>, Record<string, 1>?][] = [
    ['escalations due (full)', 'escalations', { status: 'active', nextDueAt: { $lte: now } }, { nextDueAt: 1 }],
    ['escalations due (incremental)', 'escalations', { dueSlot: { $in: slots }, nextDueAt: { $lte: now } }, { nextDueAt: 1 }],
    ['firings to recover (full)', 'escalations', { pendingAt: { $gte: new Date(now.getTime() - 86_400_000), $lte: now } }],
    ['firings to recover (incremental)', 'escalations', { pendingSlot: { $in: slots } }],
    ['deliveries ready', 'deliveries', { status: 'queued', nextAttemptAt: { $lte: now } }, { nextAttemptAt: 1 }],
    ['deliveries expired', 'deliveries', { status: 'sending', leaseUntil: { $lte: now } }],
    ['ticket timers due', 'tickets', { timersAt: { $lte: now } }, { timersAt: 1 }],
    ['ticket timers stale', 'tickets', { timersStale: true }],
    ['ticket reactions due', 'tickets', { reactAt: { $lte: now } }, { reactAt: 1 }],
    ['response SLA breaches', 'tickets', { slaWatch: true, status: { $in: ['new', 'assigned', 'in_progress'] }, 'sla.responseDueAt': { $lte: now }, 'sla.respondedAt': null, breachHandled: { $ne: true } }, { 'sla.responseDueAt': 1 }],
  ];
  const scanning: string[] = [];
  for (const [what, coll, filter, sort] of queries) {
    const cur = db.collection(coll).find(filter).limit(500);
    if (sort) cur.sort(sort);
    const plan = JSON.stringify(await cur.explain());
    const indexed = /IXSCAN|USING (COVERING )?INDEX/.test(plan) && !/COLLSCAN|SCAN [a-z_0-9]+"/.test(plan);
    if (!indexed) scanning.push(what);
    process.stderr.write(`${JSON.stringify({ explain: what, indexed, plan: plan.slice(0, 300) })}\n`);
  }
  report({ name: 'explain_due_queries_scanning', value: scanning.length, unit: 'queries', goal: `0 of ${queries.length} engine due-time queries scan a collection${scanning.length ? ` (scanning: ${scanning.join(', ')})` : ''}`, pass: scanning.length === 0 });
}

/**
 * Idle cost: the database commands per second of an engine with nothing due (1,000 active
 * escalations, their next steps hours away), over a 10 s window rather than the burst's 1 s.
 */
async function idle(): Promise<void> {
  const uri = freshDbUri();
  const counter = new CommandCounter();
  const e = await esc(uri, [new TimingNotifier('chat'), new TimingNotifier('sms')], true, counter);
  const now = new Date();
  await seedEscalations(e.conn, scale(1000), (i) => new Date(now.getTime() + 3_600_000 + i * 1000), now);
  await sleep(3000);
  const secs = Number(process.env.BENCH_IDLE_S ?? 10);
  counter.on = true;
  await sleep(secs * 1000);
  counter.on = false;
  report({ name: 'idle_roundtrips_per_s', value: Number((counter.total / secs).toFixed(1)), unit: 'commands/s', goal: `polling with nothing due, over ${secs} s (reference; fewer is better)`, pass: true });
  process.stderr.write(`${JSON.stringify({ idle: secs, commands: counter.total, top: counter.top(20) })}\n`);
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
  // Acknowledgements land from just before the step until well into its burst of sends, so
  // many land while the step's messages are going out: spread over about as long as the burst
  // takes or longer: 10,000 acks over 10 s (or 1,000 over 6 s) all landed before any send did,
  // their writes holding the engine back; over 120 s, 2,329 sends raced their acks.
  const spreadMs = Number(process.env.BENCH_ACK_SPREAD_MS ?? scale(120_000));
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
  // Kill once 15% went out, in the middle of a step pass (100 steps each, the next claimed
  // while one sends): the rest are claimed, in flight or still due.
  await waitFor(() => sent().length >= n * 0.15, 60_000);
  const c = await MongoClient.connect(uri);
  // In flight: steps claimed (their escalation's firing counted) and not sent yet, whether their
  // messages are stored (a wave being sent) or not yet (the rest of the pass, stored wave by wave).
  const claimedSteps = await c.db().collection('escalations').countDocuments({ fired: { $gte: 1 } });
  const inFlight = Math.max(0, claimedSteps - new Set(sent()).size);
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
await run('burst', () => burst(1000, base, 10));
await run('burst10k', () => burst(10_000, null, 60));
await run('flat', flatCost);
await run('idle', idle);
await run('sigkill', sigkill);
await run('two', twoProcesses);
await run('ack', ackRace);
process.exit(allPassed() ? 0 : 1);
