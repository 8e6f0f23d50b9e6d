import { expect } from 'chai';
import type { MajorRepository } from '../../src/app/ports/majors.js';
import type { OutboxWarRoom } from '../../src/adapters/outbox/outbox-war-room.js';
import { recordingNotifiers } from '../support/counting-notifier.js';
import { api, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import { PEOPLE_TOKENS, tok } from '../support/people-tokens.js';

/**
 * Issue 12: the ticket lifecycle reaches major escalations and manager escalation requests
 * through a reaction stored with the ticket change, carried out by the engine's
 * `ticket-reactions` module: a crash between the two writes is repaired, a failure retried.
 */
describe('ticket reactions: resolving or reopening a ticket reaches its escalations through the engine', () => {
  const env = { ESC_API_TOKENS: PEOPLE_TOKENS };
  let a: TestEsc;
  let b: TestEsc | null = null;
  beforeEach(async () => {
    a = await startTestEsc({ notifiers: Object.values(recordingNotifiers()), env });
  });
  afterEach(async () => {
    await b?.stop();
    b = null;
    await a.stop();
  });

  const call = (esc: TestEsc, who: string, method: string, path: string, body?: unknown) => api(esc.baseUrl, method, path, body, tok(who));
  const types = async (esc: TestEsc, ref: number) => ((await call(esc, 'erin', 'GET', `/api/tickets/${ref}/timeline`)).body.events as { type: string }[]).map((e) => e.type);
  const major = async (esc: TestEsc, ref: number) => (await call(esc, 'erin', 'GET', `/api/tickets/${ref}/major`)).body.major as { status: string; recurrences: number; warRoom: { id: string } };
  const declared = async (title: string) => {
    const r = await call(a, 'judy', 'POST', '/api/tickets', { title, priority: 'P2', requesterId: 'judy', assigneeId: 'alice' });
    const num = r.body.number as number;
    await call(a, 'alice', 'POST', `/api/tickets/${num}/acknowledge`);
    expect((await call(a, 'erin', 'POST', `/api/tickets/${num}/major`, { reason: 'Every login affected' })).status).to.equal(201);
    return num;
  };
  const owed = async (esc: TestEsc, ref: number) => (await esc.deps.tickets.getByNumber(ref))!;

  it('a process that stops right after the ticket write: another one starts the warranty, once', async () => {
    const t = await declared('VPN gateway down');
    expect((await call(a, 'alice', 'POST', `/api/tickets/${t}/resolve`, { note: 'Gateway replaced' })).status).to.equal(200);
    // The change and what it owes are one write: the ticket is resolved and carries its reaction.
    const stored = await owed(a, t);
    expect(stored.status).to.equal('resolved');
    expect(stored.reactions!.map((r) => r.change)).to.deep.equal(['resolve']);
    expect(await major(a, t)).to.include({ status: 'active' });
    // Process A stops before its engine runs; process B (same database) carries the reaction out.
    const clock = a.clock;
    await a.stop();
    a = await startTestEsc({ notifiers: Object.values(recordingNotifiers()), env, clock, uri: a.uri });
    await a.settle();
    expect(await major(a, t)).to.include({ status: 'warranty' });
    const after = await owed(a, t);
    expect(after.reactions ?? []).to.have.length(0);
    expect(after.reactAt ?? null).to.equal(null);
    // Running the engine again, or a second process, does nothing twice.
    b = await startTestEsc({ notifiers: Object.values(recordingNotifiers()), env, clock, uri: a.uri });
    await b.settle();
    await a.settle();
    expect((await types(a, t)).filter((x) => x === 'major.resolved')).to.have.length(1);
    const room = a.deps.warRoom as OutboxWarRoom;
    const posts = (await room.transcript((await major(a, t)).warRoom.id)).filter((p) => /is resolved\. Warranty until/.test(p.text));
    expect(posts).to.have.length(1);
  });

  it('a reaction that fails is logged, kept and retried with backoff until it succeeds (reopen during the warranty)', async () => {
    const t = await declared('Mail relay down');
    await call(a, 'alice', 'POST', `/api/tickets/${t}/resolve`, { note: 'Relay restarted' });
    await a.settle();
    expect(await major(a, t)).to.include({ status: 'warranty' });
    // The database refuses the major escalation's write for a while (the far side fails, not our code).
    const real = a.deps.majors;
    let down = true;
    const failing: MajorRepository = Object.assign(Object.create(real) as MajorRepository, {
      save: async (m: Parameters<MajorRepository['save']>[0]) => {
        if (down) throw new Error('connection reset by the database');
        return real.save(m);
      },
    });
    a.deps.majors = failing;
    expect((await call(a, 'alice', 'POST', `/api/tickets/${t}/actions`, { action: 'reopen', reason: 'Relay down again' })).status).to.equal(200);
    await a.settle();
    expect(await major(a, t)).to.include({ status: 'warranty' });
    const failed = await owed(a, t);
    expect(failed.reactions!.map((r) => ({ change: r.change, attempts: r.attempts }))).to.deep.equal([{ change: 'reopen', attempts: 1 }]);
    expect(new Date(failed.reactAt!).getTime() - a.clock.now().getTime()).to.equal(60_000);
    const logged = a.log.lines.filter((l) => l.msg === 'a ticket change could not be applied to its escalations yet; the engine retries it');
    expect(logged).to.have.length(1);
    expect(logged[0]!.obj).to.include({ change: 'reopen', attempts: 1 });
    // Not due yet: nothing happens; then the database is back and the retry succeeds.
    await a.settle();
    expect((await owed(a, t)).reactions![0]!.attempts).to.equal(1);
    down = false;
    a.clock.advanceMinutes(1);
    await a.settle();
    expect(await major(a, t)).to.include({ status: 'active', recurrences: 1 });
    expect((await owed(a, t)).reactions ?? []).to.have.length(0);
    expect((await types(a, t)).filter((x) => x === 'major.recurred')).to.have.length(1);
  });

  it('resolving closes the open manager escalation request through the same reaction', async () => {
    const r = await call(a, 'judy', 'POST', '/api/tickets', { title: 'Printer queue stuck', priority: 'P3', requesterId: 'judy' });
    const num = r.body.number as number;
    expect((await call(a, 'ken', 'POST', `/api/tickets/${num}/escalation-requests`, { reason: 'Exams printing today' })).status).to.equal(201);
    await call(a, 'alice', 'POST', `/api/tickets/${num}/resolve`, { note: 'cleared' });
    expect(((await call(a, 'erin', 'GET', `/api/tickets/${num}/escalation-requests`)).body.request as { status: string }).status).to.equal('open');
    await a.settle();
    expect(((await call(a, 'erin', 'GET', `/api/tickets/${num}/escalation-requests`)).body.request as { status: string }).status).to.equal('cancelled');
  });
});

