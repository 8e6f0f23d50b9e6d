import { expect } from 'chai';
import { signSlackRequest, verifySlackSignature } from '../../src/adapters/slack/signature.js';
import type { FakeSlack } from '../far-side/fake-slack.js';
import { commandBody, postSlack } from '../far-side/slack-requests.js';
import type { TestEsc } from '../support/harness.js';
import { startSlackEsc } from './slack-setup.js';

// Slack's published example (DESIGN.md §4).
const VECTOR = {
  secret: '8f742231b10e8888abcd99yyyzzz85a5',
  ts: '1531420618',
  body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};

describe('Slack: request signatures', () => {
  it("verifies Slack's published example, and only within 300 s of its timestamp", () => {
    expect(signSlackRequest(VECTOR.secret, VECTOR.ts, VECTOR.body)).to.equal(VECTOR.signature);
    const at = (deltaS: number) => verifySlackSignature({ signingSecret: VECTOR.secret, body: VECTOR.body, timestamp: VECTOR.ts, signature: VECTOR.signature, nowMs: (Number(VECTOR.ts) + deltaS) * 1000 });
    expect(at(0)).to.deep.equal({ ok: true });
    expect(at(300)).to.deep.equal({ ok: true });
    expect(at(-300)).to.deep.equal({ ok: true });
    expect(at(301)).to.deep.equal({ ok: false, reason: 'stale' });
    expect(at(-301)).to.deep.equal({ ok: false, reason: 'future' });
    const tampered = verifySlackSignature({ signingSecret: VECTOR.secret, body: `${VECTOR.body}x`, timestamp: VECTOR.ts, signature: VECTOR.signature, nowMs: Number(VECTOR.ts) * 1000 });
    expect(tampered).to.deep.equal({ ok: false, reason: 'mismatch' });
  });

  describe('over HTTP', () => {
    let esc: TestEsc;
    let fake: FakeSlack;
    let responseUrl: (id?: string) => string;
    before(async () => {
      ({ esc, fake, responseUrl } = await startSlackEsc());
    });
    after(async () => {
      await esc.stop();
      await fake.stop();
    });

    it('refuses bad, old and future signatures with 401 and writes nothing', async () => {
      const before = (await esc.deps.tickets.list({}, 500, 0)).length;
      const body = commandBody({ text: 'report', userId: 'U0ERIN', responseUrl: responseUrl() });
      const now = Math.floor(Date.now() / 1000);
      const cases = [
        { name: 'wrong secret', opts: { secret: 'not-the-secret-at-all-000000' } },
        { name: 'garbage', opts: { signature: 'v0=deadbeef' } },
        { name: 'old', opts: { ts: now - 310 } },
        { name: 'future', opts: { ts: now + 310 } },
        { name: 'far future', opts: { ts: now + 86_400 } },
      ];
      for (const c of cases) expect((await postSlack(esc.baseUrl, body, c.opts)).status, c.name).to.equal(401);
      const missing = await fetch(`${esc.baseUrl}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      expect(missing.status).to.equal(401);
      await new Promise((r) => setTimeout(r, 100));
      expect(fake.calls.filter((c) => c.method !== 'auth.test')).to.have.length(0);
      expect(fake.responses).to.have.length(0);
      expect((await esc.deps.tickets.list({}, 500, 0)).length).to.equal(before);
    });

    it('answers a signed /esc help within the request, with every subcommand', async () => {
      const r = await postSlack(esc.baseUrl, commandBody({ text: 'help', userId: 'U0ALICE', responseUrl: responseUrl() }));
      expect(r.status).to.equal(200);
      for (const sub of ['ticket', 'ack', 'escalate', 'elevate', 'resolve', 'status', 'history', 'list', 'plan simulate', 'report']) expect(r.text).to.include(`/esc ${sub}`);
    });

    it('tells a person Esc does not know who they are', async () => {
      const r = await postSlack(esc.baseUrl, commandBody({ text: 'status 1', userId: 'U0STRANGER', responseUrl: responseUrl() }));
      expect(r.status).to.equal(200);
      expect(r.text).to.match(/not in Esc's directory.*slackId: U0STRANGER/);
    });

    it('2,000 random /esc texts: always 200, never a 5xx', async function () {
      this.timeout(120_000);
      const words = ['help', 'ticket', 'ack', 'escalate', 'elevate', 'resolve', 'status', 'history', 'list', 'plan', 'simulate', 'report', 'mine', 'team', 'open', 'escalated', 'ESC-1', '1', '#2', 'esc-999999999', 'P1', 'P9', 'standard', 'urgent', '-1', '0', '', ' ', '\u0000', '💥', '"', '<@U0BOB>', '&amp;', '%', 'x'.repeat(300)];
      let seed = 42;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const users = ['U0ALICE', 'U0DANA', 'U0ERIN', 'U0KEN', 'U0NOBODY'];
      const statuses = new Map<number, number>();
      for (let batch = 0; batch < 100; batch++) {
        const rs = await Promise.all(
          Array.from({ length: 20 }, () => {
            const n = Math.floor(rnd() * 5);
            const text = Array.from({ length: n }, () => (rnd() < 0.1 ? String.fromCharCode(Math.floor(rnd() * 0xffff)) : words[Math.floor(rnd() * words.length)]!)).join(rnd() < 0.2 ? '  ' : ' ');
            return postSlack(esc.baseUrl, commandBody({ text, userId: users[Math.floor(rnd() * users.length)]!, responseUrl: responseUrl() }));
          }),
        );
        for (const r of rs) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      }
      expect(Object.fromEntries(statuses)).to.deep.equal({ 200: 2000 });
    });
  });
});
