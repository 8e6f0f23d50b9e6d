import { expect } from 'chai';
import { Pacer } from '../../src/adapters/twilio/pacer.js';
import type { TwilioReplyStore } from '../../src/adapters/twilio/reply-store.js';
import { TwilioSmsNotifier } from '../../src/adapters/twilio/sms-notifier.js';
import { createTwilioClient } from '../../src/adapters/twilio/twilio-client.js';
import type { Delivery } from '../../src/app/ports/deliveries.js';
import type { SendResult } from '../../src/app/ports/notifier.js';
import { FakeTwilio } from '../far-side/fake-twilio.js';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TOKEN = 'twilio-pacing-auth-token';
const FROM = '+15005550006';

/** A reply store that needs no database: every delivery gets reference 1. */
const store = { refFor: async () => 1 } as unknown as TwilioReplyStore;

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

describe('channels: Twilio pacing for one long code', () => {
  let fake: FakeTwilio;
  const notifier = (pacer: Pacer) => new TwilioSmsNotifier({ client: createTwilioClient({ accountSid: SID, authToken: TOKEN, apiUrl: fake.url }), from: FROM, publicUrl: 'https://esc.example.test', store, now: () => new Date(), pacer });
  beforeEach(async () => {
    // Like Twilio: a second message from the same number within 100 ms gets 429 (error 20429).
    fake = new FakeTwilio(SID, TOKEN, { perFromIntervalMs: 100 });
    await fake.start();
  });
  afterEach(() => fake.stop());

  it('sends a burst one interval apart, never faster, without a single 429', async () => {
    const sms = notifier(new Pacer(100, 2000));
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => sms.send(delivery(i), undefined)));
    expect(results.every((r) => r.ok)).to.equal(true);
    expect(fake.attempts.map((a) => a.status)).to.deep.equal(Array(8).fill(201));
    const at = fake.attempts.map((a) => a.at);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!, `gap ${i}`).to.be.at.least(100);
  });

  it('a late timer does not shorten the next gap: spacing counts from the actual release', async () => {
    let t = 0;
    const p = new Pacer(100, 1000, () => t, 0);
    expect(await p.slot()).to.equal(0);
    t = 250; // the first send went out late (event loop busy)
    expect(p.pending()).to.equal(0);
    expect(await p.slot()).to.equal(0);
    t = 260;
    expect(p.pending(), 'next slot is 100 ms after the late one').to.equal(90);
  });

  it('a request slowed on its way out (cold connection, GC pause) holds the next one back as long', async () => {
    const p = new Pacer(100, 5000, Date.now, 0);
    const arrivals: number[] = [];
    // The provider sees the request after `delay` ms and answers at once.
    const send = (delay: number) => () => new Promise<void>((r) => setTimeout(() => (arrivals.push(performance.now()), r()), delay));
    for (const delay of [0, 0, 0, 60, 0, 80, 0]) await p.paced(send(delay));
    for (let i = 1; i < arrivals.length; i++) expect(arrivals[i]! - arrivals[i - 1]!, `arrival gap ${i}`).to.be.at.least(98);
  });

  it('a caller stuck behind a slow answer gives its slot up after maxWait instead of outliving its claim', async () => {
    const p = new Pacer(100, 200, Date.now, 0);
    const slow = p.paced(() => new Promise((r) => setTimeout(() => r('slow'), 600)));
    const behind = await p.paced(async () => 'sent');
    expect(behind).to.have.property('waitMs').that.is.greaterThan(0);
    expect(await slow).to.deep.equal({ value: 'slow' });
  });

  it('beyond maxWait it answers RATE_LIMITED with the wait and sends nothing for that delivery', async () => {
    const sms = notifier(new Pacer(100, 150));
    const results: SendResult[] = await Promise.all(Array.from({ length: 5 }, (_, i) => sms.send(delivery(i), undefined)));
    const limited = results.filter((r) => !r.ok && r.code === 'RATE_LIMITED');
    expect(limited.length).to.be.at.least(2);
    for (const r of limited) expect(!r.ok && r.retryable && (r.retryAfterMs ?? 0) > 0).to.equal(true);
    // Those sent away are asked back one after another, not all at the same moment.
    const backs = limited.map((r) => (!r.ok ? r.retryAfterMs! : 0));
    for (let i = 1; i < backs.length; i++) expect(backs[i]! - backs[i - 1]!).to.be.at.least(45);
    expect(fake.attempts.filter((a) => a.status === 201)).to.have.length(results.length - limited.length);
    expect(fake.attempts.filter((a) => a.status === 429)).to.have.length(0);
  });

  it('after a 429 it waits a full interval and tries once more, then counts a real failure', async () => {
    const sms = notifier(new Pacer(100, 2000));
    fake.failNext(429);
    const t0 = performance.now();
    const r = await sms.send(delivery(1), undefined);
    expect(r).to.include({ ok: true, status: 'sent' });
    expect(fake.attempts.map((a) => a.status)).to.deep.equal([429, 201]);
    expect(performance.now() - t0, 'the retry waited a full interval').to.be.at.least(100);
    fake.failNext(429);
    fake.failNext(429);
    const twice = await sms.send(delivery(2), undefined);
    expect(twice).to.include({ ok: false, retryable: true, code: 'TWILIO_20429' });
    expect(fake.attempts.map((a) => a.status)).to.deep.equal([429, 201, 429, 429]);
  });
});
