import { mkdirSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { createTeamsFrontEnd } from '../../src/adapters/teams/create-teams.js';
import type { TeamsFrontEnd } from '../../src/adapters/teams/create-teams.js';
import { loadTeamsConfig } from '../../src/config/teams-env.js';
import type { Org } from '../../src/domain/directory.js';
import { FakeGraph } from '../far-side/fake-graph.js';
import { FakeCredentialsFactory, signToken } from '../far-side/fake-teams-auth.js';
import { FakeTeamsConnector } from '../far-side/fake-teams-connector.js';
import { api, demoOrg, MemoryLogger, startTestEsc, TestClock } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import { activity, APP_ID, TENANT } from './teams-setup.js';

const SECRET = 'story-graph-secret';
const TEAM = 'abcdabcd-0000-4000-8000-000000000007';
const PUBLIC = 'https://esc.example.org';
/** Everyone in the demo org gets an AAD id, so Teams can reach them. */
const aadOf = (id: string) => `00000000-0000-4000-8000-${Buffer.from(id).toString('hex').padStart(12, '0').slice(-12)}`;

function storyOrg(): Org {
  const org = demoOrg();
  return { ...org, people: org.people.map((p) => ({ ...p, teamsId: aadOf(p.id) })) };
}

type Card = Record<string, unknown>;
/** Every TextBlock text and fact of a card, in order: what a person reads. */
function cardText(card: unknown): string {
  const out: string[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) return x.forEach(walk);
    if (!x || typeof x !== 'object') return;
    const o = x as Record<string, unknown>;
    if (o.type === 'TextBlock' && typeof o.text === 'string') out.push(o.text);
    if (o.type === 'FactSet' && Array.isArray(o.facts)) for (const f of o.facts as { title: string; value: string }[]) out.push(`${f.title}: ${f.value}`);
    if ((o.type === 'Action.Execute' || o.type === 'Action.Submit') && typeof o.title === 'string') out.push(`[${o.title}]`);
    for (const [k, v] of Object.entries(o)) if (k !== 'fallback') walk(v);
  };
  walk(card);
  return out.join(' | ');
}
const cardsOf = (body: Record<string, unknown>): Card[] => {
  const a = (body.activity as Record<string, unknown> | undefined) ?? body;
  return ((a.attachments as { contentType: string; content: Card }[] | undefined) ?? []).filter((x) => x.contentType === 'application/vnd.microsoft.card.adaptive').map((x) => x.content);
};
const actionsOf = (card: Card) => ((card.actions as { verb?: string }[] | undefined) ?? []).map((a) => a.verb);

