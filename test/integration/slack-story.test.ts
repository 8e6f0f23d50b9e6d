import { expect } from 'chai';
import { ACTIONS } from '../../src/adapters/slack/blocks.js';
import { ESCALATE_MODAL, TICKET_MODAL } from '../../src/adapters/slack/views.js';
import { ticketIdForView } from '../../src/adapters/slack/slack-shell.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import type { FakeSlack } from '../far-side/fake-slack.js';
import { blockAction, commandBody, postSlack, viewSubmission } from '../far-side/slack-requests.js';
import type { TestEsc } from '../support/harness.js';
import { startSlackEsc } from './slack-setup.js';

type Blocks = { type: string; elements?: { action_id?: string; value?: string }[]; text?: { text: string } }[];
const buttons = (blocks: unknown) => (blocks as Blocks).flatMap((b) => b.elements ?? []).filter((e) => e.action_id);
const allText = (blocks: unknown) => JSON.stringify(blocks);

describe('Slack: the whole story', () => {
  let esc: TestEsc;
  let fake: FakeSlack;
  let responseUrl: (id?: string) => string;
  before(async () => {
    ({ esc, fake, responseUrl } = await startSlackEsc());
  });
  after(async () => {
    await esc.stop();
    await fake.stop();
  });

  it('ticket by command → modal → SLA breach → DM with Acknowledge → click → message updated → timeline complete', async function () {
    this.timeout(30_000);
    // 1. /esc ticket opens the modal within the 3 s ack.
    const cmd = await postSlack(esc.baseUrl, commandBody({ text: 'ticket Lecture hall projector dead', userId: 'U0DANA', responseUrl: responseUrl(), channelId: 'C0HELPDESK' }));
    expect(cmd.status).to.equal(200);
    expect(cmd.ms).to.be.below(3000);
    const open = await fake.waitFor(() => fake.callsOf('views.open')[0]);
    const view = open.params.view as { callback_id: string; private_metadata: string; blocks: unknown[] };
    expect(view.callback_id).to.equal(TICKET_MODAL);
    expect(allText(view.blocks)).to.include('Lecture hall projector dead');

    // 2. Validation errors come back in the modal.
    const values = (title: string) => ({
      title: { v: { type: 'plain_text_input', value: title } },
      description: { v: { type: 'plain_text_input', value: 'Room 101, class at 10' } },
      priority: { v: { type: 'static_select', selected_option: { value: 'P1' } } },
      impact: { v: { type: 'static_select', selected_option: { value: 'high' } } },
      team: { v: { type: 'static_select', selected_option: { value: 'service-desk' } } },
    });
    const bad = await postSlack(esc.baseUrl, viewSubmission({ userId: 'U0DANA', callbackId: TICKET_MODAL, viewId: 'V0BAD', values: values(' '), privateMetadata: view.private_metadata }));
    expect(bad.status).to.equal(200);
    expect(JSON.parse(bad.text)).to.deep.include({ response_action: 'errors' });
    expect(JSON.parse(bad.text).errors).to.have.property('title');

    // 3. A good submission opens one ticket and posts it in the channel; retries never open a second.
    const submit = viewSubmission({ userId: 'U0DANA', callbackId: TICKET_MODAL, viewId: 'V0GOOD', values: values('Lecture hall projector dead'), privateMetadata: view.private_metadata });
    expect((await postSlack(esc.baseUrl, submit)).status).to.equal(200);
    expect((await postSlack(esc.baseUrl, submit, { retryNum: 1 })).status).to.equal(200);
    expect((await postSlack(esc.baseUrl, submit, { retryNum: 2 })).status).to.equal(200);
    const post = await fake.waitFor(() => fake.callsOf('chat.postMessage').find((c) => c.params.channel === 'C0HELPDESK'));
    await new Promise((r) => setTimeout(r, 200));
    const tickets = (await esc.deps.tickets.list({}, 500, 0)).filter((t) => t.source === 'slack');
    expect(tickets).to.have.length(1);
    const ticket = tickets[0]!;
    expect(ticket).to.include({ title: 'Lecture hall projector dead', priority: 'P1', impact: 'high', requesterId: 'dana' });
    expect(buttons(post.params.blocks).map((b) => b.action_id)).to.include.members([ACTIONS.acknowledge, ACTIONS.escalate, ACTIONS.elevate, ACTIONS.resolve, ACTIONS.history]);
    expect(fake.callsOf('chat.postMessage').filter((c) => c.params.channel === 'C0HELPDESK')).to.have.length(1);

    // 4. The response SLA (30 min for P1) breaches: the plan's first step DMs on Slack.
    esc.clock.advanceMinutes(31);
    await esc.settle();
    const dm = await fake.waitFor(() => fake.callsOf('chat.postMessage').find((c) => String(c.params.channel).startsWith('D')));
    expect(fake.callsOf('conversations.open').length).to.be.greaterThan(0);
    const ack = buttons(dm.params.blocks).find((b) => b.action_id === ACTIONS.acknowledge);
    expect(ack, 'an Acknowledge button').to.not.equal(undefined);
    const dmUser = String(dm.params.channel).slice(1);

    // 5. A technician may not elevate: a clear ephemeral refusal, nothing changes.
    const refuse = responseUrl('refuse');
    await postSlack(esc.baseUrl, blockAction({ userId: 'U0ALICE', actionId: ACTIONS.elevate, value: ack!.value!, channel: String(dm.params.channel), ts: '1.1', responseUrl: refuse }));
    const refusal = await fake.waitFor(() => fake.responses.find((r) => r.path === '/response/refuse'));
    expect(String(refusal.body.text)).to.match(/You can't elevate ESC-\d+: only managers, team leads/);
    expect(refusal.body.response_type).to.equal('ephemeral');

    // 6. The click acknowledges and the DM is updated in place, showing who and when.
    const click = await postSlack(esc.baseUrl, blockAction({ userId: dmUser, actionId: ACTIONS.acknowledge, value: ack!.value!, channel: String(dm.params.channel), ts: '1700000002.000002', responseUrl: responseUrl() }));
    expect(click.status).to.equal(200);
    const update = await fake.waitFor(() => fake.callsOf('chat.update')[0]);
    expect(allText(update.params.blocks)).to.match(/Acknowledged by .+ at <!date\^\d+\^\{date_num\} \{time\}\|2026-11-23 17:31 UTC>/);
    expect(buttons(update.params.blocks).map((b) => b.action_id)).to.not.include(ACTIONS.acknowledge);

    // 7. The timeline tells it all.
    const events = (await esc.deps.timeline.forTicket(ticket.id)).map((e) => e.type);
    expect(events).to.include.members(['ticket.opened', 'escalation.started', 'escalation.step_fired', 'delivery.sent', 'ticket.acknowledged', 'escalation.acknowledged']);
    expect(events.indexOf('ticket.opened')).to.equal(0);
    const acked = (await esc.deps.timeline.forTicket(ticket.id)).find((e) => e.type === 'ticket.acknowledged')!;
    expect(acked.actor).to.deep.include({ via: 'slack' });
    // ESC_TRANSCRIPT=1 prints what people saw in Slack, in order (for humans reviewing the story).
    if (process.env.ESC_TRANSCRIPT) {
      const text = (blocks: unknown) => JSON.stringify(blocks).match(/"text":"((?:[^"\\]|\\.)*)"/g)?.map((m) => m.slice(8, -1)).filter((x) => x.length > 2).join(' | ');
      for (const c of fake.calls) if (['chat.postMessage', 'chat.update', 'views.open'].includes(c.method)) process.stdout.write(`[${c.method} ${String(c.params.channel ?? '')}] ${text(c.params.blocks ?? (c.params.view as { blocks?: unknown })?.blocks) ?? c.params.text}\n`);
      for (const r of fake.responses) process.stdout.write(`[ephemeral ${r.path}] ${String(r.body.text).slice(0, 200)}\n`);
      for (const e of await esc.deps.timeline.forTicket(ticket.id)) process.stdout.write(`  ${e.at.toISOString()} ${e.type} ${e.actor?.via ?? ''}\n`);
    }
  });

  it('answers status, history and list as ephemeral messages through response_url', async () => {
    const t = (await esc.deps.tickets.list({}, 1, 0))[0]!;
    for (const [text, want] of [[`status ESC-${t.number}`, /Last update: [^"]*(acknowledged|Message to Dana Whitfield by chat)/i], [`history ${t.number}`, /History of ESC-/], ['list open', /open tickets/], ['plan simulate standard P2', /Plan P2\/P3/]] as const) {
      const id = `q${text.replace(/\W/g, '')}`;
      const r = await postSlack(esc.baseUrl, commandBody({ text, userId: 'U0ERIN', responseUrl: responseUrl(id) }));
      expect(r.status).to.equal(200);
      const answer = await fake.waitFor(() => fake.responses.find((x) => x.path === `/response/${id}`));
      expect(answer.body.response_type).to.equal('ephemeral');
      expect(JSON.stringify(answer.body), `${text}: ${JSON.stringify(answer.body)}`).to.match(want);
    }
  });

  it('Escalate button: role refusal for a technician; a manager gets the modal, a reason is required, then the coordinators get the request', async () => {
    const t = await openTicket(esc.deps, { title: 'Exam portal down', priority: 'P2', source: 'api' }, { personId: 'erin', via: 'api' });
    const value = JSON.stringify({ t: t.id });
    const ch = 'C0HELPDESK';
    await postSlack(esc.baseUrl, blockAction({ userId: 'U0ALICE', actionId: ACTIONS.escalate, value, channel: ch, ts: '1700000100.000001', responseUrl: responseUrl('esc-refuse') }));
    const refusal = await fake.waitFor(() => fake.responses.find((r) => r.path === '/response/esc-refuse'));
    expect(String(refusal.body.text)).to.match(/You can't escalate at once ESC-\d+: only escalation coordinators, escalation managers or admins can\. Ask Carol Diaz, your lead, to request it\./);
    const opened = fake.callsOf('views.open').length;
    await postSlack(esc.baseUrl, blockAction({ userId: 'U0KEN', actionId: ACTIONS.escalate, value, channel: ch, ts: '1700000100.000001', responseUrl: responseUrl() }));
    const modal = await fake.waitFor(() => fake.callsOf('views.open')[opened]);
    const view = modal.params.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).to.equal(ESCALATE_MODAL);
    const values = (reason: string) => ({ reason: { v: { type: 'plain_text_input', value: reason } }, urgency: { v: { type: 'static_select', selected_option: { value: 'urgent' } } } });
    const short = await postSlack(esc.baseUrl, viewSubmission({ userId: 'U0KEN', callbackId: ESCALATE_MODAL, viewId: 'V0ESC1', values: values('x'), privateMetadata: view.private_metadata }));
    expect(JSON.parse(short.text)).to.deep.include({ response_action: 'errors' });
    const updates = fake.callsOf('chat.update').length;
    const ok = await postSlack(esc.baseUrl, viewSubmission({ userId: 'U0KEN', callbackId: ESCALATE_MODAL, viewId: 'V0ESC2', values: values('Finals start at 10'), privateMetadata: view.private_metadata }));
    expect(ok.status).to.equal(200);
    const update = await fake.waitFor(() => fake.callsOf('chat.update')[updates]);
    expect(update.params).to.include({ channel: ch, ts: '1700000100.000001' });
    expect(allText(update.params.blocks)).to.include('ESCALATED');
    // Issue 7: a manager's Escalate is a manager escalation request for the coordinators (seed 000).
    const requested = (await esc.deps.timeline.forTicket(t.id)).find((e) => e.type === 'escalation.requested');
    expect(requested?.data).to.deep.include({ reason: 'Finals start at 10', urgency: 'urgent', requestedBy: 'ken' });
    expect(requested?.actor).to.deep.include({ personId: 'ken', via: 'slack' });
  });

  it('duplicate submissions (with or without a retry header, to two processes) open one ticket', async () => {
    const meta = JSON.stringify({ c: 'C0HELPDESK' });
    const values = {
      title: { v: { type: 'plain_text_input', value: 'Wifi down in dorm B' } },
      priority: { v: { type: 'static_select', selected_option: { value: 'P3' } } },
      impact: { v: { type: 'static_select', selected_option: { value: 'medium' } } },
      team: { v: { type: 'static_select', selected_option: { value: 'service-desk' } } },
    };
    const body = viewSubmission({ userId: 'U0BOB', callbackId: TICKET_MODAL, viewId: 'V0TWICE', values, privateMetadata: meta });
    const rs = await Promise.all([postSlack(esc.baseUrl, body), postSlack(esc.baseUrl, body, { path: '/slack/events2' }), postSlack(esc.baseUrl, body, { retryNum: 1 }), postSlack(esc.baseUrl, body, { retryNum: 1, path: '/slack/events2' })]);
    expect(rs.map((r) => r.status)).to.deep.equal([200, 200, 200, 200]);
    await fake.waitFor(() => fake.callsOf('chat.postMessage').find((c) => String(c.params.text).includes('Wifi down in dorm B')));
    await new Promise((r) => setTimeout(r, 300));
    expect((await esc.deps.tickets.list({}, 500, 0)).filter((t) => t.title === 'Wifi down in dorm B')).to.have.length(1);
    expect(fake.callsOf('chat.postMessage').filter((c) => String(c.params.text).includes('Wifi down in dorm B'))).to.have.length(1);
  });

  it('a retry that comes after its ticket was opened and answered (its intake record forgotten) opens nothing and is not answered again', async () => {
    const values = {
      title: { v: { type: 'plain_text_input', value: 'Printer jam in room 12' } },
      priority: { v: { type: 'static_select', selected_option: { value: 'P3' } } },
      impact: { v: { type: 'static_select', selected_option: { value: 'medium' } } },
      team: { v: { type: 'static_select', selected_option: { value: 'service-desk' } } },
    };
    const body = viewSubmission({ userId: 'U0BOB', callbackId: TICKET_MODAL, viewId: 'V0LATE', values, privateMetadata: JSON.stringify({ c: 'C0HELPDESK' }) });
    const posts = () => fake.callsOf('chat.postMessage').filter((c) => String(c.params.text).includes('Printer jam in room 12'));
    expect((await postSlack(esc.baseUrl, body)).status).to.equal(200);
    await fake.waitFor(() => posts()[0]);
    const intake = esc.conn.db!.collection('ticket_intake');
    for (let i = 0; i < 50 && (await intake.countDocuments({ _id: ticketIdForView('V0LATE') } as never)) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await intake.countDocuments({ _id: ticketIdForView('V0LATE') } as never), 'the record is forgotten once answered').to.equal(0);
    // Slack's later retries, to both processes.
    const rs = await Promise.all([postSlack(esc.baseUrl, body, { retryNum: 2 }), postSlack(esc.baseUrl, body, { retryNum: 3, path: '/slack/events2' })]);
    expect(rs.map((r) => [r.status, r.text])).to.deep.equal([
      [200, ''],
      [200, ''],
    ]);
    await new Promise((r) => setTimeout(r, 500));
    expect((await esc.deps.tickets.list({}, 500, 0)).filter((t) => t.title === 'Printer jam in room 12')).to.have.length(1);
    expect(posts(), 'answered once').to.have.length(1);
    expect(await intake.countDocuments({ _id: ticketIdForView('V0LATE') } as never), 'nothing left to open').to.equal(0);
  });
});
