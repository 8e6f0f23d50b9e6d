// Issue 13: Twilio's pace per From number holds across Esc processes (it lives in the database).
import { expect } from 'chai';
import mongoose from 'mongoose';
import type { Connection } from 'mongoose';
import type { Delivery } from '../../src/app/ports/deliveries.js';
import type { Notifier } from '../../src/app/ports/notifier.js';
import { buildChannelAdapters } from '../../src/config/channels-env.js';
import { systemClock } from '../../src/app/deps.js';
import { FakeTwilio } from '../far-side/fake-twilio.js';
import { freshDbUri } from '../support/harness.js';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TOKEN = 'twilio-shared-pacing-token';
const FROM = '+15005550006';
const INTERVAL = 400;

function delivery(i: number): Delivery {
  const now = new Date();
  return {
    id: `d${i}`, key: `k${i}`, ticketId: `t${i}`, escalationId: null, seq: null, stepIndex: 0, channel: 'sms',
    recipient: { personId: `p${i}`, channelId: null, name: `P ${i}` }, address: `+1510700${String(i).padStart(4, '0')}`,
    notice: {
      kind: 'escalation_step', title: `Ticket ${i}`, text: 'Down.', escalation: null, facts: [], actions: ['acknowledge'], urgent: true,
      ticket: { id: `t${i}`, key: `ESC-${i}`, number: i, title: `Ticket ${i}`, priority: 'P1', impact: 'high', status: 'assigned', team: 'Service Desk', assignee: null, openedAt: now, elevated: false, escalated: true },
    },
    urgent: true, dueAt: now, status: 'sending', attempts: 0, nextAttemptAt: now, leaseUntil: null, claim: 'c', providerId: null, error: null, queuedAt: now, sentAt: null, deliveredAt: null, lateMs: null, fallbackIndex: 0,
  };
}

describe('channels: Twilio pacing shared by two Esc processes', function () {
  this.timeout(30_000);
  let fake: FakeTwilio;
  const conns: Connection[] = [];
  afterEach(async () => {
    await fake.stop();
    for (const c of conns.splice(0)) await c.close();
  });

  /** One Esc process's channels: its own connection, its own Pacer, the shared database. */
  const processSms = async (uri: string): Promise<Notifier> => {
    const conn = await mongoose.createConnection(uri).asPromise();
    conns.push(conn);
    const env = { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM_NUMBER: FROM, TWILIO_API_URL: fake.url, TWILIO_MIN_INTERVAL_MS: String(INTERVAL), ESC_CONTACT_THROTTLE_MS: '0' };
    return buildChannelAdapters(env, { clock: systemClock, conn }).notifiers.find((n) => n.channel === 'sms')!;
  };

  it('two processes sending from one number at once: at most one message per interval reaches Twilio, no 429', async () => {
    // Like Twilio: a second message from the same number within the interval gets 429 (20429).
    fake = new FakeTwilio(SID, TOKEN, { perFromIntervalMs: INTERVAL });
    await fake.start();
    const uri = freshDbUri();
    const [a, b] = [await processSms(uri), await processSms(uri)];
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).send(delivery(i), undefined)));
    expect(results.map((r) => r.ok)).to.deep.equal(Array(8).fill(true));
    expect(fake.attempts.map((x) => x.status), 'no 429 from Twilio').to.deep.equal(Array(8).fill(201));
    const at = fake.attempts.map((x) => x.at).sort((x, y) => x - y);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!, `gap ${i}`).to.be.at.least(INTERVAL);
  });
});
