/**
 * Issue 16: a confidential ticket's war room is private. Slack: a private channel
 * (conversations.create is_private) whose name and topic carry no title, declared over a
 * signed Slack command, with nothing about the ticket in public channels. Teams: a group chat
 * when Esc can be installed in one, else a private channel of the war-room team (local Graph).
 */
import { expect } from 'chai';
import mongoose from 'mongoose';
import type { Connection } from 'mongoose';
import { createSlackAdapter, createSlackChatNotifier } from '../../src/adapters/slack/slack-app.js';
import { createSlackMessageUpdater } from '../../src/adapters/slack/slack-message-updater.js';
import { createSlackWarRoom } from '../../src/adapters/slack/slack-war-room.js';
import { TICKET_MODAL } from '../../src/adapters/slack/views.js';
import { createTeamsFrontEnd } from '../../src/adapters/teams/create-teams.js';
import type { TeamsFrontEnd } from '../../src/adapters/teams/create-teams.js';
import { GraphClient } from '../../src/adapters/teams/graph-client.js';
import { BotFrameworkWarRoomPoster, GraphWarRoom, teamsRoomName } from '../../src/adapters/teams/graph-war-room.js';
import { MongoConversationRefRepository } from '../../src/adapters/teams/mongo-conversation-refs.js';
import { createTeamsAdapter } from '../../src/adapters/teams/teams-adapter.js';
import { WarRoomError, warRoomName } from '../../src/app/ports/war-room.js';
import { Secret } from '../../src/config/env.js';
import { loadSlackConfig } from '../../src/config/slack-env.js';
import { loadTeamsConfig } from '../../src/config/teams-env.js';
import type { Person } from '../../src/domain/directory.js';
import { FakeGraph } from '../far-side/fake-graph.js';
import { FakeSlack } from '../far-side/fake-slack.js';
import { FakeCredentialsFactory, signToken } from '../far-side/fake-teams-auth.js';
import { FakeTeamsConnector } from '../far-side/fake-teams-connector.js';
import { TEST_SIGNING_SECRET, commandBody, postSlack, viewSubmission } from '../far-side/slack-requests.js';
import { MemoryLogger, TestClock, api, demoOrg, freshDbUri, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import { PEOPLE_TOKENS, tok } from '../support/people-tokens.js';
import { APP_ID, TENANT, activity, botMessages } from './teams-setup.js';

const TITLE = 'Dean Okafor mailbox compromised';

describe('Confidential tickets: a private war room (issue 16)', function () {
  this.timeout(60_000);

  describe('Slack, over a signed /esc major', () => {
    let esc: TestEsc;
    let fake: FakeSlack;
    let teamsFake: FakeTeamsConnector;
    let teams: TeamsFrontEnd;
    let n = 0;
    const clock = new TestClock();
    const org = demoOrg();
    const channel = () => org.teams[0]!.channel!;
    before(async () => {
      fake = new FakeSlack('xoxb-test-token', {});
      const apiUrl = await fake.start();
      const config = loadSlackConfig({ SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: apiUrl })!;
      const channel = fake.seedChannel('service-desk', { botMember: true }).id;
      teamsFake = new FakeTeamsConnector();
      await teamsFake.start();
      const teamsCfg = loadTeamsConfig({ TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 'not-used-in-tests', TEAMS_TENANT_ID: TENANT, TEAMS_APP_TYPE: 'SingleTenant', TEAMS_OPENID_METADATA_URL: teamsFake.openIdUrl })!;
      teams = createTeamsFrontEnd({ config: teamsCfg, log: new MemoryLogger(), clock, credentialsFactory: new FakeCredentialsFactory(APP_ID) });
      for (const p of org.people) p.teamsId ??= `00000000-0000-0000-0000-${p.id.padStart(12, '0').slice(-12)}`;
      org.teams[0]!.channel = channel;
      esc = await startTestEsc({
        clock,
        env: { ESC_API_TOKENS: PEOPLE_TOKENS },
        org,
        notifiers: [createSlackChatNotifier(new MemoryLogger(), config, undefined, () => esc?.deps.ticketMessages ?? null)],
        messageUpdaters: [createSlackMessageUpdater(new MemoryLogger(), config)],
        mounts: (deps) => [...createSlackAdapter(deps, config).mounts, ...teams.mounts(deps)],
        warRoom: ({ log }) => createSlackWarRoom(log, config),
      });
      await teams.bind(esc.conn);
    });
    after(async () => {
      await esc?.stop();
      await fake?.stop();
      await teamsFake?.stop();
    });

    const teamsInvoke = async (who: string, verb: string, data: Record<string, unknown>) => {
      const aad = org.people.find((p) => p.id === who)!.teamsId!;
      const header = `Bearer ${signToken(teamsFake.key, { aud: APP_ID, serviceurl: teamsFake.serviceUrl })}`;
      const body = activity(teamsFake, { aad, type: 'invoke', name_: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data } } });
      const res = await fetch(`${esc.baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: header }, body: JSON.stringify(body) });
      const text = await res.text();
      expect(res.status, text).to.be.lessThan(500);
      return JSON.stringify(text ? JSON.parse(text) : {});
    };
    const teamsSays = async (who: string, text: string) => {
      const aad = org.people.find((p) => p.id === who)!.teamsId!;
      const conv = `a:dm-${aad}`;
      const from = teamsFake.activities(conv).length;
      const header = `Bearer ${signToken(teamsFake.key, { aud: APP_ID, serviceurl: teamsFake.serviceUrl })}`;
      await fetch(`${esc.baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: header }, body: JSON.stringify(activity(teamsFake, { aad, text, conversationId: conv })) });
      return botMessages(teamsFake, conv, from)[0] ?? { text: '', cards: [] };
    };
    const newest = async () => (await esc.deps.tickets.list({}, 1))[0]!;
    const form = (title: string, confidential: boolean) => ({
      title: { v: { type: 'plain_text_input', value: title } },
      description: { v: { type: 'plain_text_input', value: '' } },
      priority: { v: { type: 'static_select', selected_option: { value: 'P2' } } },
      impact: { v: { type: 'static_select', selected_option: { value: 'medium' } } },
      team: { v: { type: 'static_select', selected_option: { value: 'service-desk' } } },
      confidential: { v: { type: 'checkboxes', selected_options: confidential ? [{ value: 'yes' }] : [] } },
    });

    it('Slack: `ticket confidential <title>` opens the form with Confidential ticked; a lead submits it: confidential, the channel post says only the key', async () => {
      const before = fake.callsOf('views.open').length;
      await postSlack(esc.baseUrl, commandBody({ text: 'ticket confidential HR case for Dean', userId: 'U0CAROL', responseUrl: `${fake.url}/response/o${++n}`, channelId: channel() }));
      await fake.waitFor(() => fake.callsOf('views.open').length > before);
      const view = fake.callsOf('views.open')[before]!.params.view as { private_metadata: string; blocks: { block_id: string; element: { initial_value?: string; initial_options?: { value: string }[]; options?: unknown[] } }[] };
      expect(view.blocks.find((b) => b.block_id === 'title')!.element.initial_value).to.equal('HR case for Dean');
      expect(view.blocks.find((b) => b.block_id === 'confidential')!.element.initial_options).to.deep.equal([{ text: { type: 'plain_text', text: 'Confidential' }, description: { type: 'plain_text', text: 'Only the requester, the team, coordinators, escalation managers and admins see it (leads and managers may set this).' }, value: 'yes' }]);
      const posts = fake.callsOf('chat.postMessage').length;
      const r = await postSlack(esc.baseUrl, viewSubmission({ userId: 'U0CAROL', callbackId: TICKET_MODAL, viewId: 'VCONF1', values: form('HR case for Dean', true), privateMetadata: view.private_metadata }));
      expect(r.status).to.equal(200);
      await fake.waitFor(() => fake.callsOf('chat.postMessage').slice(posts).some((c) => c.params.channel === channel() && String(c.params.text).includes('opened')));
      const t = await newest();
      expect(t).to.include({ title: 'HR case for Dean', confidential: true, requesterId: 'carol' });
      const opened = (await esc.deps.timeline.forTicket(t.id)).find((e) => e.type === 'ticket.opened')!;
      expect(opened.data.confidential).to.equal(true);
      for (const c of fake.callsOf('chat.postMessage').slice(posts).filter((x) => x.params.channel === channel())) {
        expect(`${String(c.params.text)} ${JSON.stringify(c.params.blocks)}`).to.not.include('Dean');
      }
    });

    it('Slack: a technician who ticks Confidential is told why and nothing is opened; unticked, the ticket opens as usual', async () => {
      const count = (await esc.deps.tickets.list({}, 500)).length;
      const dms = fake.callsOf('chat.postMessage').length;
      await postSlack(esc.baseUrl, viewSubmission({ userId: 'U0ALICE', callbackId: TICKET_MODAL, viewId: 'VCONF2', values: form('Salary spreadsheet shared', true), privateMetadata: JSON.stringify({ c: channel() }) }));
      const dm = await fake.waitFor(() => fake.callsOf('chat.postMessage').slice(dms).find((c) => c.params.channel === 'U0ALICE'));
      expect(String(dm.params.text)).to.equal("Your ticket was not opened: You can't mark confidential: only team leads, managers, escalation managers or admins can.");
      expect((await esc.deps.tickets.list({}, 500)).length).to.equal(count);
      await postSlack(esc.baseUrl, viewSubmission({ userId: 'U0ALICE', callbackId: TICKET_MODAL, viewId: 'VCONF3', values: form('Printer jam', false), privateMetadata: JSON.stringify({ c: channel() }) }));
      await fake.waitFor(() => fake.callsOf('chat.postMessage').some((c) => String(c.params.text).includes('Printer jam')));
      expect((await newest()).confidential).to.equal(undefined);
    });

    it('Teams: `ticket confidential <title>` answers the form with the toggle on; submitted by a lead it opens confidential, by a technician it is refused', async () => {
      const r = await teamsSays('carol', 'ticket confidential Threat against a student');
      const card = r.cards[0] as { body: { id?: string; type: string; value?: string }[] };
      expect(card.body.find((b) => b.id === 'title')!.value).to.equal('Threat against a student');
      expect(card.body.find((b) => b.id === 'confidential')).to.include({ type: 'Input.Toggle', value: 'true', valueOn: 'true', valueOff: 'false' });
      const data = { title: 'Threat against a student', priority: 'P1', impact: 'high', teamId: 'service-desk', confidential: 'true' };
      const refused = await teamsInvoke('alice', 'ticket.create', data);
      expect(refused).to.include("You can't mark confidential");
      const done = await teamsInvoke('carol', 'ticket.create', data);
      const t = await newest();
      expect(t).to.include({ title: 'Threat against a student', confidential: true });
      expect(done).to.include(`ESC-${t.number}: confidential`).and.not.include('Threat');
    });

    it('API: `confidential: true` on POST /api/tickets for leads, 403 for a technician, and the ticket is then hidden from other teams', async () => {
      const refused = await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'Payroll leak', priority: 'P2', confidential: true }, tok('alice'));
      expect(refused.status).to.equal(403);
      expect(String(refused.body.message)).to.equal("You can't mark confidential: only team leads, managers, escalation managers or admins can.");
      const ok = await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'Payroll leak', priority: 'P2', teamId: 'service-desk', confidential: true }, tok('carol'));
      expect(ok.status).to.equal(201);
      expect(ok.body.confidential).to.equal(true);
      expect((await api(esc.baseUrl, 'GET', `/api/tickets/${String(ok.body.number)}`, undefined, tok('henry'))).status).to.equal(404);
      expect((await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'x', priority: 'P2', confidential: 'yes' }, tok('carol'))).status).to.equal(400);
    });

    async function slash(userId: string, text: string): Promise<string> {
      const id = `${userId}-${++n}`;
      const r = await postSlack(esc.baseUrl, commandBody({ text, userId, responseUrl: `${fake.url}/response/${id}`, channelId: 'C0HELPDESK' }));
      expect(r.status, r.text).to.equal(200);
      const body = r.text ? (JSON.parse(r.text) as Record<string, unknown>) : (await fake.waitFor(() => fake.responses.find((x) => x.path === `/response/${id}`))).body;
      return String(body.text ?? '');
    }

    it('declared major on a confidential ticket: a private channel named by key only, the summary inside, nothing in public channels', async () => {
      const opened = await api(esc.baseUrl, 'POST', '/api/tickets', { title: TITLE, priority: 'P1', teamId: 'service-desk', requesterId: 'judy', confidential: true }, tok('carol'));
      expect(opened.status, JSON.stringify(opened.body)).to.equal(201);
      const number = (opened.body as { number: number }).number;
      const key = `ESC-${number}`;
      await esc.settle();
      const said = await slash('U0ERIN', `major ${key} the Dean's mail is being read by someone else`);
      expect(said, said).to.match(/War room war-esc-\d+-confidential is open.*<#G/);
      const create = fake.callsOf('conversations.create').at(-1)!;
      expect(create.params).to.include({ name: `war-esc-${number}-confidential`, is_private: 'true' });
      const room = fake.channelNamed(`war-esc-${number}-confidential`)!;
      expect(room.isPrivate).to.equal(true);
      expect(room.topic).to.equal(`${key} (confidential)`);
      expect(room.members.has('U0ERIN')).to.equal(true);
      // Posts in the room are for its members: the summary (with the title) is pinned there.
      const summary = room.messages.find((m) => m.ts === room.pins[0])!;
      expect(summary.text).to.include(key).and.include(TITLE);
      const major = await esc.deps.majors.forTicket((opened.body as { id: string }).id);
      expect(major?.warRoom).to.deep.include({ platform: 'slack', id: room.id, private: true });
      await esc.settle();
      await new Promise((r) => setTimeout(r, 100));
      // Every message outside the private room and the people's DMs (public channels: the team's channel post) leaves the title out.
      const outside = fake.calls.filter((c) => (c.method === 'chat.postMessage' || c.method === 'chat.update') && c.params.channel !== room.id && !String(c.params.channel).startsWith('D'));
      expect(outside.filter((c) => c.params.channel === channel()).length, 'the team channel post exists').to.be.greaterThan(0);
      for (const c of outside) expect(`${String(c.params.text)} ${JSON.stringify(c.params.blocks ?? '')}`, `${String(c.params.channel)}: ${String(c.params.text)} ${JSON.stringify(c.params.blocks ?? '')}`).to.not.include('mailbox');

    });

    it('marked confidential after its war room opened: the lead is told the room is not private', async () => {
      const opened = await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'Registrar storage failing', priority: 'P1', teamId: 'service-desk', requesterId: 'judy' }, tok('carol'));
      const number = (opened.body as { number: number }).number;
      expect(await slash('U0ERIN', `major ESC-${number} registrar down`)).to.match(/<#C/);
      expect(await slash('U0CAROL', `confidential ESC-${number}`)).to.equal(`ESC-${number} is now confidential. Its war room war-esc-${number}-registrar-storage-failing was opened before and is not private: ask a workspace admin to make it private, or archive it.`);
    });

    it('a private room never reuses a public channel of the same name (SLACK_WAR_ROOM_PRIVATE unset)', async () => {
      const wr = createSlackWarRoom(new MemoryLogger(), loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: 'a'.repeat(32), SLACK_API_URL: `${fake.url}/api/` })!);
      fake.seedChannel('war-esc-77-confidential', { botMember: true });
      const room = await wr.open({ name: 'war-esc-77-confidential', topic: 'ESC-77 (confidential)', members: [], private: true });
      expect(room).to.include({ name: 'war-esc-77-confidential-2', private: true });
      expect(fake.channels.get(room.id)!.isPrivate).to.equal(true);
      const pub = await wr.open({ name: 'war-esc-78-printer', topic: 't', members: [] });
      expect(fake.channels.get(pub.id)!.isPrivate, 'other rooms stay public by default').to.equal(false);
      expect(pub.private).to.equal(undefined);
    });
  });

  describe('Teams, through the local Graph', () => {
    const TEAM = 'aaaaaaaa-1111-2222-3333-555555555555';
    const CATALOG = 'cccccccc-1111-2222-3333-444444444444';
    const SECRET = 'graph-client-secret';
    const graph = new FakeGraph(TENANT, APP_ID, SECRET);
    const connector = new FakeTeamsConnector();
    let conn: Connection;
    const person = (id: string, teamsId?: string): Person => ({ id, name: id, email: `${id}@demo.example.edu`, timeZone: 'UTC', roles: [], contacts: [], ...(teamsId ? { teamsId } : {}) });
    const erin = person('erin', '00000000-0000-0000-0000-00000000e714');
    const alice = person('alice', '00000000-0000-0000-0000-00000000a11c');
    const henry = person('henry', '00000000-0000-0000-0000-0000000000e1');
    const carol = person('carol');
    const make = (appCatalogId: string | null) => {
      const config = loadTeamsConfig({ TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: SECRET, TEAMS_TENANT_ID: TENANT, TEAMS_APP_TYPE: 'SingleTenant', TEAMS_WAR_ROOM_TEAM_ID: TEAM, GRAPH_BASE_URL: graph.baseUrl, GRAPH_AUTHORITY_HOST: graph.authorityHost })!;
      const refs = new MongoConversationRefRepository(conn);
      return new GraphWarRoom({
        graph: new GraphClient({ baseUrl: config.warRoom!.graphBaseUrl, authorityHost: config.warRoom!.authorityHost, tenantId: TENANT, clientId: APP_ID, clientSecret: new Secret(SECRET) }),
        poster: new BotFrameworkWarRoomPoster({ adapter: createTeamsAdapter(config, new FakeCredentialsFactory(APP_ID)), appId: APP_ID, tenantId: TENANT, refs: () => refs }),
        teamId: TEAM,
        appCatalogId,
        files: () => null,
        log: new MemoryLogger(),
      });
    };
    before(async () => {
      await graph.start();
      await connector.start();
      for (const p of [erin, alice, henry]) graph.users.add(p.teamsId!);
      graph.addTeam(TEAM, []);
      conn = await mongoose.createConnection(freshDbUri()).asPromise();
    });
    after(async () => {
      await graph.stop();
      await connector.stop();
      await conn?.close();
    });

    it('without an app catalog id: a private channel of the war-room team, its owner and members added to the team and then the channel', async () => {
      const wr = make(null);
      const name = warRoomName('ESC-1042', 'confidential');
      const room = await wr.open({ name, topic: 'ESC-1042 (confidential)', members: [erin, alice, carol], private: true });
      expect(room).to.include({ platform: 'teams', teamId: TEAM, name: teamsRoomName(name), private: true });
      const create = graph.graphCalls('POST', /\/teams\/[^/]+\/channels$/).at(-1)!;
      expect(create.body).to.include({ membershipType: 'private', displayName: room.name });
      const ch = graph.teams.get(TEAM)!.channels.find((c) => c.id === room.id)!;
      expect(ch.membershipType).to.equal('private');
      expect(ch.members).to.have.members([erin.teamsId, alice.teamsId]);
      expect((await wr.invite(room, [henry, carol])).unreachable.map((p) => p.id)).to.deep.equal(['carol']);
      expect(ch.members).to.include(henry.teamsId);
      // Open again (a crash, a repeat declaration): the same private channel.
      expect((await wr.open({ name, topic: 'again', members: [erin], private: true })).id).to.equal(room.id);
    });

    it('a standard channel of that name is never used for a confidential room', async () => {
      const wr = make(null);
      await wr.open({ name: 'war-esc-9-confidential', topic: 't', members: [erin] }); // someone made it public
      const e = await wr.open({ name: 'war-esc-9-confidential', topic: 't', members: [erin], private: true }).then(
        () => null,
        (x: unknown) => x,
      );
      expect(e).to.be.instanceOf(WarRoomError);
      expect((e as WarRoomError).code).to.equal('WAR_ROOM_NOT_PRIVATE');
    });

    it('with an app catalog id: a group chat (only its members see it), even when a war-room team is configured', async () => {
      const wr = make(CATALOG);
      const room = await wr.open({ name: 'war-esc-1043-confidential', topic: 'ESC-1043 (confidential)', members: [erin, alice], private: true });
      expect(room).to.include({ teamId: null, private: true });
      expect(room.id).to.match(/@thread\.v2$/);
      expect(graph.chats.get(room.id)!.members).to.have.members([erin.teamsId, alice.teamsId]);
      const before = graph.teams.get(TEAM)!.channels.length;
      await wr.open({ name: 'war-esc-1044-public', topic: 't', members: [erin] });
      expect(graph.teams.get(TEAM)!.channels.length, 'other rooms stay channels of the team').to.equal(before + 1);
    });
  });
});
