/**
 * Issue 15 on Teams only (signed Bot Framework activities, the local connector): shift DMs and
 * hand-off posts in the team's Teams channel, a cover request posted as a card with Take (first
 * taker wins, the card then says who took it, a late taker is told), a cover request cancelled
 * (by its asker's lead; the card says so, a later Take is refused), the secondary layer paged
 * over chat, and unknown Teams users matched by UPN/email (else added as requesters).
 */
import { expect } from 'chai';
import { createTeamsFrontEnd } from '../../src/adapters/teams/create-teams.js';
import type { TeamsFrontEnd } from '../../src/adapters/teams/create-teams.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import { loadTeamsConfig } from '../../src/config/teams-env.js';
import { FakeCredentialsFactory, signToken } from '../far-side/fake-teams-auth.js';
import { FakeTeamsConnector } from '../far-side/fake-teams-connector.js';
import type { ConnectorCall } from '../far-side/fake-teams-connector.js';
import { demoWith } from '../fixtures/demo-variants.js';
import { MemoryLogger, TestClock, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import { AAD, APP_ID, TENANT, activity } from './teams-setup.js';

const DESK = '19:desk@thread.tacv2';
/** Carol (the lead) and Judy are in the file without a Teams id; a newcomer is in nobody's file. */
const CAROL_AAD = '00000000-0000-0000-0000-0000000ca201';
const JUDY_AAD = '00000000-0000-0000-0000-0000000d0d1e';
const NEW_AAD = '00000000-0000-0000-0000-0000000ee0e0';

type Card = { body?: { text?: string }[]; actions?: { type: string; title: string; verb?: string; data?: Record<string, unknown> }[] };
const cardOf = (c: ConnectorCall): Card | undefined => ((c.body.attachments as { content: Card }[] | undefined) ?? [])[0]?.content;
const cardText = (c: ConnectorCall) => (cardOf(c)?.body ?? []).map((b) => b.text ?? '').join(' ');

/** The demo org with the desk's Teams channel, two layers, announced hand-offs and a P1 plan paging the secondary layer. */
function variant(d: Parameters<Parameters<typeof demoWith>[0]>[0]): void {
  const desk = d.teams.find((t) => t.id === 'service-desk')!;
  desk.channel = DESK;
  const rotations = d.rotations as Record<string, unknown>[];
  // Primary: Alice this week, Bob next; secondary: Carol this week. Hand-offs are announced.
  rotations[0] = { id: 'service-desk-oncall', timeZone: 'America/Los_Angeles', announceHandoffs: true, layers: [{ role: 'primary', members: ['alice', 'bob'], start: '2026-01-05', handoffTime: '09:00', shiftDays: 7 }, { role: 'secondary', members: ['carol', 'alice'], start: '2026-01-05', handoffTime: '09:00', shiftDays: 7 }] };
  // The P1 plan pages the secondary layer first, over chat.
  const urgent = d.plans[0] as { steps: { targets: unknown[] }[] };
  urgent.steps = [{ ...urgent.steps[0]!, targets: ['oncall:secondary'] }];
  delete (d.plans[0] as Record<string, unknown>).repeat;
}

describe('On call on Teams: shift notices, hand-off posts, cover + Take card, cancel, secondary layer, people by UPN', function () {
  this.timeout(60_000);
  let esc: TestEsc;
  let fake: FakeTeamsConnector;
  let teams: TeamsFrontEnd;

  const post = async (a: Record<string, unknown>) => {
    const header = `Bearer ${signToken(fake.key, { aud: APP_ID, serviceurl: fake.serviceUrl })}`;
    const res = await fetch(`${esc.baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: header }, body: JSON.stringify(a) });
    const text = await res.text();
    expect(res.status, text).to.be.lessThan(500);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  const waitFor = async <T>(f: () => T | undefined, ms = 5000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = f();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  /** Types a message to Esc in a 1:1 chat; returns the text of Esc's answer. */
  async function say(aad: string, text: string): Promise<string> {
    const conv = `a:dm-${aad}`;
    const before = fake.activities(conv).length;
    await post(activity(fake, { aad, text }));
    await waitFor(() => fake.activities(conv).length > before);
    return fake.activities(conv).slice(before).map((c) => String(c.body.text ?? '')).join('\n');
  }
  /** Clicks an Action.Execute button on a card in the team channel. */
  const click = (aad: string, verb: string, data: unknown, replyToId: string) =>
    post(activity(fake, { aad, type: 'invoke', name_: 'adaptiveCard/action', conversationType: 'channel', conversationId: `${DESK};messageid=${replyToId}`, replyToId, value: { action: { type: 'Action.Execute', verb, data } } }));
  const channelPosts = () => fake.activities(DESK).filter((c) => c.method === 'POST');
  const dmTexts = (aad: string) => fake.activities(`a:dm-${aad}`).map((c) => String(c.body.text ?? ''));

  before(async () => {
    fake = new FakeTeamsConnector();
    await fake.start();
    const clock = new TestClock(); // Mon 23 Nov 2026 09:00 PST: a hand-off.
    const config = loadTeamsConfig({ TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 'not-used-in-tests', TEAMS_TENANT_ID: TENANT, TEAMS_APP_TYPE: 'SingleTenant', TEAMS_OPENID_METADATA_URL: fake.openIdUrl })!;
    teams = createTeamsFrontEnd({ config, log: new MemoryLogger(), clock, credentialsFactory: new FakeCredentialsFactory(APP_ID) });
    const org = demoWith(variant);
    esc = await startTestEsc({ clock, org, notifiers: [teams.notifier], oncallMessenger: teams.oncallMessenger, mounts: (deps) => teams.mounts(deps) });
    await teams.bind(esc.conn);
    // Teams answers member lookups: Carol and Judy by their work email / UPN, the newcomer with an address nobody has.
    fake.members.set(`29:user-${CAROL_AAD}`, { id: `29:user-${CAROL_AAD}`, name: 'Carol Diaz', aadObjectId: CAROL_AAD, email: 'Carol@Demo.Example.edu', userPrincipalName: 'carol@demo.example.edu' });
    fake.members.set(`29:user-${JUDY_AAD}`, { id: `29:user-${JUDY_AAD}`, name: 'Judy Alvarez', aadObjectId: JUDY_AAD, userPrincipalName: 'judy@demo.example.edu' });
    fake.members.set(`29:user-${NEW_AAD}`, { id: `29:user-${NEW_AAD}`, name: 'Nia Newcomer', aadObjectId: NEW_AAD, userPrincipalName: 'nia@demo.example.edu' });
  });
  after(async () => {
    await esc?.stop();
    await fake?.stop();
  });

  it('unknown Teams users: matched by email/UPN (the Teams id is stored), else added as requesters', async () => {
    expect(await say(CAROL_AAD, 'oncall service-desk')).to.include('Service Desk (secondary): Carol Diaz until Mon 30 Nov 09:00 PST');
    expect(esc.deps.directory().byTeamsId(CAROL_AAD)?.id).to.equal('carol');
    expect((await esc.conn.collection('person_settings').findOne({ _id: 'carol' } as never))?.teamsId).to.equal(CAROL_AAD);
    expect(await say(JUDY_AAD, 'oncall me')).to.include('You have no on-call shifts');
    expect(esc.deps.directory().byTeamsId(JUDY_AAD)?.id).to.equal('judy');
    // Nobody has Nia's address: she becomes a requester, who may not put anyone on call.
    expect(await say(NEW_AAD, 'oncall me')).to.include('You have no on-call shifts');
    expect(esc.deps.directory().byTeamsId(NEW_AAD)).to.deep.include({ name: 'Nia Newcomer', email: 'nia@demo.example.edu', roles: ['requester'] });
    expect(await say(NEW_AAD, 'override @bob now 2h service-desk')).to.include("You can't put someone else on call");
    // Someone Teams cannot look up is still told Esc does not know them.
    expect(await say('ffffffff-0000-0000-0000-000000000000', 'oncall')).to.include("can't find you in Esc's directory");
  });

  it('shift start: a DM to each person whose shift starts, and a hand-off post in the team\'s Teams channel', async () => {
    // Esc is added to the team channel; Alice and Bob talk to it once (their 1:1 chats).
    await post(activity(fake, { aad: AAD.erin, type: 'conversationUpdate', conversationType: 'channel', conversationId: `${DESK};messageid=1700000000000`, extra: { membersAdded: [{ id: `28:${APP_ID}` }] } }));
    await say(AAD.alice, 'oncall me');
    await say(AAD.bob, 'oncall me');
    await esc.settle();
    const handoffs = channelPosts().map((c) => String(c.body.text));
    console.log(`      hand-off posts in the Teams channel:\n${handoffs.map((t) => `        ${t}`).join('\n')}`);
    expect(handoffs).to.include.members(['Hand-off: Alice Ng is on call for Service Desk until Mon 30 Nov 09:00 PST.', 'Hand-off: Carol Diaz is on call for Service Desk (secondary) until Mon 30 Nov 09:00 PST.']);
    expect(cardText(channelPosts()[0]!)).to.match(/^Hand-off: /);
    expect(dmTexts(AAD.alice)).to.include('You are on call for Service Desk until Mon 09:00.');
    expect(dmTexts(CAROL_AAD)).to.include('You are on call for Service Desk (secondary) until Mon 09:00.');
    // Once: another pass posts nothing more.
    const n = channelPosts().length;
    esc.clock.advanceMinutes(1);
    await esc.settle();
    expect(channelPosts()).to.have.length(n);
  });

  it('a cover request as a Take card: Bob takes it first, the card says so for everyone, Carol is told she is late', async () => {
    const said = await say(AAD.alice, 'cover now tomorrow 09:00 service-desk');
    expect(said).to.include('Cover request posted to the team channel');
    const card = await waitFor(() => channelPosts().find((c) => cardText(c).includes('asks for cover')));
    const take = cardOf(card)!.actions![0]!;
    console.log(`      cover card in the Teams channel: ${cardText(card)}  [${take.title}]`);
    expect(take).to.deep.include({ type: 'Action.Execute', title: 'Take', verb: 'cover.take' });
    // The activity id the connector gave the card (recorded beside the message).
    const posted = (await esc.conn.collection('oncall_messages').findOne({ 'take.coverId': take.data!.cover, 'posted.platform': 'teams' } as never)) as { posted: { messageId: string } } | null;
    expect(posted, 'the card post is recorded with its activity id').to.not.equal(null);
    const id = posted!.posted.messageId;
    const won = await click(AAD.bob, take.verb!, take.data, id);
    expect(JSON.stringify(won)).to.include('Bob Okafor took this cover');
    const late = await click(CAROL_AAD, take.verb!, take.data, id);
    expect(JSON.stringify(late)).to.include('Bob Okafor already took this cover');
    // The card itself now says who took it, with no Take button, for everyone in the channel.
    const put = await waitFor(() => fake.calls.find((c) => c.method === 'PUT' && c.path.endsWith(`/activities/${id}`)));
    console.log(`      the card after the take: ${cardText(put)}`);
    expect(cardText(put)).to.match(/^Bob Okafor took the Service Desk on-call cover \(primary\) from Mon 23 Nov 09:01 PST to Tue 24 Nov 09:00 PST\. \(Alice Ng asked for it\.\)$/);
    expect(cardOf(put)!.actions).to.equal(undefined);
    // Alice (who asked) and Carol (the lead) are told in their 1:1 chats.
    await waitFor(() => dmTexts(AAD.alice).some((t) => t.startsWith('Bob Okafor took the Service Desk on-call cover')) && dmTexts(CAROL_AAD).some((t) => t.startsWith('Bob Okafor took the Service Desk on-call cover')));
    expect(await say(AAD.erin, 'oncall service-desk')).to.include('Service Desk (primary): Bob Okafor until Tue 24 Nov 09:00 PST (override)');
    // Action.Submit (older clients) reaches the same action: already taken.
    const conv = `a:dm-${CAROL_AAD}`;
    const n = fake.activities(conv).length;
    await post(activity(fake, { aad: CAROL_AAD, value: { verb: 'cover.take', cover: take.data!.cover } }));
    await waitFor(() => fake.activities(conv).length > n);
    expect(String(fake.activities(conv).slice(n)[0]!.body.text)).to.include('Bob Okafor already took this cover');
  });

  it('a cover request cancelled by the lead: the card says so, the asker is told, a late Take is refused; a technician may not cancel another\'s', async () => {
    await say(AAD.alice, 'cover tomorrow 12:00 tomorrow 18:00 service-desk');
    const card = await waitFor(() => channelPosts().find((c) => cardText(c).includes('asks for cover') && cardText(c).includes('Tue 24 Nov 12:00')));
    const take = cardOf(card)!.actions![0]!;
    const posted = (await esc.conn.collection('oncall_messages').findOne({ 'take.coverId': take.data!.cover, 'posted.platform': 'teams' } as never)) as { posted: { messageId: string } } | null;
    const id = posted!.posted.messageId;
    expect(await say(AAD.bob, 'cover cancel @alice')).to.include("You can't put someone else on call");
    const done = await say(CAROL_AAD, 'cover cancel @alice');
    expect(done).to.include('Cover request cancelled: Service Desk (primary)');
    const put = await waitFor(() => fake.calls.find((c) => c.method === 'PUT' && c.path.endsWith(`/activities/${id}`)));
    console.log(`      the card after the cancel: ${cardText(put)}`);
    expect(cardText(put)).to.equal('Cancelled by Carol Diaz: Alice Ng no longer needs cover of Service Desk on-call (primary) from Tue 24 Nov 12:00 PST to Tue 24 Nov 18:00 PST.');
    expect(cardOf(put)!.actions).to.equal(undefined);
    await waitFor(() => dmTexts(AAD.alice).some((t) => t.startsWith('Carol Diaz cancelled your cover request for Service Desk on-call')));
    expect(JSON.stringify(await click(AAD.bob, take.verb!, take.data, id))).to.include('That cover request was cancelled');
    expect(await say(AAD.alice, 'cover cancel')).to.include('You have no open cover request');
    // The asker cancels her own.
    await say(AAD.alice, 'cover tomorrow 20:00 tomorrow 22:00 service-desk');
    expect(await say(AAD.alice, 'cover cancel')).to.include('Cover request cancelled');
    const tl = (await esc.deps.oncall.events('service-desk-oncall')).map((e) => e.type);
    expect(tl.filter((t) => t === 'cover.cancelled')).to.have.length(2);
  });

  it('the secondary layer over chat: a P1 pages the secondary on-call person (Carol, found by email) in Teams', async () => {
    const before = fake.activities(`a:dm-${CAROL_AAD}`).length;
    const ticket = await openTicket(esc.deps, { title: 'Core switch down', priority: 'P1', teamId: 'service-desk', requesterId: 'judy', source: 'api' }, { personId: 'judy', via: 'api' });
    await esc.settle();
    const dms = await waitFor(() => {
      const got = fake.activities(`a:dm-${CAROL_AAD}`).slice(before);
      return got.length > 0 ? got : undefined;
    });
    expect(dms.map((c) => `${String(c.body.text)} ${JSON.stringify(c.body.attachments)}`).join('\n')).to.include('Core switch down');
    const deliveries = await esc.deps.deliveries.list({ ticketId: ticket.id }, 50);
    // The people paged (the team channel's ticket post is a delivery to no person).
    expect(deliveries.map((d) => d.recipient.personId).filter(Boolean)).to.deep.equal(['carol']);
    expect(deliveries.every((d) => d.notice.title.includes('Core switch down'))).to.equal(true);
  });

  it('with directory.autoRequesters off, an unknown Teams user nobody matches is not added and is told so', async () => {
    await esc.reloadOrg(demoWith((d) => (variant(d), (d.directory = { autoRequesters: false }))));
    const stranger = '00000000-0000-0000-0000-0000000057a6';
    fake.members.set(`29:user-${stranger}`, { id: `29:user-${stranger}`, name: 'Sam Stranger', aadObjectId: stranger, userPrincipalName: 'sam@elsewhere.example.org' });
    expect(await say(stranger, 'oncall')).to.include("can't find you in Esc's directory");
    expect(esc.deps.directory().byTeamsId(stranger)).to.equal(undefined);
  });
});
