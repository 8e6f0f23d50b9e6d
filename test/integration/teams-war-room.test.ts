import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import mongoose from 'mongoose';
import type { Connection } from 'mongoose';
import { GraphClient } from '../../src/adapters/teams/graph-client.js';
import { BotFrameworkWarRoomPoster, GraphWarRoom, teamsRoomName } from '../../src/adapters/teams/graph-war-room.js';
import { MongoWarRoomFiles, WAR_ROOM_FILES_PATH } from '../../src/adapters/teams/major-files.js';
import { MongoConversationRefRepository } from '../../src/adapters/teams/mongo-conversation-refs.js';
import { createTeamsAdapter } from '../../src/adapters/teams/teams-adapter.js';
import { WarRoomError, warRoomName } from '../../src/app/ports/war-room.js';
import type { WarRoomRef } from '../../src/app/ports/war-room.js';
import { Secret } from '../../src/config/env.js';
import { loadTeamsConfig } from '../../src/config/teams-env.js';
import type { Person } from '../../src/domain/directory.js';
import { FakeGraph } from '../far-side/fake-graph.js';
import { FakeCredentialsFactory } from '../far-side/fake-teams-auth.js';
import { FakeTeamsConnector } from '../far-side/fake-teams-connector.js';
import { freshDbUri, MemoryLogger, TestClock } from '../support/harness.js';
import { APP_ID, TENANT } from './teams-setup.js';

const TEAM = 'aaaaaaaa-1111-2222-3333-444444444444';
const CATALOG = 'cccccccc-1111-2222-3333-444444444444';
const SECRET = 'graph-client-secret';
const person = (id: string, teamsId?: string): Person => ({ id, name: `${id[0]!.toUpperCase()}${id.slice(1)}`, email: `${id}@demo.example.edu`, timeZone: 'UTC', roles: ['technician'], contacts: [], ...(teamsId ? { teamsId } : {}) });
const erin = person('erin', '00000000-0000-0000-0000-00000000e714');
const alice = person('alice', '00000000-0000-0000-0000-00000000a11c');
const henry = person('henry', '00000000-0000-0000-0000-0000000000e1');
const ghost = person('ghost', '00000000-0000-0000-0000-00000000dead'); // has a Teams id, unknown to the tenant
const carol = person('carol'); // no Teams id at all

/** Throws if `p` resolves; returns the WarRoomError it rejected with. */
async function refusal(p: Promise<unknown>): Promise<WarRoomError> {
  try {
    await p;
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(WarRoomError);
    return e as WarRoomError;
  }
  throw new Error('expected a WarRoomError');
}

