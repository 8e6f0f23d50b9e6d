/**
 * Issue 16: everyday ticket work from chat. Each command by an allowed and a refused person,
 * over signed Slack commands and signed Teams messages, with the timeline it leaves; hold and
 * resume move the SLA by exactly the paused business time; move restarts the clock; page
 * reaches a person outside the plan who acknowledges it; the More menu; a confidential ticket
 * is invisible to a technician of another team on every path.
 */
import { expect } from 'chai';
import { createSlackAdapter, createSlackChatNotifier } from '../../src/adapters/slack/slack-app.js';
import { MORE_MODAL } from '../../src/adapters/slack/views.js';
import { signSlackRequest } from '../../src/adapters/slack/signature.js';
import { createTeamsFrontEnd } from '../../src/adapters/teams/create-teams.js';
import type { TeamsFrontEnd } from '../../src/adapters/teams/create-teams.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import { changeTicket } from '../../src/app/use-cases/change-ticket.js';
import { loadSlackConfig } from '../../src/config/slack-env.js';
import { loadTeamsConfig } from '../../src/config/teams-env.js';
import { addBusinessMs, businessMsBetween } from '../../src/domain/sla/calendar.js';
import { FakeSlack } from '../far-side/fake-slack.js';
import { FakeCredentialsFactory, signToken } from '../far-side/fake-teams-auth.js';
import { FakeTeamsConnector } from '../far-side/fake-teams-connector.js';
import { TEST_SIGNING_SECRET, blockAction, commandBody, interactionBody, postSlack, viewSubmission } from '../far-side/slack-requests.js';
import { MemoryLogger, TestClock, api, demoOrg, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import { PEOPLE_TOKENS, tok } from '../support/people-tokens.js';
import { APP_ID, TENANT, activity, botMessages } from './teams-setup.js';

type Setup = 'open' | 'pending' | 'resolved' | 'confidential';
/** command → [words after the key, allowed person, refused person, expected event, ticket state before]. */
const TABLE: [name: string, words: string, allowed: string, refused: string, event: string, setup: Setup][] = [
  ['assign', '@alice', 'carol', 'henry', 'ticket.assigned', 'open'],
  ['assign', 'me', 'alice', 'judy', 'ticket.assigned', 'open'],
  ['note', 'called the user, waiting for a screenshot', 'alice', 'henry', 'ticket.commented', 'confidential'],
  ['hold', 'waiting for the user to reboot', 'alice', 'judy', 'ticket.pending', 'open'],
  ['resume', '', 'bob', 'judy', 'ticket.resumed', 'pending'],
  ['reopen', 'the VPN dropped again', 'judy', 'henry', 'ticket.reopened', 'resolved'],
  ['move', 'infrastructure the switch needs a network engineer', 'carol', 'alice', 'ticket.moved', 'open'],
  ['notify-management', 'the Dean is waiting', 'carol', 'alice', 'escalation.hierarchical', 'open'],
  ['page', '@henry the core switch is his', 'alice', 'judy', 'responder.paged', 'open'],
];

describe('Ticket work from chat (issue 16): commands, More menu, confidential tickets', function () {
  this.timeout(120_000);
  let esc: TestEsc;
  let slack: FakeSlack;
  let teamsFake: FakeTeamsConnector;
  let teams: TeamsFrontEnd;
  let n = 0;
  const org = demoOrg();
  for (const p of org.people) p.teamsId ??= `00000000-0000-0000-0000-${p.id.padStart(12, '0').slice(-12)}`;
  const person = (id: string) => org.people.find((p) => p.id === id)!;
  const clock = new TestClock();

  before(async () => {
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
      env: { ESC_API_TOKENS: PEOPLE_TOKENS },
      notifiers: [createSlackChatNotifier(new MemoryLogger(), slackCfg)],
      mounts: (deps) => [...createSlackAdapter(deps, slackCfg).mounts, ...teams.mounts(deps)],
    });
    await teams.bind(esc.conn);
  });
  after(async () => {
    await esc?.stop();
    await slack?.stop();
    await teamsFake?.stop();
  });
  beforeEach(() => clock.set('2026-11-23T17:00:00Z')); // Monday 09:00 Pacific

  async function fresh(setup: Setup = 'open', priority: 'P2' | 'P3' = 'P2') {
    const t = await openTicket(esc.deps, { title: 'Exam portal down', priority, assigneeId: 'bob', requesterId: 'judy', teamId: 'service-desk', source: 'api' }, { personId: 'erin', via: 'api' });
    if (setup === 'pending') await changeTicket(esc.deps, t.id, () => ({ type: 'pend', by: 'bob', reason: 'waiting' }), { personId: 'bob', via: 'api' });
    if (setup === 'resolved') await changeTicket(esc.deps, t.id, () => ({ type: 'resolve', by: 'bob' }), { personId: 'bob', via: 'api' });
    if (setup === 'confidential') await esc.deps.tickets.save({ ...(await esc.deps.tickets.get(t.id))!, confidential: true });
    return { id: t.id, key: `ESC-${t.number}` };
  }

  const types = async (id: string) => (await esc.deps.timeline.forTicket(id)).map((e) => e.type);

  async function slackSays(who: string, text: string, wait?: { ticketId: string; event: string }): Promise<string> {
    const id = `w${++n}`;
    await postSlack(esc.baseUrl, commandBody({ text, userId: person(who).slackId!, responseUrl: `${slack.url}/response/${id}` }));
    const end = Date.now() + 4000;
    while (Date.now() < end) {
      const r = slack.responses.find((x) => x.path === `/response/${id}`);
      // The words and the blocks' text (a list is in the blocks).
      if (r && (!wait || (await types(wait.ticketId)).includes(wait.event) || r.body.text)) return `${String(r.body.text)}\n${JSON.stringify(r.body.blocks ?? [])}`;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no Slack answer to "${text}"`);
  }

  const teamsPost = async (a: Record<string, unknown>) => {
    const header = `Bearer ${signToken(teamsFake.key, { aud: APP_ID, serviceurl: teamsFake.serviceUrl })}`;
    const res = await fetch(`${esc.baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: header }, body: JSON.stringify(a) });
    const text = await res.text();
    expect(res.status, text).to.be.lessThan(500);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };

  async function teamsSays(who: string, text: string): Promise<{ text: string; cards: Record<string, unknown>[] }> {
    const p = person(who);
    const conv = `a:dm-${p.teamsId}`;
    const from = teamsFake.activities(conv).length;
    await teamsPost(activity(teamsFake, { aad: p.teamsId!, text, conversationId: conv }));
    return botMessages(teamsFake, conv, from)[0] ?? { text: '', cards: [] };
  }

  for (const [name, words, allowed, refused, want, setup] of TABLE) {
    for (const path of ['slack', 'teams'] as const) {
      it(`${path}: ${name} ${words || ''} by ${allowed} is done (${want}); by ${refused} refused, nothing written`, async () => {
        const ok = await fresh(setup);
        const say = (who: string, t: string) => (path === 'slack' ? slackSays(who, t) : teamsSays(who, t).then((r) => r.text));
        const before = await types(ok.id);
        const yes = await say(allowed, `${name} ${ok.key} ${words}`.trim());
        const after = await types(ok.id);
        expect(after.slice(before.length), yes).to.include(want);
        const no = await fresh(setup);
        const before2 = await types(no.id);
        const answer = await say(refused, `${name} ${no.key} ${words}`.trim());
        expect(await types(no.id), answer).to.deep.equal(before2);
        if (setup === 'confidential') expect(answer).to.match(new RegExp(`There is no ticket ${no.key}\\.`)).and.not.match(/Exam portal/);
        else expect(answer).to.match(/You can't .* only /);
      });
    }
  }

  it('hold and resume move the SLA due times by exactly the paused business time', async () => {
    const t = await fresh('open');
    const t0 = (await esc.deps.tickets.get(t.id))!;
    const cal = esc.deps.directory().calendarFor(t0.teamId, t0.priority);
    clock.advanceMinutes(30); // Mon 09:30 Pacific
    const heldAt = clock.now();
    await slackSays('alice', `hold ${t.key} waiting for the user`);
    expect((await esc.deps.tickets.get(t.id))!.status).to.equal('pending');
    clock.set('2026-11-24T18:00:00Z'); // Tue 10:00 Pacific
    const resumedAt = clock.now();
    await teamsSays('alice', `resume ${t.key}`);
    const t1 = (await esc.deps.tickets.get(t.id))!;
    const paused = businessMsBetween(cal, heldAt, resumedAt);
    expect(paused).to.equal(9.5 * 3600_000);
    expect(t1.sla.resolutionDueAt!.toISOString()).to.equal(addBusinessMs(cal, t0.sla.resolutionDueAt!, paused).toISOString());
    expect(t1.sla.resolutionDueAt!.toISOString()).to.equal('2026-11-25T16:30:00.000Z'); // 7.5 h left at 09:30 Mon: Tue 10:00-17:00, then Wed 08:00-08:30 Pacific
    expect(t1.sla.responseDueAt!.toISOString()).to.equal(addBusinessMs(cal, t0.sla.responseDueAt!, paused).toISOString());
    const ev = (await esc.deps.timeline.forTicket(t.id)).find((e) => e.type === 'ticket.resumed')!;
    expect(new Date(ev.data.resolutionDueAt as string).toISOString()).to.equal('2026-11-25T16:30:00.000Z');
  });

  it("move restarts the SLA clock at the move on the new team's calendar, level up, unassigned", async () => {
    const t = await fresh('open');
    clock.set('2026-11-24T00:30:00Z'); // Mon 16:30 Pacific
    await slackSays('carol', `move ${t.key} infrastructure the switch needs a network engineer`);
    const moved = (await esc.deps.tickets.get(t.id))!;
    const cal = esc.deps.directory().calendarFor('infrastructure', 'P2');
    expect(moved.teamId).to.equal('infrastructure');
    expect(moved.assigneeId).to.equal(null);
    expect(moved.level).to.equal(1);
    expect(moved.sla.responseDueAt!.toISOString()).to.equal(addBusinessMs(cal, clock.now(), 60 * 60_000).toISOString());
    expect(moved.sla.responseDueAt!.toISOString()).to.equal('2026-11-24T16:30:00.000Z'); // Tue 08:30 Pacific: 30 min Monday + 30 min Tuesday
  });

  it('page reaches a person outside the plan on their contact methods; they acknowledge it like any page', async () => {
    const t = await fresh('open');
    await slackSays('alice', `page ${t.key} @henry the core switch is his`);
    const ds = await esc.deps.deliveries.list({ ticketId: t.id, personId: 'henry' }, 20);
    expect(ds.map((d) => d.channel).sort()).to.deep.equal(['chat', 'email', 'sms', 'voice']);
    expect(ds[0]!.notice.actions).to.include('acknowledge');
    expect((await esc.deps.tickets.get(t.id))!.responders?.map((r) => r.personId)).to.deep.equal(['henry']);
    clock.advanceMinutes(4);
    const said = await slackSays('henry', `ack ${t.key}`);
    expect(said).to.match(/acknowledged by Henry/);
    const ev = (await esc.deps.timeline.forTicket(t.id)).find((e) => e.type === 'responder.acknowledged')!;
    expect(ev.actor?.personId).to.equal('henry');
    expect(ev.data.afterMs).to.equal(4 * 60_000);
    // A second ack records nothing new.
    await slackSays('henry', `ack ${t.key}`);
    expect((await types(t.id)).filter((x) => x === 'responder.acknowledged')).to.have.length(1);
    // A team: its on-call person is paged.
    await teamsSays('carol', `page ${t.key} infrastructure`);
    const onCall = esc.deps.directory().onCall('infrastructure', clock.now())!.id;
    expect((await esc.deps.tickets.get(t.id))!.responders?.map((r) => r.personId)).to.include(onCall);
  });

  it('the More menu: Slack shows the viewer’s actions; a choice needing words opens a modal; the action runs', async () => {
    const t = await fresh('open');
    const out = await slackSays('alice', `status ${t.key}`);
    expect(out).to.include(t.key);
    // A ticket message (a command answer showing the ticket) carries the menu.
    const id = `w${++n}`;
    await postSlack(esc.baseUrl, commandBody({ text: `assign ${t.key} me`, userId: 'U0ALICE', responseUrl: `${slack.url}/response/${id}` }));
    let blocks: Record<string, unknown>[] = [];
    for (let i = 0; i < 200 && blocks.length === 0; i++) {
      blocks = (slack.responses.find((x) => x.path === `/response/${id}`)?.body.blocks as Record<string, unknown>[] | undefined) ?? [];
      await new Promise((r) => setTimeout(r, 20));
    }
    const actions = blocks.find((b) => b.type === 'actions') as { elements: { type: string; action_id: string; options?: { value: string }[] }[] };
    const menu = actions.elements.find((e) => e.action_id === 'esc_more')!;
    expect(menu.type).to.equal('static_select');
    const choices = menu.options!.map((o) => (JSON.parse(o.value) as { d: string }).d);
    expect(choices).to.include.members(['take', 'note', 'hold', 'move', 'page']);
    // Hold needs a reason: a modal opens; its submission puts the ticket on hold.
    const opened = slack.callsOf('views.open').length;
    const holdValue = menu.options!.find((o) => o.value.includes('"hold"'))!.value;
    await postSlack(esc.baseUrl, interactionBody({ type: 'block_actions', user: { id: 'U0ALICE' }, trigger_id: 'trig-1', response_url: `${slack.url}/response/m${n}`, container: { type: 'message', channel_id: 'C0WORK', message_ts: '1700000000.000100' }, channel: { id: 'C0WORK' }, message: { ts: '1700000000.000100', blocks }, actions: [{ type: 'static_select', action_id: 'esc_more', block_id: 'esc_actions', selected_option: { value: holdValue } }] }));
    for (let i = 0; i < 100 && slack.callsOf('views.open').length === opened; i++) await new Promise((r) => setTimeout(r, 20));
    const view = slack.callsOf('views.open')[opened]!.params.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).to.equal(MORE_MODAL);
    await postSlack(esc.baseUrl, viewSubmission({ userId: 'U0ALICE', callbackId: MORE_MODAL, viewId: 'VMORE1', values: { text: { v: { type: 'plain_text_input', value: 'waiting for the user' } } }, privateMetadata: view.private_metadata }));
    for (let i = 0; i < 100 && !(await types(t.id)).includes('ticket.pending'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await types(t.id)).to.include('ticket.pending');
    // A technician of another team is offered no More actions but those anyone may take.
    const henry = await fresh('open');
    const hid = `w${++n}`;
    await postSlack(esc.baseUrl, blockAction({ userId: 'U0HENRY', actionId: 'esc_history', value: JSON.stringify({ t: henry.id }), channel: 'C0WORK', ts: '1700000000.000200', responseUrl: `${slack.url}/response/${hid}` }));
  });

  it('Teams: the ticket card has a More action set with the viewer’s actions; a More action runs the command', async () => {
    const t = await fresh('open');
    const r = await teamsSays('carol', `assign ${t.key} me`);
    const card = r.cards[0] as { actions: { type: string; title: string; card?: { actions: { data: { do: string } }[] } }[] };
    const more = card.actions.find((a) => a.type === 'Action.ShowCard' && a.title === 'More')!;
    expect(more.card!.actions.map((a) => a.data.do)).to.include.members(['note', 'hold', 'move', 'notify_management', 'page', 'confidential']);
    const res = await teamsPost(activity(teamsFake, { aad: person('carol').teamsId!, type: 'invoke', name_: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'more', data: { ticket: t.key, do: 'note', text: 'spoke to the Dean' } } } }));
    expect((res as { statusCode?: number }).statusCode, JSON.stringify(res)).to.equal(200);
    const notes = (await esc.deps.timeline.forTicket(t.id)).filter((e) => e.type === 'ticket.commented');
    expect(notes.map((e) => e.data.text)).to.deep.equal(['spoke to the Dean']);
    expect(notes[0]!.actor?.personId).to.equal('carol');
  });

  it('a confidential ticket is invisible to a technician of another team on every path (list, status, history, API)', async () => {
    const t = await fresh('confidential');
    const none = new RegExp(`There is no ticket ${t.key}\\.`);
    // Slack and Teams: status and history say it does not exist; list does not show it.
    for (const cmd of ['status', 'history']) {
      expect(await slackSays('henry', `${cmd} ${t.key}`)).to.match(none);
      expect((await teamsSays('henry', `${cmd} ${t.key}`)).text).to.match(none);
    }
    expect(await slackSays('henry', 'list open')).to.not.include(t.key);
    expect((await teamsSays('henry', 'list open')).text).to.not.include(t.key);
    // The team sees it.
    expect(await slackSays('alice', `status ${t.key}`)).to.include('Exam portal down');
    expect(await slackSays('alice', 'list open')).to.include(t.key);
    // The API with henry's token: 404 with the same words; not in the list; the team's token sees it.
    for (const path of [`/api/tickets/${t.key}`, `/api/tickets/${t.key}/timeline`, `/api/tickets/${t.key}/history`]) {
      const r = await api(esc.baseUrl, 'GET', path, undefined, tok('henry'));
      expect(r.status, path).to.equal(404);
      expect(String(r.body.message)).to.match(none);
      expect((await api(esc.baseUrl, 'GET', path, undefined, tok('alice'))).status, path).to.equal(200);
    }
    const list = await api(esc.baseUrl, 'GET', '/api/tickets?limit=500', undefined, tok('henry'));
    expect((list.body.tickets as { number: number }[]).map((x) => `ESC-${x.number}`)).to.not.include(t.key);
    const listAlice = await api(esc.baseUrl, 'GET', '/api/tickets?limit=500', undefined, tok('alice'));
    expect((listAlice.body.tickets as { number: number }[]).map((x) => `ESC-${x.number}`)).to.include(t.key);
    // Acting on it: the same words as a ticket that does not exist.
    const ack = await api(esc.baseUrl, 'POST', `/api/tickets/${t.key}/acknowledge`, {}, tok('henry'));
    expect(ack.status).to.equal(404);
    // Texts others may read or hear (SMS, voice, push) say only the key; a chat DM to the person keeps the details.
    await slackSays('carol', `page ${t.key} @alice`);
    const ds = await esc.deps.deliveries.list({ ticketId: t.id, personId: 'alice' }, 10);
    for (const d of ds.filter((x) => x.channel === 'sms' || x.channel === 'voice')) {
      expect(d.notice.title).to.equal(`Confidential ticket ${t.key} needs you`);
      expect(JSON.stringify(d.notice)).to.not.include('Exam portal');
    }
    expect(ds.find((x) => x.channel === 'chat')!.notice.title).to.include('Exam portal down');
  });

  /** Posts an Events API callback as Slack does: JSON, signed. */
  async function slackEvent(body: Record<string, unknown>, retryNum?: number): Promise<number> {
    const raw = JSON.stringify({ token: 'legacy', team_id: 'T0TEST', api_app_id: 'A0ESC', type: 'event_callback', event_time: Math.floor(Date.now() / 1000), ...body });
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(`${esc.baseUrl}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signSlackRequest(TEST_SIGNING_SECRET, ts, raw), ...(retryNum ? { 'x-slack-retry-num': String(retryNum), 'x-slack-retry-reason': 'http_timeout' } : {}) }, body: raw });
    await res.text();
    return res.status;
  }
  const notesOf = async (id: string) => (await esc.deps.timeline.forTicket(id)).filter((e) => e.type === 'ticket.commented');
  const settle = async (id: string, n: number) => {
    for (let i = 0; i < 100 && (await notesOf(id)).length < n; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 150));
  };

  it('Slack: a reply in the thread of a ticket\'s channel post becomes a note with its author, exactly once; edits and bots are ignored', async () => {
    const t = await fresh('open');
    const post = { channel: 'C0HELPDESK', ts: `1700000${++n}.000100` };
    await esc.deps.ticketMessages!.record({ ticketId: t.id, kind: 'channel_post', where: { platform: 'slack', ...post }, recipientId: null, createdAt: clock.now() });
    const reply = { type: 'message', channel: post.channel, user: 'U0ALICE', text: 'rebooted the AP, <@U0BOB> is on site', ts: `1700001${n}.000200`, thread_ts: post.ts, channel_type: 'channel' };
    expect(await slackEvent({ event_id: `EvR${n}`, event: reply })).to.equal(200);
    expect(await slackEvent({ event_id: `EvR${n}`, event: reply }, 1)).to.equal(200); // Slack's retry of the event
    expect(await slackEvent({ event_id: `EvR${n}b`, event: reply })).to.equal(200); // the same message under another event id
    await slackEvent({ event_id: `EvE${n}`, event: { type: 'message', subtype: 'message_changed', channel: post.channel, ts: `1700002${n}.1`, message: { ...reply, text: 'edited' }, previous_message: reply } });
    await slackEvent({ event_id: `EvB${n}`, event: { ...reply, ts: `1700003${n}.1`, bot_id: 'B0OTHER', user: undefined, text: 'a bot says hi' } });
    await slackEvent({ event_id: `EvP${n}`, event: { ...reply, ts: post.ts, text: 'the parent itself' } });
    await slackEvent({ event_id: `EvO${n}`, event: { ...reply, ts: `1700004${n}.1`, thread_ts: '1600000000.000001', text: 'another thread' } });
    await settle(t.id, 1);
    const notes = await notesOf(t.id);
    expect(notes.map((e) => e.data.text)).to.deep.equal(['rebooted the AP, @bob is on site']);
    expect(notes[0]!.actor?.personId).to.equal('alice');
    expect(notes[0]!.actor?.via).to.equal('slack');
  });

  it('Teams: a reply to a ticket card in a channel thread becomes a note with its author, exactly once; a mention of Esc stays a command', async () => {
    const t = await fresh('open');
    const root = `1700000${++n}`;
    const conv = `19:helpdesk@thread.tacv2;messageid=${root}`;
    await esc.deps.ticketMessages!.record({ ticketId: t.id, kind: 'card', where: { platform: 'teams', conversationId: conv, activityId: root, serviceUrl: teamsFake.serviceUrl, reference: null }, recipientId: null, createdAt: clock.now() });
    const a = activity(teamsFake, { aad: person('carol').teamsId!, text: 'called the vendor, ETA 2pm', conversationType: 'channel', conversationId: conv, replyToId: root });
    await teamsPost(a);
    await teamsPost(a); // delivered again
    await teamsPost({ ...a, id: `${String(a.id)}-bot`, from: { id: `28:${APP_ID}`, role: 'bot', name: 'Esc' } });
    const mention = activity(teamsFake, { aad: person('carol').teamsId!, text: `<at>Esc</at> status ${t.key}`, conversationType: 'channel', conversationId: conv, extra: { entities: [{ type: 'mention', mentioned: { id: `28:${APP_ID}`, name: 'Esc' }, text: '<at>Esc</at>' }] } });
    await teamsPost(mention);
    await settle(t.id, 1);
    const notes = await notesOf(t.id);
    expect(notes.map((e) => e.data.text)).to.deep.equal(['called the vendor, ETA 2pm']);
    expect(notes[0]!.actor?.personId).to.equal('carol');
    expect(botMessages(teamsFake, conv).some((m) => m.text.includes('Exam portal down'))).to.equal(true);
    // With ChannelMessage.Read.Group every channel message arrives: one that is no reply to a ticket and does not mention Esc is left alone.
    const chatter = '19:helpdesk@thread.tacv2;messageid=1699999999999';
    await teamsPost(activity(teamsFake, { aad: person('carol').teamsId!, text: 'lunch at noon?', conversationType: 'channel', conversationId: chatter, extra: { entities: [{ type: 'mention', mentioned: { id: 'bob-aad', name: 'Bob' }, text: '<at>Bob</at>' }] } }));
    await teamsPost(activity(teamsFake, { aad: person('carol').teamsId!, text: 'status ESC-1', conversationType: 'channel', conversationId: chatter }));
    expect(botMessages(teamsFake, chatter)).to.deep.equal([]);
  });

  /** Block Kit as text: headers, sections and context lines. */
  const blockText = (blocks: Record<string, unknown>[]) => blocks.map((b) => (b.type === 'divider' ? '---' : b.type === 'context' ? `  (${String((b.elements as { text: string }[])[0]!.text)})` : String((b.text as { text: string } | undefined)?.text ?? ''))).join('\n');

  it('App Home: published on open with the sections of a technician, a coordinator and a lead; the Teams home card has the same', async () => {
    // Alice: an open ticket of hers, and a page waiting for her (Bob pages her by hand).
    const mine = await openTicket(esc.deps, { title: 'Projector dead in Hall B', priority: 'P2', assigneeId: 'alice', requesterId: 'judy', teamId: 'service-desk', source: 'api' }, { personId: 'erin', via: 'api' });
    await slackSays('bob', `page ESC-${mine.number} @alice projector again`);
    // A manager escalation request waiting to be claimed (the coordinators' section).
    const req = await openTicket(esc.deps, { title: 'Exam portal down for the Dean', priority: 'P3', assigneeId: 'bob', requesterId: 'judy', teamId: 'service-desk', source: 'api' }, { personId: 'erin', via: 'api' });
    await slackSays('ken', `request ESC-${req.number} the Dean runs an exam at ten`);
    // A confidential ticket of the infrastructure team: never on Alice's, Frank's... home unless they may see it.
    const secret = await openTicket(esc.deps, { title: 'HR laptop seized', priority: 'P2', assigneeId: 'henry', requesterId: 'judy', teamId: 'infrastructure', source: 'api' }, { personId: 'erin', via: 'api' });
    await esc.deps.tickets.save({ ...(await esc.deps.tickets.get(secret.id))!, confidential: true });
    const published: Record<string, string> = {};
    for (const [who, user] of [['alice', 'U0ALICE'], ['frank', 'U0FRANK'], ['carol', 'U0CAROL'], ['ivan', 'U0IVAN']] as const) {
      const before = slack.callsOf('views.publish').length;
      expect(await slackEvent({ event_id: `EvH${++n}`, event: { type: 'app_home_opened', user, channel: `D0${user}`, tab: 'home', event_ts: `${Date.now() / 1000}` } })).to.equal(200);
      for (let i = 0; i < 150 && slack.callsOf('views.publish').length === before; i++) await new Promise((r) => setTimeout(r, 20));
      const call = slack.callsOf('views.publish')[before]!;
      expect(call.params.user_id).to.equal(user);
      const view = call.params.view as { type: string; blocks: Record<string, unknown>[] };
      expect(view.type).to.equal('home');
      published[who] = blockText(view.blocks);
    }
    const titles = (t: string) => t.split('\n').filter((l) => /^\*[^*]+\*/.test(l)).map((l) => /^\*([^*]+)\*/.exec(l)![1]);
    expect(titles(published.alice!)).to.deep.equal(['My open tickets', 'Pages waiting for my acknowledgement', 'My tasks in major escalations', 'On call']);
    expect(published.alice).to.include(`ESC-${mine.number} P2 · Projector dead in Hall B`).and.include('paged by hand');
    expect(published.alice).to.match(/Service Desk: (you are on call now|.* your next shift starts)/);
    expect(titles(published.frank!)).to.deep.equal(['My open tickets', 'Pages waiting for my acknowledgement', 'Escalation requests waiting to be claimed', 'My tasks in major escalations', 'On call']);
    expect(published.frank).to.include(`ESC-${req.number}`).and.include('the Dean runs an exam at ten');
    expect(titles(published.carol!)).to.deep.equal(['My open tickets', 'Pages waiting for my acknowledgement', 'My tasks in major escalations', 'On call', "My teams' tickets that breach today"]);
    expect(published.carol).to.include(`ESC-${mine.number}`);
    expect(published.carol).to.not.include('HR laptop');
    expect(published.ivan).to.include('HR laptop seized (confidential)');
    // Teams: the same sections in a card.
    const teams = await teamsSays('frank', 'home');
    const card = JSON.stringify(teams.cards[0]);
    for (const t of titles(published.frank!)) expect(card).to.include(t);
    expect(card).to.include(`ESC-${req.number}`);
    if (process.env.ESC_PRINT_HOME) {
      for (const [who, text] of Object.entries(published)) console.log(`\n===== Slack App Home: ${who} =====\n${text}`);
      console.log(`\n===== Teams home card: frank =====\n${JSON.stringify(teams.cards[0], null, 1)}`);
    }
  });

  it('a ticket from a message: the Slack shortcut opens the ticket modal prefilled; the Teams message action prefills the form and opens the ticket', async () => {
    const before = slack.callsOf('views.open').length;
    const text = 'Wi-Fi keeps dropping in the Library, 3rd floor\nStudents cannot submit the exam; <@U0BOB> saw it too';
    const body = interactionBody({ type: 'message_action', callback_id: 'esc_ticket_from_message', trigger_id: `trig-sc-${++n}`, user: { id: 'U0ALICE', username: 'alice', team_id: 'T0TEST' }, channel: { id: 'C0HELPDESK', name: 'helpdesk' }, team: { id: 'T0TEST', domain: 'demo' }, message_ts: '1700000123.000400', message: { type: 'message', user: 'U0JUDY', ts: '1700000123.000400', text }, response_url: `${slack.url}/response/sc${n}` });
    expect((await postSlack(esc.baseUrl, body)).status).to.equal(200);
    for (let i = 0; i < 100 && slack.callsOf('views.open').length === before; i++) await new Promise((r) => setTimeout(r, 20));
    const view = slack.callsOf('views.open')[before]!.params.view as { callback_id: string; private_metadata: string; blocks: { block_id: string; element: { initial_value?: string } }[] };
    expect(view.callback_id).to.equal('esc_ticket_modal');
    expect(view.blocks.find((b) => b.block_id === 'title')!.element.initial_value).to.equal('Wi-Fi keeps dropping in the Library, 3rd floor');
    const description = view.blocks.find((b) => b.block_id === 'description')!.element.initial_value!;
    expect(description).to.include('Students cannot submit the exam; @bob saw it too').and.include('From Slack: https://demo.slack.com/archives/C0HELPDESK/p1700000123000400');
    expect(JSON.parse(view.private_metadata)).to.deep.equal({ c: 'C0HELPDESK' });
    // Teams: fetchTask answers the form prefilled; submitAction opens the ticket.
    const p = person('carol');
    const fetchTask = await teamsPost(activity(teamsFake, { aad: p.teamsId!, type: 'invoke', name_: 'composeExtension/fetchTask', conversationType: 'channel', conversationId: '19:helpdesk@thread.tacv2', value: { commandId: 'openTicket', commandContext: 'message', messagePayload: { body: { contentType: 'html', content: '<p>Printer on fire in B-12</p><p>smoke everywhere</p>' }, linkToMessage: 'https://teams.microsoft.com/l/message/19:x/123' } } }));
    const task = (fetchTask as { task: { type: string; value: { card: { content: { body: { id?: string; value?: string }[] } } } } }).task;
    expect(task.type).to.equal('continue');
    const fields = task.value.card.content.body;
    expect(fields.find((b) => b.id === 'title')!.value).to.match(/^Printer on fire in B-12/);
    expect(fields.find((b) => b.id === 'description')!.value).to.include('From Teams: https://teams.microsoft.com/l/message/19:x/123');
    const submit = await teamsPost(activity(teamsFake, { aad: p.teamsId!, type: 'invoke', name_: 'composeExtension/submitAction', conversationType: 'channel', conversationId: '19:helpdesk@thread.tacv2', value: { commandId: 'openTicket', data: { title: 'Printer on fire in B-12', description: 'smoke everywhere', priority: 'P1', impact: 'high', teamId: 'service-desk' } } }));
    const result = (submit as { composeExtension: { type: string; attachments: { content: unknown }[] } }).composeExtension;
    expect(result.type).to.equal('result');
    expect(JSON.stringify(result.attachments[0]!.content)).to.include('Printer on fire in B-12');
    const opened = (await esc.deps.tickets.list({}, 5)).find((t) => t.title === 'Printer on fire in B-12')!;
    expect(opened.requesterId).to.equal('carol');
    expect(opened.source).to.equal('teams');
  });
});
