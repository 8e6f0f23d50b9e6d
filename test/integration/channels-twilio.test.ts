import { expect } from 'chai';
import express from 'express';
import twilio from 'twilio';
import { verifyTwilio } from '../../src/adapters/twilio/twilio-router.js';
import { respondToNotification } from '../../src/app/use-cases/respond.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import { buildChannelAdapters } from '../../src/config/channels-env.js';
import type { Ticket } from '../../src/domain/ticket.js';
import { FakeTwilio, postTwilioWebhook } from '../far-side/fake-twilio.js';
import { openTestDb, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TOKEN = 'twilio-test-auth-token';
const FROM = '+15005550006';
const PUBLIC = 'https://esc.example.test';
const ALICE = '+15105550101';
const ERIN = { personId: 'erin', via: 'api' } as const;

describe('channels: Twilio SMS and voice', () => {
  let esc: TestEsc;
  let fake: FakeTwilio;
  before(async () => {
    fake = new FakeTwilio(SID, TOKEN);
    const apiUrl = await fake.start();
    const db = await openTestDb();
    const ch = buildChannelAdapters(
      { ESC_PUBLIC_URL: PUBLIC, TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM_NUMBER: FROM, TWILIO_API_URL: apiUrl, TWILIO_MIN_INTERVAL_MS: '50' },
      { clock: db.clock, conn: db.conn },
    );
    expect(ch.disabled.join('\n')).to.match(/email/).and.not.match(/Twilio/);
    esc = await startTestEsc({ db, notifiers: ch.notifiers, mounts: ch.mounts });
  });
  after(async () => {
    await esc?.stop();
    await fake.stop();
  });

  const hook = (path: string, params: Record<string, string>, badSignature = false) => postTwilioWebhook({ baseUrl: esc.baseUrl, publicUrl: PUBLIC, path, params, authToken: TOKEN, badSignature });
  let sidN = 0;
  const sms = (from: string, body: string, messageSid = `SMin${++sidN}`) => hook('/twilio/sms', { MessageSid: messageSid, From: from, To: FROM, Body: body });
  const escIds = new Map<string, string>();
  const status = async (t: Ticket) => (await esc.deps.escalations.get(escIds.get(t.id)!))?.status;

  /** A P1 for Alice with its plan started by hand; the SMS step (step 2) has gone out. */
  async function pagedBySms(title: string): Promise<{ t: Ticket; ref: number; body: string }> {
    const t = await openTicket(esc.deps, { title, priority: 'P1', source: 'api', assigneeId: 'alice' }, ERIN);
    const started = await respondToNotification(esc.deps, { ticket: t.number, reply: 'escalate', actor: ERIN });
    escIds.set(t.id, started.escalation!.id);
    await esc.settle(); // step 1: chat (outbox here)
    const before = fake.messages().length;
    esc.clock.advanceMinutes(5);
    await esc.settle(); // step 2: SMS
    const mine = fake.messages().slice(before).filter((m) => m.params.To === ALICE);
    expect(mine, 'one SMS to Alice').to.have.length(1);
    const body = mine[0]!.params.Body!;
    const ref = Number(/\[Esc #(\d+)\]/.exec(body)![1]);
    return { t, ref, body };
  }

  it("Twilio's published signature example validates with the check our middleware uses", async () => {
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    expect(twilio.validateRequest('12345', '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', url, params)).to.equal(true);
    const app = express();
    app.use('/myapp.php', express.urlencoded({ extended: false }), verifyTwilio('12345', 'https://mycompany.com'), (_req, res) => void res.send('ok'));
    const server = app.listen(0);
    const port = (server.address() as { port: number }).port;
    const post = (sig: string) => fetch(`http://127.0.0.1:${port}/myapp.php?foo=1&bar=2`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig }, body: new URLSearchParams(params).toString() });
    try {
      expect((await post('0/KCTR6DLpKmkAf8muzZqo1nDgQ=')).status).to.equal(200);
      expect((await post('1/KCTR6DLpKmkAf8muzZqo1nDgQ=')).status).to.equal(403);
    } finally {
      server.close();
    }
  });

  it('SMS, then a call acknowledged with key 1; a replayed key press does nothing twice', async () => {
    const { t, body } = await pagedBySms('Mail server down');
    expect(body).to.match(/ESC-\d+/).and.match(/Mail server down/).and.match(/\da=ack \de=escalate \dc=resolve/);
    const sms = fake.messages().find((m) => m.params.To === ALICE)!;
    expect(sms.params.From).to.equal(FROM);
    expect(sms.params.StatusCallback).to.equal(`${PUBLIC}/twilio/status`);

    esc.clock.advanceMinutes(5);
    await esc.settle(); // step 3: voice
    const call = fake.calls().find((c) => c.params.To === ALICE)!;
    expect(call, 'a call to Alice').to.not.equal(undefined);
    const xml = call.params.Twiml!;
    expect(xml.length).to.be.at.most(4000);
    expect(xml).to.match(/<Gather[^>]*numDigits="1"/).and.match(/Mail server down/).and.match(/Press 1 to acknowledge. Press 2 to escalate. Press 3 to resolve. Press star/).and.match(/Open for 10 min/);
    const action = /action="([^"]+)"/.exec(xml)![1]!.replace(/&amp;/g, '&');
    expect(action.startsWith(`${PUBLIC}/twilio/voice?delivery=`)).to.equal(true);
    const path = action.slice(PUBLIC.length);

    const star = await hook(path, { CallSid: call.sid, Digits: '*', From: FROM, To: ALICE });
    expect(star.text).to.match(/<Gather/);
    const press = { CallSid: call.sid, Digits: '1', From: FROM, To: ALICE };
    const r = await hook(path, press);
    expect(r.status).to.equal(200);
    expect(r.text).to.match(/acknowledged by Alice Ng/).and.match(/<Hangup/);
    expect(await status(t)).to.equal('acknowledged');
    const replay = await hook(path, press);
    expect(replay.text).to.match(/already handled/);
    const acks = (await esc.deps.timeline.forTicket(t.id)).filter((e) => e.type === 'ticket.acknowledged' || e.type === 'escalation.acknowledged');
    expect(acks.map((e) => e.actor?.via)).to.deep.equal(['voice', 'voice']);

    const calls = fake.calls().length;
    esc.clock.advanceMinutes(30);
    await esc.settle();
    expect(fake.calls().length, 'no call after the acknowledgement').to.equal(calls);
  });

  it('SMS reply `<ref>a` acknowledges; a replayed MessageSid changes nothing', async () => {
    const { t, ref } = await pagedBySms('Printer queue stuck');
    const r = await sms(ALICE, `${ref}a`, 'SMreply-1');
    expect(r.status).to.equal(200);
    expect(r.text).to.match(/<Response><Message>ESC-\d+ acknowledged by Alice Ng/);
    expect(await status(t)).to.equal('acknowledged');
    const events = (await esc.deps.timeline.forTicket(t.id)).length;
    const again = await sms(ALICE, `${ref}a`, 'SMreply-1');
    expect(again.text).to.equal('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect((await esc.deps.timeline.forTicket(t.id)).length).to.equal(events);
  });

  it('bare `c` resolves the latest; `ACK ESC-n` works by ticket number', async () => {
    const { t } = await pagedBySms('Wifi in library');
    const r = await sms(ALICE, 'c');
    expect(r.text).to.match(/resolved by Alice Ng/);
    expect((await esc.deps.tickets.get(t.id))!.status).to.equal('resolved');
    const { t: t2 } = await pagedBySms('Projector');
    expect((await sms(ALICE, `ACK ESC-${t2.number}`)).text).to.match(/acknowledged by Alice Ng/);
  });

  it('bad replies (xyz, unknown ticket, unknown number, unknown ref) get a helpful answer and change nothing; a bad signature gets 403', async () => {
    const { t, ref } = await pagedBySms('Badge reader');
    const tl = (await esc.deps.timeline.forTicket(t.id)).length;
    const xyz = (await sms(ALICE, 'xyz')).text;
    expect(xyz).to.match(/did not understand "xyz"; nothing changed. Reply \d+a to acknowledge/);
    expect((await sms(ALICE, 'ACK ESC-999999')).text).to.match(/There is no ticket ESC-999999. Nothing changed./);
    expect((await sms('+19995550000', `${ref}a`)).text).to.match(/does not know this phone number, so nothing changed/);
    expect((await sms(ALICE, '98a')).text).to.match(/no page #98; nothing changed/);
    const bad = await hook('/twilio/sms', { MessageSid: 'SMforged', From: ALICE, To: FROM, Body: `${ref}a` }, true);
    expect(bad.status).to.equal(403);
    expect(await status(t)).to.equal('active');
    expect((await esc.deps.timeline.forTicket(t.id)).length).to.equal(tl);
    // The forged MessageSid was not recorded: the genuine one still works.
    expect((await hook('/twilio/sms', { MessageSid: 'SMforged', From: ALICE, To: FROM, Body: `${ref}a` })).text).to.match(/acknowledged/);
  });

  it('status callbacks (undelivered SMS, busy call) are recorded on the delivery and the timeline, once', async () => {
    const { t } = await pagedBySms('Disk alarms');
    const msg = fake.messages().at(-1)!;
    const p = { MessageSid: msg.sid, MessageStatus: 'undelivered', ErrorCode: '30003', To: ALICE, From: FROM };
    expect((await hook('/twilio/status', p)).status).to.equal(204);
    expect((await hook('/twilio/status', p)).status).to.equal(204);
    const d = await esc.deps.deliveries.byProviderId(msg.sid);
    expect(d!.status).to.equal('failed');
    expect(d!.error!.code).to.equal('TWILIO_UNDELIVERED');
    esc.clock.advanceMinutes(5);
    await esc.settle();
    const call = fake.calls().at(-1)!;
    expect((await hook('/twilio/status', { CallSid: call.sid, CallStatus: 'busy', To: ALICE, From: FROM })).status).to.equal(204);
    const failed = (await esc.deps.timeline.forTicket(t.id)).filter((e) => e.type === 'delivery.failed' && e.actor?.via === 'twilio');
    expect(failed.map((e) => [e.data.channel, e.data.providerStatus])).to.deep.equal([
      ['sms', 'undelivered'],
      ['voice', 'busy'],
    ]);
    // Neither reached Alice: each falls back to her next contact method (her order: chat, sms, voice, email).
    const fallbacks = (await esc.deps.deliveries.list({ ticketId: t.id }, 50)).filter((x) => x.key.includes(':fallback:')).map((x) => x.channel);
    expect(fallbacks).to.include.members(['voice', 'email']);
  });

  it('throttles: a second SMS to the same phone within a minute waits (THROTTLED, retried), then goes out', async () => {
    const open = async (title: string) => {
      const t = await openTicket(esc.deps, { title, priority: 'P1', source: 'api', assigneeId: 'alice' }, ERIN);
      await respondToNotification(esc.deps, { ticket: t.number, reply: 'escalate', actor: ERIN });
      return t;
    };
    esc.clock.advanceMinutes(10);
    const [a, b] = [await open('Throttle one'), await open('Throttle two')];
    await esc.settle();
    const before = fake.messages().length;
    esc.clock.advanceMinutes(5);
    await esc.settle();
    expect(fake.messages().slice(before).filter((m) => m.params.To === ALICE)).to.have.length(1);
    const held = [...(await esc.deps.deliveries.list({ ticketId: a.id, channel: ['sms'] }, 5)), ...(await esc.deps.deliveries.list({ ticketId: b.id, channel: ['sms'] }, 5))].filter((d) => d.status === 'queued');
    expect(held.map((d) => d.error?.code)).to.deep.equal(['THROTTLED']);
    esc.clock.advanceMinutes(1.5);
    await esc.settle();
    expect(fake.messages().slice(before).filter((m) => m.params.To === ALICE)).to.have.length(2);
  });

  it('paces Twilio sends in one process (about one per interval)', async () => {
    const { Pacer } = await import('../../src/adapters/twilio/pacer.js');
    const p = new Pacer(100, 1000);
    const t0 = Date.now();
    await Promise.all([p.slot(), p.slot(), p.slot()]);
    expect(Date.now() - t0).to.be.at.least(190);
    const slow = new Pacer(1000, 500);
    expect(await slow.slot()).to.equal(0);
    expect(await slow.slot(), 'told to come back instead of waiting').to.be.greaterThan(500);
  });
});
