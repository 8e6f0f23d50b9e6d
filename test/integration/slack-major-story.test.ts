import { expect } from 'chai';
import { ACTIONS } from '../../src/adapters/slack/blocks.js';
import { createSlackAdapter, createSlackChatNotifier } from '../../src/adapters/slack/slack-app.js';
import { createSlackWarRoom } from '../../src/adapters/slack/slack-war-room.js';
import { ESCALATE_MODAL, RATE_MODAL } from '../../src/adapters/slack/views.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import { loadSlackConfig } from '../../src/config/slack-env.js';
import type { Ticket } from '../../src/domain/ticket.js';
import { formatTicketKey } from '../../src/domain/ticket-number.js';
import { FakeSlack } from '../far-side/fake-slack.js';
import type { SlackCall } from '../far-side/fake-slack.js';
import { TEST_SIGNING_SECRET, blockAction, commandBody, postSlack, viewSubmission } from '../far-side/slack-requests.js';
import { MemoryLogger, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

type Blocks = { type: string; elements?: { action_id?: string; value?: string; text?: unknown }[] }[];
const buttons = (blocks: unknown) => ((blocks ?? []) as Blocks).flatMap((b) => b.elements ?? []).filter((e) => e.action_id);
const HOUR = 60;

/**
 * Issue 7 on Slack, end to end over signed HTTP: a manager's escalation request, the
 * coordinator's checklist, a major escalation with its war-room channel, roles, action plan,
 * updates, resolution, warranty, satisfaction, the after-action report and the archive.
 * ESC_TRANSCRIPT=1 prints what each person saw.
 */
describe('Slack: manager escalation request → major escalation → war room (issue 7 story)', function () {
  this.timeout(60_000);
  let esc: TestEsc;
  let fake: FakeSlack;
  let ticket: Ticket;
  let key: string;
  let room: { id: string; name: string };
  let n = 0;
  const names: Record<string, string> = {};
  const answers: { user: string; text: string; said: string }[] = [];

  before(async () => {
    fake = new FakeSlack('xoxb-test-token', {});
    const apiUrl = await fake.start();
    const config = loadSlackConfig({ SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: apiUrl })!;
    esc = await startTestEsc({
      notifiers: [createSlackChatNotifier(new MemoryLogger(), config)],
      mounts: (deps) => createSlackAdapter(deps, config).mounts,
      warRoom: ({ log }) => createSlackWarRoom(log, config),
    });
    for (const p of esc.deps.directory().allPeople()) if (p.slackId) names[p.slackId] = p.name;
  });
  after(async () => {
    if (process.env.ESC_TRANSCRIPT && esc) await printTranscript();
    await esc?.stop();
    await fake?.stop();
  });

  /** Types `/esc <text>` as a Slack user (in a channel) and returns the ephemeral answer. */
  async function slash(userId: string, text: string, channel: { id: string; name: string } = { id: 'C0HELPDESK', name: 'helpdesk' }): Promise<string> {
    const id = `${userId}-${++n}`;
    const body = commandBody({ text, userId, responseUrl: `${fake.url}/response/${id}`, channelId: channel.id }).replace('channel_name=helpdesk', `channel_name=${encodeURIComponent(channel.name)}`);
    const r = await postSlack(esc.baseUrl, body);
    expect(r.status, r.text).to.equal(200);
    // help and usage come back in the ack itself; everything else through response_url.
    const body2 = r.text ? (JSON.parse(r.text) as Record<string, unknown>) : (await fake.waitFor(() => fake.responses.find((x) => x.path === `/response/${id}`))).body;
    const said = String(body2.text ?? '');
    // Several lines (tasks, aar) come as blocks: keep them for the transcript.
    const lines = JSON.stringify(body2.blocks ?? []).match(/"text":"((?:[^"\\]|\\.)*)"/g)?.map((m) => JSON.parse(m.slice(7)) as string).filter((x) => x !== 'mrkdwn');
    answers.push({ user: userId, text, said: r.text || !lines?.length ? said : lines.join('\n') });
    return said;
  }

  const dms = (userId: string): SlackCall[] => fake.callsOf('chat.postMessage').filter((c) => c.params.channel === `D${userId}`);
  const lastDm = (userId: string) => dms(userId).at(-1);
  const dmText = (c: SlackCall | undefined) => `${String(c?.params.text ?? '')} ${JSON.stringify(c?.params.blocks ?? [])}`;
  const events = async () => (await esc.deps.timeline.forTicket(ticket.id)).map((e) => e.type);
  /** Runs the engine (deliveries, reminders, warranty) until idle, then lets the Slack calls land. */
  const settle = async () => {
    await esc.settle();
    await new Promise((r) => setTimeout(r, 50));
  };

  it('1. a technician may not request; a manager requests with a reason; coordinators are DMed with Claim, the CIO copied', async () => {
    ticket = await openTicket(esc.deps, { title: 'Registrar enrolment system down', priority: 'P2', teamId: 'service-desk', requesterId: 'judy', source: 'api' }, { personId: 'judy', via: 'api' });
    key = formatTicketKey(ticket.number);
    expect(await slash('U0ALICE', `request ${key} please hurry`)).to.match(/Only managers/);
    expect(await slash('U0KEN', `request ${key}`)).to.match(/Say why/);
    expect(await slash('U0KEN', 'request ESC-999999 enrolment closes at noon')).to.match(/open a ticket first/i);
    const said = await slash('U0KEN', `request ${key} Enrolment closes at noon; 300 students cannot register`);
    expect(said).to.match(/sent to the escalation coordinators/).and.match(/Erin Park/).and.match(/Grace Liu/);
    await settle();
    for (const coordinator of ['U0ERIN', 'U0FRANK']) {
      const dm = lastDm(coordinator);
      expect(dmText(dm), coordinator).to.include('Enrolment closes at noon');
      expect(buttons(dm?.params.blocks).map((b) => b.action_id)).to.include(ACTIONS.claim);
      expect(dmText(dm)).to.include('ESCALATED · manager request');
    }
    expect(dmText(lastDm('U0GRACE'))).to.match(/Copy: escalation request/);
    expect(buttons(lastDm('U0GRACE')?.params.blocks).map((b) => b.action_id)).to.not.include(ACTIONS.claim);
    expect(await events()).to.include('escalation.requested');
  });

  it('2. Frank claims from his DM (the message shows it); Erin is told who; a second claim is refused', async () => {
    const dm = lastDm('U0FRANK')!;
    const claim = buttons(dm.params.blocks).find((b) => b.action_id === ACTIONS.claim)!;
    const updates = fake.callsOf('chat.update').length;
    esc.clock.advanceMinutes(7);
    await postSlack(esc.baseUrl, blockAction({ userId: 'U0FRANK', actionId: ACTIONS.claim, value: claim.value!, channel: 'DU0FRANK', ts: String(dm.params.ts ?? '1700000000.000001'), responseUrl: `${fake.url}/response/claim-frank` }));
    const update = await fake.waitFor(() => fake.callsOf('chat.update')[updates]);
    expect(JSON.stringify(update.params.blocks)).to.match(/You claimed the escalation request/);
    expect(buttons(update.params.blocks)).to.have.length(0);
    await settle();
    expect(dmText(lastDm('U0ERIN'))).to.match(/Frank Moreau claimed the escalation request/);
    const erinClaim = buttons(dms('U0ERIN')[0]!.params.blocks).find((b) => b.action_id === ACTIONS.claim)!;
    await postSlack(esc.baseUrl, blockAction({ userId: 'U0ERIN', actionId: ACTIONS.claim, value: erinClaim.value!, channel: 'DU0ERIN', ts: '1.2', responseUrl: `${fake.url}/response/claim-erin` }));
    const refusal = await fake.waitFor(() => fake.responses.find((r) => r.path === '/response/claim-erin'));
    expect(String(refusal.body.text)).to.match(/Frank Moreau already claimed/);
    expect(refusal.body.response_type).to.equal('ephemeral');
    const claimed = (await esc.deps.timeline.forTicket(ticket.id)).find((e) => e.type === 'escalation.request_claimed')!;
    expect(claimed.data).to.deep.include({ by: 'frank', waitedMs: 7 * 60_000 });
  });

  it('3. the checklist: reviewed, ETA to the user (CIO copied), manager informed, owner engaged; bad times refused', async () => {
    expect(await slash('U0FRANK', `reviewed ${key}`)).to.match(/marked reviewed/);
    expect(await slash('U0FRANK', `eta ${key} whenever we can`)).to.match(/Say when/);
    expect(await slash('U0FRANK', `eta ${key} 2026-01-05 10:00 parts ordered`)).to.match(/already passed/);
    expect(await slash('U0FRANK', `eta ${key} tomorrow 25:00 parts ordered`)).to.match(/can't read/);
    // Frank is in Los Angeles (the org's zone): tomorrow 10:00 there is 18:00 UTC.
    expect(await slash('U0FRANK', `eta ${key} tomorrow 10:00 A replacement controller arrives in the morning`)).to.match(/sent to Judy Alvarez/);
    await settle();
    expect(dmText(lastDm('U0JUDY'))).to.include('A replacement controller arrives in the morning');
    const eta = (await esc.deps.timeline.forTicket(ticket.id)).find((e) => e.type === 'coordination.eta_sent')!;
    expect(new Date(eta.data.eta as string).toISOString()).to.equal('2026-11-24T18:00:00.000Z');
    expect(await slash('U0FRANK', `inform ${key} Claimed; the controller arrives tomorrow morning`)).to.match(/Ken Sato .* was told/);
    expect(await slash('U0FRANK', `engage ${key} <@U0NOBODY|nobody> please take it`)).to.match(/not in Esc's directory/);
    expect(await slash('U0FRANK', `engage ${key} <@U0IVAN|ivan> Please own the controller swap`)).to.match(/Ivan Petrov was engaged/);
    await settle();
    expect(dmText(lastDm('U0KEN'))).to.include('the controller arrives tomorrow morning');
    expect(dmText(lastDm('U0IVAN'))).to.include('Please own the controller swap');
    expect(await events()).to.include.members(['coordination.reviewed', 'coordination.eta_sent', 'coordination.manager_informed', 'coordination.owner_engaged']);
  });

  it('4. a technician may not declare; the escalation manager does: war-room channel created, summary posted and pinned, team invited', async () => {
    expect(await slash('U0ALICE', `major ${key} it is bad`)).to.match(/Only escalation managers/);
    const said = await slash('U0ERIN', `major ${key} Registrar down during enrolment week`);
    expect(said).to.match(/<#C/);
    const create = fake.callsOf('conversations.create').at(-1)!;
    expect(String(create.params.name)).to.match(new RegExp(`^war-esc-${ticket.number}-registrar`));
    const ch = fake.channelNamed(String(create.params.name))!;
    room = { id: ch.id, name: ch.name };
    expect(ch.topic).to.include('Registrar');
    expect(ch.members.has('U0ERIN')).to.equal(true);
    expect(ch.pins.length).to.be.greaterThan(0);
    const summary = ch.messages.find((m) => m.ts === ch.pins[0])!;
    expect(summary.text).to.include(key).and.include('Registrar down during enrolment week');
    const major = await esc.deps.majors.forTicket(ticket.id);
    expect(major?.warRoom).to.deep.include({ platform: 'slack', id: room.id });
    expect(await events()).to.include.members(['major.declared', 'major.war_room_opened']);
    await settle();
  });

  it('5. roles by command inside the war room (ticket left out): invited and DMed their instructions; unknown people refused', async () => {
    expect(await slash('U0ERIN', 'role <@U0NOBODY|nobody> sme', room)).to.match(/not in Esc's directory/);
    expect(await slash('U0ERIN', 'role <@U0HENRY|henry> chief', room)).to.match(/roles: escalation_manager/);
    expect(await slash('U0ALICE', 'role <@U0HENRY|henry> incident_owner', room)).to.match(/Only/);
    for (const [u, role] of [['U0HENRY', 'incident_owner'], ['U0KEN', 'abrm'], ['U0IVAN', 'problem_owner'], ['U0CAROL', 'sme']] as const) {
      expect(await slash('U0ERIN', `role <@${u}|x> ${role}`, room), role).to.match(new RegExp(names[u]!.split(' ')[0]!));
    }
    await settle();
    const ch = fake.channels.get(room.id)!;
    expect([...ch.members]).to.include.members(['U0HENRY', 'U0KEN', 'U0IVAN', 'U0CAROL']);
    expect(dmText(lastDm('U0HENRY'))).to.match(/own the incident/i);
    expect(dmText(lastDm('U0KEN'))).to.match(/relationship manager/i);
    // Outside a war room the ticket is needed.
    expect(await slash('U0ERIN', 'tasks')).to.match(/Say which ticket/);
  });

  it('6. the action plan: a task added, overdue reminder to its owner and the escalation manager, then done', async () => {
    expect(await slash('U0ERIN', 'task add <@U0HENRY|henry> 2h Fail over the registrar database', room)).to.match(/1/);
    expect(await slash('U0ERIN', 'task add <@U0HENRY|henry> yesterday-ish Swap the controller', room)).to.match(/Say when/);
    expect(await slash('U0ERIN', 'tasks', room)).to.match(/Action plan/);
    const seen = { henry: dms('U0HENRY').length, erin: dms('U0ERIN').length };
    esc.clock.advanceMinutes(2 * HOUR + 5);
    await settle();
    expect(dms('U0HENRY').slice(seen.henry).map(dmText).join('\n')).to.match(/overdue/i);
    expect(dms('U0ERIN').slice(seen.erin).map(dmText).join('\n')).to.match(/overdue/i);
    const list = answers.at(-1);
    expect(list?.said).to.match(/Action plan/);
    const lines = await slash('U0ERIN', 'tasks', room);
    expect(lines).to.match(/Action plan/);
    expect(JSON.stringify(fake.responses.at(-1)!.body)).to.match(/overdue/);
    expect(await slash('U0HENRY', 'task done 1', room)).to.match(/1/);
    expect(await events()).to.include.members(['major.task_added', 'major.task_overdue', 'major.task_done']);
  });

  it('7. an update goes to the stakeholders and the war room; a problem case is created', async () => {
    expect(await slash('U0ERIN', 'update Failover done; enrolment is open again while the controller is replaced', room)).to.match(/./);
    expect(await slash('U0ERIN', 'problem new Storage controller firmware fault', room)).to.match(/PRB-/);
    await settle();
    expect(fake.channels.get(room.id)!.messages.some((m) => m.text.includes('enrolment is open again'))).to.equal(true);
    expect(await events()).to.include.members(['major.update_sent', 'problem.linked']);
  });

  it('8. resolve → warranty → satisfaction buttons to the customer → rated with a comment', async () => {
    expect(await slash('U0HENRY', `resolve ${key} controller replaced, enrolment healthy`)).to.match(/resolved/i);
    await settle();
    const major = await esc.deps.majors.forTicket(ticket.id);
    expect(major?.status).to.equal('warranty');
    esc.clock.advanceMinutes(8 * 24 * HOUR);
    await settle();
    const ask = dms('U0JUDY').find((c) => buttons(c.params.blocks).some((b) => /^esc_rate_[1-5]$/.test(b.action_id!)))!;
    expect(ask, 'a satisfaction DM with 1–5 buttons').to.not.equal(undefined);
    const four = buttons(ask.params.blocks).find((b) => b.action_id === 'esc_rate_4')!;
    const opened = fake.callsOf('views.open').length;
    await postSlack(esc.baseUrl, blockAction({ userId: 'U0JUDY', actionId: 'esc_rate_4', value: four.value!, channel: 'DU0JUDY', ts: String(ask.params.ts ?? '1.3'), responseUrl: `${fake.url}/response/rate` }));
    const modal = await fake.waitFor(() => fake.callsOf('views.open')[opened]);
    const view = modal.params.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).to.equal(RATE_MODAL);
    const values = (score: string, comment: string) => ({ score: { v: { type: 'static_select', selected_option: { value: score } } }, comment: { v: { type: 'plain_text_input', value: comment } } });
    const bad = await postSlack(esc.baseUrl, viewSubmission({ userId: 'U0JUDY', callbackId: RATE_MODAL, viewId: 'V0RATE1', values: values('9', ''), privateMetadata: view.private_metadata }));
    expect(JSON.parse(bad.text)).to.deep.include({ response_action: 'errors' });
    const updates = fake.callsOf('chat.update').length;
    await postSlack(esc.baseUrl, viewSubmission({ userId: 'U0JUDY', callbackId: RATE_MODAL, viewId: 'V0RATE2', values: values('4', 'Quick once it was escalated'), privateMetadata: view.private_metadata }));
    await fake.waitFor(() => fake.callsOf('chat.update')[updates]);
    await settle();
    const m = await esc.deps.majors.forTicket(ticket.id);
    expect(m?.satisfaction).to.deep.include({ score: 4, comment: 'Quick once it was escalated' });
    expect(await events()).to.include.members(['major.resolved', 'major.satisfaction_requested', 'satisfaction.recorded']);
  });

  it('9. the after-action report PDF is uploaded to the war room; the channel is archived when the escalation closes', async () => {
    if (![...fake.files.values()].some((f) => f.channelId === room.id && f.filename.endsWith('.pdf'))) {
      expect(await slash('U0ERIN', `aar ${key}`)).to.match(/After-action report/);
      await settle();
    }
    const pdf = [...fake.files.values()].find((f) => f.channelId === room.id && f.filename.endsWith('.pdf'))!;
    expect(pdf, 'a PDF in the war room').to.not.equal(undefined);
    expect(pdf.bytes!.subarray(0, 5).toString()).to.equal('%PDF-');
    await settle();
    expect(fake.channels.get(room.id)!.archived).to.equal(true);
    expect(await events()).to.include.members(['major.aar_generated', 'major.closed', 'major.war_room_archived']);
  });

  it('10. a second incident: problem linked, recurrence during the warranty reopens it from its war room, after-action report on demand', async () => {
    const b = await openTicket(esc.deps, { title: 'Registrar storage slow again', priority: 'P1', teamId: 'infrastructure', requesterId: 'judy', source: 'api' }, { personId: 'judy', via: 'api' });
    const bKey = formatTicketKey(b.number);
    expect(await slash('U0ERIN', `major ${bKey} Storage latency is back, grades upload failing`)).to.match(/major escalation/);
    const m = (await esc.deps.majors.forTicket(b.id))!;
    const bRoom = { id: m.warRoom!.id, name: m.warRoom!.name };
    expect(await slash('U0ERIN', 'problem PRB-1000', bRoom)).to.match(/PRB-1000/);
    expect(await slash('U0ERIN', 'problem PRB-424242', bRoom)).to.match(/PRB-424242/);
    expect(await slash('U0HENRY', `resolve ${bKey} latency back to normal`)).to.match(/resolved/i);
    await settle();
    expect((await esc.deps.majors.forTicket(b.id))?.status).to.equal('warranty');
    esc.clock.advanceMinutes(2 * 24 * HOUR);
    const c = await openTicket(esc.deps, { title: 'Grades upload failing', priority: 'P2', teamId: 'service-desk', requesterId: 'judy', source: 'api' }, { personId: 'judy', via: 'api' });
    const cKey = formatTicketKey(c.number);
    expect(await slash('U0ALICE', `recurrence ${cKey} of ESC-1`)).to.match(/ESC-1\b/);
    // In the war room, "of" may be left out: the room's incident is meant.
    expect(await slash('U0ERIN', `recurrence ${cKey}`, bRoom)).to.match(/./);
    await settle();
    const reopened = (await esc.deps.majors.forTicket(b.id))!;
    expect(reopened).to.deep.include({ status: 'active', recurrences: 1 });
    expect(fake.channels.get(bRoom.id)!.messages.map((x) => x.text).join('\n')).to.match(/recur/i);
    const files = fake.files.size;
    const aar = await slash('U0ERIN', 'aar', bRoom);
    expect(aar).to.match(/After-action report/);
    expect([...fake.files.values()].slice(files).some((f) => f.channelId === bRoom.id && f.bytes?.subarray(0, 5).toString() === '%PDF-')).to.equal(true);
    expect(await slash('U0ALICE', `aar ${bKey}`)).to.match(/Only/);
  });

  it('11. the Escalate button: a point person makes a request (reason required); a coordinator escalates at once', async () => {
    const t = await openTicket(esc.deps, { title: 'Exam portal slow', priority: 'P3', teamId: 'service-desk', requesterId: 'judy', source: 'api' }, { personId: 'judy', via: 'api' });
    const value = JSON.stringify({ t: t.id });
    const opened = fake.callsOf('views.open').length;
    await postSlack(esc.baseUrl, blockAction({ userId: 'U0KEN', actionId: ACTIONS.escalate, value, channel: 'C0HELPDESK', ts: '1700000200.000001', responseUrl: `${fake.url}/response/esc-btn` }));
    const modal = await fake.waitFor(() => fake.callsOf('views.open')[opened]);
    const view = modal.params.view as { callback_id: string; private_metadata: string; submit: { text: string } };
    expect(view.callback_id).to.equal(ESCALATE_MODAL);
    expect(view.submit.text).to.equal('Send request');
    const values = (reason: string) => ({ reason: { v: { type: 'plain_text_input', value: reason } }, urgency: { v: { type: 'static_select', selected_option: { value: 'normal' } } } });
    const empty = await postSlack(esc.baseUrl, viewSubmission({ userId: 'U0KEN', callbackId: ESCALATE_MODAL, viewId: 'V0REQ1', values: values(''), privateMetadata: view.private_metadata }));
    expect(JSON.parse(empty.text)).to.deep.include({ response_action: 'errors' });
    const updates = fake.callsOf('chat.update').length;
    await postSlack(esc.baseUrl, viewSubmission({ userId: 'U0KEN', callbackId: ESCALATE_MODAL, viewId: 'V0REQ2', values: values('Midterms tomorrow'), privateMetadata: view.private_metadata }));
    const update = await fake.waitFor(() => fake.callsOf('chat.update')[updates]);
    expect(JSON.stringify(update.params.blocks)).to.include('ESCALATED · manager request');
    const types = (await esc.deps.timeline.forTicket(t.id)).map((e) => e.type);
    expect(types).to.include('escalation.requested');
    expect(types).to.not.include('escalation.started');
    // Erin coordinates: her Escalate still escalates at once.
    const opened2 = fake.callsOf('views.open').length;
    await postSlack(esc.baseUrl, blockAction({ userId: 'U0ERIN', actionId: ACTIONS.escalate, value, channel: 'C0HELPDESK', ts: '1700000200.000001', responseUrl: `${fake.url}/response/esc-btn2` }));
    const modal2 = await fake.waitFor(() => fake.callsOf('views.open')[opened2]);
    const view2 = modal2.params.view as { private_metadata: string; submit: { text: string } };
    expect(view2.submit.text).to.equal('Escalate');
    await postSlack(esc.baseUrl, viewSubmission({ userId: 'U0ERIN', callbackId: ESCALATE_MODAL, viewId: 'V0REQ3', values: values('Coordinator: page now'), privateMetadata: view2.private_metadata }));
    for (let i = 0; i < 100 && !(await esc.deps.timeline.forTicket(t.id)).some((e) => e.type === 'escalation.started'); i++) await new Promise((r) => setTimeout(r, 30));
    expect((await esc.deps.timeline.forTicket(t.id)).map((e) => e.type)).to.include('escalation.started');
  });

  async function printTranscript(): Promise<void> {
    const text = (blocks: unknown) =>
      JSON.stringify(blocks ?? [])
        .match(/"text":"((?:[^"\\]|\\.)*)"/g)
        ?.map((m) => JSON.parse(m.slice(7)) as string)
        .filter((x) => x.length > 2)
        .join(' | ');
    const where = (ch: string) => (ch.startsWith('D') ? `DM to ${names[ch.slice(1)] ?? ch}` : fake.channels.get(ch) ? `#${fake.channels.get(ch)!.name}` : ch);
    const out: string[] = ['', '=== Slack transcript (issue 7 story) ==='];
    for (const c of fake.calls) {
      if (c.method === 'chat.postMessage' || c.method === 'chat.update') out.push(`[${where(String(c.params.channel))}${c.method === 'chat.update' ? ' (updated)' : ''}] ${text(c.params.blocks) ?? String(c.params.text)}`);
      else if (c.method === 'conversations.create') out.push(`[Slack] channel #${String(c.params.name)} created`);
      else if (c.method === 'conversations.invite') out.push(`[Slack] invited to ${where(String(c.params.channel))}: ${String(c.params.users).split(',').map((u) => names[u] ?? u).join(', ')}`);
      else if (c.method === 'pins.add') out.push(`[${where(String(c.params.channel))}] message pinned`);
      else if (c.method === 'files.completeUploadExternal') out.push(`[${where(String(c.params.channel_id))}] file uploaded: ${JSON.stringify(c.params.files)} ${String(c.params.initial_comment ?? '')}`);
      else if (c.method === 'conversations.archive') out.push(`[${where(String(c.params.channel))}] channel archived`);
      else if (c.method === 'views.open') out.push(`[modal] ${text((c.params.view as { blocks?: unknown }).blocks)}`);
    }
    out.push('', '--- what people typed and the answers only they saw ---');
    for (const a of answers) out.push(`${names[a.user] ?? a.user}: /esc ${a.text}\n    → ${a.said.slice(0, 1500)}`);
    out.push('', '--- timeline of the major escalation ---');
    if (ticket) for (const e of await esc.deps.timeline.forTicket(ticket.id)) out.push(`  ${e.at.toISOString()} ${e.type} ${e.actor?.name ?? e.actor?.via ?? ''}`);
    process.stdout.write(`${out.join('\n')}\n`);
  }
});
