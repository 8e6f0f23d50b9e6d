/**
 * Issue 16: a person's home follows its content, not only when opened. The Slack App Home
 * (views.publish) and the Teams home card (edited in place in the personal chat) are published
 * again after a ticket is assigned to the person, a page reaches them or they acknowledge it;
 * once per burst of changes (debounce per person), and only for people who opened it before.
 */
import { expect } from 'chai';
import { createSlackAdapter, createSlackChatNotifier } from '../../src/adapters/slack/slack-app.js';
import { createSlackMessageUpdater } from '../../src/adapters/slack/slack-message-updater.js';
import { signSlackRequest } from '../../src/adapters/slack/signature.js';
import { createTeamsFrontEnd } from '../../src/adapters/teams/create-teams.js';
import type { TeamsFrontEnd } from '../../src/adapters/teams/create-teams.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import { loadSlackConfig } from '../../src/config/slack-env.js';
import { loadTeamsConfig } from '../../src/config/teams-env.js';
import { HOME_DEBOUNCE_MS } from '../../src/engine/home-refresh.js';
import { FakeSlack } from '../far-side/fake-slack.js';
import { FakeCredentialsFactory, signToken } from '../far-side/fake-teams-auth.js';
import { FakeTeamsConnector } from '../far-side/fake-teams-connector.js';
import { TEST_SIGNING_SECRET, commandBody, postSlack } from '../far-side/slack-requests.js';
import { MemoryLogger, TestClock, demoOrg, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import { APP_ID, TENANT, activity, botMessages } from './teams-setup.js';

describe('Homes follow their content (issue 16): Slack App Home and Teams home card', function () {
  this.timeout(60_000);
  let esc: TestEsc;
  let slack: FakeSlack;
  let teamsFake: FakeTeamsConnector;
  let teams: TeamsFrontEnd;
  let n = 0;
  const clock = new TestClock();
  const org = demoOrg();
  for (const p of org.people) p.teamsId ??= `00000000-0000-0000-0000-${p.id.padStart(12, '0').slice(-12)}`;
  const aad = (id: string) => org.people.find((p) => p.id === id)!.teamsId!;

  before(async () => {
    clock.set('2026-11-23T17:00:00Z'); // Monday 09:00 Pacific
    slack = new FakeSlack('xoxb-test-token');
    const apiUrl = await slack.start();
    const slackCfg = loadSlackConfig({ SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: apiUrl })!;
    teamsFake = new FakeTeamsConnector();
    await teamsFake.start();
    const teamsCfg = loadTeamsConfig({ TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 'not-used-in-tests', TEAMS_TENANT_ID: TENANT, TEAMS_APP_TYPE: 'SingleTenant', TEAMS_OPENID_METADATA_URL: teamsFake.openIdUrl })!;
    teams = createTeamsFrontEnd({ config: teamsCfg, log: new MemoryLogger(), clock, credentialsFactory: new FakeCredentialsFactory(APP_ID) });
    esc = await startTestEsc({
      clock,
      org,
      notifiers: [createSlackChatNotifier(new MemoryLogger(), slackCfg)],
      messageUpdaters: [createSlackMessageUpdater(new MemoryLogger(), slackCfg), teams.updater],
      mounts: (deps) => [...createSlackAdapter(deps, slackCfg).mounts, ...teams.mounts(deps)],
    });
    await teams.bind(esc.conn);
  });
  after(async () => {
    await esc?.stop();
    await slack?.stop();
    await teamsFake?.stop();
  });

  async function slackEvent(event: Record<string, unknown>): Promise<number> {
    const raw = JSON.stringify({ token: 'legacy', team_id: 'T0TEST', api_app_id: 'A0ESC', type: 'event_callback', event_time: Math.floor(Date.now() / 1000), event_id: `EvHR${++n}`, event });
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(`${esc.baseUrl}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signSlackRequest(TEST_SIGNING_SECRET, ts, raw) }, body: raw });
    await res.text();
    return res.status;
  }
  const publishes = (user: string) => slack.callsOf('views.publish').filter((c) => c.params.user_id === user);
  const homeText = (user: string) => JSON.stringify(publishes(user).at(-1)?.params.view ?? {});
  async function openHome(user: string) {
    const before = publishes(user).length;
    expect(await slackEvent({ type: 'app_home_opened', user, channel: `D0${user}`, tab: 'home', event_ts: `${Date.now() / 1000}` })).to.equal(200);
    await slack.waitFor(() => publishes(user).length > before);
  }
  /** Engine passes until idle, the debounce interval, passes again: every due home is published. */
  async function afterDebounce() {
    await esc.settle();
    clock.advance(HOME_DEBOUNCE_MS);
    await esc.settle();
    await new Promise((r) => setTimeout(r, 100));
  }
  const teamsPost = async (a: Record<string, unknown>) => {
    const header = `Bearer ${signToken(teamsFake.key, { aud: APP_ID, serviceurl: teamsFake.serviceUrl })}`;
    const res = await fetch(`${esc.baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: header }, body: JSON.stringify(a) });
    expect(res.status).to.be.lessThan(500);
    await res.text();
  };

  it('Slack: a ticket assigned to a technician who opened the App Home republishes it once, after the burst; someone who never opened it gets nothing', async () => {
    await openHome('U0ALICE');
    const bobBefore = publishes('U0BOB').length;
    expect(homeText('U0ALICE')).to.not.include('Lecture capture broken');
    const t = await openTicket(esc.deps, { title: 'Lecture capture broken in Hall C', priority: 'P2', requesterId: 'judy', teamId: 'service-desk', source: 'api' }, { personId: 'erin', via: 'api' });
    const before = publishes('U0ALICE').length;
    // A burst: assigned, a note, put on hold (three timeline events within the debounce interval).
    await postSlack(esc.baseUrl, commandBody({ text: `assign ESC-${t.number} @alice`.replace('@alice', '<@U0ALICE|alice>'), userId: 'U0CAROL', responseUrl: `${slack.url}/response/hr${++n}` }));
    await slack.waitFor(() => slack.responses.some((r) => r.path === `/response/hr${n}`));
    await esc.settle();
    expect(publishes('U0ALICE').length, 'not before the debounce interval').to.equal(before);
    await postSlack(esc.baseUrl, commandBody({ text: `hold ESC-${t.number} waiting for the AV vendor`, userId: 'U0ALICE', responseUrl: `${slack.url}/response/hr${++n}` }));
    await slack.waitFor(() => slack.responses.some((r) => r.path === `/response/hr${n}`));
    await afterDebounce();
    expect(publishes('U0ALICE').length, 'one publish for the burst').to.equal(before + 1);
    expect(homeText('U0ALICE')).to.include(`ESC-${t.number} P2 · Lecture capture broken in Hall C · pending · SLA paused (on hold)`);
    expect(publishes('U0BOB').length, 'bob (same team) never opened his home').to.equal(bobBefore);
    // Nothing changed since: no more publishes.
    await afterDebounce();
    expect(publishes('U0ALICE').length).to.equal(before + 1);
  });

  it('Slack: a page waiting shows up, and goes away when acknowledged', async () => {
    await openHome('U0HENRY');
    const t = await openTicket(esc.deps, { title: 'Core switch flapping', priority: 'P2', requesterId: 'judy', teamId: 'service-desk', source: 'api' }, { personId: 'erin', via: 'api' });
    await postSlack(esc.baseUrl, commandBody({ text: `page ESC-${t.number} <@U0HENRY|henry> the core switch is his`, userId: 'U0CAROL', responseUrl: `${slack.url}/response/hr${++n}` }));
    await slack.waitFor(() => slack.responses.some((r) => r.path === `/response/hr${n}`));
    await afterDebounce();
    expect(homeText('U0HENRY')).to.include(`ESC-${t.number} · Core switch flapping · paged by hand`);
    await postSlack(esc.baseUrl, commandBody({ text: `ack ESC-${t.number}`, userId: 'U0HENRY', responseUrl: `${slack.url}/response/hr${++n}` }));
    await slack.waitFor(() => slack.responses.some((r) => r.path === `/response/hr${n}`));
    await afterDebounce();
    expect(homeText('U0HENRY')).to.not.include('paged by hand');
  });

  it('Teams: the home card sent in the personal chat is edited in place when a ticket is assigned to the person', async () => {
    const conv = `a:dm-${aad('carol')}`;
    const from = teamsFake.activities(conv).length;
    await teamsPost(activity(teamsFake, { aad: aad('carol'), text: 'home', conversationId: conv }));
    const card = botMessages(teamsFake, conv, from)[0]!;
    expect(JSON.stringify(card.cards[0])).to.include('My open tickets');
    const sent = teamsFake.calls.filter((c) => c.conversationId === conv && c.method === 'POST').at(-1)!;
    expect(sent).to.not.equal(undefined);
    const t = await openTicket(esc.deps, { title: 'Projector lamp out in Room 12', priority: 'P3', requesterId: 'judy', assigneeId: 'carol', teamId: 'service-desk', source: 'api' }, { personId: 'erin', via: 'api' });
    await afterDebounce();
    const put = teamsFake.calls.filter((c) => c.method === 'PUT' && c.conversationId === conv).at(-1);
    expect(put, 'the home card is edited').to.not.equal(undefined);
    expect(JSON.stringify(put!.body)).to.include(`ESC-${t.number} P3 · Projector lamp out in Room 12`);
  });
});
