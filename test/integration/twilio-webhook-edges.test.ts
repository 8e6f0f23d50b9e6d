import { expect } from 'chai';
import twilio from 'twilio';
import { buildChannelAdapters } from '../../src/config/channels-env.js';
import { FakeTwilio, postTwilioWebhook } from '../far-side/fake-twilio.js';
import { openTestDb, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TOKEN = 'twilio-test-auth-token';
const FROM = '+15005550006';
const PUBLIC = 'https://esc.example.test';
const ALICE = '+15105550101';

/** Issue 13: every inbound Twilio webhook answers 2xx TwiML or 4xx, whatever the body holds. */
describe('Twilio webhooks: hostile bodies get TwiML or 4xx, never 5xx', () => {
  let esc: TestEsc;
  let fake: FakeTwilio;
  before(async () => {
    fake = new FakeTwilio(SID, TOKEN);
    const apiUrl = await fake.start();
    const db = await openTestDb();
    const ch = buildChannelAdapters(
      { ESC_PUBLIC_URL: PUBLIC, TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM_NUMBER: FROM, TWILIO_API_URL: apiUrl },
      { clock: db.clock, conn: db.conn },
    );
    esc = await startTestEsc({ db, notifiers: ch.notifiers, mounts: ch.mounts });
  });
  after(async () => {
    await esc?.stop();
    await fake.stop();
  });
  let n = 0;
  const sms = (from: string, body: string) => postTwilioWebhook({ baseUrl: esc.baseUrl, publicUrl: PUBLIC, path: '/twilio/sms', params: { MessageSid: `SMedge${++n}`, From: from, To: FROM, Body: body }, authToken: TOKEN });

  /** A correctly signed form body in which some parameters repeat (Twilio signs each value). */
  async function signedRaw(path: string, pairs: [string, string][]) {
    const params: Record<string, string | string[]> = {};
    for (const [k, v] of pairs) params[k] = k in params ? [params[k]!, v].flat() : v;
    const sig = twilio.getExpectedTwilioSignature(TOKEN, `${PUBLIC}${path}`, params as Record<string, string>);
    const res = await fetch(`${esc.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig }, body: new URLSearchParams(pairs).toString() });
    return { status: res.status, text: await res.text() };
  }

  it('SMS bodies with XML-illegal characters get a 200 TwiML answer without them', async () => {
    for (const from of [ALICE, '+15550000000']) {
      for (const body of ['\u000B', '\u000C', '\u0000', '\uFFFF', 'ack\u000Bnow\u0000\uFFFE\ud800', '\u0001\u0002\u001F']) {
        const r = await sms(from, body);
        expect(r.status, `${from} ${JSON.stringify(body)}: ${r.text}`).to.equal(200);
        expect(r.text).to.match(/^<\?xml version="1.0" encoding="UTF-8"\?><Response>/);
        // eslint-disable-next-line no-control-regex -- control characters are what is checked
        expect(r.text).to.not.match(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
      }
    }
    const echoed = await sms(ALICE, 'ack\u000Bnow');
    expect(echoed.text).to.match(/did not understand &quot;acknow&quot;|did not understand "acknow"/);
    expect(esc.log.errors(), 'no error logged').to.have.length(0);
  });

  it('a repeated Body, From or Digits parameter gets 400 naming it, not a 500', async () => {
    const a = await signedRaw('/twilio/sms', [['MessageSid', 'SMrep1'], ['From', ALICE], ['To', FROM], ['Body', 'a'], ['Body', 'e']]);
    expect(a.status).to.equal(400);
    expect(a.text).to.match(/Body.*more than once/);
    const b = await signedRaw('/twilio/sms', [['MessageSid', 'SMrep2'], ['From', ALICE], ['From', '+15550000001'], ['To', FROM], ['Body', 'a']]);
    expect(b.status).to.equal(400);
    expect(b.text).to.match(/From/);
    const c = await signedRaw('/twilio/voice', [['CallSid', 'CArep1'], ['From', FROM], ['To', ALICE], ['Digits', '1'], ['Digits', '2']]);
    expect(c.status).to.equal(400);
    const d = await signedRaw('/twilio/status', [['MessageSid', 'SMx'], ['MessageSid', 'SMy'], ['MessageStatus', 'delivered']]);
    expect(d.status).to.equal(400);
    expect(esc.log.errors(), 'no error logged').to.have.length(0);
  });

  it('a voice webhook for an unknown call answers TwiML', async () => {
    const r = await postTwilioWebhook({ baseUrl: esc.baseUrl, publicUrl: PUBLIC, path: '/twilio/voice', params: { CallSid: 'CAunknown\u000B', From: FROM, To: ALICE, Digits: '\u000C' }, authToken: TOKEN });
    expect(r.status).to.equal(200);
    expect(r.text).to.match(/<Say>Sorry, Esc does not know this call/);
  });
});
