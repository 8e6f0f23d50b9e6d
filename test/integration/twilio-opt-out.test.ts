import { expect } from 'chai';
import { smsSegments } from '../../src/adapters/twilio/sms-segments.js';
import { TwilioSmsNotifier } from '../../src/adapters/twilio/sms-notifier.js';
import { createTwilioClient } from '../../src/adapters/twilio/twilio-client.js';
import type { TwilioReplyStore } from '../../src/adapters/twilio/reply-store.js';
import { respondToNotification } from '../../src/app/use-cases/respond.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import type { Delivery } from '../../src/app/ports/deliveries.js';
import { buildChannelAdapters, parseChannelsEnv } from '../../src/config/channels-env.js';
import type { Ticket } from '../../src/domain/ticket.js';
import { FakeTwilio, postTwilioWebhook } from '../far-side/fake-twilio.js';
import { openTestDb, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TOKEN = 'twilio-test-auth-token';
const FROM = '+15005550006';
const PUBLIC = 'https://esc.example.test';
const ALICE = '+15105550101';
const BOB = '+15105550102';
const ERIN = { personId: 'erin', via: 'api' } as const;

/** Issue 13: STOP / START / HELP replies, Twilio error 21610, and the step falling back. */
describe('Twilio SMS opt-outs: STOP then a page goes by another channel', () => {
  let esc: TestEsc;
  let fake: FakeTwilio;
  before(async () => {
    fake = new FakeTwilio(SID, TOKEN);
    const apiUrl = await fake.start();
    const db = await openTestDb();
    const ch = buildChannelAdapters(
      { ESC_PUBLIC_URL: PUBLIC, TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM_NUMBER: FROM, TWILIO_API_URL: apiUrl, TWILIO_MIN_INTERVAL_MS: '0', ESC_CONTACT_THROTTLE_MS: '0' },
      { clock: db.clock, conn: db.conn },
    );
    esc = await startTestEsc({ db, notifiers: ch.notifiers, mounts: ch.mounts });
  });
  after(async () => {
    await esc?.stop();
    await fake.stop();
  });
  let n = 0;
  const sms = (from: string, body: string, extra: Record<string, string> = {}) =>
    postTwilioWebhook({ baseUrl: esc.baseUrl, publicUrl: PUBLIC, path: '/twilio/sms', params: { MessageSid: `SMopt${++n}`, From: from, To: FROM, Body: body, ...extra }, authToken: TOKEN });
  const optOuts = () => esc.conn.collection('sms_opt_outs').find({}).toArray();

  /** A P1 assigned to `assigneeId`, escalated, moved to its SMS step (step 2). */
  async function pageToSmsStep(title: string, assigneeId: string): Promise<Ticket> {
    const t = await openTicket(esc.deps, { title, priority: 'P1', source: 'api', assigneeId }, ERIN);
    await respondToNotification(esc.deps, { ticket: t.number, reply: 'escalate', actor: ERIN });
    await esc.settle();
    esc.clock.advanceMinutes(5);
    await esc.settle();
    return t;
  }
  const deliveriesTo = async (t: Ticket, personId: string) => (await esc.deps.deliveries.list({ ticketId: t.id, personId }, 100)).filter((d) => d.stepIndex === 1);

  it('a page by SMS is GSM-7 and at most 2 segments at the provider', async () => {
    const t = await pageToSmsStep(`Core switch “B” down – all labs · ${'very long description '.repeat(8)}`, 'alice');
    const msg = fake.messages().filter((m) => m.params.To === ALICE).at(-1)!;
    expect(msg.params.Body).to.match(new RegExp(`ESC-${t.number}`));
    expect(smsSegments(msg.params.Body!).encoding).to.equal('GSM-7');
    expect(smsSegments(msg.params.Body!).segments).to.be.at.most(2);
    expect(msg.params.Body).to.match(/Reply \d+a=ack \d+e=escalate \d+c=resolve$/);
  });

  it('STOP is recorded, Alice is told by chat and her lead Carol informed; the next page reaches her by call, not SMS', async () => {
    const r = await sms(ALICE, 'Stop');
    expect(r.status).to.equal(200);
    expect(r.text).to.equal('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect((await optOuts()).map((o) => o._id)).to.deep.equal([ALICE]);
    await esc.settle();
    const told = await esc.deps.deliveries.list({ personId: 'alice', channel: ['chat'] }, 100);
    expect(told.map((d) => d.notice.title)).to.include(`Esc can no longer text you at …${ALICE.slice(-4)}`);
    const lead = await esc.deps.deliveries.list({ personId: 'carol' }, 100);
    expect(lead.map((d) => d.notice.title)).to.include('Alice Ng opted out of Esc SMS');
    expect(lead.find((d) => d.notice.title === 'Alice Ng opted out of Esc SMS')!.channel).to.equal('chat');

    const before = fake.messages().filter((m) => m.params.To === ALICE).length;
    const t = await pageToSmsStep('Mail relay down', 'alice');
    await esc.settle();
    expect(fake.messages().filter((m) => m.params.To === ALICE).length, 'no SMS to Alice').to.equal(before);
    expect(fake.attempts.filter((a) => a.to === ALICE && a.status !== 201), 'Twilio never asked (no 21610)').to.have.length(0);
    const step = await deliveriesTo(t, 'alice');
    const smsD = step.find((d) => d.channel === 'sms')!;
    expect(smsD.status).to.equal('failed');
    expect(smsD.error!.code).to.equal('SMS_OPTED_OUT');
    const fb = step.find((d) => d.channel === 'voice' && d.fallbackIndex > 0);
    expect(fb, 'the step fell back to a call').to.not.equal(undefined);
    expect(fb!.status).to.be.oneOf(['sent', 'delivered']);
    expect(fake.calls().some((c) => c.params.To === ALICE && /Mail relay down/.test(c.params.Twiml ?? ''))).to.equal(true);
  });

  it('HELP answers the reply codes; START clears the opt-out and SMS pages resume', async () => {
    expect((await sms(ALICE, 'HELP')).text).to.match(/Reply \d+a to acknowledge/);
    const r = await sms(ALICE, 'START');
    expect(r.text).to.match(/SMS are on again|by SMS are on again/);
    expect(await optOuts()).to.have.length(0);
    await esc.settle();
    expect((await esc.deps.deliveries.list({ personId: 'carol' }, 100)).map((d) => d.notice.title)).to.include('Alice Ng opted back in to Esc SMS');
    const before = fake.messages().filter((m) => m.params.To === ALICE).length;
    await pageToSmsStep('Door controller offline', 'alice');
    expect(fake.messages().filter((m) => m.params.To === ALICE).length).to.equal(before + 1);
  });

  it('each opt-out keyword (and Twilio\'s OptOutType) counts; an ordinary reply does not', async () => {
    for (const w of ['STOPALL', 'unsubscribe', 'Cancel', 'END', 'quit', 'stop.']) {
      await sms(ALICE, w);
      expect((await optOuts()).map((o) => o._id), w).to.deep.equal([ALICE]);
      await sms(ALICE, w === 'END' ? 'unstop' : w === 'quit' ? 'yes' : 'start');
      expect(await optOuts(), `${w} then opt-in`).to.have.length(0);
    }
    await sms(ALICE, 'please stop paging me', { OptOutType: 'STOP' });
    expect(await optOuts()).to.have.length(1);
    await sms(ALICE, 'START', { OptOutType: 'START' });
    expect((await sms(ALICE, 'stop it'))).to.have.property('status', 200);
    expect(await optOuts(), '"stop it" is not a keyword').to.have.length(0);
  });

  it('a Twilio 21610 answer records the opt-out, tells Bob and Carol, and the step falls back', async () => {
    fake.optedOut.add(BOB);
    const t = await pageToSmsStep('Backup job failed', 'bob');
    await esc.settle();
    expect((await optOuts()).map((o) => o._id)).to.deep.equal([BOB]);
    const step = await deliveriesTo(t, 'bob');
    expect(step.find((d) => d.channel === 'sms')!.error!.code).to.equal('TWILIO_21610');
    expect(step.some((d) => d.channel === 'voice' && d.fallbackIndex > 0)).to.equal(true);
    expect((await esc.deps.deliveries.list({ personId: 'bob', channel: ['chat'] }, 100)).map((d) => d.notice.title)).to.include(`Esc can no longer text you at …${BOB.slice(-4)}`);
    expect((await esc.deps.deliveries.list({ personId: 'carol' }, 100)).map((d) => d.notice.title)).to.include('Bob Okafor opted out of Esc SMS');
    // The next page does not even ask Twilio.
    const attempts = fake.attempts.filter((a) => a.to === BOB).length;
    await pageToSmsStep('Backup job failed again', 'bob');
    expect(fake.attempts.filter((a) => a.to === BOB).length).to.equal(attempts);
  });

  it('TWILIO_MESSAGING_SERVICE_SID: SMS go out with MessagingServiceSid instead of From', async () => {
    const MG = `MG${'ab'.repeat(16)}`;
    expect(parseChannelsEnv({ TWILIO_MESSAGING_SERVICE_SID: MG }).TWILIO_MESSAGING_SERVICE_SID).to.equal(MG);
    expect(() => parseChannelsEnv({ TWILIO_MESSAGING_SERVICE_SID: 'MG123' })).to.throw(/TWILIO_MESSAGING_SERVICE_SID: must be a Messaging Service SID/);
    const notifier = new TwilioSmsNotifier({ client: createTwilioClient({ accountSid: SID, authToken: TOKEN, apiUrl: fake.url }), from: FROM, messagingServiceSid: MG, publicUrl: PUBLIC, store: { refFor: async () => 1 } as unknown as TwilioReplyStore, now: () => new Date() });
    const now = new Date();
    const d = {
      id: 'dmg', key: 'kmg', ticketId: 't', escalationId: null, seq: null, stepIndex: 0, channel: 'sms', recipient: { personId: 'x', channelId: null, name: 'X' }, address: '+15107000001',
      notice: { kind: 'info', title: 'T', text: 'x', escalation: null, facts: [], actions: [], urgent: true, ticket: { id: 't', key: 'ESC-1', number: 1, title: 'T', priority: 'P1', impact: 'high', status: 'new', team: 'SD', assignee: null, openedAt: now, elevated: false, escalated: false } },
      urgent: true, dueAt: now, status: 'sending', attempts: 0, nextAttemptAt: now, leaseUntil: null, claim: 'c', providerId: null, error: null, queuedAt: now, sentAt: null, deliveredAt: null, lateMs: null, fallbackIndex: 0,
    } as Delivery;
    expect((await notifier.send(d, undefined)).ok).to.equal(true);
    const m = fake.messages().at(-1)!;
    expect(m.params.MessagingServiceSid).to.equal(MG);
    expect(m.params.From).to.equal(undefined);
  });
});
