import { expect } from 'chai';
import { respondToNotification } from '../../src/app/use-cases/respond.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import { systemClock } from '../../src/app/deps.js';
import { decideTick } from '../../src/domain/escalation.js';
import { resolveStepTargets } from '../../src/domain/targets.js';
import { buildFirings } from '../../src/engine/step-materializer.js';
import { scenarioOrg } from '../fixtures/orgs.js';
import { recordingNotifiers } from '../support/counting-notifier.js';
import { TestClock, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

/** A person-less admin API token. */
const API = { personId: null, via: 'api', role: 'admin' } as const;
const everyStepNow = {
  plans: [
    {
      id: 'fast',
      name: 'Chat, SMS, call',
      steps: [
        { delayMinutes: 0, channel: 'chat', targets: ['assignee'] },
        { delayMinutes: 1, channel: 'sms', targets: ['assignee'] },
        { delayMinutes: 1, channel: 'voice', targets: ['assignee', 'manager'] },
      ],
    },
  ],
  slaP1Calendar: 'always',
};

async function openMany(esc: TestEsc, count: number) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await openTicket(esc.deps, { title: `t${i}`, priority: 'P1', source: 'api', assigneeId: i % 2 ? 'tech1' : 'tech2' }, API)).id);
  return ids;
}

/** 30 minutes on: each ticket's due steps decided as a step pass would, and claimed when `claim`. */
async function dueSteps(esc: TestEsc, ids: string[], claim: boolean) {
  esc.clock.advanceMinutes(30);
  await esc.engine.slaModule();
  const now = esc.clock.now();
  const items = [];
  for (const id of ids) {
    const e = (await esc.deps.escalations.liveForTicket(id))!;
    const t = (await esc.deps.tickets.get(id))!;
    const d = decideTick(e, now, (s, l) => resolveStepTargets(esc.deps.directory(), t, s, l, now));
    if (claim) expect(await esc.deps.escalations.claim(d.state, e.version, d.firings, now)).to.equal(true);
    items.push({ esc: claim ? { ...e, ...d.state, version: e.version + 1 } : { ...e, ...d.state }, ticket: t, firings: d.firings, exhausted: false });
  }
  return { now, items };
}

