// `npm run bench -- channels`: issue 6's bar for SMS through one Twilio long code.
// N escalations (BENCH_N, default 1,000) whose first step is an SMS all fall due at once; the
// real Twilio SMS notifier sends them to a fake Twilio REST API that, like Twilio, answers
// 429 (error 20429) when two messages from the same From number arrive less than 1 s apart.
// Goals: sending rate never above 1/s, 0 dropped, 429 answers <= 1 %, the queue drains
// within 10 % of N / rate. The full run takes about N × 1.03 s (17+ minutes for 1,000).
import { connectDatabase, createEsc } from '../src/composition-root.js';
import { buildChannelAdapters } from '../src/config/channels-env.js';
import { loadConfig } from '../src/config/env.js';
import type { Notifier, SendResult } from '../src/app/ports/notifier.js';
import type { Org, Person } from '../src/domain/directory.js';
import type { EscalationPlan } from '../src/domain/plan.js';
import { FakeTwilio } from '../test/far-side/fake-twilio.js';
import { MemoryLogger, demoOrg, freshDbUri } from '../test/support/harness.js';
import { seedEscalations } from './engine-seed.js';
import { allPassed, report, sleep } from './lib.js';

const N = Number(process.env.BENCH_N ?? 1000);
/** Twilio's pace for one long code: 1 message per second. */
const RATE_PER_S = 1;
const INTERVAL_MS = 1000 / RATE_PER_S;
/**
 * Timer jitter allowed when judging the rate from Esc's side: two sends count as "in the same
 * second" only when less than INTERVAL_MS − JITTER_MS apart. (The fake itself is strict: any
 * gap under 1,000 ms gets a 429, and those are counted against the 429 goal.)
 */
const JITTER_MS = 5;
const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TOKEN = 'bench-twilio-auth-token';
const FROM = '+15005550006';

/** One SMS step to the assignee: the whole plan is the page under test. */
const smsPlan: EscalationPlan = { id: 'bench-sms', name: 'bench sms', match: {}, steps: [{ delayMinutes: 0, channel: 'sms', targets: [{ type: 'assignee' }] }] };

/**
 * The demo org plus N people with their own phone numbers, ticket i assigned to person i.
 * Distinct destinations keep the per-destination throttle (ESC_CONTACT_THROTTLE_MS, 60 s by
 * default) ON as in production without it holding anything back: what limits the run is the
 * one From number, which is what issue 6 is about (an outage paging many people at once).
 */
function benchOrg(n: number): Org {
  const org = demoOrg();
  const alice = org.people.find((p) => p.id === 'alice')!;
  const people: Person[] = Array.from({ length: n }, (_, i) => {
    const phone = `+1510${String(7_000_000 + i)}`;
    return { id: `pager${i}`, name: `Pager ${i}`, email: `pager${i}@bench.example`, phone, timeZone: alice.timeZone, roles: ['technician'], contacts: [{ kind: 'sms', address: phone }] };
  });
  return { ...org, people: [...org.people, ...people] };
}

/** Counts the SMS notifier's answers by code: how often a delivery was handed back to wait for the pace. */
function counted(n: Notifier, codes: Map<string, number>): Notifier {
  if (n.channel !== 'sms') return n;
  return {
    channel: n.channel,
    name: n.name,
    async send(d, p): Promise<SendResult> {
      const r = await n.send(d, p);
      const code = r.ok ? 'SENT' : r.code;
      codes.set(code, (codes.get(code) ?? 0) + 1);
      return r;
    },
  };
}

