import { expect } from 'chai';
import { classifyTeamsError } from '../../src/adapters/teams/teams-chat-notifier.js';
import { api } from '../support/harness.js';
import { AAD, APP_ID, activity, botMessages, executeAction, startTeamsWorld } from './teams-setup.js';
import type { TeamsWorld } from './teams-setup.js';

describe('Teams: commands and card actions', () => {
  let w: TeamsWorld;
  let key = '';
  const dm = (aad: string) => `a:dm-${aad}`;
  /** Sends a message and returns what the bot answered in that conversation. */
  const say = async (text: string, opts: { aad?: string; conversationType?: 'personal' | 'groupChat' | 'channel'; conversationId?: string } = {}) => {
    const aad = opts.aad ?? AAD.erin;
    const conv = opts.conversationId ?? dm(aad);
    const from = w.fake.activities(conv).length;
    const r = await w.post(activity(w.fake, { aad, text, conversationType: opts.conversationType, conversationId: conv }));
    expect(r.status, text).to.be.lessThan(500);
    return botMessages(w.fake, conv, from);
  };

  before(async () => {
    w = await startTeamsWorld();
    const { body } = await api(w.esc.baseUrl, 'POST', '/api/tickets', { title: 'Wi-Fi down in library', priority: 'P2', assigneeId: 'bob' });
    key = String(body.key);
  });
  after(async () => {
    await w?.stop();
  });

  it('answers help, status, history, list, plan simulate and report', async () => {
    expect((await say('help'))[0]!.text).to.match(/ack ESC-1042/).and.match(/Esc commands/);
    const status = await say(`status ${key}`);
    expect(status[0]!.text).to.include('Wi-Fi down in library').and.match(/You can: /);
    const history = await say(`history ${key.toLowerCase()}`);
    expect(JSON.stringify(history[0]!.cards[0])).to.include('Timeline').and.to.include('Created');
    expect((await say('list open'))[0]!.text).to.include(key);
    expect((await say('list mine', { aad: AAD.bob }))[0]!.text).to.include(key);
    expect((await say('list bogus'))[0]!.text).to.match(/not a list: use mine, team, open or escalated/);
    expect((await say('plan simulate urgent P1'))[0]!.text).to.match(/step 1 by chat: /);
    expect((await say('plan simulate nope'))[0]!.text).to.match(/no plan "nope"/);
    expect((await say('report'))[0]!.text).to.match(/^Report: 7 days to /);
    const form = await say('ticket');
    expect((form[0]!.cards[0]!.body as { id?: string }[]).some((b) => JSON.stringify(b).includes('"id":"title"'))).to.equal(true);
  });

  it('strips the @mention in channels and group chats', async () => {
    const r = await say(`<at>Esc</at> status ${key}`, { conversationType: 'channel', conversationId: '19:general@thread.tacv2' });
    expect(r[0]!.text).to.include(key);
  });

  it('tells a person it does not know who they are, and does nothing', async () => {
    const r = await say(`ack ${key}`, { aad: 'ffffffff-0000-0000-0000-000000000000' });
    expect(r[0]!.text).to.match(/can't find you in Esc's directory/);
    const t = await api(w.esc.baseUrl, 'GET', `/api/tickets/${key}`);
    expect(t.body.status).to.equal('assigned');
  });

  it('refuses what a role may not do, and asks for a reason before escalating', async () => {
    expect((await say(`elevate ${key}`, { aad: AAD.alice }))[0]!.text).to.match(/You can't elevate ESC-\d+: only managers, team leads/);
    expect((await say(`escalate ${key}`))[0]!.text).to.match(/reason is required/);
    expect((await say(`escalate ${key} Dean cannot run exams`))[0]!.text).to.match(/escalated by Erin Park/);
    expect((await say(`elevate ${key}`))[0]!.text).to.match(/elevated by Erin Park/);
    expect((await say('ack'))[0]!.text).to.match(/Say which ticket: `ack ESC-1042`/);
    expect((await say('ack ESC-999999'))[0]!.text).to.match(/no ticket ESC-999999/);
  });

  it('handles Action.Submit (the fallback) by value.verb, and opens a ticket from the form', async () => {
    const conv = dm(AAD.erin);
    const from = w.fake.activities(conv).length;
    const r = await w.post(activity(w.fake, { aad: AAD.erin, value: { verb: 'ticket.create', title: 'Projector broken', priority: 'P3', impact: 'low', teamId: 'service-desk' } }));
    expect(r.status).to.equal(200);
    const reply = botMessages(w.fake, conv, from)[0]!;
    expect(reply.text).to.match(/^ESC-\d+ opened by Erin Park: Projector broken$/);
    const exec = await w.post(executeAction(w.fake, AAD.erin, 'ticket.create', { title: '', priority: 'P3' }));
    expect(JSON.stringify(exec.body)).to.match(/title/);
  });

  it('Escalate on a card shows the reason form to the clicker only; submitting it escalates', async () => {
    const puts = w.fake.calls.filter((c) => c.method === 'PUT').length;
    const form = await w.post(executeAction(w.fake, AAD.erin, 'escalate.form', { ticket: key }, 'msg-1'));
    expect(JSON.stringify(form.body)).to.include('"id":"reason"');
    expect(w.fake.calls.filter((c) => c.method === 'PUT').length).to.equal(puts);
    const go = await w.post(executeAction(w.fake, AAD.erin, 'escalate', { ticket: key, reason: 'VIP lecture at 10', urgency: 'last' }, 'msg-1'));
    expect(JSON.stringify(go.body)).to.include('Escalated by Erin Park: VIP lecture at 10');
    expect(w.fake.calls.filter((c) => c.method === 'PUT').length).to.equal(puts + 1);
  });

  it('never answers 5xx to random text or malformed card payloads', async () => {
    const junk = ['', ' ', 'ack ack ack', 'escalate 1 '.repeat(300), '💥', '<at>Esc</at>', 'list', 'plan', 'plan simulate', 'status ESC-0', 'resolve #abc', '\u0000\u0001', 'x'.repeat(5000), 'history 99999999999'];
    for (const text of junk) await say(text);
    const values: unknown[] = [{}, { verb: 42 }, { verb: 'ack' }, { verb: 'ack', ticket: { $gt: '' } }, { verb: 'nope', ticket: key }, { verb: 'escalate', ticket: key, urgency: 'now!!' }, [], 'str', null];
    for (const value of values) {
      const r = await w.post(activity(w.fake, { aad: AAD.erin, value }));
      expect(r.status, JSON.stringify(value)).to.be.lessThan(500);
    }
    const invokes: unknown[] = [undefined, {}, { action: {} }, { action: { verb: 7 } }, { action: { type: 'Action.Execute', verb: 'ack', data: 'nope' } }, { action: { type: 'Action.Execute', verb: 'resolve', data: { ticket: [] } } }];
    for (const value of invokes) {
      const r = await w.post(activity(w.fake, { aad: AAD.erin, type: 'invoke', name_: 'adaptiveCard/action', value }));
      expect(r.status, JSON.stringify(value)).to.be.lessThan(500);
    }
    const other = await w.post(activity(w.fake, { aad: AAD.erin, type: 'invoke', name_: 'composeExtension/query', value: {} }));
    expect(other.status).to.equal(400);
    expect(w.esc.log.errors()).to.deep.equal([]);
  });

  it('DMs a person without a conversation by creating one; a person Teams cannot reach is a permanent failure', async () => {
    await w.post(activity(w.fake, { aad: AAD.alice, type: 'conversationUpdate', extra: { membersAdded: [{ id: `28:${APP_ID}` }] } }));
    const notifier = w.teams.notifier;
    const { body: t } = await api(w.esc.baseUrl, 'POST', '/api/tickets', { title: 'Notifier paths', priority: 'P3' });
    const notice = { kind: 'info', title: 'Hello', text: 'Body', ticket: { id: String(t.id), key: String(t.key), number: Number(t.number), title: 'x', priority: 'P3', impact: 'low', status: 'new', team: 'Service Desk', assignee: null, openedAt: new Date(), elevated: false, escalated: false }, escalation: null, facts: [], actions: ['acknowledge'], urgent: false } as const;
    const delivery = (personId: string) => ({ id: `d-${personId}`, key: `k-${personId}`, ticketId: String(t.id), escalationId: null, seq: null, stepIndex: null, channel: 'chat' as const, recipient: { personId, channelId: null, name: null }, address: null, notice: { ...notice, facts: [], actions: [...notice.actions] }, urgent: false, dueAt: new Date(), status: 'sending' as const, attempts: 1, nextAttemptAt: new Date(), leaseUntil: null, claim: null, providerId: null, error: null, queuedAt: new Date(), sentAt: null, deliveredAt: null, lateMs: null, fallbackIndex: 0 });
    const dir = w.esc.deps.directory();
    const creates = w.fake.calls.filter((c) => c.method === 'POST' && c.path === '/teams/v3/conversations').length;
    // Henry never talked to Esc; with a Teams id, a 1:1 chat is created in the tenant.
    const henry = { ...dir.person('henry')!, teamsId: 'aad-henry-0001' };
    expect(await notifier.send(delivery('henry'), henry)).to.include({ ok: true });
    const create = w.fake.calls.filter((c) => c.method === 'POST' && c.path === '/teams/v3/conversations');
    expect(create.length).to.equal(creates + 1);
    expect(JSON.stringify(create.at(-1)!.body)).to.include('aad-henry-0001');
    expect(await w.teams.refs()!.personal('teams', 'henry')).to.not.equal(null);
    expect(await notifier.send(delivery('henry'), henry)).to.include({ ok: true });
    expect(w.fake.calls.filter((c) => c.method === 'POST' && c.path === '/teams/v3/conversations').length).to.equal(creates + 1);

    const carol = await notifier.send(delivery('carol'), dir.person('carol'));
    expect(carol).to.include({ ok: false, retryable: false, code: 'TEAMS_NO_REFERENCE' });

    // 412 reaches us at once; the SDK retries 429 itself (3 times, honouring Retry-After) before giving up.
    for (const [status, times] of [[412, 1], [429, 4]] as const) {
      w.fake.failNext(...Array.from({ length: times }, () => ({ status, headers: { 'retry-after': '0' } })));
      const r = await notifier.send(delivery('alice'), dir.person('alice'));
      expect(r, String(status)).to.include({ ok: false, retryable: true, code: `TEAMS_HTTP_${status}` });
      expect((r as { retryAfterMs: number }).retryAfterMs).to.be.within(1000, 60_000);
    }
    for (const status of [429, 412, 502, 504, 503]) {
      const r = classifyTeamsError({ statusCode: status, message: 'x' }, 3, () => 0.5);
      expect(r, String(status)).to.include({ retryable: true });
      expect(r.retryAfterMs).to.equal(6000); // attempt 3: 8 s cap, half fixed + half jittered
    }
    expect(classifyTeamsError({ statusCode: 429, response: { headers: { get: () => '7' } } }, 1, () => 0)).to.include({ retryAfterMs: 8000 });
    expect(classifyTeamsError(new Error('ECONNREFUSED'), 1)).to.include({ retryable: true, code: 'TEAMS_NETWORK' });
    expect(classifyTeamsError({ statusCode: 404 }, 1)).to.include({ retryable: false, code: 'TEAMS_HTTP_404' });
    // A team channel Esc was added to (the thread id is dropped): a channel step posts a new thread there.
    await w.post(activity(w.fake, { aad: AAD.erin, type: 'conversationUpdate', conversationType: 'channel', conversationId: '19:ops@thread.tacv2;messageid=1700000000000', extra: { membersAdded: [{ id: `28:${APP_ID}` }] } }));
    const toChannel = { ...delivery('x'), recipient: { personId: null, channelId: '19:ops@thread.tacv2', name: null } };
    expect(await notifier.send(toChannel, undefined)).to.include({ ok: true });
    expect(w.fake.calls.at(-1)!.path).to.match(new RegExp(`^/teams/v3/conversations/${encodeURIComponent('19:ops@thread.tacv2')}/activities`));
    expect(await notifier.send({ ...toChannel, recipient: { ...toChannel.recipient, channelId: '19:unknown@thread.tacv2' } }, undefined)).to.include({ ok: false, retryable: false, code: 'TEAMS_NO_CONVERSATION' });

    w.fake.failNext({ status: 403 });
    expect(await notifier.send(delivery('alice'), dir.person('alice'))).to.include({ ok: false, retryable: false, code: 'TEAMS_HTTP_403' });
  });
});