describe('Teams: the issue-7 story (request → claim → major → war room → warranty → satisfaction → AAR → archive)', function () {
  this.timeout(60_000);
  const transcript: string[] = [];
  const note = (line: string) => transcript.push(line);
  let esc: TestEsc;
  let fake: FakeTeamsConnector;
  let graph: FakeGraph;
  let teams: TeamsFrontEnd;
  let seen = 0;
  let graphSeen = 0;
  const org = storyOrg();
  const nameOf = (aad: string) => org.people.find((p) => p.teamsId === aad)?.name ?? aad;
  const personOf = (conversationId: string | null) => (conversationId?.startsWith('a:dm-') ? nameOf(conversationId.slice(5)) : conversationId);

  /** What Esc sent since the last look, into the transcript; returns those calls. */
  const flush = () => {
    const calls = fake.calls.slice(seen);
    seen = fake.calls.length;
    for (const c of calls) {
      if (!c.path.includes('/activities') && !(c.method === 'POST' && c.path === '/teams/v3/conversations')) continue;
      const body = c.body;
      const a = (body.activity as Record<string, unknown> | undefined) ?? body;
      const where = c.conversationId ? personOf(c.conversationId) : `channel ${String((body.channelData as { channel?: { id?: string } } | undefined)?.channel?.id ?? '?')}`;
      const cards = cardsOf(body);
      note(`  Esc → ${where}${c.method === 'PUT' ? ' (card updated)' : ''}: ${cards.length ? cardText(cards[0]).slice(0, 600) : String(a.text ?? '')}`);
    }
    for (const g of graph.calls.slice(graphSeen)) note(`  Esc → Graph: ${g.method} ${g.path}${g.query.$filter ? `?$filter=${g.query.$filter}` : ''}`);
    graphSeen = graph.calls.length;
    return calls;
  };

  /** A person posts an activity the way Teams does (signed channel token). */
  const post = async (a: Record<string, unknown>) => {
    const res = await fetch(`${esc.baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${signToken(fake.key, { aud: APP_ID, serviceurl: fake.serviceUrl })}` }, body: JSON.stringify(a) });
    const text = await res.text();
    expect(res.status, text).to.be.lessThan(500);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  /** `who` types `text` to Esc in a personal chat (mentions: [display name, person id]); returns Esc's replies there. */
  const say = async (who: string, text: string, mentions: [string, string][] = []) => {
    flush();
    note(`${org.people.find((p) => p.id === who)!.name}: ${text}`);
    const entities = mentions.map(([name, id]) => ({ type: 'mention', text: `<at>${name}</at>`, mentioned: { id: `29:user-${aadOf(id)}`, name } }));
    await post(activity(fake, { aad: aadOf(who), text, extra: entities.length ? { entities } : {} }));
    await esc.settle();
    return flush()
      .filter((c) => c.conversationId === `a:dm-${aadOf(who)}`)
      .map((c) => ({ text: String(c.body.text ?? ''), cards: cardsOf(c.body) }));
  };
  /** `who` clicks an Action.Execute button; returns the invoke response (the card that replaces the clicked one). */
  const click = async (who: string, verb: string, data: Record<string, unknown>, replyToId = 'msg-1') => {
    flush();
    note(`${org.people.find((p) => p.id === who)!.name} clicks [${verb}] ${JSON.stringify(data)}`);
    const r = (await post(activity(fake, { aad: aadOf(who), type: 'invoke', name_: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data } }, replyToId }))) as { statusCode: number; type: string; value: unknown };
    note(`  Esc → ${org.people.find((p) => p.id === who)!.name} (invoke): ${typeof r.value === 'string' ? r.value : cardText(r.value).slice(0, 600)}`);
    await esc.settle();
    flush();
    return r;
  };
  /** Messages Esc sent to a person's personal chat after call index `from`. */
  const dmsTo = (id: string, from = 0) => fake.activities(`a:dm-${aadOf(id)}`).slice(from).filter((c) => c.method === 'POST');
  const timeline = async (key: string) => ((await api(esc.baseUrl, 'GET', `/api/tickets/${key}/timeline`)).body.events as { type: string; actor: { personId: string | null } | null; data: Record<string, unknown> }[]);

  before(async () => {
    fake = new FakeTeamsConnector();
    await fake.start();
    graph = new FakeGraph(TENANT, APP_ID, SECRET);
    await graph.start();
    for (const p of org.people) graph.users.add(p.teamsId!);
    graph.addTeam(TEAM, []);
    const config = loadTeamsConfig({
      TEAMS_APP_ID: APP_ID,
      TEAMS_APP_PASSWORD: SECRET,
      TEAMS_TENANT_ID: TENANT,
      TEAMS_APP_TYPE: 'SingleTenant',
      TEAMS_OPENID_METADATA_URL: fake.openIdUrl,
      TEAMS_WAR_ROOM_TEAM_ID: TEAM,
      GRAPH_BASE_URL: graph.baseUrl,
      GRAPH_AUTHORITY_HOST: graph.authorityHost,
    })!;
    const clock = new TestClock();
    teams = createTeamsFrontEnd({ config, log: new MemoryLogger(), clock, credentialsFactory: new FakeCredentialsFactory(APP_ID), publicUrl: PUBLIC });
    expect(teams.warRoom, 'the Graph war room is configured').to.not.equal(null);
    esc = await startTestEsc({ clock, org, notifiers: [teams.notifier], mounts: (deps) => teams.mounts(deps), warRoom: () => teams.warRoom! });
    await teams.bind(esc.conn);
    // Everyone has Esc installed in Teams (personal scope): Esc knows where to DM them.
    for (const p of org.people) await post(activity(fake, { aad: p.teamsId!, type: 'installationUpdate', extra: { action: 'add' } }));
    seen = fake.calls.length;
  });
  after(async () => {
    if (process.env.ESC_TRANSCRIPT) {
      process.stdout.write(`\n---- Teams transcript (issue 7) ----\n${transcript.join('\n')}\n---- end ----\n`);
      mkdirSync('test-artifacts', { recursive: true });
      writeFileSync('test-artifacts/teams-major-transcript.txt', `${transcript.join('\n')}\n`);
    }
    await esc?.stop();
    await fake?.stop();
    await graph?.stop();
  });

  let key = '';

  it('a manager asks for urgent handling; the coordinators get a card with Claim, the CIO a copy; a technician may not ask', async () => {
    const { body: t } = await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'Exam portal down for the School of Engineering', priority: 'P2', assigneeId: 'bob', requesterId: 'judy', teamId: 'service-desk' });
    key = String(t.key);
    note(`(API) ${key} opened: P2 "Exam portal down for the School of Engineering", requester Judy Alvarez, assignee Bob Okafor`);

    const refused = await say('alice', `request ${key} please hurry`);
    expect(refused[0]!.text).to.match(/Only managers/);

    // Ken (Dean's office point person) clicks Escalate on the ticket card: he gets the request form, not the paging form.
    const form = await click('ken', 'escalate.form', { ticket: key });
    expect(JSON.stringify(form.value)).to.include('"verb":"request"').and.to.include('"id":"reason"');
    const empty = await click('ken', 'request', { ticket: key, reason: '' });
    expect(cardText(empty.value)).to.match(/A reason is required: say in a few words/);
    const coordFrom = { erin: dmsTo('erin').length, frank: dmsTo('frank').length, grace: dmsTo('grace').length };
    const sent = await click('ken', 'request', { ticket: key, reason: 'The Dean cannot run the 10:00 exam for 400 students', urgency: 'urgent' });
    expect(sent.statusCode).to.equal(200);
    expect(cardText(sent.value)).to.match(/ESCALATED · manager request/).and.to.include('Escalation requested by Ken Sato');
    for (const c of ['erin', 'frank'] as const) {
      const card = dmsTo(c, coordFrom[c]).flatMap((x) => cardsOf(x.body)).find((x) => actionsOf(x).includes('claim'));
      expect(card, `${c} gets a card with Claim`).to.not.equal(undefined);
      expect(cardText(card)).to.include('The Dean cannot run the 10:00 exam');
    }
    expect(dmsTo('grace', coordFrom.grace).length, 'the CIO is copied').to.be.greaterThan(0);
    const types = (await timeline(key)).map((e) => e.type);
    expect(types).to.include('escalation.requested');
  });

  it('a coordinator claims it (the others are told); the checklist: reviewed, ETA to the user, the manager informed, the owner engaged', async () => {
    expect((await say('alice', `claim ${key}`))[0]!.text).to.match(/Only|coordinator/i);
    const frankFrom = dmsTo('frank').length;
    const claimed = await click('erin', 'claim', { ticket: key });
    // Times in the organisation's zone (Los Angeles), as Slack, email and the after-action report show them.
    expect(cardText(claimed.value)).to.match(/Claimed by Erin Park at \d{4}-\d\d-\d\d \d\d:\d\d PST/).and.not.to.match(/UTC/);
    expect(actionsOf(claimed.value as Card)).to.not.include('claim');
    expect(dmsTo('frank', frankFrom).map((c) => cardText(cardsOf(c.body)[0]) + String(c.body.text ?? '')).join(' ')).to.match(/Erin Park/);

    await say('erin', `reviewed ${key}`);
    const judyFrom = dmsTo('judy').length;
    const eta = await say('erin', `eta ${key} 2h the portal is being moved to a standby server`);
    expect(eta[0]!.text).to.not.match(/can't read/);
    expect(dmsTo('judy', judyFrom).length, 'the user gets the estimated time').to.be.greaterThan(0);
    const kenFrom = dmsTo('ken').length;
    await say('erin', `inform ${key} claimed; a technician is on it and the user has an ETA`);
    expect(dmsTo('ken', kenFrom).length, 'the requesting manager is told').to.be.greaterThan(0);
    const ivanFrom = dmsTo('ivan').length;
    await say('erin', `engage ${key} <at>Ivan Petrov</at> please own the fix today`, [['Ivan Petrov', 'ivan']]);
    expect(dmsTo('ivan', ivanFrom).length, 'the service owner is engaged').to.be.greaterThan(0);
    const types = (await timeline(key)).map((e) => e.type);
    expect(types).to.include.members(['escalation.request_claimed', 'coordination.reviewed', 'coordination.eta_sent', 'coordination.manager_informed', 'coordination.owner_engaged']);
  });

  let channelId = '';

  it('an escalation manager declares a major escalation: a channel in the team, the summary first, the team added; a technician may not', async () => {
    expect((await say('alice', `major ${key} this is huge`))[0]!.text).to.match(/Only escalation managers/);
    const r = await say('erin', `major ${key} Exam portal down for 400 students during finals week`);
    expect(r[0]!.text).to.match(/major/i);
    const create = graph.graphCalls('POST', /\/teams\/[^/]+\/channels$/);
    expect(create, 'a channel is created through Graph').to.have.length(1);
    expect(String(create[0]!.body.displayName)).to.match(/^war-esc-\d+-exam-portal-down/);
    channelId = graph.teams.get(TEAM)!.channels.at(-1)!.id;
    const posts = fake.calls.filter((c) => c.method === 'POST' && c.path === '/teams/v3/conversations' && (c.body.channelData as { channel?: { id?: string } } | undefined)?.channel?.id === channelId);
    expect(posts.length, 'the summary is posted in the channel').to.be.greaterThan(0);
    expect(cardText(cardsOf(posts[0]!.body)[0])).to.include('Summary |').and.to.include(key);
    expect(graph.teams.get(TEAM)!.members.has(aadOf('erin')), 'the escalation manager is in the team').to.equal(true);
    expect((await timeline(key)).map((e) => e.type)).to.include.members(['major.declared', 'major.war_room_opened']);
    const summary = await click('erin', 'major.show', { ticket: key });
    expect(cardText(summary.value)).to.match(/ESCALATED · major/);
    expect(cardText(summary.value)).to.match(/Declared: \d{4}-\d\d-\d\d \d\d:\d\d PST by Erin Park/).and.to.match(/Next update: \d{4}-\d\d-\d\d \d\d:\d\d PST/).and.not.to.match(/UTC/);
    const ticketCard = await click('erin', 'show', { ticket: key });
    expect(cardText(ticketCard.value)).to.match(/ESCALATED · major/);
  });

  it('roles by @mention and by email: each person is added to the team and gets the instructions for the role', async () => {
    const henryFrom = dmsTo('henry').length;
    await say('erin', `role ${key} <at>Henry Adeyemi</at> incident_owner`, [['Henry Adeyemi', 'henry']]);
    expect(graph.teams.get(TEAM)!.members.has(aadOf('henry'))).to.equal(true);
    expect(dmsTo('henry', henryFrom).map((c) => JSON.stringify(c.body)).join(' ')).to.match(/incident/i);
    await say('erin', `role ${key} ken@demo.example.edu abrm`);
    expect(graph.teams.get(TEAM)!.members.has(aadOf('ken'))).to.equal(true);
    expect((await say('alice', `role ${key} bob sme`))[0]!.text).to.match(/Only|escalation manager/i);
    expect((await say('erin', `role ${key} nobody-here sme`))[0]!.text).to.match(/I don't know "nobody-here"/);
    const roles = (await timeline(key)).filter((e) => e.type === 'major.role_assigned').map((e) => `${String(e.data.personId)}:${String(e.data.role)}`);
    expect(roles).to.include.members(['henry:incident_owner', 'ken:abrm']);
  });

  it('the action plan: tasks added and closed from Teams; an overdue task reminds its owner', async () => {
    const t1 = await say('erin', `task ${key} add <at>Henry Adeyemi</at> 2h Fail over the exam database`, [['Henry Adeyemi', 'henry']]);
    expect(cardText(t1.find((m) => m.cards.length)!.cards[0])).to.include('Fail over the exam database');
    await say('erin', `task ${key} add ivan 30m Patch the load balancer`);
    const ivanFrom = dmsTo('ivan').length;
    esc.clock.advanceMinutes(45);
    await esc.settle();
    flush();
    expect(dmsTo('ivan', ivanFrom).length, 'the overdue task reminds its owner').to.be.greaterThan(0);
    const done = await click('henry', 'task.done', { ticket: key, n: '1' });
    expect(cardText(done.value)).to.match(/☑ 1\. Fail over the exam database/);
    const list = await say('erin', `tasks ${key}`);
    expect(cardText(list[0]!.cards[0])).to.match(/OVERDUE/);
    expect(cardText(list[0]!.cards[0])).to.match(/Ivan Petrov · due \d{4}-\d\d-\d\d \d\d:\d\d PST · OVERDUE/).and.to.match(/done \d{4}-\d\d-\d\d \d\d:\d\d PST by Henry Adeyemi/).and.not.to.match(/UTC/);
    // Inside the war-room channel the ticket may be left out.
    flush();
    note('Henry Adeyemi (in the war-room channel): @Esc tasks');
    const fromCh = fake.calls.length;
    await post(activity(fake, { aad: aadOf('henry'), text: '<at>Esc</at> tasks', conversationType: 'channel', conversationId: `${channelId};messageid=1700000000001` }));
    flush();
    const inRoom = fake.calls.slice(fromCh).find((c) => c.conversationId?.startsWith(channelId));
    expect(cardText(cardsOf(inRoom!.body)[0]), 'the action plan, answered in the channel').to.include(`Action plan · ${key}`);
  });

  it('a stakeholder update and a problem case', async () => {
    const before = fake.calls.length;
    await say('erin', `update ${key} Failover done; students can log in again, exam moved to 11:00`);
    const inRoom = fake.calls.slice(before).filter((c) => (c.body.channelData as { channel?: { id?: string } } | undefined)?.channel?.id === channelId);
    expect(inRoom.length, 'the update is posted in the war room').to.be.greaterThan(0);
    const prb = await say('erin', `problem ${key} new Load balancer firmware drops sessions`);
    expect(prb[0]!.text).to.match(/PRB-\d+/);
    expect((await timeline(key)).map((e) => e.type)).to.include.members(['major.update_sent', 'problem.linked']);
  });

  it('resolution starts the warranty; at its end the customer gets the satisfaction card and answers it', async () => {
    await say('erin', `resolve ${key} load balancer patched, portal stable`);
    expect((await timeline(key)).map((e) => e.type)).to.include('major.resolved');
    // A recurrence during the warranty reopens it; resolving the new incident starts the warranty again.
    const { body: t2 } = await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'Exam portal down again', priority: 'P2', requesterId: 'judy', teamId: 'service-desk' });
    const key2 = String(t2.key);
    const rec = await say('henry', `recurrence ${key2} of ${key}`);
    expect(rec[0]!.text).to.match(/active again/);
    expect((await timeline(key)).map((e) => e.type)).to.include('major.recurred');
    esc.clock.advanceMinutes(20);
    await say('henry', `resolve ${key2} session affinity turned off on the balancer`);
    expect((await timeline(key)).filter((e) => e.type === 'major.resolved')).to.have.length(2);
    const judyFrom = dmsTo('judy').length;
    esc.clock.advanceMinutes(8 * 24 * 60);
    await esc.settle();
    flush();
    const rate = dmsTo('judy', judyFrom).flatMap((c) => cardsOf(c.body)).find((c) => actionsOf(c).includes('rate'));
    expect(rate, 'the satisfaction card with 1–5').to.not.equal(undefined);
    expect(JSON.stringify(rate)).to.include('"id":"score"');
    const bad = await click('judy', 'rate', { ticket: key, score: '9' });
    expect(JSON.stringify(bad)).to.match(/1 to 5/);
    const answered = await click('judy', 'rate', { ticket: key, score: '5', comment: 'Back in time for the exam, thank you' });
    expect(cardText(answered.value)).to.match(/5\/5 recorded/);
    expect((await timeline(key)).map((e) => e.type)).to.include.members(['major.satisfaction_requested', 'satisfaction.recorded']);
  });

  it('once the customer is satisfied: the after-action report is posted in the war room as a link to the PDF, and the war room is archived', async () => {
    expect((await say('alice', `aar ${key}`))[0]!.text).to.match(/Only escalation managers/);
    const posts = fake.calls.filter((c) => (c.body.channelData as { channel?: { id?: string } } | undefined)?.channel?.id === channelId);
    const withLink = posts.map((c) => JSON.stringify(c.body)).find((s) => s.includes('/files/war-room/'));
    expect(withLink, 'a war-room post links the report').to.be.a('string');
    const url = new RegExp(`${PUBLIC.replace(/[.]/g, '\\.')}/files/war-room/[A-Za-z0-9_-]{43}/[^)"\\\\]+`).exec(withLink!)?.[0];
    expect(url, withLink).to.be.a('string');
    const res = await fetch(url!.replace(PUBLIC, esc.baseUrl));
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('application/pdf');
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 5).toString()).to.equal('%PDF-');

    const types = (await timeline(key)).map((e) => e.type);
    expect(types).to.include.members(['major.review_scheduled', 'major.aar_generated', 'major.closed', 'major.war_room_archived']);
    expect(graph.graphCalls('POST', /\/archive$/).map((c) => c.path)).to.deep.equal([`/v1.0/teams/${TEAM}/channels/${channelId}/archive`]);
    expect(graph.teams.get(TEAM)!.channels.find((c) => c.id === channelId)!.isArchived, 'archived through Graph').to.equal(true);
    // Every Graph call carried the app-only token; one token served the whole story.
    expect(graph.graphCalls().every((c) => c.auth.startsWith('Bearer graph-'))).to.equal(true);
    expect(graph.tokensIssued).to.equal(1);
  });

  it('never answers 5xx to malformed issue-7 commands or card payloads, and says what is wrong', async () => {
    const junk = ['request', 'claim', 'claim ESC-1 extra', 'eta ESC-1000 soon-ish hello', 'eta ESC-1000 2h', 'task ESC-1000 add', 'task ESC-1000 add @henry yesterday x', 'task ESC-1000 done zero', 'role ESC-1000 @henry wizard', 'problem ESC-1000', 'recurrence', 'recurrence ESC-1000 of ESC-1000', 'aar 99999', 'major ESC-1000', 'update ESC-999999 hello', 'engage ESC-1000'];
    for (const text of junk) {
      const r = await say('erin', text);
      expect(r[0]?.text ?? '', text).to.match(/\S/);
    }
    expect((await say('erin', 'eta ESC-1000 soon-ish hello'))[0]!.text).to.match(/Say when/);
    expect((await say('erin', 'claim'))[0]!.text).to.match(/Say which ticket/);
    const invokes: [string, unknown][] = [['task.done', { ticket: key, n: 'x' }], ['rate', {}], ['request', { ticket: [] }], ['claim', { ticket: 'ESC-0' }], ['major.show', { ticket: 'ESC-999999' }], ['tasks', 'nope']];
    for (const [verb, data] of invokes) {
      const r = (await post(activity(fake, { aad: aadOf('erin'), type: 'invoke', name_: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data } } }))) as { statusCode?: number };
      expect(r.statusCode, verb).to.be.lessThan(500);
    }
    expect(esc.log.errors()).to.deep.equal([]);
  });
});
