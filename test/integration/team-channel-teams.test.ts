import { expect } from 'chai';
import { createTeamsFrontEnd } from '../../src/adapters/teams/create-teams.js';
import type { TeamsFrontEnd } from '../../src/adapters/teams/create-teams.js';
import { loadTeamsConfig } from '../../src/config/teams-env.js';
import { FakeCredentialsFactory, signToken } from '../far-side/fake-teams-auth.js';
import { FakeTeamsConnector } from '../far-side/fake-teams-connector.js';
import { demoWith } from '../fixtures/demo-variants.js';
import { api, MemoryLogger, startTestEsc, TestClock } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import { AAD, APP_ID, activity, botMessages, TENANT } from './teams-setup.js';

const CHANNEL = '19:servicedesk@thread.tacv2';

/**
 * Issue 14: a ticket opened by any path is posted in its team's Teams channel (`teams[].channel:
 * { teams: 19:… }`) through the Bot Framework connector (a local one plays Microsoft), using the
 * conversation reference stored when Esc was added to the channel; the post is recorded and
 * edited in place when the ticket changes. A channel Esc was never added to is a permanent
 * failure with a reason, not a retry loop.
 */
describe("team channel on Teams: a ticket's post, over the Bot Framework, kept up to date", () => {
  let esc: TestEsc;
  let fake: FakeTeamsConnector;
  let teams: TeamsFrontEnd;
  before(async () => {
    fake = new FakeTeamsConnector();
    await fake.start();
    const config = loadTeamsConfig({ TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 'not-used-in-tests', TEAMS_TENANT_ID: TENANT, TEAMS_APP_TYPE: 'SingleTenant', TEAMS_OPENID_METADATA_URL: fake.openIdUrl })!;
    const clock = new TestClock();
    teams = createTeamsFrontEnd({ config, log: new MemoryLogger(), clock, credentialsFactory: new FakeCredentialsFactory(APP_ID) });
    const org = demoWith((d) => {
      d.teams[0]!.channel = { teams: CHANNEL };
      d.teams[1]!.channel = { teams: '19:never-added@thread.tacv2' };
    });
    esc = await startTestEsc({ clock, org, notifiers: [teams.notifier], messageUpdaters: [teams.updater], mounts: (deps) => teams.mounts(deps) });
    await teams.bind(esc.conn);
  });
  after(async () => {
    await esc?.stop();
    await fake?.stop();
  });

  /** POSTs a signed activity to /api/messages, as the Bot Framework does. */
  const post = async (a: Record<string, unknown>) => {
    const res = await fetch(`${esc.baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${signToken(fake.key, { aud: APP_ID, serviceurl: fake.serviceUrl })}` }, body: JSON.stringify(a) });
    await res.text();
    return res.status;
  };

  it('posts an alert ticket in the channel Esc was added to, records it, and edits it on acknowledge', async () => {
    // Someone adds Esc to the service desk's channel: Teams tells the bot (conversationUpdate).
    expect(await post(activity(fake, { aad: AAD.erin, type: 'conversationUpdate', conversationType: 'channel', conversationId: `${CHANNEL};messageid=1700000000000`, extra: { membersAdded: [{ id: `28:${APP_ID}` }] } }))).to.be.within(200, 202);
    const before = fake.activities(CHANNEL).length;
    const r = await api(esc.baseUrl, 'POST', '/api/alerts', { dedupKey: 'ups-1', title: 'UPS on battery in data centre', priority: 'P1', source: 'prtg' });
    expect(r.status).to.equal(201);
    const t = r.body.ticket as { id: string; number: number };
    await esc.settle();
    const posted = fake.activities(CHANNEL).slice(before).filter((c) => c.method === 'POST');
    expect(posted).to.have.length(1);
    const msg = botMessages(fake, CHANNEL, before)[0]!;
    expect(msg.text).to.match(new RegExp(`^New P1 ticket for Service Desk: ESC-${t.number} UPS on battery in data centre`));
    expect(JSON.stringify(msg.cards[0])).to.include('opened from a monitoring alert');
    // Recorded as the ticket's channel post, so it follows the ticket.
    const recorded = await esc.deps.ticketMessages!.forTicket(t.id);
    expect(recorded.map((m) => [m.kind, m.where.platform === 'teams' ? m.where.conversationId : null])).to.deep.include(['channel_post', CHANNEL]);
    const ack = await api(esc.baseUrl, 'POST', `/api/tickets/${t.number}/acknowledge`, {});
    expect(ack.status).to.equal(200);
    await esc.settle();
    const edits = fake.activities(CHANNEL).filter((c) => c.method === 'PUT');
    expect(edits.length).to.be.greaterThan(0);
    expect(JSON.stringify(edits.at(-1)!.body)).to.match(/[Aa]cknowledged/);
    // Another alert of the same key adds to the ticket: no second post.
    await api(esc.baseUrl, 'POST', '/api/alerts', { dedupKey: 'ups-1', title: 'UPS on battery in data centre', priority: 'P1' });
    await esc.settle();
    expect(fake.activities(CHANNEL).slice(before).filter((c) => c.method === 'POST')).to.have.length(1);
  });

  it('a team whose Teams channel never added Esc: the post fails for good, with the reason on the ticket', async () => {
    const r = await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'Storage array degraded', priority: 'P3', teamId: 'infrastructure' });
    expect(r.status).to.equal(201);
    await esc.settle();
    expect(fake.activities('19:never-added@thread.tacv2')).to.have.length(0);
    const tl = await esc.deps.timeline.forTicket(String(r.body.id));
    const failed = tl.filter((e) => e.type === 'delivery.failed');
    expect(failed.length, JSON.stringify(tl.map((e) => e.type))).to.equal(1);
    expect(JSON.stringify(failed[0]!.data)).to.include('TEAMS_NO_CONVERSATION');
  });
});
