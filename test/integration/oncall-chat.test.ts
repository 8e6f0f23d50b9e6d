/**
 * Issue 15 over signed Slack requests and Teams activities: who is on call, a cover request
 * taken by a colleague (the running escalation then pages the taker), an override by a lead
 * refused to a technician, a reload that adds a person who can then act, an invalid reload
 * refused with the old organisation still serving.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createSlackAdapter, createSlackChatNotifier } from '../../src/adapters/slack/slack-app.js';
import { createSlackOnCallMessenger, TAKE_ACTION } from '../../src/adapters/slack/slack-oncall-messenger.js';
import { createTeamsFrontEnd } from '../../src/adapters/teams/create-teams.js';
import type { TeamsFrontEnd } from '../../src/adapters/teams/create-teams.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import { loadSlackConfig } from '../../src/config/slack-env.js';
import { loadTeamsConfig } from '../../src/config/teams-env.js';
import { FakeSlack } from '../far-side/fake-slack.js';
import { FakeCredentialsFactory, signToken } from '../far-side/fake-teams-auth.js';
import { FakeTeamsConnector } from '../far-side/fake-teams-connector.js';
import { TEST_SIGNING_SECRET, blockAction, commandBody, postSlack } from '../far-side/slack-requests.js';
import { MemoryLogger, TestClock, api, demoOrg, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import { PEOPLE_TOKENS, tok } from '../support/people-tokens.js';
import { APP_ID, TENANT, activity, botMessages } from './teams-setup.js';

const DEMO_YAML = readFileSync('config/demo-org.yaml', 'utf8');
/** The demo org with the Service Desk channel set (cover requests are posted there). */
const withChannel = (yaml: string) => yaml.replace(', slackId: U0JUDY,', ',').replace('    lead: carol\n    manager: dana\n', '    lead: carol\n    manager: dana\n    channel: C0DESK\n');