/** The most timestamps inside any half-open window of `ms`. */
function maxInWindow(times: number[], ms: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

async function main(): Promise<void> {
  const fake = new FakeTwilio(SID, TOKEN, { perFromIntervalMs: INTERVAL_MS });
  const apiUrl = await fake.start();
  const conn = await connectDatabase(freshDbUri());
  const ch = buildChannelAdapters(
    { ESC_PUBLIC_URL: 'https://esc.bench.example', TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM_NUMBER: FROM, TWILIO_API_URL: apiUrl, TWILIO_MIN_INTERVAL_MS: String(INTERVAL_MS) },
    { clock: { now: () => new Date() }, conn },
  );
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const log = new MemoryLogger();
  const codes = new Map<string, number>();
  const esc = await createEsc({ config, conn, log, notifiers: ch.notifiers.map((n) => counted(n, codes)), mounts: ch.mounts, org: benchOrg(N), runEngine: true });
  const due = new Date(Date.now() + 3000);
  await seedEscalations(esc.conn, N, () => due, new Date(), { plan: smsPlan, assignee: (i) => `pager${i}` });
  const accepted = () => fake.attempts.filter((a) => a.status === 201);
  const distinctTo = () => new Set(accepted().map((a) => a.to)).size;
  const deadline = due.getTime() + N * INTERVAL_MS * 1.5 + 60_000;
  let lastProgress = Date.now();
  while (Date.now() < deadline && distinctTo() < N) {
    await sleep(1000);
    if (Date.now() - lastProgress >= 60_000) {
      lastProgress = Date.now();
      process.stderr.write(`channels: ${distinctTo()}/${N} sent, ${fake.attempts.length} attempts, ${Math.round((Date.now() - due.getTime()) / 1000)} s\n`);
    }
  }
  // Anything still in flight (a duplicate from an expired lease, a retry) shows up here.
  await sleep(5000);

  const attempts = fake.attempts;
  const ok = accepted();
  const to = new Set(ok.map((a) => a.to));
  const n429 = attempts.filter((a) => a.status === 429).length;
  const sorted = attempts.map((a) => a.at).sort((a, b) => a - b);
  const minGap = sorted.slice(1).reduce((m, t, i) => Math.min(m, t - sorted[i]!), Infinity);
  const db = esc.conn.db!;
  const failed = await db.collection('deliveries').countDocuments({ status: 'failed' });
  const retrying = await db.collection('timeline').countDocuments({ type: 'delivery.retrying' });
  const lastAt = ok.length ? Math.max(...ok.map((a) => a.at)) : NaN;
  const drainS = (lastAt - due.getTime()) / 1000;
  const okAt = ok.map((a) => a.at).sort((a, b) => a - b);
  const firstS = (okAt[0]! - due.getTime()) / 1000;
  const longestGap = okAt.slice(1).reduce((m, t, i) => Math.max(m, t - okAt[i]!), 0);
  const drainGoalS = (1.1 * N) / RATE_PER_S;

  const maxSends = maxInWindow(sorted, INTERVAL_MS - JITTER_MS);
  report({ name: 'sms_max_sends_per_1s', value: maxSends, unit: 'attempts', goal: `<= 1 in any ${INTERVAL_MS - JITTER_MS} ms window (all creations, ${JITTER_MS} ms timer jitter allowed; min gap ${Math.round(minGap)} ms)`, pass: maxSends <= 1 });
  const maxAccepted = maxInWindow(ok.map((a) => a.at), INTERVAL_MS);
  report({ name: 'sms_max_accepted_per_1s', value: maxAccepted, unit: 'messages', goal: '<= 1 in any 1,000 ms window', pass: maxAccepted <= 1 });
  report({ name: 'sms_dropped', value: N - to.size, unit: 'messages', goal: `0 of ${N} (${failed} deliveries failed in Esc)`, pass: to.size === N && failed === 0 });
  report({ name: 'sms_duplicates', value: ok.length - to.size, unit: 'messages', goal: '0', pass: ok.length === to.size });
  const share = attempts.length ? (100 * n429) / attempts.length : 0;
  report({ name: 'sms_429_share', value: Number(share.toFixed(2)), unit: '%', goal: `<= 1 (${n429} of ${attempts.length} creations)`, pass: share <= 1 });
  report({ name: 'sms_drain_s', value: Number(drainS.toFixed(1)), unit: 's', goal: `<= ${drainGoalS} (1.1 × ${N} ÷ ${RATE_PER_S}/s, due instant to last accepted send; first at +${firstS.toFixed(1)} s, longest gap ${Math.round(longestGap)} ms)`, pass: drainS <= drainGoalS });
  const handedBack = codes.get('RATE_LIMITED') ?? 0;
  report({ name: 'sms_pacing_hand_backs', value: handedBack, unit: 'sends', goal: `reference (RATE_LIMITED answers, each a delivery re-queued to wait for the pace; ${retrying} delivery.retrying timeline rows; all answers ${JSON.stringify(Object.fromEntries(codes))})`, pass: true });
  await esc.stop();
  await fake.stop();
}

await main();
process.exit(allPassed() ? 0 : 1);
