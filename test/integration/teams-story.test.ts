import { expect } from 'chai';
import { api } from '../support/harness.js';
import { AAD, activity, botMessages, executeAction, startTeamsWorld } from './teams-setup.js';
import type { TeamsWorld } from './teams-setup.js';

const texts = (card: Record<string, unknown>) => JSON.stringify(card);

describe('Teams: breach → proactive DM card → Acknowledge in place', () => {
  let w: TeamsWorld;
  before(async () => {
    w = await startTeamsWorld();
  });
  after(async () => {
    await w?.stop();
  });

  it('pages Alice by DM after the breach; her Acknowledge updates the card for everyone and completes the timeline', async () => {
    // Alice installs the app (personal scope): Esc stores where to reach her.
    const install = await w.post(activity(w.fake, { aad: AAD.alice, type: 'installationUpdate', extra: { action: 'add' } }));
    expect(install.status).to.equal(200);
    expect(await w.teams.refs()!.personal('teams', 'alice')).to.not.equal(null);

    const { body: t } = await api(w.esc.baseUrl, 'POST', '/api/tickets', { title: 'Exam portal down', priority: 'P1', assigneeId: 'alice' });
    const key = String(t.key);
    const dm = `a:dm-${AAD.alice}`;
    const sentBefore = w.fake.activities(dm).length;

    w.esc.clock.advanceMinutes(31); // P1: 30 min response, always-open calendar
    await w.esc.settle();

    const page = botMessages(w.fake, dm, sentBefore).find((m) => m.cards.length > 0);
    expect(page, 'a proactive DM with a card').to.not.equal(undefined);
    const card = page!.cards[0]!;
    expect(card.version).to.equal('1.5');
    expect(texts(card)).to.include(key).and.to.include('Escalation step 1 of');
    const actions = card.actions as { type: string; verb: string; fallback: { type: string } }[];
    expect(actions.map((a) => a.verb)).to.include('ack');
    expect(actions.every((a) => a.type === 'Action.Execute' && a.fallback.type === 'Action.Submit')).to.equal(true);
    const sent = await api(w.esc.baseUrl, 'GET', `/api/tickets/${key}/timeline`);
    const chatSent = (sent.body.events as { type: string; data: { channel?: string; personId?: string } }[]).filter((e) => e.type === 'delivery.sent' && e.data.channel === 'chat');
    expect(chatSent.map((e) => e.data.personId)).to.include('alice');

    // Alice clicks Acknowledge on that message.
    const messageId = 'act-dm-page';
    const updatesBefore = w.fake.calls.filter((c) => c.method === 'PUT').length;
    const r = await w.post(executeAction(w.fake, AAD.alice, 'ack', { ticket: key }, messageId));
    expect(r.status).to.equal(200);
    const body = r.body as { statusCode: number; type: string; value: Record<string, unknown> };
    expect(body.statusCode).to.equal(200);
    expect(body.type).to.equal('application/vnd.microsoft.card.adaptive');
    expect(texts(body.value)).to.match(/Acknowledged by Alice Ng at 2026-11-23 09:31 PST/);
    expect(texts(body.value)).to.match(/Escalation stopped after 1 step/);
    const puts = w.fake.calls.filter((c) => c.method === 'PUT');
    expect(puts.length).to.equal(updatesBefore + 1);
    expect(puts.at(-1)!.path).to.include(`/activities/${messageId}`);

    // A second click changes nothing and says so.
    const again = await w.post(executeAction(w.fake, AAD.alice, 'ack', { ticket: key }, messageId));
    expect(again.status).to.equal(200);

    const tl = await api(w.esc.baseUrl, 'GET', `/api/tickets/${key}/timeline`);
    const events = tl.body.events as { type: string; actor: { personId: string | null; via: string } | null }[];
    const types = events.map((e) => e.type);
    expect(types).to.include.members(['ticket.opened', 'sla.response_breached', 'escalation.started', 'escalation.step_fired', 'delivery.sent', 'ticket.acknowledged', 'escalation.acknowledged']);
    const ack = events.find((e) => e.type === 'escalation.acknowledged')!;
    expect(ack.actor).to.include({ personId: 'alice', via: 'teams' });
    expect(types.filter((x) => x === 'escalation.acknowledged')).to.have.length(1);

    // Nothing more goes out after the acknowledgement but the requester's update (issue 14), once.
    const pages = () => w.fake.activities().filter((c) => !/ is on it$/.test(String((c.body as { summary?: string } | undefined)?.summary ?? '')));
    const told = () => w.fake.activities().length - pages().length;
    const after = pages().length;
    w.esc.clock.advanceMinutes(60);
    await w.esc.settle();
    expect(pages().length).to.equal(after);
    expect(told()).to.equal(1);
  });
});
