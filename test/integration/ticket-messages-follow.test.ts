import { expect } from 'chai';
import { createSlackAdapter, createSlackChatNotifier } from '../../src/adapters/slack/slack-app.js';
import { MongoTicketMessageRepository } from '../../src/adapters/mongo/ticket-message-repo.js';
import { createSlackMessageUpdater } from '../../src/adapters/slack/slack-message-updater.js';
import { createTeamsFrontEnd } from '../../src/adapters/teams/create-teams.js';
import type { TeamsFrontEnd } from '../../src/adapters/teams/create-teams.js';
import { buildChannelAdapters } from '../../src/config/channels-env.js';
import { loadSlackConfig } from '../../src/config/slack-env.js';
import { loadTeamsConfig } from '../../src/config/teams-env.js';
import { FakeSlack } from '../far-side/fake-slack.js';
import { postSlack, TEST_SIGNING_SECRET, ticketSubmission } from '../far-side/slack-requests.js';
import { FakeCredentialsFactory, signToken } from '../far-side/fake-teams-auth.js';
import { FakeTeamsConnector } from '../far-side/fake-teams-connector.js';
import { FakeTwilio, postTwilioWebhook } from '../far-side/fake-twilio.js';
import { api, MemoryLogger, openTestDb, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import { AAD, APP_ID, TENANT, activity, executeAction } from './teams-setup.js';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TWILIO_TOKEN = 'twilio-test-auth-token';
const PUBLIC = 'https://esc.example.test';
const ALICE_PHONE = '+15105550101';
const CHANNEL = 'C0HELPDESK';

type Card = { body?: unknown[]; actions?: { verb?: string; title?: string }[]; refresh?: { action: { verb: string }; userIds: string[] } };

/**
 * Issue 12, "a ticket's messages follow it": a ticket posted in a Slack channel and DMed on
 * Teams is acknowledged by SMS; the engine edits both messages in place.
 */
describe('ticket messages follow the ticket (Slack channel post + Teams DM, acknowledged by SMS)', () => {
  let esc: TestEsc;
  let slack: FakeSlack;
  let connector: FakeTeamsConnector;
  let twilio: FakeTwilio;
  let teams: TeamsFrontEnd;

  before(async () => {
    slack = new FakeSlack('xoxb-test-token');
    const slackUrl = await slack.start();
    connector = new FakeTeamsConnector();
    await connector.start();
    twilio = new FakeTwilio(SID, TWILIO_TOKEN);
    const twilioUrl = await twilio.start();
    const db = await openTestDb();
    const clock = db.clock;
    const log = new MemoryLogger();
    const slackCfg = loadSlackConfig({ SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: slackUrl })!;
    const teamsCfg = loadTeamsConfig({ TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 'not-used-in-tests', TEAMS_TENANT_ID: TENANT, TEAMS_APP_TYPE: 'SingleTenant', TEAMS_OPENID_METADATA_URL: connector.openIdUrl })!;
    teams = createTeamsFrontEnd({ config: teamsCfg, log, clock, credentialsFactory: new FakeCredentialsFactory(APP_ID) });
    const phones = buildChannelAdapters(
      { ESC_PUBLIC_URL: PUBLIC, TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TWILIO_TOKEN, TWILIO_FROM_NUMBER: '+15005550006', TWILIO_API_URL: twilioUrl, TWILIO_MIN_INTERVAL_MS: '50' },
      { clock, conn: db.conn },
    );
    // Chat pages go to Teams; the ticket itself is posted from the Slack form.
    esc = await startTestEsc({
      db,
      notifiers: [teams.notifier, ...phones.notifiers],
      mounts: (deps) => [...createSlackAdapter(deps, slackCfg).mounts, ...teams.mounts(deps), ...phones.mounts(deps)],
      messageUpdaters: [createSlackMessageUpdater(log, slackCfg), teams.updater],
    });
    await teams.bind(esc.conn);
  });
  after(async () => {
    await esc?.stop();
    await Promise.all([slack?.stop(), connector?.stop(), twilio?.stop()]);
  });

  const teamsPost = async (a: Record<string, unknown>) => {
    const res = await fetch(`${esc.baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${signToken(connector.key, { aud: APP_ID, serviceurl: connector.serviceUrl })}` },
      body: JSON.stringify(a),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as { value?: Card } | null };
  };
  const cardOf = (body: Record<string, unknown>) => ((body.attachments as { content: Card }[] | undefined) ?? [])[0]?.content;
  // The buttons (the More action set of issue 16 is a ShowCard, checked in ticket-work.test.ts).
  const verbs = (card: Card | undefined) => (card?.actions ?? []).filter((a) => a.verb !== undefined).map((a) => a.verb);

  it('both messages show the acknowledgement and lose the Acknowledge button', async () => {
    // Alice has Esc installed in Teams: Esc can DM her there.
    expect((await teamsPost(activity(connector, { aad: AAD.alice, type: 'installationUpdate', extra: { action: 'add' } }))).status).to.equal(200);

    // Dana opens a P1 from the Slack form in #helpdesk: Esc posts it there (and records the post).
    const submit = await postSlack(esc.baseUrl, ticketSubmission({ userId: 'U0DANA', viewId: 'V0FOLLOW', title: 'Registrar <!channel> email down', channelId: CHANNEL, priority: 'P1' }));
    expect(submit.status).to.equal(200);
    const post = await slack.waitFor(() => slack.callsOf('chat.postMessage').find((c) => c.params.channel === CHANNEL));
    expect(String(post.params.text)).to.not.include('<!channel>');
    const list = await api(esc.baseUrl, 'GET', '/api/tickets?limit=5');
    const ticket = (list.body.tickets as { id: string; key: string }[])[0]!;
    const key = ticket.key;
    const postBlocks = JSON.stringify(post.params.blocks);
    expect(postBlocks).to.include(key).and.include('esc_ack');

    // Assigned to Alice and escalated at once: step 1 DMs her on Teams.
    expect((await api(esc.baseUrl, 'POST', `/api/tickets/${key}/actions`, { action: 'assign', assigneeId: 'alice' })).status).to.equal(200);
    expect((await api(esc.baseUrl, 'POST', `/api/tickets/${key}/escalate`, { reason: 'Registrar cannot send grades' })).status).to.equal(200);
    await esc.settle();

    const recorded = await esc.deps.ticketMessages!.forTicket(ticket.id);
    const slackPost = recorded.find((m) => m.where.platform === 'slack');
    const teamsDm = recorded.find((m) => m.where.platform === 'teams');
    expect(slackPost, 'the Slack channel post is recorded').to.deep.include({ kind: 'channel_post', recipientId: null });
    expect(teamsDm, 'the Teams DM is recorded').to.deep.include({ kind: 'dm', recipientId: 'alice' });
    const slackWhere = slackPost!.where as { channel: string; ts: string };
    const teamsWhere = teamsDm!.where as { conversationId: string; activityId: string };
    expect(slackWhere.channel).to.equal(CHANNEL);
    expect(teamsWhere.conversationId).to.equal(`a:dm-${AAD.alice}`);
    const dmCard = connector.activities(teamsWhere.conversationId).filter((c) => c.method === 'POST').map((c) => cardOf(c.body)).find(Boolean);
    expect(verbs(dmCard)).to.include('ack');

    // Alice acknowledges by SMS (a signed Twilio webhook): not through either message.
    const updatesBefore = slack.callsOf('chat.update').length;
    const putsBefore = connector.calls.filter((c) => c.method === 'PUT').length;
    const sms = await postTwilioWebhook({ baseUrl: esc.baseUrl, publicUrl: PUBLIC, path: '/twilio/sms', params: { MessageSid: 'SMfollow1', From: ALICE_PHONE, To: '+15005550006', Body: `ACK ${key}` }, authToken: TWILIO_TOKEN });
    expect(sms.status).to.equal(200);
    expect(sms.text).to.match(/acknowledged/i);
    await esc.settle();

    // Slack: chat.update of the channel post (through the local Slack Web API).
    const update = slack.callsOf('chat.update').slice(updatesBefore).find((c) => c.params.channel === CHANNEL && c.params.ts === slackWhere.ts);
    expect(update, 'chat.update of the channel post').to.not.equal(undefined);
    const blocks = JSON.stringify(update!.params.blocks);
    expect(blocks).to.include('Acknowledged by Alice Ng').and.include('acknowledged');
    expect(blocks).to.not.include('esc_ack');
    expect(blocks).to.include('esc_resolve').and.include('esc_history');

    // Teams: the DM's activity updated in place (PUT v3/conversations/{id}/activities/{activityId}).
    const put = connector.calls.filter((c) => c.method === 'PUT').slice(putsBefore).find((c) => c.path.endsWith(`/activities/${encodeURIComponent(teamsWhere.activityId)}`) || c.path.endsWith(`/activities/${teamsWhere.activityId}`));
    expect(put, 'the Teams DM updated').to.not.equal(undefined);
    expect(put!.conversationId).to.equal(teamsWhere.conversationId);
    const card = cardOf(put!.body)!;
    expect(JSON.stringify(card.body)).to.include('Acknowledged by Alice Ng');
    expect(verbs(card)).to.not.include('ack');
    expect(verbs(card)).to.include('resolve');
    // Alice's own card, refreshed per viewer: her Teams id from her chat with Esc.
    expect(card.refresh?.action.verb).to.equal('refresh');
    expect(card.refresh?.userIds).to.deep.equal([`29:user-${AAD.alice}`]);

    // Nothing stale is left: another pass edits nothing.
    const updatesAfter = slack.callsOf('chat.update').length;
    const putsAfter = connector.calls.filter((c) => c.method === 'PUT').length;
    await esc.settle();
    expect(slack.callsOf('chat.update').length).to.equal(updatesAfter);
    expect(connector.calls.filter((c) => c.method === 'PUT').length).to.equal(putsAfter);
  });

  it('a per-viewer refresh gives each person only the buttons they may use', async () => {
    const list = await api(esc.baseUrl, 'GET', '/api/tickets?limit=5');
    const key = (list.body.tickets as { key: string }[])[0]!.key;
    // Bob (technician on the team): resolve, no Escalate or Elevate (seed 000); Erin (escalation manager, admin): all of them.
    const bob = await teamsPost(executeAction(connector, AAD.bob, 'refresh', { ticket: key }));
    const erin = await teamsPost(executeAction(connector, AAD.erin, 'refresh', { ticket: key }));
    expect(verbs(bob.body?.value)).to.deep.equal(['resolve', 'history']);
    expect(verbs(erin.body?.value)).to.deep.equal(['escalate.form', 'elevate', 'resolve', 'history']);
    const bad = await teamsPost(executeAction(connector, AAD.bob, 'refresh', { ticket: { $gt: '' } }));
    expect(bad.status).to.equal(200);
    expect(JSON.stringify(bad.body)).to.not.include('AdaptiveCard');
  });

  it('a ticket card sent in reply to a command or card action follows the ticket too (Teams)', async () => {
    const list = await api(esc.baseUrl, 'GET', '/api/tickets?limit=5');
    const t = (list.body.tickets as { id: string; key: string }[])[0]!;
    const before = connector.calls.length;
    // A card's Show (an Action.Submit as older clients send it) answers with the ticket card in Alice's chat.
    const r = await teamsPost(activity(connector, { aad: AAD.alice, value: { verb: 'show', ticket: t.key } }));
    expect(r.status).to.be.oneOf([200, 201]);
    const card = (await esc.deps.ticketMessages!.forTicket(t.id)).find((m) => m.kind === 'card');
    expect(card, 'the reply card is recorded').to.deep.include({ recipientId: 'alice' });
    const activityId = (card!.where as { activityId: string }).activityId;
    expect(connector.calls.slice(before).some((c) => c.method === 'POST' && c.conversationId === `a:dm-${AAD.alice}`)).to.equal(true);

    expect((await api(esc.baseUrl, 'POST', `/api/tickets/${t.key}/resolve`, { note: 'mail relay restarted' })).status).to.equal(200);
    await esc.settle();
    const put = connector.calls.slice(before).find((c) => c.method === 'PUT' && c.path.endsWith(`/activities/${activityId}`));
    expect(put, 'the reply card edited in place').to.not.equal(undefined);
    expect(verbs(cardOf(put!.body))).to.deep.equal(['history']);
    expect(JSON.stringify(cardOf(put!.body))).to.include('resolved');
  });

  it('a failed edit is retried after the wait and never stops the pass; a deleted message is left alone', async () => {
    const { body } = await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'Projector dead', priority: 'P2', assigneeId: 'alice' });
    const id = String(body.id);
    const messages = esc.deps.ticketMessages!;
    await messages.record({ ticketId: id, kind: 'channel_post', where: { platform: 'slack', channel: 'C0FLAKY', ts: '1700000000.000001' }, recipientId: null, createdAt: esc.clock.now() });
    await messages.record({ ticketId: id, kind: 'channel_post', where: { platform: 'slack', channel: 'C0STEADY', ts: '1700000000.000002' }, recipientId: null, createdAt: esc.clock.now() });
    const edits = (channel: string) => slack.callsOf('chat.update').filter((c) => c.params.channel === channel).length;

    // The first edit (C0FLAKY, recorded first) is rate limited; the other still goes out.
    slack.fail('chat.update', { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '3' }, times: 1 });
    expect((await api(esc.baseUrl, 'POST', `/api/tickets/${body.key}/acknowledge`)).status).to.equal(200);
    await esc.settle();
    expect([edits('C0FLAKY'), edits('C0STEADY')]).to.deep.equal([1, 1]);
    expect(await messages.stale(esc.clock.now(), 10), 'waiting for Retry-After').to.deep.equal([]);
    expect((await messages.stale(new Date(esc.clock.now().getTime() + 60_000), 10)).map((m) => m.ticketId)).to.deep.equal([id]);

    // After the wait it is tried again: now Slack says the message was deleted. It is left alone from then on.
    esc.clock.advance(10_000);
    slack.fail('chat.update', { status: 200, body: { ok: false, error: 'message_not_found' }, times: 1 });
    await esc.settle();
    expect(edits('C0FLAKY')).to.equal(2);
    expect(await messages.stale(new Date(esc.clock.now().getTime() + 3_600_000), 10)).to.deep.equal([]);
    expect((await messages.forTicket(id)).map((m) => (m.where as { channel: string }).channel)).to.deep.equal(['C0STEADY']);

    expect((await api(esc.baseUrl, 'POST', `/api/tickets/${body.key}/resolve`)).status).to.equal(200);
    await esc.settle();
    expect([edits('C0FLAKY'), edits('C0STEADY')]).to.deep.equal([2, 3]);
    expect(esc.log.errors()).to.deep.equal([]);
  });
});