describe('Teams war rooms through Microsoft Graph (local Graph and Bot connector)', () => {
  const graph = new FakeGraph(TENANT, APP_ID, SECRET);
  const connector = new FakeTeamsConnector();
  const clock = new TestClock();
  const log = new MemoryLogger();
  let conn: Connection;
  let files: MongoWarRoomFiles;
  let fileServer: Server;
  let publicUrl = '';

  const make = (opts: { teamId: string | null; appCatalogId?: string | null; secret?: string; baseUrl?: string }) => {
    const config = loadTeamsConfig({ TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: SECRET, TEAMS_TENANT_ID: TENANT, TEAMS_APP_TYPE: 'SingleTenant', ...(opts.teamId ? { TEAMS_WAR_ROOM_TEAM_ID: opts.teamId } : { TEAMS_APP_CATALOG_ID: CATALOG }), GRAPH_BASE_URL: opts.baseUrl ?? graph.baseUrl, GRAPH_AUTHORITY_HOST: graph.authorityHost })!;
    const refs = new MongoConversationRefRepository(conn);
    const adapter = createTeamsAdapter(config, new FakeCredentialsFactory(APP_ID));
    return new GraphWarRoom({
      graph: new GraphClient({ baseUrl: config.warRoom!.graphBaseUrl, authorityHost: config.warRoom!.authorityHost, tenantId: TENANT, clientId: APP_ID, clientSecret: new Secret(opts.secret ?? SECRET) }),
      poster: new BotFrameworkWarRoomPoster({ adapter, appId: APP_ID, tenantId: TENANT, refs: () => refs }),
      teamId: config.warRoom!.teamId,
      appCatalogId: opts.appCatalogId === undefined ? config.warRoom!.appCatalogId : opts.appCatalogId,
      files: () => files,
      log,
    });
  };

  before(async () => {
    await graph.start();
    await connector.start();
    for (const p of [erin, alice, henry]) graph.users.add(p.teamsId!);
    graph.addTeam(TEAM, [erin.teamsId!]);
    conn = await mongoose.createConnection(freshDbUri()).asPromise();
    // Someone in the tenant installed Esc: that conversation tells the bot its service URL.
    await new MongoConversationRefRepository(conn).save({ platform: 'teams', personId: 'erin', conversationId: 'a:dm-erin', scope: 'personal', tenantId: TENANT, serviceUrl: connector.serviceUrl, reference: { conversation: { id: 'a:dm-erin' } }, updatedAt: clock.now() });
    const app = express();
    fileServer = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    publicUrl = `http://127.0.0.1:${(fileServer.address() as AddressInfo).port}`;
    files = new MongoWarRoomFiles(conn, { publicUrl, ttlMs: 72 * 3_600_000, clock });
    await files.ensureIndexes();
    app.use(WAR_ROOM_FILES_PATH, files.router());
  });
  after(async () => {
    await graph.stop();
    await connector.stop();
    await new Promise((r) => fileServer?.close(r));
    await conn?.close();
  });

  describe('with TEAMS_WAR_ROOM_TEAM_ID: a channel in that team', () => {
    const name = warRoomName('ESC-1042', 'Exam portal down for the whole School of Engineering and Science');
    let room: WarRoomRef;

    it('creates a standard channel named after the ticket, adds the people to the team, and reports who it could not add', async () => {
      const wr = make({ teamId: TEAM });
      room = await wr.open({ name, topic: 'P1 ESC-1042: Exam portal down', members: [erin, alice, carol, ghost] });
      expect(room).to.include({ platform: 'teams', teamId: TEAM, name: teamsRoomName(name) });
      expect(room.name.length).to.be.at.most(50);
      expect(room.id).to.match(/^19:.+@thread\.tacv2$/);
      expect(room.url).to.match(/^https:\/\/teams\.microsoft\.com\/l\/channel\//);
      const token = graph.calls.find((c) => c.path.endsWith('/oauth2/v2.0/token'))!;
      expect(token.body).to.include({ grant_type: 'client_credentials', client_id: APP_ID, client_secret: SECRET, scope: 'https://graph.microsoft.com/.default' });
      const create = graph.graphCalls('POST', /\/teams\/[^/]+\/channels$/)[0]!;
      expect(create.auth).to.match(/^Bearer graph-/);
      expect(create.body).to.include({ displayName: room.name, membershipType: 'standard', description: 'P1 ESC-1042: Exam portal down' });
      const added = graph.graphCalls('POST', /\/teams\/[^/]+\/members$/).map((c) => c.body['user@odata.bind']);
      expect(added).to.deep.equal([`${graph.baseUrl}/users('${erin.teamsId}')`, `${graph.baseUrl}/users('${alice.teamsId}')`, `${graph.baseUrl}/users('${ghost.teamsId}')`]);
      expect([...graph.teams.get(TEAM)!.members]).to.have.members([erin.teamsId, alice.teamsId]);

      const { unreachable } = await wr.invite(room, [henry, ghost, carol]);
      expect(unreachable.map((p) => p.id)).to.deep.equal(['ghost', 'carol']);
      expect(graph.teams.get(TEAM)!.members.has(henry.teamsId!)).to.equal(true);
      expect(graph.tokensIssued, 'the token is cached').to.equal(1);
    });

    it('reuses the channel when one with that name exists (open is idempotent)', async () => {
      const wr = make({ teamId: TEAM });
      const before = graph.teams.get(TEAM)!.channels.length;
      const again = await wr.open({ name, topic: 'again', members: [erin] });
      expect(again.id).to.equal(room.id);
      expect(graph.teams.get(TEAM)!.channels.length).to.equal(before);
      const lookup = graph.graphCalls('GET', /\/channels$/).at(-1)!;
      expect(lookup.query.$filter).to.equal(`displayName eq '${room.name}'`);
    });

    it('posts through the bot as a new thread in the channel; the summary says it is the summary (channels have no pin API)', async () => {
      const wr = make({ teamId: TEAM });
      const before = connector.calls.length;
      await wr.post(room, { text: 'Major escalation ESC-1042\n\nExam portal down. Escalation manager: Erin Park.', pin: true });
      const call = connector.calls.slice(before).find((c) => c.method === 'POST' && c.path === '/teams/v3/conversations')!;
      expect(call, 'createConversation into the channel').to.not.equal(undefined);
      expect(call.auth).to.equal(`Bearer ${FakeCredentialsFactory.TOKEN}`);
      const body = call.body as { isGroup: boolean; channelData: { channel: { id: string } }; activity: { attachments: { content: unknown }[] } };
      expect(body.isGroup).to.equal(true);
      expect(body.channelData.channel.id).to.equal(room.id);
      const card = JSON.stringify(body.activity.attachments[0]!.content);
      expect(card).to.include('"Summary"').and.to.include('Exam portal down. Escalation manager: Erin Park.');
      expect(graph.graphCalls('POST', /pinnedMessages/)).to.have.length(0);
    });

    it('posts a file as a short-lived unguessable link served by Esc', async () => {
      const wr = make({ teamId: TEAM });
      const pdf = Buffer.from('%PDF-1.7\nfake after-action report\n%%EOF');
      const before = connector.calls.length;
      await wr.post(room, { text: 'After-action report for ESC-1042', file: { name: 'ESC-1042-after-action.pdf', contentType: 'application/pdf', data: pdf, title: 'After-action report' } });
      const card = JSON.stringify(connector.calls.slice(before)[0]!.body);
      const url = new RegExp(`${publicUrl}${WAR_ROOM_FILES_PATH}/[A-Za-z0-9_-]{43}/ESC-1042-after-action\\.pdf`).exec(card)?.[0];
      expect(url, card).to.be.a('string');
      const res = await fetch(url!);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.equal('application/pdf');
      expect(res.headers.get('cache-control')).to.equal('private, no-store');
      expect(Buffer.from(await res.arrayBuffer()).equals(pdf)).to.equal(true);
      expect((await fetch(url!.replace(/\/[A-Za-z0-9_-]{43}\//, `/${'A'.repeat(43)}/`))).status).to.equal(404);
      clock.advanceMinutes(72 * 60 + 1);
      expect((await fetch(url!)).status, 'expired').to.equal(404);
    });

    it('finds a room\'s name by its conversation id (commands typed inside a war room)', async () => {
      expect(await make({ teamId: TEAM }).roomName(room.id)).to.equal(room.name);
      expect(await make({ teamId: TEAM }).roomName('19:nope@thread.tacv2')).to.equal(null);
    });

    it('archives the channel; where archiving is refused, renames it closed-…', async () => {
      const wr = make({ teamId: TEAM });
      await wr.archive(room);
      expect(graph.teams.get(TEAM)!.channels.find((c) => c.id === room.id)!.isArchived).to.equal(true);
      expect(graph.graphCalls('POST', /\/archive$/).at(-1)!.body).to.deep.equal({ shouldSetSpoSiteReadOnlyForMembers: true });

      const other = await wr.open({ name: 'war-esc-7-printer-fire', topic: 't', members: [] });
      graph.archiveSupported = false;
      try {
        await wr.archive(other);
      } finally {
        graph.archiveSupported = true;
      }
      expect(graph.teams.get(TEAM)!.channels.find((c) => c.id === other.id)!.displayName).to.equal('closed-war-esc-7-printer-fire');
    });
  });

  describe('without a team: a group chat with Esc installed', () => {
    const name = warRoomName('ESC-2001', 'VPN outage');
    let room: WarRoomRef;

    it('creates the group chat with the people who have a Teams id and installs the bot from the app catalog', async () => {
      const wr = make({ teamId: null });
      room = await wr.open({ name, topic: 'P2 ESC-2001: VPN outage', members: [erin, alice, carol] });
      expect(room).to.include({ platform: 'teams', teamId: null, name });
      expect(room.id).to.match(/@thread\.v2$/);
      const create = graph.graphCalls('POST', /^\/v1\.0\/chats$/).at(-1)!;
      expect(create.body).to.include({ chatType: 'group', topic: name });
      expect((create.body.members as Record<string, unknown>[]).map((m) => m['user@odata.bind'])).to.deep.equal([`${graph.baseUrl}/users('${erin.teamsId}')`, `${graph.baseUrl}/users('${alice.teamsId}')`]);
      expect(graph.chats.get(room.id)!.installedApps).to.deep.equal([CATALOG]);
      const { unreachable } = await wr.invite(room, [henry, ghost, carol]);
      expect(unreachable.map((p) => p.id)).to.deep.equal(['ghost', 'carol']);
      expect(graph.chats.get(room.id)!.members).to.include(henry.teamsId);
    });

    it('reuses the chat with that topic instead of creating a second one', async () => {
      const wr = make({ teamId: null });
      const creates = graph.graphCalls('POST', /^\/v1\.0\/chats$/).length;
      const again = await wr.open({ name, topic: 'x', members: [erin, alice] });
      expect(again.id).to.equal(room.id);
      expect(graph.graphCalls('POST', /^\/v1\.0\/chats$/).length).to.equal(creates);
      expect(graph.graphCalls('GET', /\/users\/[^/]+\/chats$/).at(-1)!.query.$filter).to.equal(`topic eq '${name}'`);
    });

    it('posts in the chat through the bot and pins the summary through Graph', async () => {
      const wr = make({ teamId: null });
      const before = connector.calls.length;
      await wr.post(room, { text: 'Major escalation ESC-2001\n\nVPN down for all remote staff.', pin: true });
      const sent = connector.calls.slice(before).find((c) => c.conversationId === room.id && c.path.includes('/activities'))!;
      expect(sent, JSON.stringify(connector.calls.slice(before).map((c) => [c.method, c.path, c.conversationId]))).to.not.equal(undefined);
      expect(graph.chats.get(room.id)!.pinned).to.have.length(1);
      const pin = graph.graphCalls('POST', /pinnedMessages$/).at(-1)!;
      expect(String(pin.body['message@odata.bind'])).to.match(new RegExp(`/chats/${room.id.replace(/[.]/g, '\\.')}/messages/act-\\d+$`));
    });

    it('archives by renaming the chat "[closed] …"', async () => {
      await make({ teamId: null }).archive(room);
      expect(graph.chats.get(room.id)!.topic).to.equal(`[closed] ${name}`);
    });

    it('refuses a chat for fewer than two reachable people, and needs the app catalog id', async () => {
      const few = await refusal(make({ teamId: null }).open({ name: 'war-x', topic: 't', members: [erin, carol] }));
      expect(few).to.include({ retryable: false, code: 'WAR_ROOM_TOO_FEW_PEOPLE' });
      expect(few.message).to.match(/at least two people with a Teams id/);
      const noApp = await refusal(make({ teamId: null, appCatalogId: null }).open({ name: 'war-x', topic: 't', members: [erin, alice] }));
      expect(noApp).to.include({ retryable: false, code: 'WAR_ROOM_NOT_CONFIGURED' });
    });
  });

  describe('errors become WarRoomError: retryable for 429, 5xx and the network', () => {
    it('maps Graph throttling, outages, refusals, a wrong secret and an unreachable Graph', async () => {
      const wr = make({ teamId: TEAM });
      graph.failNext({ status: 429, headers: { 'retry-after': '3' }, match: /channels$/ });
      expect(await refusal(wr.open({ name: 'war-esc-9-a', topic: 't', members: [] }))).to.include({ retryable: true, code: 'GRAPH_HTTP_429' });
      graph.failNext({ status: 503, match: /channels$/ });
      expect(await refusal(wr.open({ name: 'war-esc-9-a', topic: 't', members: [] }))).to.include({ retryable: true, code: 'GRAPH_HTTP_503' });
      graph.failNext({ status: 403, match: /channels$/ });
      const forbidden = await refusal(wr.open({ name: 'war-esc-9-a', topic: 't', members: [] }));
      expect(forbidden).to.include({ retryable: false, code: 'GRAPH_HTTP_403' });
      expect(forbidden.message).to.match(/Graph application permissions/);
      // A member call failing with 5xx is not "unreachable": the whole invite is worth a retry.
      graph.failNext({ status: 502, match: /members$/ });
      expect(await refusal(wr.invite({ platform: 'teams', id: 'x', name: 'x', teamId: TEAM }, [alice]))).to.include({ retryable: true, code: 'GRAPH_HTTP_502' });

      const wrongSecret = await refusal(make({ teamId: TEAM, secret: 'wrong' }).open({ name: 'war-esc-9-b', topic: 't', members: [] }));
      expect(wrongSecret).to.include({ retryable: false, code: 'GRAPH_HTTP_401' });
      expect(wrongSecret.message).to.match(/AADSTS7000215/);
      const down = await refusal(make({ teamId: TEAM, baseUrl: 'http://127.0.0.1:9/v1.0' }).open({ name: 'war-esc-9-c', topic: 't', members: [] }));
      expect(down).to.include({ retryable: true, code: 'GRAPH_NETWORK' });
    });

    it('maps Bot connector failures when posting', async () => {
      const wr = make({ teamId: null });
      const room: WarRoomRef = { platform: 'teams', id: '19:abc@thread.v2', name: 'war-x', teamId: null };
      connector.failNext({ status: 403 });
      const forbidden = await refusal(wr.post(room, { text: 'hello' }));
      expect(forbidden).to.include({ retryable: false, code: 'TEAMS_HTTP_403' });
      expect(forbidden.message).to.match(/installed/);
      connector.failNext({ status: 412 });
      expect(await refusal(wr.post(room, { text: 'hello' }))).to.include({ retryable: true, code: 'TEAMS_HTTP_412' });
      // A pin that fails after the message went out is logged, not thrown (a retry would post twice).
      graph.failNext({ status: 500, match: /pinnedMessages$/ });
      await wr.post(room, { text: 'summary', pin: true });
      expect(log.lines.some((l) => l.msg === 'teams: could not pin the war-room summary')).to.equal(true);
    });
  });

  describe('configuration', () => {
    it('reads the war-room variables, with defaults, and reports every problem by name', () => {
      const c = loadTeamsConfig({ TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 'x', TEAMS_TENANT_ID: TENANT, TEAMS_WAR_ROOM_TEAM_ID: TEAM })!;
      expect(c.warRoom).to.deep.equal({ graphBaseUrl: 'https://graph.microsoft.com/v1.0', authorityHost: 'https://login.microsoftonline.com', teamId: TEAM, appCatalogId: null, fileLinkTtlHours: 72 });
      expect(loadTeamsConfig({ TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 'x', TEAMS_TENANT_ID: TENANT })!.warRoom).to.equal(null);
      expect(() => loadTeamsConfig({ TEAMS_APP_ID: APP_ID, TEAMS_APP_TYPE: 'UserAssignedMSI', TEAMS_WAR_ROOM_TEAM_ID: 'nope', TEAMS_APP_CATALOG_ID: 'x', GRAPH_BASE_URL: 'not a url', TEAMS_FILE_LINK_TTL_HOURS: '0' })).to.throw(
        /TEAMS_WAR_ROOM_TEAM_ID: must be[\s\S]*TEAMS_APP_CATALOG_ID: must be[\s\S]*TEAMS_FILE_LINK_TTL_HOURS: must be at least 1[\s\S]*GRAPH_BASE_URL: must be[\s\S]*TEAMS_TENANT_ID: required for war rooms[\s\S]*TEAMS_APP_PASSWORD: required for war rooms/,
      );
    });
  });
});
