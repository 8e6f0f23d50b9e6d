import { expect } from 'chai';
import { createSlackChatNotifier } from '../../src/adapters/slack/slack-app.js';
import type { Delivery } from '../../src/app/ports/deliveries.js';
import { loadSlackConfig } from '../../src/config/slack-env.js';
import { Directory } from '../../src/domain/directory.js';
import { escalationStepNotice } from '../../src/domain/notice.js';
import { FakeSlack } from '../far-side/fake-slack.js';
import { MemoryLogger, demoOrg } from '../support/harness.js';

describe('Slack: chat notifier', () => {
  let fake: FakeSlack;
  let apiUrl: string;
  const dir = new Directory(demoOrg());
  const now = new Date('2026-11-23T17:00:00Z');
  const notice = escalationStepNotice({
    ticket: { id: 't1', number: 1042, title: 'x'.repeat(5000), priority: 'P1', impact: 'high', status: 'new', teamName: 'Service Desk', assigneeName: null, createdAt: now, elevated: false, escalated: true },
    escalation: { id: 'e1', kind: 'automatic' },
    stepIndex: 0,
    steps: 3,
    round: 0,
    channel: 'chat',
    urgent: true,
    now,
  });
  const delivery = (over: Partial<Delivery> = {}): Delivery => ({
    id: 'd1', key: 'k1', ticketId: 't1', escalationId: 'e1', seq: 0, stepIndex: 0, channel: 'chat', recipient: { personId: 'alice', channelId: null, name: 'Alice Ng' }, address: null, notice, urgent: true,
    dueAt: now, status: 'sending', attempts: 0, nextAttemptAt: now, leaseUntil: null, claim: null, providerId: null, error: null, queuedAt: now, sentAt: null, deliveredAt: null, lateMs: null, fallbackIndex: 0, ...over,
  });
  const notifier = (token = 'xoxb-test-token') => createSlackChatNotifier(new MemoryLogger(), loadSlackConfig({ SLACK_SIGNING_SECRET: 'x'.repeat(32), SLACK_BOT_TOKEN: token, SLACK_API_URL: apiUrl })!);

  beforeEach(async () => {
    fake = new FakeSlack('xoxb-test-token', { 'judy@demo.example.edu': 'U0LOOKED' });
    apiUrl = await fake.start();
  });
  afterEach(() => fake.stop());

  it('DMs within Block Kit limits; a second step of the same escalation goes in the thread', async () => {
    const n = notifier();
    const r1 = await n.send(delivery(), dir.person('alice'));
    const r2 = await n.send(delivery({ id: 'd2', stepIndex: 2 }), dir.person('alice'));
    expect(r1.ok && r2.ok).to.equal(true);
    const [first, second] = fake.callsOf('chat.postMessage');
    expect(first!.params.channel).to.equal('DU0ALICE');
    const blocks = first!.params.blocks as { text?: { text: string } }[];
    expect(blocks.length).to.be.at.most(50);
    for (const b of blocks) expect(b.text?.text.length ?? 0).to.be.at.most(3000);
    expect(JSON.stringify(blocks)).to.include('esc_ack');
    expect(second!.params.thread_ts).to.equal(r1.ok ? r1.providerId!.split(':')[1] : '');
  });

  it('looks a person up by email (once) when they have no slackId', async () => {
    const judy = { ...dir.person('judy')!, slackId: undefined };
    expect((await notifier().send(delivery({ escalationId: null }), judy)).ok).to.equal(true);
    expect(fake.callsOf('users.lookupByEmail')).to.have.length(1);
    expect(fake.callsOf('conversations.open')[0]!.params.users).to.equal('U0LOOKED');
  });

  it('429 is retryable with Retry-After; invalid_auth and channel_not_found are permanent', async () => {
    fake.fail('chat.postMessage', { status: 429, headers: { 'retry-after': '7' }, body: { ok: false, error: 'ratelimited' } });
    const limited = await notifier().send(delivery(), dir.person('alice'));
    expect(limited).to.deep.include({ ok: false, retryable: true, retryAfterMs: 7000 });
    expect(await notifier('xoxb-wrong').send(delivery(), dir.person('alice'))).to.deep.include({ ok: false, retryable: false, code: 'SLACK_INVALID_AUTH' });
    expect(await notifier().send(delivery({ recipient: { personId: null, channelId: 'CMISSING', name: null } }), undefined)).to.deep.include({ ok: false, retryable: false, code: 'SLACK_CHANNEL_NOT_FOUND' });
  });
});
