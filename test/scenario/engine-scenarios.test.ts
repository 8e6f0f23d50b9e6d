import { expect } from 'chai';
import { respondToNotification } from '../../src/app/use-cases/respond.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import { simulatePlan } from '../../src/domain/simulate.js';
import { scenarioOrg } from '../fixtures/orgs.js';
import { recordingNotifiers } from '../support/counting-notifier.js';
import { TestClock, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

/** A person-less admin API token. */
const API = { personId: null, via: 'api', role: 'admin' } as const;

describe('engine scenarios (controllable clock)', () => {
  let esc: TestEsc;
  let n: ReturnType<typeof recordingNotifiers>;
  beforeEach(async () => {
    n = recordingNotifiers();
    // Friday 2026-11-20 16:55 in Berlin (UTC+1).
    esc = await startTestEsc({ org: scenarioOrg(), notifiers: Object.values(n), clock: new TestClock(new Date('2026-11-20T15:55:00Z')), listen: false });
  });
  afterEach(async () => {
    await esc.stop();
  });

  const types = async (ticketId: string) => (await esc.deps.timeline.forTicket(ticketId)).map((e) => e.type);

  it('a P1 opened Friday 16:55 (Mon–Fri 9–17, 30 min response) reaches the manager Monday 09:25, then by SMS 10 minutes later', async () => {
    const t = await openTicket(esc.deps, { title: 'Payroll export fails', priority: 'P1', source: 'api', assigneeId: 'tech1' }, API);
    expect(t.sla.responseDueAt!.toISOString()).to.equal('2026-11-23T08:25:00.000Z');
    esc.clock.set('2026-11-23T08:24:59Z'); // Monday 09:24:59 Berlin
    await esc.settle();
    expect(n.chat.sent).to.have.length(0);
    esc.clock.set('2026-11-23T08:25:00Z');
    await esc.settle();
    expect(n.chat.sent.map((d) => d.recipient.personId)).to.deep.equal(['mgr']);
    expect(n.chat.sent[0]!.dueAt.toISOString()).to.equal('2026-11-23T08:25:00.000Z');
    esc.clock.advanceMinutes(9);
    await esc.settle();
    expect(n.sms.sent).to.have.length(0);
    esc.clock.advanceMinutes(1);
    await esc.settle();
    expect(n.sms.sent.map((d) => [d.recipient.personId, d.address])).to.deep.equal([['mgr', '+4930000003']]);
    const tl = await esc.deps.timeline.forTicket(t.id);
    const fired = tl.filter((e) => e.type === 'escalation.step_fired');
    expect(fired.map((e) => [e.data.step, e.data.channel, new Date(e.data.dueAt as string).toISOString(), e.data.lateMs])).to.deep.equal([
      [1, 'chat', '2026-11-23T08:25:00.000Z', 0],
      [2, 'sms', '2026-11-23T08:35:00.000Z', 0],
    ]);
    expect(tl.filter((e) => e.type === 'delivery.sent')).to.have.length(2);
    expect(await types(t.id)).to.include.members(['ticket.opened', 'sla.response_breached', 'escalation.started']);
  });

  it('an acknowledgement stops the plan: no later step sends anything, queued messages are cancelled', async () => {
    const t = await openTicket(esc.deps, { title: 'VPN down', priority: 'P1', source: 'api', assigneeId: 'tech1' }, API);
    esc.clock.set('2026-11-23T08:25:00Z');
    await esc.settle();
    expect(n.chat.sent).to.have.length(1);
    const r = await respondToNotification(esc.deps, { ticket: t.number, reply: 'acknowledge', actor: { personId: 'mgr', via: 'sms' } });
    expect(r.changed).to.equal(true);
    expect(r.message).to.match(/acknowledged by Mia Manager/);
    esc.clock.advanceMinutes(60);
    await esc.settle();
    expect(n.sms.sent).to.have.length(0);
    const again = await respondToNotification(esc.deps, { ticket: t.number, reply: 'acknowledge', actor: { personId: 'tech1', via: 'slack' } });
    expect(again.changed).to.equal(false);
    const ack = (await esc.deps.timeline.forTicket(t.id)).find((e) => e.type === 'escalation.acknowledged')!;
    expect(ack.data).to.include({ by: 'mgr', via: 'sms', firedBeforeAck: 1 });
  });

  it('escalate now jumps to the next step; resolve ends the plan', async () => {
    const t = await openTicket(esc.deps, { title: 'Wifi', priority: 'P1', source: 'api', assigneeId: 'tech1' }, API);
    esc.clock.set('2026-11-23T08:25:00Z');
    await esc.settle();
    await respondToNotification(esc.deps, { ticket: t.id, reply: 'escalate', actor: API });
    await esc.settle();
    expect(n.sms.sent).to.have.length(1);
    await respondToNotification(esc.deps, { ticket: t.id, reply: 'escalate', actor: API, toStep: 3 });
    await esc.settle();
    expect(n.voice.sent.map((d) => d.recipient.personId)).to.deep.equal(['exec']); // the second manager step climbs
    await respondToNotification(esc.deps, { ticket: t.id, reply: 'resolve', actor: API, note: 'fixed' });
    const esc1 = (await esc.deps.escalations.forTicket(t.id))[0]!;
    expect(esc1.status).to.equal('resolved');
  });

  it('a step with nobody to notify is skipped at once and recorded; repeats run from step N', async () => {
    const org = scenarioOrg({
      plans: [
        {
          id: 'p',
          name: 'Rota, then manager, twice',
          repeat: { count: 1, fromStep: 2 },
          steps: [
            { delayMinutes: 0, channel: 'chat', targets: ['oncall'] },
            { delayMinutes: 5, channel: 'email', targets: [{ person: 'coord' }] },
          ],
        },
      ],
    });
    await esc.reloadOrg(org);
    const t = await openTicket(esc.deps, { title: 'No rota', priority: 'P2', source: 'api', teamId: 'norota' }, API);
    esc.clock.set(t.sla.responseDueAt!);
    await esc.settle();
    // Step 1 had nobody (no rotation): skipped, and step 2 went out at once, not 5 minutes later.
    expect(n.chat.sent).to.have.length(0);
    expect(n.email.sent).to.have.length(1);
    esc.clock.advanceMinutes(5);
    await esc.settle();
    expect(n.email.sent).to.have.length(2);
    esc.clock.advanceMinutes(60);
    await esc.settle();
    expect(n.email.sent).to.have.length(2);
    const tl = await types(t.id);
    expect(tl.filter((x) => x === 'escalation.step_skipped')).to.have.length(1);
    expect(tl).to.include('escalation.exhausted');
  });

  it('failed deliveries are retried with backoff; a permanent failure falls back to the next contact method and the plan moves on', async () => {
    n.chat.failures = [{ ok: false, retryable: true, code: 'TIMEOUT', message: 'timed out' }];
    n.sms.failures = [{ ok: false, retryable: false, code: 'INVALID_NUMBER', message: 'not a mobile' }];
    const t = await openTicket(esc.deps, { title: 'Retry me', priority: 'P1', source: 'api', assigneeId: 'tech1' }, API);
    esc.clock.set('2026-11-23T08:25:00Z');
    await esc.settle();
    expect(n.chat.sent).to.have.length(0);
    esc.clock.advance(5000);
    await esc.settle();
    expect(n.chat.sent).to.have.length(1);
    esc.clock.advanceMinutes(10);
    await esc.settle();
    esc.clock.advanceMinutes(10);
    await esc.settle();
    // The SMS failed for good: the same step reached the manager by their next method (voice), then step 3 called.
    expect(n.voice.sent.map((d) => d.key.endsWith(':fallback:voice'))).to.deep.equal([true, false]);
    const tl = await esc.deps.timeline.forTicket(t.id);
    expect(tl.map((e) => e.type)).to.include.members(['delivery.retrying', 'delivery.failed']);
    expect(tl.find((e) => e.type === 'delivery.failed')!.data).to.include({ channel: 'sms', code: 'INVALID_NUMBER', fallbackTo: 'voice' });
  });

  it('steps that fell due while Esc was down fire at once on restart, marked late', async () => {
    const t = await openTicket(esc.deps, { title: 'Down time', priority: 'P1', source: 'api', assigneeId: 'tech1' }, API);
    const { uri, clock } = esc;
    await esc.stop();
    clock.set('2026-11-23T09:25:00Z'); // an hour after the breach
    esc = await startTestEsc({ org: scenarioOrg(), notifiers: Object.values(n), clock, uri, listen: false });
    await esc.settle();
    expect(n.chat.sent).to.have.length(1);
    const fired = (await esc.deps.timeline.forTicket(t.id)).find((e) => e.type === 'escalation.step_fired')!;
    expect(fired.data.lateMs).to.equal(3_600_000);
    esc.clock.advanceMinutes(10);
    await esc.settle();
    expect(n.sms.sent).to.have.length(1); // the next step keeps its delay after the late one
  });

  it('the dry-run agrees with what the engine then does for the same plan and clock', async () => {
    const dir = esc.deps.directory();
    const plan = dir.org.plans.find((p) => p.id === 'mgr-chat-then-sms')!;
    const openedAt = esc.clock.now();
    const sim = simulatePlan({ dir, plan, teamId: 'desk', priority: 'P1', assigneeId: 'tech1', openedAt });
    const t = await openTicket(esc.deps, { title: 'Sim', priority: 'P1', source: 'api', assigneeId: 'tech1' }, API);
    for (const step of sim.steps) {
      esc.clock.set(step.at);
      await esc.settle();
    }
    const fired = (await esc.deps.timeline.forTicket(t.id)).filter((e) => e.type === 'escalation.step_fired' || e.type === 'escalation.step_skipped');
    const real = fired.map((e) => ({ at: new Date(e.data.dueAt as string).toISOString(), step: e.data.step, channel: e.data.channel, who: ((e.data.targets as { personId: string }[]) ?? []).map((x) => x.personId) }));
    const expected = sim.steps.map((s) => ({ at: s.at.toISOString(), step: s.step, channel: s.channel, who: s.recipients.map((r) => r.personId) }));
    expect(real).to.deep.equal(expected);
  });

  it('quiet hours: a low-urgency page waits until they end, an urgent one goes at once', async () => {
    const org = scenarioOrg({
      slaP1Calendar: 'always',
      plans: [{ id: 'q', name: 'Chat then SMS', steps: [{ delayMinutes: 0, channel: 'chat', targets: ['manager'] }, { delayMinutes: 1, channel: 'sms', targets: [{ person: 'mgr' }] }] }],
    });
    org.people.find((p) => p.id === 'mgr')!.quietHours = { start: '22:00', end: '07:00' };
    await esc.reloadOrg(org);
    esc.clock.set('2026-11-24T21:30:00Z'); // 22:30 in Berlin
    const t = await openTicket(esc.deps, { title: 'Night page', priority: 'P1', source: 'api', assigneeId: 'tech1' }, API);
    esc.clock.advanceMinutes(30);
    await esc.settle();
    expect(n.chat.sent).to.have.length(0);
    esc.clock.advanceMinutes(1);
    await esc.settle();
    expect(n.sms.sent.map((d) => d.recipient.personId)).to.deep.equal(['mgr']);
    esc.clock.set('2026-11-25T06:00:00Z'); // 07:00 in Berlin
    await esc.settle();
    expect(n.chat.sent.map((d) => d.recipient.personId)).to.deep.equal(['mgr']);
    const deferred = (await esc.deps.timeline.forTicket(t.id)).find((e) => e.type === 'delivery.deferred')!;
    expect(new Date(deferred.data.until as string).toISOString()).to.equal('2026-11-25T06:00:00.000Z');
  });

  it('the auditor reports an escalation that should have moved and did not', async () => {
    const t = await openTicket(esc.deps, { title: 'Stuck', priority: 'P1', source: 'api', assigneeId: 'tech1' }, API);
    esc.clock.set('2026-11-23T08:25:00Z');
    await esc.engine.slaModule(); // the plan starts, but no step is run (as if the engine were wedged)
    esc.clock.advanceMinutes(5);
    await esc.engine.auditModule();
    expect(await types(t.id)).to.include('escalation.audit_stuck');
    expect(esc.log.errors().map((l) => l.msg)).to.include('AUDIT: escalation overdue and not advancing');
  });

  it('functional escalation moves the ticket to the next tier with a new SLA clock; elevate flags it', async () => {
    const t = await openTicket(esc.deps, { title: 'Needs L2', priority: 'P2', source: 'api' }, API);
    const { moveToTeam, elevateTicket } = await import('../../src/app/use-cases/escalations.js');
    const moved = await moveToTeam(esc.deps, t.id, { personId: 'mgr', via: 'api' }, undefined, 'needs a specialist');
    expect(moved.teamId).to.equal('l2');
    expect(moved.level).to.equal(1);
    const el = await elevateTicket(esc.deps, t.id, { personId: 'mgr', via: 'api' });
    expect(el.ticket.elevated).to.equal(true);
    const tl = await esc.deps.timeline.forTicket(t.id);
    expect(tl.find((e) => e.type === 'ticket.moved')!.data).to.include({ kind: 'functional', from: 'desk', to: 'l2' });
  });
});