describe('ticket messages follow the ticket: with the engine running, the edit goes out within about a second', () => {
  let esc: TestEsc;
  let slack: FakeSlack;
  before(async () => {
    slack = new FakeSlack('xoxb-test-token');
    const slackUrl = await slack.start();
    const log = new MemoryLogger();
    const slackCfg = loadSlackConfig({ SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: slackUrl })!;
    // The default engine tick (200 ms) and the real Agenda loop; the change itself wakes it.
    // Slack DMs are recorded by the chat notifier (built before the database opens, as in main.ts).
    const messages = new MongoTicketMessageRepository(() => esc.conn);
    const notifier = createSlackChatNotifier(log, slackCfg, undefined, () => messages);
    esc = await startTestEsc({ env: { ESC_ENGINE_TICK_MS: '200' }, runEngine: true, notifiers: [notifier], mounts: (deps) => createSlackAdapter(deps, slackCfg).mounts, messageUpdaters: [createSlackMessageUpdater(log, slackCfg)] });
  });
  after(async () => {
    await esc?.stop();
    await slack?.stop();
  });

  it('acknowledged over the API: the channel post is edited within a second', async () => {
    const deadline = Date.now() + 10_000;
    while (!esc.runner?.running && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(esc.runner?.running, 'the engine loop runs').to.equal(true);
    expect((await postSlack(esc.baseUrl, ticketSubmission({ userId: 'U0CAROL', viewId: 'V0FAST', title: 'Door badge readers offline', channelId: CHANNEL, priority: 'P2' }))).status).to.equal(200);
    const post = await slack.waitFor(() => slack.callsOf('chat.postMessage').find((c) => c.params.channel === CHANNEL));
    const key = /ESC-\d+/.exec(String(post.params.text))![0];
    await new Promise((r) => setTimeout(r, 300)); // let any pass for the opening settle
    const before = slack.callsOf('chat.update').length;
    const started = performance.now();
    expect((await api(esc.baseUrl, 'POST', `/api/tickets/${key}/acknowledge`)).status).to.equal(200);
    const update = await slack.waitFor(() => slack.callsOf('chat.update').slice(before).find((c) => JSON.stringify(c.params.blocks).includes('Acknowledged by')), 3000);
    const ms = performance.now() - started;
    expect(update.params.channel).to.equal(CHANNEL);
    expect(ms, `edited ${Math.round(ms)} ms after the acknowledgement`).to.be.below(1000);
  });

  it('a Slack escalation DM is recorded and edited with only the buttons its recipient may use', async () => {
    const { body } = await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'Core switch down', priority: 'P1', assigneeId: 'alice' });
    const key = String(body.key);
    expect((await api(esc.baseUrl, 'POST', `/api/tickets/${key}/escalate`)).status).to.equal(200);
    const dm = await slack.waitFor(() => slack.callsOf('chat.postMessage').find((c) => c.params.channel === 'DU0ALICE' && String(c.params.text).includes(key)));
    expect(JSON.stringify(dm.params.blocks)).to.include('esc_ack');
    const before = slack.callsOf('chat.update').length;
    expect((await api(esc.baseUrl, 'POST', `/api/tickets/${key}/acknowledge`)).status).to.equal(200);
    // The DM may be edited more than once (a step fired, then the acknowledgement): wait for the edit after the acknowledgement.
    const update = await slack.waitFor(() => slack.callsOf('chat.update').slice(before).find((c) => c.params.channel === 'DU0ALICE' && JSON.stringify(c.params.blocks).includes('Acknowledged by')), 10_000);
    const blocks = JSON.stringify(update.params.blocks);
    expect(blocks).to.include('Acknowledged by');
    // Alice (a technician) may resolve, not escalate or elevate (seed 000): a channel post offers those.
    expect(blocks).to.include('esc_resolve').and.include('esc_history');
    expect(blocks).to.not.include('esc_ack').and.not.include('esc_escalate').and.not.include('esc_elevate');
  });
});
