// Issue 13: a provider's rate limit means "wait", never a failed attempt, and the waiting ones come back spread out.
import { expect } from 'chai';
import { seedEscalations } from '../../bench/engine-seed.js';
import { createSlackChatNotifier } from '../../src/adapters/slack/slack-app.js';
import { loadSlackConfig } from '../../src/config/slack-env.js';
import { rateLimitWait } from '../../src/engine/dispatcher.js';
import { FakeSlack } from '../far-side/fake-slack.js';
import { RecordingNotifier } from '../support/counting-notifier.js';
import { MemoryLogger, TestClock, startTestEsc } from '../support/harness.js';

class WallClock extends TestClock {
  override now(): Date {
    return new Date();
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('engine: provider rate limits', function () {
  this.timeout(60_000);
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });

  it('five DMs to one person in the same second under Slack 429 + Retry-After: all five go by chat, none replaced by SMS', async () => {
    const slack = new FakeSlack('xoxb-test-token');
    const apiUrl = await slack.start();
    cleanup.push(() => slack.stop());
    // Slack refuses the next 20 posts (four rounds of all five) with 429 and Retry-After: 1.
    slack.fail('chat.postMessage', { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' }, times: 20 });
    const log = new MemoryLogger();
    const chat = createSlackChatNotifier(log, loadSlackConfig({ SLACK_SIGNING_SECRET: 'x'.repeat(32), SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: apiUrl })!);
    const sms = new RecordingNotifier('sms');
    const esc = await startTestEsc({ clock: new WallClock(), runEngine: true, listen: false, env: { ESC_DELIVERY_MAX_ATTEMPTS: '3' }, notifiers: [chat, sms] });
    cleanup.push(() => esc.stop());
    await seedEscalations(esc.conn, 5, () => new Date(Date.now() + 300), new Date(), { assignee: () => 'alice' });
    const posted = () => slack.callsOf('chat.postMessage').length;
    const end = Date.now() + 40_000;
    while (posted() < 25 && Date.now() < end) await sleep(50);
    await sleep(500);
    expect(posted(), '20 refused + 5 accepted').to.equal(25);
    const db = esc.conn.db!;
    const chats = await db.collection('deliveries').find({ channel: 'chat' }).toArray();
    expect(chats.map((d) => [d.status, d.attempts])).to.deep.equal(Array.from({ length: 5 }, () => ['sent', 1]));
    expect(sms.sent, 'no DM was replaced by an SMS').to.have.length(0);
    expect(await db.collection('timeline').countDocuments({ type: 'delivery.failed' })).to.equal(0);
    // The five waited, spread out rather than all coming back at the same instant.
    const waits = (await db.collection('timeline').find({ type: 'delivery.rate_limited' }).toArray()).map((e) => Number(e.data.retryInMs));
    expect(waits.length).to.be.greaterThan(0);
    expect(Math.min(...waits), 'never earlier than Retry-After').to.be.at.least(1000);
    expect(Math.max(...waits) - Math.min(...waits), `spread of the waits ${JSON.stringify(waits)}`).to.be.at.least(50);
  });

  it('the wait after a rate limit is at least Retry-After, with up to half of it (at least 250 ms) of jitter', () => {
    expect(rateLimitWait(1000, () => 0)).to.equal(1000);
    expect(rateLimitWait(1000, () => 1)).to.equal(1500);
    expect(rateLimitWait(100, () => 1)).to.equal(350);
    expect(rateLimitWait(10_000_000, () => 0)).to.equal(300_000);
  });
});
