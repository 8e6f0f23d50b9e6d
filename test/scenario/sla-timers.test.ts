import { expect } from 'chai';
import { runText } from '../../src/app/chatops/catalog.js';
import type { ChatContext } from '../../src/app/chatops/answer.js';
import { changeTicket } from '../../src/app/use-cases/change-ticket.js';
import { respondToNotification } from '../../src/app/use-cases/respond.js';
import { commentOnTicket, openTicket } from '../../src/app/use-cases/tickets.js';
import { ticketHistory } from '../../src/app/use-cases/history.js';
import type { Ticket } from '../../src/domain/ticket.js';
import { scenarioOrg } from '../fixtures/orgs.js';
import { recordingNotifiers } from '../support/counting-notifier.js';
import { TestClock, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

const API = { personId: null, via: 'api', role: 'admin' } as const;
const TESS = { personId: 'tech1', via: 'slack' } as const;

/** Mon–Fri 9–17 Berlin; P2 and P3 warn at 75 %; the P2 plan chases an acknowledgement after 60 business minutes; P1's resolution breach starts a plan. */
const org = () =>
  scenarioOrg({
    sla: { P1: { resolutionPlan: 'overdue' }, P2: { warnAtPercent: 75 }, P3: { warnAtPercent: 75 } },
    plans: [
      { id: 'p1', name: 'P1 manager', match: { priorities: ['P1'] }, steps: [{ delayMinutes: 0, channel: 'chat', targets: ['manager'] }] },
      { id: 'std', name: 'Standard', ackTimeoutMinutes: 60, steps: [{ delayMinutes: 0, channel: 'chat', targets: ['assignee', 'oncall'] }, { delayMinutes: 10, channel: 'sms', targets: ['assignee', 'oncall'] }] },
      { id: 'overdue', name: 'Resolution overdue', match: { teams: ['l2'] }, steps: [{ delayMinutes: 0, channel: 'email', targets: [{ person: 'mgr' }] }, { delayMinutes: 30, channel: 'email', targets: [{ person: 'exec' }] }] },
    ],
  });

describe('nobody forgotten: warnings, ack timeouts, resolution breaches (issue 14)', () => {
  let esc: TestEsc;
  let n: ReturnType<typeof recordingNotifiers>;
  beforeEach(async () => {
    n = recordingNotifiers();
    // Friday 2026-11-20 16:50 Berlin.
    esc = await startTestEsc({ org: org(), notifiers: Object.values(n), clock: new TestClock(new Date('2026-11-20T15:50:00Z')), listen: false });
  });
  afterEach(async () => {
    await esc.stop();
  });
  const at = async (iso: string) => {
    esc.clock.set(iso);
    await esc.settle();
  };
  const events = async (t: Ticket, type: string) => (await esc.deps.timeline.forTicket(t.id)).filter((e) => e.type === type);
  const ctx = (personId: string): ChatContext => {
    const person = esc.deps.directory().person(personId)!;
    return { person, actor: { personId, via: 'slack' }, platform: 'slack', zone: person.timeZone, conversationId: null };
  };

  it('a P3 opened Friday 16:50 warns the on-call person once at 75 % on Monday morning, then breaches after', async () => {
    const t = await openTicket(esc.deps, { title: 'Shared drive slow', priority: 'P3', source: 'api' }, API);
    // 240 business minutes: 10 on Friday, 230 on Monday -> due Monday 12:50; 75 % (180 min) -> Monday 11:50.
    expect(t.sla.responseDueAt!.toISOString()).to.equal('2026-11-23T11:50:00.000Z');
    await esc.settle();
    await at('2026-11-23T10:49:00Z');
    expect(n.chat.sent).to.have.length(0);
    await at('2026-11-23T10:50:00Z');
    const onCall = esc.deps.directory().onCall('desk', esc.clock.now())!;
    expect(n.chat.sent.map((d) => [d.recipient.personId, d.notice.title])).to.deep.equal([[onCall.id, `ESC-${t.number} response due in 1 h (12:50)`]]);
    await at('2026-11-23T11:20:00Z');
    await at('2026-11-23T11:49:00Z');
    expect(n.chat.sent).to.have.length(1);
    expect(await events(t, 'sla.warning')).to.have.length(1);
    expect(await events(t, 'sla.response_breached')).to.have.length(0);
    await at('2026-11-23T11:50:00Z');
    expect(await events(t, 'sla.response_breached')).to.have.length(1);
    expect(n.chat.sent.map((d) => d.notice.kind)).to.deep.equal(['info', 'escalation_step']);
    // The resolution warning (960 min: due Tuesday 16:50; 75 % -> Tuesday 12:50) comes once, to the same person.
    await at('2026-11-24T11:49:00Z');
    expect(n.chat.sent.filter((d) => /resolution/.test(d.notice.title))).to.have.length(0);
    await at('2026-11-24T11:50:00Z');
    await at('2026-11-24T12:30:00Z');
    expect(n.chat.sent.filter((d) => /resolution/.test(d.notice.title)).map((d) => d.notice.title)).to.deep.equal([`ESC-${t.number} resolution due in 4 h (16:50)`]);
  });

  it('an acknowledged P2 (ackTimeoutMinutes 60) with no update goes back to step 1 at 60 business minutes', async () => {
    await at('2026-11-23T09:00:00Z'); // Monday 10:00
    const t = await openTicket(esc.deps, { title: 'VPN drops', priority: 'P2', source: 'api', assigneeId: 'tech1' }, API);
    await at('2026-11-23T09:05:00Z');
    await respondToNotification(esc.deps, { ticket: t.id, reply: 'acknowledge', actor: TESS });
    await at('2026-11-23T10:04:00Z');
    expect(await events(t, 'escalation.ack_timeout')).to.have.length(0);
    const before = n.chat.to('tech1').length;
    await at('2026-11-23T10:05:00Z');
    const timeouts = await events(t, 'escalation.ack_timeout');
    expect(timeouts).to.have.length(1);
    expect(timeouts[0]!.data).to.include({ planId: 'std', minutes: 60 });
    const page = n.chat.to('tech1').slice(before);
    expect(page.map((d) => [d.notice.kind, d.notice.escalation?.step])).to.deep.equal([['escalation_step', 1]]);
    expect(page[0]!.notice.text).to.equal(`ESC-${t.number} (P2, medium impact) is escalated again: acknowledged by Tess Tech, not updated for 60 business minutes. Team: Desk. Assignee: Tess Tech. Escalation step 1 of 2.`);
    // Not acknowledged again: the plan goes on (SMS 10 minutes later); acknowledged: the chase restarts from then.
    await at('2026-11-23T10:15:00Z');
    expect(n.sms.to('tech1')).to.have.length(1);
    await respondToNotification(esc.deps, { ticket: t.id, reply: 'acknowledge', actor: TESS });
    await at('2026-11-23T11:14:00Z');
    expect(await events(t, 'escalation.ack_timeout')).to.have.length(1);
    await at('2026-11-23T11:15:00Z');
    expect(await events(t, 'escalation.ack_timeout')).to.have.length(2);
    const h = await ticketHistory(esc.deps, t.id, 'Europe/Berlin');
    expect(h.rows.filter((r) => /not updated for 60 business minutes: back to step 1/.test(r.text))).to.have.length(2);
  });

  it('the chase counts business minutes, and a comment is an update', async () => {
    await at('2026-11-23T15:30:00Z'); // Monday 16:30
    const t = await openTicket(esc.deps, { title: 'Printer', priority: 'P2', source: 'api', assigneeId: 'tech1' }, API);
    await respondToNotification(esc.deps, { ticket: t.id, reply: 'acknowledge', actor: TESS });
    // 30 minutes on Monday, 30 on Tuesday from 09:00 -> Tuesday 09:30 Berlin.
    await at('2026-11-24T08:29:00Z');
    await commentOnTicket(esc.deps, t.id, 'ordered a new fuser', TESS); // Tuesday 09:29: next chase at 10:29
    await at('2026-11-24T08:30:00Z');
    await at('2026-11-24T09:28:00Z');
    expect(await events(t, 'escalation.ack_timeout')).to.have.length(0);
    await at('2026-11-24T09:29:00Z');
    expect(await events(t, 'escalation.ack_timeout')).to.have.length(1);
  });

  it('not when snoozed (until the snooze ends), and never while on hold', async () => {
    await at('2026-11-23T09:00:00Z');
    const a = await openTicket(esc.deps, { title: 'Snoozed one', priority: 'P2', source: 'api', assigneeId: 'tech1' }, API);
    const b = await openTicket(esc.deps, { title: 'On hold one', priority: 'P2', source: 'api', assigneeId: 'tech1' }, API);
    for (const t of [a, b]) await respondToNotification(esc.deps, { ticket: t.id, reply: 'acknowledge', actor: TESS });
    const r = await runText(esc.deps, ctx('tech1'), `snooze ESC-${a.number} 3h waiting for the vendor`);
    expect(r.ok, r.text).to.equal(true);
    expect(r.text).to.match(/snoozed until Mon 23 Nov 13:00 GMT\+1: waiting for the vendor/);
    await changeTicket(esc.deps, b.id, () => ({ type: 'pend', by: 'tech1', reason: 'waiting on the customer' }), TESS);
    await at('2026-11-23T10:00:00Z');
    await at('2026-11-23T11:59:00Z');
    expect(await events(a, 'escalation.ack_timeout')).to.have.length(0);
    const st = await runText(esc.deps, ctx('tech1'), `status ESC-${a.number}`);
    expect((st.view as { lines: string[] }).lines).to.include('Snoozed until Mon 23 Nov 13:00 GMT+1 by Tess Tech: waiting for the vendor.');
    await at('2026-11-23T12:00:00Z');
    expect(await events(a, 'escalation.ack_timeout')).to.have.length(1);
    await at('2026-11-25T12:00:00Z');
    expect(await events(b, 'escalation.ack_timeout')).to.have.length(0);
    const h = await ticketHistory(esc.deps, a.id, 'Europe/Berlin');
    expect(h.rows.map((x) => x.text)).to.include('Snoozed by Tess Tech (slack) until 2026-11-23 13:00 GMT+1 (no ack-timeout chase): waiting for the vendor');
    // The assignee, the team or coordinators: an executive outside the team may not.
    const refused = await runText(esc.deps, ctx('exec'), `snooze ESC-${a.number} 1h later`);
    expect(refused.ok).to.equal(false);
    expect(refused.text).to.match(/snooze/);
    const onHold = await runText(esc.deps, ctx('coord'), `snooze ESC-${b.number} 1h no`);
    expect(onHold.text).to.match(/on hold, it is not chased/);
    expect((await runText(esc.deps, ctx('tech1'), `snooze ESC-${a.number} soon because`)).text).to.match(/for how long/);
  });

  it('a resolution breach starts the resolution plan once (not when a plan is running)', async () => {
    await at('2026-11-23T09:00:00Z');
    const t = await openTicket(esc.deps, { title: 'Payroll', priority: 'P1', source: 'api', assigneeId: 'tech1' }, API);
    await at('2026-11-23T09:30:00Z'); // response breach: P1 plan, manager by chat
    await respondToNotification(esc.deps, { ticket: t.id, reply: 'acknowledge', actor: { personId: 'mgr', via: 'slack' } });
    // 240 business minutes from Monday 10:00 -> 14:00 Berlin.
    await at('2026-11-23T12:59:00Z');
    expect(n.email.sent).to.have.length(0);
    await at('2026-11-23T13:00:00Z');
    expect(n.email.sent.map((d) => d.recipient.personId)).to.deep.equal(['mgr']);
    await at('2026-11-23T13:30:00Z');
    await at('2026-11-24T13:30:00Z');
    expect(n.email.sent.map((d) => d.recipient.personId)).to.deep.equal(['mgr', 'exec']);
    const breached = await events(t, 'sla.resolution_breached');
    expect(breached).to.have.length(1);
    expect(breached[0]!.data).to.include({ planId: 'overdue', planStarted: true });
    const started = (await events(t, 'escalation.started')).map((e) => e.data.planId);
    expect(started).to.deep.equal(['p1', 'overdue']);
  });
});
