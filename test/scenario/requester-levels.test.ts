import { expect } from 'chai';
import { respondToNotification } from '../../src/app/use-cases/respond.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import { recordingNotifiers } from '../support/counting-notifier.js';
import { startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

const API = { personId: null, via: 'api', role: 'admin' } as const;
const MIN = 60_000;

/**
 * Issue 14: when the engine's plan climbs to a new level (a step to the team lead, management,
 * the coordinators, executives), the requester hears it once per level: not for the front-line
 * steps, not again when the plan repeats or restarts, and not at all for a priority whose
 * policy says `informRequester: false`.
 */
describe('the requester is told when the plan climbs a level (issue 14)', () => {
  let esc: TestEsc;
  let n: ReturnType<typeof recordingNotifiers>;
  beforeEach(async () => {
    n = recordingNotifiers();
    // Monday 2026-11-23 09:00 Pacific; the demo org.
    esc = await startTestEsc({ notifiers: Object.values(n), listen: false });
  });
  afterEach(async () => {
    await esc.stop();
  });
  const judy = () => [...n.chat.to('judy'), ...n.email.to('judy')].filter((d) => d.notice.kind === 'requester_update');
  const until = async (minutes: number) => {
    const end = esc.clock.now().getTime() + minutes * MIN;
    while (esc.clock.now().getTime() < end) {
      esc.clock.set(new Date(Math.min(end, esc.clock.now().getTime() + 5 * MIN)));
      await esc.settle();
    }
  };

  it('a P2 plan reaching management, then an executive, tells the requester once each; the front-line steps and the restarted plan do not', async () => {
    const t = await openTicket(esc.deps, { title: 'Cannot print to Library printer', priority: 'P2', source: 'api', requesterId: 'judy' }, API);
    await esc.settle();
    // The standard plan starts at the response breach (10:00): chat, SMS (front line), then the manager at 10:30, email to manager and coordinators at 11:00.
    await until(60 + 25);
    expect(n.chat.sent.filter((d) => d.notice.kind === 'escalation_step').length).to.be.greaterThan(0);
    expect(judy()).to.have.length(0);
    await until(5);
    const k = `ESC-${t.number}`;
    expect(judy().map((d) => [d.notice.title, d.notice.text])).to.deep.equal([
      [`${k}: escalated to management`, `Your ticket ${k} "Cannot print to Library printer" has been escalated to management so it gets the right attention. We will keep you informed.`],
    ]);
    // Never the internal paging text, no buttons.
    expect(judy()[0]!.notice.actions).to.deep.equal([]);
    // 11:00: the next manager step climbs the chain to Grace Liu (CIO, Dana's manager), an executive: a new level, told once.
    await until(40);
    expect(judy().map((d) => d.notice.title)).to.deep.equal([`${k}: escalated to management`, `${k}: escalated to senior management`]);
    // Acknowledged, then nobody updates it: the plan starts again from step 1 and climbs again; the requester already knows.
    await respondToNotification(esc.deps, { ticket: t.id, reply: 'acknowledge', actor: { personId: 'alice', via: 'slack' } });
    await until(120 + 45);
    const tl = (await esc.deps.timeline.forTicket(t.id)).map((e) => e.type);
    expect(tl.filter((x) => x === 'escalation.ack_timeout')).to.have.length(1);
    const climbs = (await esc.deps.timeline.forTicket(t.id)).filter((e) => e.type === 'escalation.step_fired' && JSON.stringify(e.data.targets).includes('"manager"'));
    expect(climbs.length).to.be.at.least(2);
    expect(judy().map((d) => d.notice.title)).to.deep.equal([`${k}: escalated to management`, `${k}: escalated to senior management`, `${k}: Alice Ng is on it`]);
  });

  it('a P4 (informRequester: false) tells the requester nothing when its plan emails the manager', async () => {
    const t = await openTicket(esc.deps, { title: 'New mouse for room 4', priority: 'P4', source: 'api', requesterId: 'judy' }, API);
    await esc.settle();
    // 960 business minutes: Wednesday 09:00.
    esc.clock.set(new Date(new Date(t.sla.responseDueAt!).getTime() + MIN));
    await esc.settle();
    const toManager = n.email.sent.filter((d) => d.ticketId === t.id && d.notice.kind === 'escalation_step');
    expect(toManager.map((d) => d.recipient.personId)).to.deep.equal(['dana']);
    expect(judy()).to.have.length(0);
  });
});