describe('On call from chat (Slack and Teams): oncall, cover + Take, override, reload', function () {
  this.timeout(60_000);
  let esc: TestEsc;
  let slack: FakeSlack;
  let teamsFake: FakeTeamsConnector;
  let teams: TeamsFrontEnd;
  let orgFile: string;
  let n = 0;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'esc-org-'));
    orgFile = join(dir, 'org.yaml');
    writeFileSync(orgFile, withChannel(DEMO_YAML));
    // Slack's own directory: Judy (the file has no Slack id for her), a second account with Dana's email, and a newcomer nobody listed.
    slack = new FakeSlack('xoxb-test-token', { 'judy@demo.example.edu': 'U0JUDY2', 'dana@demo.example.edu': 'U0DANA2', 'newbie@demo.example.edu': 'U0NEWBIE' });
    const apiUrl = await slack.start();
    const slackCfg = loadSlackConfig({ SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: apiUrl })!;
    teamsFake = new FakeTeamsConnector();
    await teamsFake.start();
    const clock = new TestClock(); // Mon 23 Nov 2026 09:00 PST: Alice's week starts.
    const teamsCfg = loadTeamsConfig({ TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 'not-used-in-tests', TEAMS_TENANT_ID: TENANT, TEAMS_APP_TYPE: 'SingleTenant', TEAMS_OPENID_METADATA_URL: teamsFake.openIdUrl })!;
    teams = createTeamsFrontEnd({ config: teamsCfg, log: new MemoryLogger(), clock, credentialsFactory: new FakeCredentialsFactory(APP_ID) });
    const { loadOrgFile } = await import('../../src/config/org-schema.js');
    esc = await startTestEsc({
      clock,
      org: loadOrgFile(orgFile),
      env: { ESC_API_TOKENS: PEOPLE_TOKENS, ESC_ORG_FILE: orgFile },
      notifiers: [createSlackChatNotifier(new MemoryLogger(), slackCfg)],
      oncallMessenger: createSlackOnCallMessenger(new MemoryLogger(), slackCfg),
      mounts: (deps) => [...createSlackAdapter(deps, slackCfg).mounts, ...teams.mounts(deps)],
    });
    await teams.bind(esc.conn);
    void demoOrg;
  });
  after(async () => {
    await esc?.stop();
    await slack?.stop();
    await teamsFake?.stop();
  });

  /** Runs `/esc <text>` as a Slack user; returns what Esc answered at the response_url. */
  async function slash(userId: string, text: string): Promise<string> {
    const id = `oc${++n}`;
    const r = await postSlack(esc.baseUrl, commandBody({ text, userId, responseUrl: `${slack.url}/response/${id}`, channelId: 'C0DESK' }));
    expect(r.status).to.equal(200);
    if (r.text && r.text.startsWith('{')) {
      const body = JSON.parse(r.text) as { text?: string; blocks?: unknown };
      if (body.text) return seen(body);
    }
    const res = await slack.waitFor(() => slack.responses.find((x) => x.path === `/response/${id}`));
    return seen(res.body);
  }
  /** What a person sees: the blocks' texts, one per line (the text when there are no blocks). */
  function seen(body: { text?: unknown; blocks?: unknown }): string {
    const blocks = (typeof body.blocks === 'string' ? JSON.parse(body.blocks) : (body.blocks ?? [])) as { text?: { text?: string }; elements?: { text?: string | { text?: string } }[] }[];
    const lines = blocks.flatMap((b) => [b.text?.text, ...(b.elements ?? []).map((e) => (typeof e.text === 'string' ? e.text : e.text?.text))]).filter((x): x is string => !!x);
    return lines.length ? lines.join('\n') : String(body.text ?? '');
  }
  async function teamsSay(aad: string, text: string): Promise<string> {
    const conv = `a:dm-${aad}`;
    const before = teamsFake.activities(conv).length;
    const header = `Bearer ${signToken(teamsFake.key, { aud: APP_ID, serviceurl: teamsFake.serviceUrl })}`;
    const res = await fetch(`${esc.baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: header }, body: JSON.stringify(activity(teamsFake, { aad, text })) });
    expect(res.status).to.be.lessThan(500);
    const end = Date.now() + 5000;
    while (Date.now() < end && teamsFake.activities(conv).length === before) await new Promise((r) => setTimeout(r, 20));
    return botMessages(teamsFake, conv, before).map((m) => `${m.text} ${JSON.stringify(m.cards)}`).join('\n');
  }

  it('/esc oncall (Slack) and oncall (Teams): current and next person, shift ends in the reader\'s zone', async () => {
    const s = await slash('U0DANA', 'oncall');
    console.log(`      /esc oncall (Slack, Dana):\n${s.split('\n').map((l) => `        ${l}`).join('\n')}`);
    expect(s).to.include('Service Desk (primary): Alice Ng until Mon 30 Nov 09:00 PST; next Bob Okafor from Mon 30 Nov 09:00 PST');
    expect(s).to.include('Infrastructure (primary):');
    const t = await teamsSay('00000000-0000-0000-0000-00000000a11c', 'oncall service-desk');
    expect(t).to.include('Alice Ng until Mon 30 Nov 09:00 PST');
    const me = await slash('U0BOB', 'oncall me');
    expect(me).to.include('Service Desk (primary): Mon 30 Nov 09:00 PST until Mon 7 Dec 09:00 PST');
    const api1 = await api(esc.baseUrl, 'GET', '/api/oncall?team=service-desk&at=2026-12-01T00:00:00Z', undefined, tok('dana'));
    expect(api1.status).to.equal(200);
    const layer = (api1.body.teams as { layers: { current: { personId: string } }[] }[])[0]!.layers[0]!;
    expect(layer.current.personId).to.equal('bob');
    expect((await api(esc.baseUrl, 'GET', '/api/oncall?team=nope', undefined, tok('dana'))).status).to.equal(422);
  });

  it('a cover request with Take: Bob takes it first, Carol is too late, the running escalation pages Bob', async () => {
    // 09:30, half an hour into Alice's week. A P1 ticket whose escalation will start after the response SLA (30 min).
    esc.clock.advanceMinutes(30);
    const ticket = await openTicket(esc.deps, { title: 'Wi-Fi down in the library', priority: 'P1', teamId: 'service-desk', requesterId: 'judy', source: 'api' }, { personId: 'judy', via: 'api' });
    const said = await slash('U0ALICE', 'cover now tomorrow 09:00 service-desk');
    expect(said).to.include('Cover request posted to the team channel');
    const post = await slack.waitFor(() => slack.callsOf('chat.postMessage').find((c) => c.params.channel === 'C0DESK' && String(c.params.text).includes('asks for cover')));
    const blocks = (typeof post.params.blocks === 'string' ? JSON.parse(post.params.blocks) : post.params.blocks) as { elements?: { action_id: string; value: string; text: { text: string } }[] }[];
    const take = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === TAKE_ACTION)!;
    console.log(`      cover request in #desk: ${String(post.params.text)}  [${take.text.text}]`);
    expect(take.text.text).to.equal('Take');
    // Bob clicks Take; Carol clicks a moment later and is told Bob was first.
    await postSlack(esc.baseUrl, blockAction({ userId: 'U0BOB', actionId: TAKE_ACTION, value: take.value, channel: 'C0DESK', ts: String((await slack.waitFor(() => slack.callsOf('chat.postMessage').length))), responseUrl: `${slack.url}/response/take-bob` }));
    await slack.waitFor(async () => (await esc.deps.oncall.activeOverrides(esc.clock.now())).length > 0 || undefined, 5000).catch(() => undefined);
    const end = Date.now() + 5000;
    while (Date.now() < end && (await esc.deps.oncall.activeOverrides(esc.clock.now())).length === 0) await new Promise((r) => setTimeout(r, 20));
    await postSlack(esc.baseUrl, blockAction({ userId: 'U0CAROL', actionId: TAKE_ACTION, value: take.value, channel: 'C0DESK', ts: '1.2', responseUrl: `${slack.url}/response/take-carol` }));
    const late = await slack.waitFor(() => slack.responses.find((x) => x.path === '/response/take-carol'));
    expect(String(late.body.text)).to.include('Bob Okafor already took this cover');
    // Alice (requester) and Carol (lead) are told.
    const told = await slack.waitFor(() => {
      const dms = slack.callsOf('chat.postMessage').filter((c) => String(c.params.text).includes('took the Service Desk on-call cover'));
      return dms.length >= 2 ? dms : undefined;
    });
    expect(told.map((c) => c.params.channel).sort()).to.deep.equal(['DU0ALICE', 'DU0CAROL']);
    expect(await slash('U0DANA', 'oncall service-desk')).to.include('Service Desk (primary): Bob Okafor until Tue 24 Nov 09:00 PST (override)');
    // The channel post itself now says who took it (chat.update, no Take button).
    const edited = await slack.waitFor(() => slack.callsOf('chat.update').find((c) => String(c.params.text).startsWith('Bob Okafor took the Service Desk on-call cover')));
    expect(JSON.stringify(edited.params.blocks)).to.not.include(TAKE_ACTION);
    // The escalation fires after the take: the on-call target is Bob now.
    esc.clock.advanceMinutes(31);
    await esc.settle();
    const deliveries = await esc.conn.collection('deliveries').find({ ticketId: ticket.id }).toArray();
    const paged = deliveries.map((d) => (d.recipient as { personId: string }).personId);
    expect(paged).to.include('bob');
    expect(paged).to.not.include('alice');
    // The shift notice: Bob's DM at the start of his (override) shift, once.
    await esc.settle();
    const dm = slack.callsOf('chat.postMessage').filter((c) => c.params.channel === 'DU0BOB' && String(c.params.text).startsWith('You are on call'));
    console.log(`      shift DM to Bob: ${dm.map((c) => String(c.params.text)).join(' | ')}`);
    expect(dm.map((c) => String(c.params.text))).to.deep.equal(['You are on call for Service Desk until Tue 09:00.']);
    // On the rotation's timeline.
    const tl = await api(esc.baseUrl, 'GET', '/api/rotations/service-desk-oncall/timeline', undefined, tok('dana'));
    expect((tl.body.events as { type: string }[]).map((e) => e.type)).to.include.members(['cover.requested', 'override.created', 'cover.taken']);
  });

  it('an override by a lead is stored; a technician is refused and told to ask the lead', async () => {
    const refused = await slash('U0ALICE', 'override @bob now tomorrow 09:00 infrastructure');
    expect(refused).to.include("You can't put someone else on call: only team leads, managers or admins can. Ask Carol Diaz, your lead");
    const t = await teamsSay('00000000-0000-0000-0000-000000000b0b', 'override @alice now tomorrow 09:00 infrastructure');
    expect(t).to.include("You can't put someone else on call");
    const ok = await slash('U0CAROL', 'override @henry now 2h infrastructure');
    expect(ok).to.match(/^Henry Adeyemi is on call for Infrastructure \(primary\) from/);
    expect(esc.deps.directory().onCall('infrastructure', esc.clock.now())?.id).to.equal('henry');
    const id = /Override ([\w-]+)\./.exec(ok)![1]!;
    expect(await slash('U0ALICE', `override cancel ${id}`)).to.include("You can't put someone else on call");
    expect(await slash('U0CAROL', `override cancel ${id}`)).to.include('Override cancelled');
    // API: a technician's token is refused the same way.
    const r = await api(esc.baseUrl, 'POST', '/api/overrides', { team: 'service-desk', person: 'alice', from: esc.clock.now().toISOString(), to: new Date(esc.clock.now().getTime() + 3_600_000).toISOString() }, tok('bob'));
    expect(r.status).to.equal(403);
  });

  it('admin diff and reload: a person added to the file can act at once; an invalid file is refused and the old org keeps serving', async () => {
    const added = withChannel(DEMO_YAML).replace('people:\n', 'people:\n  - { id: zoe, name: Zoe Quinn, email: zoe@demo.example.edu, slackId: U0ZOE, manager: carol, roles: [technician] }\n').replace('members: [alice, bob, carol]', 'members: [alice, bob, carol, zoe]');
    writeFileSync(orgFile, added);
    expect(await slash('U0ZOE', 'oncall')).to.include("I don't know you yet");
    expect(await slash('U0ALICE', 'admin diff')).to.include("You can't change the organisation");
    const diff = await slash('U0ERIN', 'admin diff');
    console.log(`      /esc admin diff (Erin):\n${diff.split('\n').map((l) => `        ${l}`).join('\n')}`);
    expect(diff).to.include('people: + zoe');
    expect(diff).to.include('teams: ~ service-desk (members)');
    expect(diff.split('\n')).to.have.length(3);
    const reloaded = await slash('U0ERIN', 'admin reload');
    expect(reloaded).to.include('Organisation reloaded');
    expect(await slash('U0ZOE', 'oncall service-desk')).to.include('Service Desk (primary)');
    // An invalid file: every problem by path, nothing changes.
    writeFileSync(orgFile, added.replace('manager: carol, roles: [technician] }', 'manager: nobody-here, roles: [wizard] }'));
    const bad = await slash('U0ERIN', 'admin reload');
    expect(bad).to.include('nothing changed, the running organisation stays');
    expect(bad).to.include('people.0.roles.0');
    expect(bad).to.include('people.0.manager: unknown person "nobody-here"');
    const apiBad = await api(esc.baseUrl, 'POST', '/api/org/reload', undefined, tok('erin'));
    expect(apiBad.status).to.equal(400);
    expect(await slash('U0ZOE', 'oncall service-desk')).to.include('Service Desk (primary)');
    const events = await api(esc.baseUrl, 'GET', '/api/org/timeline', undefined, tok('erin'));
    const types = (events.body.events as { type: string; actor: { personId: string | null } }[]).map((e) => `${e.type}:${e.actor.personId ?? '-'}`);
    expect(types).to.include.members(['org.reloaded:erin', 'org.reload_refused:erin']);
  });

  it('an unknown Slack user is matched by email (users.info); nobody matching becomes a requester; me phone / me quiet override the file', async () => {
    expect(await slash('U0JUDY2', 'oncall service-desk')).to.include('Service Desk (primary)');
    expect(esc.deps.directory().bySlackId('U0JUDY2')?.id).to.equal('judy');
    // Dana's file entry names U0DANA: another account with her email is not linked to her.
    expect(await slash('U0DANA2', 'oncall')).to.include("I don't know you yet");
    expect(esc.deps.directory().bySlackId('U0DANA')?.id).to.equal('dana');
    expect(await slash('U0NEWBIE', 'oncall me')).to.include('You have no on-call shifts');
    const newbie = esc.deps.directory().bySlackId('U0NEWBIE')!;
    expect(newbie).to.deep.include({ email: 'newbie@demo.example.edu', roles: ['requester'], timeZone: 'Europe/Berlin' });
    expect(await slash('U0NEWBIE', 'override @bob now 2h service-desk')).to.include("You can't put someone else on call");
    expect(await slash('U0ALICE', 'me phone +15105550199')).to.include('+15105550199');
    expect(await slash('U0ALICE', 'me quiet 22:00-07:00')).to.include('22:00-07:00');
    const alice = esc.deps.directory().person('alice')!;
    expect(alice.phone).to.equal('+15105550199');
    expect(alice.contacts.filter((c) => c.kind === 'sms').map((c) => c.address)).to.deep.equal(['+15105550199']);
    expect(alice.quietHours).to.deep.equal({ start: '22:00', end: '07:00' });
    expect(await slash('U0ALICE', 'me phone 555')).to.include('is not a phone number');
  });

  it('a cover request cancelled over the API: a colleague is refused, the asker cancels, the Slack post says "Cancelled"', async () => {
    const from = new Date(esc.clock.now().getTime() + 2 * 86_400_000);
    const made = await api(esc.baseUrl, 'POST', '/api/covers', { team: 'service-desk', from: from.toISOString(), to: new Date(from.getTime() + 4 * 3_600_000).toISOString() }, tok('alice'));
    expect(made.status).to.equal(201);
    const id = String((made.body.cover as { id: string }).id);
    await slack.waitFor(() => slack.callsOf('chat.postMessage').find((c) => c.params.channel === 'C0DESK' && JSON.stringify(c.params.blocks).includes(id)));
    expect((await api(esc.baseUrl, 'DELETE', `/api/covers/${id}`, undefined, tok('bob'))).status).to.equal(403);
    const done = await api(esc.baseUrl, 'DELETE', `/api/covers/${id}`, undefined, tok('alice'));
    expect(done.status).to.equal(200);
    expect((done.body.cover as { status: string }).status).to.equal('cancelled');
    const edited = await slack.waitFor(() => slack.callsOf('chat.update').find((c) => String(c.params.text).startsWith('Cancelled: Alice Ng no longer needs cover of Service Desk')));
    expect(JSON.stringify(edited.params.blocks)).to.not.include(TAKE_ACTION);
    expect((await api(esc.baseUrl, 'DELETE', `/api/covers/${id}`, undefined, tok('alice'))).status).to.equal(409);
    expect((await api(esc.baseUrl, 'POST', `/api/covers/${id}/take`, undefined, tok('bob'))).status).to.equal(409);
  });
});
