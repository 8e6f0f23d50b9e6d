import { expect } from 'chai';
import { runText } from '../../src/app/chatops/catalog.js';
import type { ChatContext } from '../../src/app/chatops/answer.js';
import { changeTicket } from '../../src/app/use-cases/change-ticket.js';
import { moveToTeam } from '../../src/app/use-cases/escalations.js';
import { ticketHistory } from '../../src/app/use-cases/history.js';
import { respondToNotification } from '../../src/app/use-cases/respond.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import { demoWith } from '../fixtures/demo-variants.js';
import { recordingNotifiers } from '../support/counting-notifier.js';
import { startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

const ADMIN = { personId: null, via: 'api', role: 'admin' } as const;
const as = (personId: string, via = 'slack') => ({ personId, via });

describe('nobody forgotten: elevation with teeth, the requester kept informed (issue 14)', () => {
  let esc: TestEsc;
  let n: ReturnType<typeof recordingNotifiers>;
  const start = async (change: Parameters<typeof demoWith>[0] = () => {}) => {
    n = recordingNotifiers();
    // Monday 2026-11-23 09:00 Pacific; the demo org (elevate.resolutionFactor 0.5), the desk's channel set.
    esc = await startTestEsc({ org: demoWith((d) => ((d.teams[0]!.channel = 'C0DESK'), change(d))), notifiers: Object.values(n), listen: false });
  };
  afterEach(async () => {
    await esc?.stop();
  });
  const ctx = (personId: string): ChatContext => {
    const person = esc.deps.directory().person(personId)!;
    return { person, actor: { personId, via: 'slack' }, platform: 'slack', zone: person.timeZone, conversationId: null };
  };

  it('elevation posts to the team channel with the reason, tells the lead and manager, and halves the time left to resolve', async () => {
    await start();
    const t = await openTicket(esc.deps, { title: 'Lecture hall projector', priority: 'P2', source: 'api', requesterId: 'judy' }, ADMIN);
    // 480 business minutes from Monday 09:00 (08:00-17:00): Monday 17:00 Pacific.
    expect(t.sla.resolutionDueAt!.toISOString()).to.equal('2026-11-24T01:00:00.000Z');
    await esc.settle();
    esc.clock.advanceMinutes(60); // 10:00: 7 h left -> 3 h 30 min
    const r = await runText(esc.deps, ctx('erin'), `elevate ESC-${t.number} the Dean presents at 2pm`);
    expect(r.ok, r.text).to.equal(true);
    await esc.settle();
    const after = (await esc.deps.tickets.get(t.id))!;
    expect(after.elevated).to.equal(true);
    expect(after.sla.resolutionDueAt!.toISOString()).to.equal('2026-11-23T21:30:00.000Z'); // 13:30 Pacific
    const told = n.chat.sent.filter((d) => d.notice.title.startsWith('Elevated: '));
    expect(told.map((d) => d.recipient.personId).sort()).to.deep.equal(['carol', 'dana']);
    expect(told[0]!.notice.text).to.match(/Erin Park elevated ESC-\d+ \(P2\) for Service Desk: the Dean presents at 2pm\. .*Resolution now due 2026-11-23 13:30 PST\./);
    const post = n.chat.sent.filter((d) => d.recipient.channelId === 'C0DESK' && d.notice.title.startsWith('Elevated'));
    expect(post).to.have.length(1);
    expect(post[0]!.notice.title).to.match(/^Elevated by Erin Park: ESC-\d+ Lecture hall projector/);
    expect(post[0]!.notice.facts).to.deep.include({ label: 'Reason', value: 'the Dean presents at 2pm' });
    const h = await ticketHistory(esc.deps, t.id, 'America/Los_Angeles');
    expect(h.rows.map((x) => x.text)).to.include('Elevated by Erin Park (slack): the Dean presents at 2pm');
    // Elevated twice: nothing more.
    await runText(esc.deps, ctx('erin'), `elevate ESC-${t.number} again`);
    await esc.settle();
    expect(n.chat.sent.filter((d) => d.notice.title.startsWith('Elevated'))).to.have.length(3);
  });

  it('the requester hears each update exactly once: acknowledged (who), on hold, escalated to a new team, resolved', async () => {
    await start();
    const t = await openTicket(esc.deps, { title: 'Cannot print to Library printer', priority: 'P3', source: 'api', requesterId: 'judy' }, ADMIN);
    await respondToNotification(esc.deps, { ticket: t.id, reply: 'acknowledge', actor: as('alice') });
    await respondToNotification(esc.deps, { ticket: t.id, reply: 'acknowledge', actor: as('bob', 'sms') }); // no change: no message
    await changeTicket(esc.deps, t.id, () => ({ type: 'pend', by: 'alice', reason: 'which printer queue do you use?' }), as('alice'));
    await changeTicket(esc.deps, t.id, () => ({ type: 'resume', by: 'alice' }), as('alice'));
    await moveToTeam(esc.deps, t.id, as('carol'), 'infrastructure', 'print server fault');
    await respondToNotification(esc.deps, { ticket: t.id, reply: 'acknowledge', actor: as('henry', 'teams') });
    await respondToNotification(esc.deps, { ticket: t.id, reply: 'resolve', actor: as('henry', 'teams'), note: 'print spooler restarted' });
    await respondToNotification(esc.deps, { ticket: t.id, reply: 'resolve', actor: as('henry', 'teams') });
    for (let i = 0; i < 3; i++) {
      esc.clock.advanceMinutes(10);
      await esc.settle();
    }
    const k = `ESC-${t.number}`;
    const judy = n.chat.to('judy');
    expect(judy.map((d) => d.notice.title)).to.deep.equal([`${k}: Alice Ng is on it`, `${k}: waiting on you`, `${k}: escalated to Infrastructure`, `${k}: Henry Adeyemi is on it`, `${k}: resolved`]);
    expect(judy.map((d) => d.notice.text)).to.deep.equal([
      `Alice Ng has taken your ticket ${k} "Cannot print to Library printer". We will keep you informed.`,
      `Your ticket ${k} "Cannot print to Library printer" is on hold: which printer queue do you use? Reply to the technician to move it on.`,
      `Your ticket ${k} "Cannot print to Library printer" has been escalated to Infrastructure so it gets the right attention. We will keep you informed.`,
      `Henry Adeyemi has taken your ticket ${k} "Cannot print to Library printer". We will keep you informed.`,
      `Your ticket ${k} "Cannot print to Library printer" is resolved: print spooler restarted. If it is not fixed for you, tell us and we will reopen it.`,
    ]);
    // Never the internal paging text, never buttons.
    for (const d of judy) {
      expect(d.notice.kind).to.equal('requester_update');
      expect(d.notice.actions).to.deep.equal([]);
      expect(d.notice.escalation).to.equal(null);
    }
    expect([...n.sms.to('judy'), ...n.email.to('judy'), ...n.voice.to('judy')]).to.have.length(0);
  });

  it('by email when the requester has no chat account; not at all where the priority says so, nor for what they did themselves', async () => {
    await start((d) => {
      const people = d.people as Record<string, unknown>[];
      delete people.find((p) => p.id === 'judy')!.slackId;
    });
    const a = await openTicket(esc.deps, { title: 'Password reset', priority: 'P3', source: 'api', requesterId: 'judy' }, ADMIN);
    await respondToNotification(esc.deps, { ticket: a.id, reply: 'acknowledge', actor: as('alice') });
    // A technician who opened a ticket for themselves is not told what they did.
    const c = await openTicket(esc.deps, { title: 'My laptop dock', priority: 'P3', source: 'api', requesterId: 'bob' }, ADMIN);
    await respondToNotification(esc.deps, { ticket: c.id, reply: 'acknowledge', actor: as('bob') });
    const b = await openTicket(esc.deps, { title: 'New mouse', priority: 'P4', source: 'api', requesterId: 'judy' }, ADMIN);
    await respondToNotification(esc.deps, { ticket: b.id, reply: 'acknowledge', actor: as('alice') });
    await esc.settle();
    expect(n.email.to('judy').map((d) => [d.notice.title, d.address])).to.deep.equal([[`ESC-${a.number}: Alice Ng is on it`, 'judy@demo.example.edu']]);
    expect(n.chat.to('judy')).to.have.length(0);
    expect([...n.chat.to('bob'), ...n.email.to('bob')].filter((d) => d.notice.kind === 'requester_update')).to.have.length(0);
  });
});
