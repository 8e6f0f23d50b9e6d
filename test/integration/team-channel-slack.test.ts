import { expect } from 'chai';
import { createSlackChatNotifier } from '../../src/adapters/slack/slack-app.js';
import { createSlackMessageUpdater } from '../../src/adapters/slack/slack-message-updater.js';
import { loadSlackConfig } from '../../src/config/slack-env.js';
import { demoWith } from '../fixtures/demo-variants.js';
import { FakeSlack } from '../far-side/fake-slack.js';
import { TEST_SIGNING_SECRET } from '../far-side/slack-requests.js';
import { api, MemoryLogger, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

/**
 * Issue 14: a P1 alert over the API is posted in the team's Slack channel by the real Slack
 * notifier (a local Slack plays the far side), recorded in the ticket's message registry, and
 * edited in place when someone acknowledges (the post follows the ticket).
 */
describe("team channel on Slack: an alert's ticket is posted, recorded and kept up to date", () => {
  let esc: TestEsc;
  let slack: FakeSlack;
  let channel: string;
  before(async () => {
    slack = new FakeSlack('xoxb-test-token');
    const slackUrl = await slack.start();
    channel = slack.seedChannel('service-desk', { botMember: true }).id;
    const cfg = loadSlackConfig({ SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: slackUrl })!;
    const log = new MemoryLogger();
    esc = await startTestEsc({
      org: demoWith((d) => (d.teams[0]!.channel = channel)),
      notifiers: [createSlackChatNotifier(log, cfg, undefined, () => esc?.deps.ticketMessages ?? null)],
      messageUpdaters: [createSlackMessageUpdater(log, cfg)],
    });
  });
  after(async () => {
    await esc?.stop();
    await slack?.stop();
  });

  it('posts in the channel, pages the on-call person by DM at once, and edits the post on acknowledge', async () => {
    const r = await api(esc.baseUrl, 'POST', '/api/alerts', { dedupKey: 'ups-1', title: 'UPS on battery in data centre', priority: 'P1', source: 'prtg' });
    expect(r.status).to.equal(201);
    const t = r.body.ticket as { id: string; number: number };
    await esc.settle();
    const posts = slack.callsOf('chat.postMessage');
    const inChannel = posts.filter((c) => c.params.channel === channel);
    expect(inChannel).to.have.length(1);
    expect(String(inChannel[0]!.params.text)).to.match(new RegExp(`^New P1 ticket for Service Desk: ESC-${t.number} UPS on battery in data centre`));
    const onCall = esc.deps.directory().onCall('service-desk', esc.clock.now())!;
    expect(posts.some((c) => c.params.channel === `D${onCall.slackId}`)).to.equal(true);
    const recorded = await esc.deps.ticketMessages!.forTicket(t.id);
    expect(recorded.map((m) => [m.kind, m.where.platform === 'slack' ? m.where.channel : null])).to.deep.include(['channel_post', channel]);
    const ack = await api(esc.baseUrl, 'POST', `/api/tickets/${t.number}/acknowledge`, {});
    expect(ack.status).to.equal(200);
    await esc.settle();
    const updates = slack.callsOf('chat.update').filter((c) => c.params.channel === channel);
    expect(updates.length).to.be.greaterThan(0);
    expect(JSON.stringify(updates.at(-1)!.params)).to.match(/[Aa]cknowledged/);
  });
});
