import { expect } from 'chai';
import type { TimelineRepository } from '../../src/app/ports/timeline.js';
import { elevateTicket, moveToTeam } from '../../src/app/use-cases/escalations.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import { demoWith } from '../fixtures/demo-variants.js';
import { recordingNotifiers } from '../support/counting-notifier.js';
import type { RecordingNotifier } from '../support/counting-notifier.js';
import { startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import type { Channel } from '../../src/domain/plan.js';

const ADMIN = { personId: null, via: 'api', role: 'admin' } as const;

const withChannels = () =>
  demoWith((d) => {
    d.teams[0]!.channel = 'C0DESK';
    d.teams[1]!.channel = { slack: 'C0INFRA', teams: '19:infra@thread.tacv2' };
  });

/**
 * Issue 14: what opening (or moving) a ticket owes, the team-channel post and the page of a plan
 * that starts on open, is stored in the ticket's own write and carried out by the engine
 * (ticket-reactions → ticket-announce): a process that dies right after that write loses nothing,
 * and two processes, or a retry, post once and page once.
 */
describe('ticket announcements: the team-channel post and the start-on-open page survive a crash (issue 14)', () => {
  const all: TestEsc[] = [];
  const notifiers: Record<Channel, RecordingNotifier>[] = [];
  const start = async (from?: TestEsc) => {
    const n = recordingNotifiers();
    notifiers.push(n);
    const esc = await startTestEsc({ org: withChannels(), notifiers: Object.values(n), clock: from?.clock, uri: from?.uri });
    all.push(esc);
    return esc;
  };
  afterEach(async () => {
    for (const e of all.splice(0)) await e.stop();
    notifiers.splice(0);
  });
  const sent = (ch: Channel) => notifiers.flatMap((n) => n[ch].sent);
  const posts = (channelId: string) => sent('chat').filter((d) => d.recipient.channelId === channelId);
  const pages = (ticketId: string) => sent('chat').filter((d) => d.ticketId === ticketId && d.notice.kind === 'escalation_step');

  /** The process dies right after the ticket write: its next write (the timeline) never happens. */
  const crashAfterTicketWrite = (esc: TestEsc) => {
    const real = esc.deps.timeline;
    esc.deps.timeline = Object.assign(Object.create(real) as TimelineRepository, {
      append: async () => {
        throw new Error('process killed');
      },
    });
  };

  /** The dead process gone, two others run the engine on the same database (each must do it once in all). */
  const twoTakeOver = async (a: TestEsc) => {
    await a.stop();
    all.splice(all.indexOf(a), 1);
    const b = await start(a);
    const c = await start(a);
    await Promise.all([b.settle(), c.settle()]);
    await b.settle();
    return b;
  };

  it('a P1 opened by a process that dies right after the ticket write: the next process posts once and pages once', async () => {
    const a = await start();
    crashAfterTicketWrite(a);
    const err = await openTicket(a.deps, { title: 'Core switch down in Library', priority: 'P1', source: 'api' }, ADMIN).catch((e: Error) => e);
    expect(err).to.be.instanceOf(Error);
    const [t] = await a.deps.tickets.list({}, 5);
    expect(t, 'the ticket was written').to.not.equal(undefined);
    expect(t!.reactions!.map((r) => r.change)).to.deep.equal(['open']);
    expect(await a.deps.escalations.forTicket(t!.id)).to.have.length(0);
    expect(sent('chat')).to.have.length(0);
    await a.stop();
    all.splice(all.indexOf(a), 1);

    // Another process on the same database: its engine carries the opening out.
    const b = await start(a);
    await b.settle();
    expect(posts('C0DESK')).to.have.length(1);
    expect(posts('C0DESK')[0]!.notice.title).to.match(/^New P1 ticket for Service Desk: ESC-\d+ Core switch down in Library/);
    const onCall = b.deps.directory().onCall('service-desk', b.clock.now())!;
    expect(pages(t!.id).map((d) => d.recipient.personId)).to.deep.equal([onCall.id]);
    const escs = await b.deps.escalations.forTicket(t!.id);
    expect(escs.map((e) => e.reason)).to.deep.equal(['the plan starts on open']);
    const after = (await b.deps.tickets.get(t!.id))!;
    expect(after.reactions ?? []).to.have.length(0);

    // A second process and more passes change nothing: once each.
    const c = await start(b);
    await c.settle();
    await b.settle();
    expect(posts('C0DESK')).to.have.length(1);
    expect(pages(t!.id)).to.have.length(1);
    expect(await c.deps.escalations.forTicket(t!.id)).to.have.length(1);
  });

  it('an elevation written by a process that dies right after it: posted once with the reason, lead and manager told once', async () => {
    const a = await start();
    const t = await openTicket(a.deps, { title: 'Lecture hall projector dead', priority: 'P3', source: 'api' }, ADMIN);
    await a.settle();
    crashAfterTicketWrite(a);
    await elevateTicket(a.deps, t.id, { personId: 'erin', via: 'slack' }, 'the Dean presents at 2pm').catch(() => null);
    const stored = (await a.deps.tickets.get(t.id))!;
    expect(stored.elevated).to.equal(true);
    expect(stored.reactions!.map((r) => r.change)).to.deep.equal(['elevate']);
    await twoTakeOver(a);
    const post = posts('C0DESK').filter((d) => d.notice.title.startsWith('Elevated'));
    expect(post).to.have.length(1);
    expect(post[0]!.notice.title).to.match(/^Elevated by Erin Park: ESC-\d+ Lecture hall projector dead/);
    expect(post[0]!.notice.facts).to.deep.include({ label: 'Reason', value: 'the Dean presents at 2pm' });
    const told = sent('chat').filter((d) => d.notice.title.startsWith('Elevated: '));
    expect(told.map((d) => d.recipient.personId).sort()).to.deep.equal(['carol', 'dana']);
    expect(told[0]!.notice.text).to.match(/^Erin Park elevated ESC-\d+ \(P3\) for Service Desk: the Dean presents at 2pm\. Finish it at the earliest time; work goes on as usual\. Resolution now due /);
  });

  it('a move written by a process that dies right after it: the new team is posted once and its plan starts once', async () => {
    const a = await start();
    const t = await openTicket(a.deps, { title: 'Storage array degraded', priority: 'P1', source: 'api' }, ADMIN);
    await a.settle();
    expect(posts('C0DESK')).to.have.length(1);
    crashAfterTicketWrite(a);
    await moveToTeam(a.deps, t.id, { personId: 'carol', via: 'slack' }, 'infrastructure', 'needs the storage admins').catch(() => null);
    const moved = (await a.deps.tickets.get(t.id))!;
    expect(moved.teamId).to.equal('infrastructure');
    expect(moved.reactions!.map((r) => r.change)).to.deep.equal(['move']);
    const b = await twoTakeOver(a);
    for (const ch of ['C0INFRA', '19:infra@thread.tacv2']) {
      expect(posts(ch), ch).to.have.length(1);
      expect(posts(ch)[0]!.notice.title).to.match(/^Moved to Infrastructure by Carol Diaz: ESC-\d+ Storage array degraded/);
    }
    // The service desk's plan, left live by the crash, ended; Infrastructure's P1 plan started once.
    const escs = await b.deps.escalations.forTicket(t.id);
    expect(escs.map((e) => [e.id.endsWith(':open') ? 'service desk' : 'infrastructure', e.status]).sort()).to.deep.equal([
      ['infrastructure', 'active'],
      ['service desk', 'resolved'],
    ]);
    const henry = pages(t.id).filter((d) => d.escalationId === escs.find((e) => e.status === 'active')!.id);
    expect(henry.length, 'the new plan paged at once').to.be.greaterThan(0);
  });
});
