import { expect } from 'chai';
import { ExpiringKeys } from '../../src/adapters/mongo/expiring-keys.js';
import { MongoThreadStore } from '../../src/adapters/slack/mongo-thread-store.js';
import { createSlackAdapter, createSlackChatNotifier } from '../../src/adapters/slack/slack-app.js';
import { MongoThreadRate, ThreadRate } from '../../src/adapters/teams/thread-rate.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import { loadSlackConfig } from '../../src/config/slack-env.js';
import type { SlackConfig } from '../../src/config/slack-env.js';
import { FakeSlack } from '../far-side/fake-slack.js';
import { commandBody, postSlack, TEST_SIGNING_SECRET } from '../far-side/slack-requests.js';
import { MemoryLogger, startTestEsc, TestClock } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

const ERIN = { personId: 'erin', via: 'api' } as const;

/**
 * Issue 13: state that lived in one process now lives in MongoDB, so two Esc processes sharing
 * the database behave as one: Slack retry dedupe, the DM thread map, the Teams per-conversation limit.
 */
describe('two Esc instances sharing one database', () => {
  let a: TestEsc;
  let b: TestEsc;
  let fake: FakeSlack;
  let config: SlackConfig;
  before(async () => {
    fake = new FakeSlack('xoxb-test-token', {});
    const apiUrl = await fake.start();
    config = loadSlackConfig({ SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: apiUrl })!;
    const clock = new TestClock();
    a = await startTestEsc({ clock, mounts: (deps) => createSlackAdapter(deps, config, { connection: () => a.conn }).mounts });
    b = await startTestEsc({ clock, uri: a.uri, mounts: (deps) => createSlackAdapter(deps, config, { connection: () => b.conn }).mounts });
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
    await fake.stop();
  });

  it('a Slack retry (X-Slack-Retry-Num) of a command that reaches the other instance is not run twice', async () => {
    const t = await openTicket(a.deps, { title: 'Exam server slow', priority: 'P2', source: 'api', assigneeId: 'alice' }, ERIN);
    const body = commandBody({ text: `escalate ESC-${t.number} exams at 9`, userId: 'U0ERIN', responseUrl: `${fake.url}/response/retry-1`, triggerId: '777.888.retry' });
    const first = await postSlack(a.baseUrl, body);
    expect(first.status).to.equal(200);
    await fake.waitFor(() => fake.responses.find((r) => r.path === '/response/retry-1'));
    await new Promise((r) => setTimeout(r, 300));
    const after1 = (await a.deps.timeline.forTicket(t.id)).map((e) => e.type);
    const retry = await postSlack(b.baseUrl, body, { retryNum: 1 });
    expect(retry.status).to.equal(200);
    await new Promise((r) => setTimeout(r, 500));
    const after2 = (await a.deps.timeline.forTicket(t.id)).map((e) => e.type);
    expect(after1.some((x) => /escalat/.test(x)), after1.join(',')).to.equal(true);
    expect(after2, 'the retry changed nothing').to.deep.equal(after1);
  });

  it('the DM thread of an escalation started by one instance is continued by the other', async () => {
    const log = new MemoryLogger();
    const na = createSlackChatNotifier(log, config, new MongoThreadStore(() => a.conn));
    const nb = createSlackChatNotifier(log, config, new MongoThreadStore(() => b.conn));
    const alice = a.deps.directory().person('alice')!;
    const t = await openTicket(a.deps, { title: 'Thread test', priority: 'P3', source: 'api', assigneeId: 'alice' }, ERIN);
    const notice = { kind: 'escalation_step', title: 'P3 ESC-1: Thread test', text: 'Step', escalation: null, facts: [], actions: [], urgent: false, ticket: { id: t.id, key: 'ESC-1', number: 1, title: 'Thread test', priority: 'P3', impact: 'low', status: 'new', team: 'SD', assignee: null, openedAt: new Date(), elevated: false, escalated: true } } as const;
    const d = (i: number) => ({ id: `d${i}`, key: `k${i}`, ticketId: t.id, escalationId: 'esc-shared-1', seq: i, stepIndex: i, channel: 'chat', recipient: { personId: 'alice', channelId: null, name: 'Alice' }, address: null, notice, urgent: false, dueAt: new Date(), status: 'sending', attempts: 0, nextAttemptAt: new Date(), leaseUntil: null, claim: 'c', providerId: null, error: null, queuedAt: new Date(), sentAt: null, deliveredAt: null, lateMs: null, fallbackIndex: 0 }) as never;
    const r1 = await na.send(d(0), alice);
    expect(r1.ok).to.equal(true);
    const r2 = await nb.send(d(1), alice);
    expect(r2.ok).to.equal(true);
    const posts = fake.callsOf('chat.postMessage').filter((c) => String(c.params.text).includes('Thread test'));
    expect(posts).to.have.length(2);
    expect(posts[0]!.params.thread_ts).to.equal(undefined);
    const firstTs = (r1 as { providerId: string }).providerId.split(':')[1];
    expect(posts[1]!.params.thread_ts, 'step 2 replies in step 1\'s thread').to.equal(firstTs);
  });

  it('expiring keys expire in code too (FerretDB has no TTL indexes): a claim is free again after its ttl', async () => {
    const ka = new ExpiringKeys(() => a.conn, 'test_expiring_keys');
    const kb = new ExpiringKeys(() => b.conn, 'test_expiring_keys');
    const t0 = new Date('2026-11-23T17:00:00Z');
    expect(await ka.claim('k1', t0, 1000, { n: 1 })).to.equal(true);
    expect(await kb.claim('k1', new Date(t0.getTime() + 999), 1000, { n: 2 })).to.equal(false);
    expect(await kb.get('k1', new Date(t0.getTime() + 500))).to.deep.equal({ n: 1 });
    expect(await kb.get('k1', new Date(t0.getTime() + 1000)), 'expired reads as absent').to.equal(null);
    const both = await Promise.all([ka.claim('k1', new Date(t0.getTime() + 1001), 1000, { n: 3 }), kb.claim('k1', new Date(t0.getTime() + 1001), 1000, { n: 4 })]);
    expect(both.filter(Boolean), 'one winner after expiry').to.have.length(1);
  });

  it('the Teams per-conversation limit (7 a second) counts sends from both instances', async () => {
    let now = 1_000_000;
    const ra = new MongoThreadRate(() => a.conn, 7, () => now);
    const rb = new MongoThreadRate(() => b.conn, 7, () => now);
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) waits.push(await (i % 2 === 0 ? ra : rb).take('19:conv-shared@thread.v2'));
    expect(waits.slice(0, 7)).to.deep.equal([0, 0, 0, 0, 0, 0, 0]);
    expect(waits[7]).to.be.within(1, 1000);
    now += 1001;
    expect(await rb.take('19:conv-shared@thread.v2')).to.equal(0);
    // Before the database is bound, the process's own limit applies.
    const unbound = new MongoThreadRate(() => null, 2, () => now, new ThreadRate(2, () => now));
    expect([await unbound.take('x'), await unbound.take('x'), (await unbound.take('x')) > 0]).to.deep.equal([0, 0, true]);
  });
});