describe('engine invariants: duplicates, crashes, races', function () {
  this.timeout(90_000);
  const started: TestEsc[] = [];
  const start = async (o: Parameters<typeof startTestEsc>[0]) => {
    const e = await startTestEsc({ listen: false, ...o });
    started.push(e);
    return e;
  };
  afterEach(async () => {
    while (started.length) await started.pop()!.stop();
  });

  it('two Esc processes on one database send each step exactly once', async () => {
    const clock = new TestClock(new Date('2026-11-23T10:00:00Z'));
    const na = recordingNotifiers();
    const nb = recordingNotifiers();
    const a = await start({ org: scenarioOrg(everyStepNow), clock, notifiers: Object.values(na) });
    const b = await start({ org: scenarioOrg(everyStepNow), clock, notifiers: Object.values(nb), uri: a.uri });
    const ids = await openMany(a, 12);
    for (const minutes of [30, 1, 1]) {
      clock.advanceMinutes(minutes);
      for (let i = 0; i < 3; i++) await Promise.all([a.engine.runOnce(), b.engine.runOnce(), a.engine.runOnce(), b.engine.runOnce()]);
    }
    const keys = [...Object.values(na), ...Object.values(nb)].flatMap((x) => x.sent.map((d) => d.key));
    expect(keys.length).to.equal(12 * 4); // chat, sms, voice to the assignee + voice to the manager
    expect(new Set(keys).size).to.equal(keys.length);
    expect(ids).to.have.length(12);
  });

  it('a slow send under its claim: another process does not take it over, and an acknowledgement answers after it is recorded', async () => {
    const clock = new TestClock(new Date('2026-11-23T10:00:00Z'));
    const na = recordingNotifiers();
    const nb = recordingNotifiers();
    na.chat.delayMs = 1500; // the provider answers slowly (real time)
    const a = await start({ org: scenarioOrg(everyStepNow), clock, notifiers: Object.values(na) });
    const b = await start({ org: scenarioOrg(everyStepNow), clock, notifiers: Object.values(nb), uri: a.uri });
    const [id] = await openMany(a, 1);
    clock.advanceMinutes(30);
    await a.engine.slaModule();
    const passA = a.engine.runOnce(); // claims the step, then waits on the provider
    await new Promise((r) => setTimeout(r, 300));
    // Past the old 5 s recovery age, well inside the delivery lease: B must leave the claim alone.
    clock.advance(8000);
    await b.engine.runOnce();
    await b.engine.runOnce();
    expect(nb.chat.sent).to.have.length(0);
    // The acknowledgement commits while A's message is on its way: it answers once that send is recorded.
    await respondToNotification(b.deps, { ticket: id!, reply: 'acknowledge', actor: { personId: 'tech1', via: 'slack' } });
    expect(na.chat.sent).to.have.length(1);
    const atAnswer = (await b.deps.timeline.forTicket(id!)).map((e) => e.type);
    expect(atAnswer).to.include.members(['escalation.step_fired', 'delivery.sent', 'escalation.acknowledged']);
    await passA;
    clock.advanceMinutes(2);
    await Promise.all([a.engine.runOnce(), b.engine.runOnce()]);
    expect([...na.chat.sent, ...nb.chat.sent, ...na.sms.sent, ...nb.sms.sent]).to.have.length(1);
    const stored = await a.deps.deliveries.list({ ticketId: id! }, 10);
    expect(stored.map((d) => d.status)).to.deep.equal(['sent']);
  });

  it('a pass whose claim nears the delivery lease sends no more waves: the rest is stored queued and goes out once, under leases', async () => {
    const clock = new TestClock(new Date('2026-11-23T10:00:00Z'));
    const n = recordingNotifiers();
    const esc = await start({ org: scenarioOrg(everyStepNow), clock, notifiers: Object.values(n) });
    const ids = await openMany(esc, 40);
    clock.advanceMinutes(30);
    await esc.engine.slaModule();
    // The first wave's provider takes 16 s of the engine's clock: past the lease (20 s) minus its margin (5 s).
    const send = n.chat.send.bind(n.chat);
    let slowed = false;
    n.chat.send = async (d) => {
      if (!slowed) {
        slowed = true;
        clock.advance(16_000);
      }
      return send(d);
    };
    await esc.engine.escalationModule(); // the step pass alone (runOnce would then send the queued ones)
    expect(n.chat.sent).to.have.length(16); // one wave (the dispatcher's concurrency), then the cut
    const queued = (await esc.deps.deliveries.list({ status: ['queued'] }, 100)).length;
    expect(queued).to.equal(24);
    await esc.settle();
    expect(n.chat.sent).to.have.length(40);
    expect(new Set(n.chat.sent.map((d) => d.key)).size).to.equal(40);
    let fired = 0;
    for (const id of ids) fired += (await esc.deps.timeline.forTicket(id)).filter((e) => e.type === 'escalation.step_fired').length;
    expect(fired).to.equal(40);
  });

  it('a crash between claiming a step and storing its messages loses nothing and sends once', async () => {
    const n = recordingNotifiers();
    const esc = await start({ org: scenarioOrg(everyStepNow), clock: new TestClock(new Date('2026-11-23T10:00:00Z')), notifiers: Object.values(n) });
    const [id] = await openMany(esc, 1);
    esc.clock.advanceMinutes(30);
    await esc.engine.slaModule();
    // Play the dying process: decide and claim, then stop before materialising.
    const e = (await esc.deps.escalations.liveForTicket(id!))!;
    const t = (await esc.deps.tickets.get(id!))!;
    const now = esc.clock.now();
    const d = decideTick(e, now, (s, l) => resolveStepTargets(esc.deps.directory(), t, s, l, now));
    expect(await esc.deps.escalations.claim(d.state, e.version, d.firings, now)).to.equal(true);
    await esc.settle();
    expect(n.chat.sent).to.have.length(0); // still pending: not stale yet
    // A claim younger than the delivery lease (20 s) may still be sending (Dispatcher.sendFresh).
    esc.clock.advance(15_000);
    await esc.settle();
    expect(n.chat.sent).to.have.length(0);
    esc.clock.advance(6000);
    await esc.settle();
    await esc.settle();
    expect(n.chat.sent).to.have.length(1);
    const fired = (await esc.deps.timeline.forTicket(id!)).filter((x) => x.type === 'escalation.step_fired');
    expect(fired).to.have.length(1);
  });

  it('a crash while sending: the lease expires, the message goes out once', async () => {
    const n = recordingNotifiers();
    const esc = await start({ org: scenarioOrg(everyStepNow), clock: new TestClock(new Date('2026-11-23T10:00:00Z')), notifiers: Object.values(n) });
    const ids = await openMany(esc, 3);
    // Play the dying process: claim the steps and store their messages claimed by it, then stop before sending.
    const { now, items } = await dueSteps(esc, ids, true);
    // As a step pass stores them (Dispatcher.sendFresh): handed over, under its claim and lease.
    const built = buildFirings(esc.deps, items, now);
    await esc.deps.deliveries.enqueue(built.flatMap((b) => b.deliveries).map((d) => ({ ...d, status: 'sending' as const, claim: 'dead-process', leaseUntil: new Date(now.getTime() + 60_000), handedAt: now })));
    await esc.deps.timeline.append(built.flatMap((b) => b.events));
    await esc.settle();
    expect(n.chat.sent).to.have.length(0);
    esc.clock.advance(61_000);
    await esc.settle();
    expect(n.chat.sent).to.have.length(3);
    expect(new Set(n.chat.sent.map((d) => d.key)).size).to.equal(3);
  });

  it('storing a wave again (a write retried after a dropped connection) counts its own rows, not rows a recovery stored under the same keys', async () => {
    const esc = await start({ org: scenarioOrg(everyStepNow), clock: new TestClock(new Date('2026-11-23T10:00:00Z')), notifiers: Object.values(recordingNotifiers()) });
    const ids = await openMany(esc, 2);
    const { now, items } = await dueSteps(esc, ids, false);
    const rows = buildFirings(esc.deps, items, now).flatMap((b) => b.deliveries);
    expect(rows.length).to.be.greaterThan(1);
    const [first, ...rest] = rows;
    expect(await esc.deps.deliveries.enqueue([first!])).to.equal(1);
    // The retry finds its own first row stored: all of them are its own.
    expect(await esc.deps.deliveries.enqueue(rows)).to.equal(rows.length);
    // Another process's rows for the same keys (new ids): none of them stored.
    expect(await esc.deps.deliveries.enqueue(rest.map((d) => ({ ...d, id: `${d.id}-other` })))).to.equal(0);
  });

  it('an acknowledgement wins every race: no step is claimed after it commits', async () => {
    const n = recordingNotifiers();
    const esc = await start({ org: scenarioOrg(everyStepNow), clock: new TestClock(new Date('2026-11-23T10:00:00Z')), notifiers: Object.values(n) });
    const ids = await openMany(esc, 16);
    esc.clock.advanceMinutes(30);
    await esc.engine.slaModule();
    await esc.settle();
    esc.clock.advanceMinutes(1); // step 2 due for all 40
    await Promise.all([esc.engine.runOnce(), ...ids.map((id) => respondToNotification(esc.deps, { ticket: id, reply: 'acknowledge', actor: { personId: 'tech1', via: 'slack' } })), esc.engine.runOnce()]);
    await esc.settle();
    let claimedAfter = 0;
    for (const id of ids) {
      const tl = await esc.deps.timeline.forTicket(id);
      const ack = tl.find((e) => e.type === 'escalation.acknowledged')!;
      const steps = tl.filter((e) => e.type === 'escalation.step_fired').map((e) => e.data.seq as number);
      claimedAfter += steps.filter((s) => s >= (ack.data.firedBeforeAck as number)).length;
    }
    expect(claimedAfter).to.equal(0);
    esc.clock.advanceMinutes(5);
    await esc.settle();
    expect(n.voice.sent).to.have.length(0);
  });

  it('the Agenda loop drives the engine on the real clock, and takes over when one process stops', async () => {
    const n1 = recordingNotifiers();
    const n2 = recordingNotifiers();
    const env = { ESC_ENGINE_LEASE_MS: '2000', ESC_ENGINE_TICK_MS: '50' };
    const a = await start({ org: scenarioOrg(everyStepNow), clock: systemClock as TestClock, notifiers: Object.values(n1), runEngine: true, env });
    const b = await start({ org: scenarioOrg(everyStepNow), clock: systemClock as TestClock, notifiers: Object.values(n2), runEngine: true, env, uri: a.uri });
    const t = await openTicket(a.deps, { title: 'real clock', priority: 'P1', source: 'api', assigneeId: 'tech1' }, API);
    await respondToNotification(a.deps, { ticket: t.id, reply: 'escalate', actor: API });
    const deadline = Date.now() + 5000;
    while (n1.chat.sent.length + n2.chat.sent.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(n1.chat.sent.length + n2.chat.sent.length).to.equal(1);
    // Stop whichever process holds the loop; the other one must carry on.
    const holder = a.runner!.running ? a : b;
    const other = holder === a ? b : a;
    await holder.stop();
    started.splice(started.indexOf(holder), 1);
    await respondToNotification(other.deps, { ticket: t.id, reply: 'escalate', actor: API });
    const d2 = Date.now() + 8000;
    while (n1.sms.sent.length + n2.sms.sent.length === 0 && Date.now() < d2) await new Promise((r) => setTimeout(r, 50));
    expect(n1.sms.sent.length + n2.sms.sent.length).to.equal(1);
  });
});
