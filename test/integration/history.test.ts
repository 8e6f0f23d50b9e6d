import { expect } from 'chai';
import type { HistoryRow } from '../../src/app/use-cases/history.js';
import type { FakeSlack } from '../far-side/fake-slack.js';
import { commandBody, postSlack } from '../far-side/slack-requests.js';
import { api } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import { startSlackEsc } from './slack-setup.js';

type Row = Omit<HistoryRow, 'at'> & { at: string };

describe('History of one ticket (API and Slack)', () => {
  let esc: TestEsc;
  let fake: FakeSlack;
  let responseUrl: (id?: string) => string;
  let key = '';
  before(async function () {
    this.timeout(30_000);
    ({ esc, fake, responseUrl } = await startSlackEsc());
    // A P1 for Alice: the response SLA (30 min) breaches, step 1 (chat) fires to Alice and
    // the on-call person, then Alice acknowledges by API, comments, and resolves.
    const t0 = esc.clock.now();
    const created = await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'Wi-Fi down, library "B"', priority: 'P1', teamId: 'service-desk', assigneeId: 'alice' });
    expect(created.status).to.equal(201);
    key = String(created.body.key);
    esc.clock.set(new Date(t0.getTime() + 31 * 60_000));
    await esc.settle();
    esc.clock.advanceMinutes(2);
    expect((await api(esc.baseUrl, 'POST', `/api/tickets/${key}/acknowledge`, { note: 'on it' }, 'demo-agent-token')).status).to.equal(200);
    expect((await api(esc.baseUrl, 'POST', `/api/tickets/${key}/comments`, { text: 'AP rebooted, watching it' }, 'demo-agent-token')).status).to.equal(201);
    esc.clock.advanceMinutes(20);
    expect((await api(esc.baseUrl, 'POST', `/api/tickets/${key}/resolve`, { note: 'replaced the PoE injector' }, 'demo-agent-token')).status).to.equal(200);
    await esc.settle();
  });
  after(async () => {
    await esc.stop();
    await fake.stop();
  });

  it('GET /api/tickets/:ref/history: created, breach, each step with its messages, acknowledgement, comment, resolution', async () => {
    const res = await api(esc.baseUrl, 'GET', `/api/tickets/${key}/history`);
    expect(res.status).to.equal(200);
    const rows = res.body.rows as Row[];
    const kinds = rows.map((r) => r.kind);
    expect(kinds[0]).to.equal('created');
    for (const k of ['sla', 'escalation', 'step', 'acknowledged', 'comment', 'resolved']) expect(kinds, k).to.include(k);
    expect(kinds.indexOf('step')).to.be.below(kinds.indexOf('acknowledged'));
    expect(kinds.indexOf('acknowledged')).to.be.below(kinds.indexOf('resolved'));
    expect(rows[0]!.text).to.include('Created').and.include('P1').and.include('Service Desk');
    const step = rows.find((r) => r.kind === 'step')!;
    expect(step.step).to.deep.include({ step: 1, channel: 'chat', round: 0 });
    expect(step.step!.dueAt).to.be.a('string');
    expect(step.step!.targets.join(' ')).to.include('Alice Ng');
    // No chat front end is configured for 'chat' deliveries in this world except Slack: the DM went out.
    expect(step.step!.deliveries.length).to.be.greaterThan(0);
    expect(step.step!.deliveries.map((d) => d.to)).to.include('Alice Ng');
    expect(step.step!.deliveries[0]!.status).to.be.oneOf(['sent', 'delivered', 'outboxed', 'failed']);
    expect(step.text).to.match(/^Step 1 by chat, due \d\d:\d\d P[SD]T, fired/);
    const ack = rows.find((r) => r.kind === 'acknowledged')!;
    expect(ack.text).to.include('Acknowledged by Alice Ng');
    expect(rows.filter((r) => r.kind === 'acknowledged')).to.have.length(1);
    expect(rows.find((r) => r.kind === 'comment')!.text).to.include('AP rebooted');
    expect(rows.find((r) => r.kind === 'resolved')!.text).to.include('replaced the PoE injector');
    expect(res.body.key).to.equal(key);
  });

  it('404 for a ticket that does not exist, 400 for a ref that is not one', async () => {
    expect((await api(esc.baseUrl, 'GET', '/api/tickets/ESC-999999/history')).status).to.equal(404);
    expect((await api(esc.baseUrl, 'GET', '/api/tickets/not-a-ticket/history')).status).to.equal(400);
    expect((await api(esc.baseUrl, 'GET', `/api/tickets/${key}/history`, undefined, 'demo-monitor-token')).status).to.equal(403);
  });

  it('/esc history in Slack: the same rows, in blocks that fit', async () => {
    const url = responseUrl('history');
    expect((await postSlack(esc.baseUrl, commandBody({ text: `history ${key}`, userId: 'U0BOB', responseUrl: url }))).status).to.equal(200);
    const r = await fake.waitFor(() => fake.responses.find((x) => x.path === '/response/history'));
    expect(r.body.response_type).to.equal('ephemeral');
    const blocks = r.body.blocks as { text?: { text: string } }[];
    expect(blocks.length).to.be.at.most(50);
    const text = blocks.map((b) => b.text?.text ?? '').join('\n');
    expect(text).to.include(`History of ${key}`).and.include('Step 1 by chat').and.include('Acknowledged by Alice Ng').and.include('AP rebooted');
    for (const b of blocks) expect((b.text?.text ?? '').length).to.be.at.most(3000);
  });
});
