import { expect } from 'chai';
import { newRequest, withStep } from '../../src/domain/coordination.js';
import { DEFAULT_COORDINATION } from '../../src/domain/org-config.js';
import { noticeFor } from '../../src/app/use-cases/notify.js';
import { recordingNotifiers } from '../support/counting-notifier.js';
import { api, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import { PEOPLE_TOKENS, tok } from '../support/people-tokens.js';


describe('manager escalation requests (seed 000) over the HTTP API', () => {
  let esc: TestEsc;
  let n: ReturnType<typeof recordingNotifiers>;
  beforeEach(async () => {
    n = recordingNotifiers();
    esc = await startTestEsc({ notifiers: Object.values(n), env: { ESC_API_TOKENS: PEOPLE_TOKENS } });
  });
  afterEach(async () => {
    await esc.stop();
  });

  const call = (who: string, method: string, path: string, body?: unknown) => api(esc.baseUrl, method, path, body, tok(who));
  const types = async (ref: number) => ((await call('erin', 'GET', `/api/tickets/${ref}/timeline`)).body.events as { type: string; data: Record<string, unknown>; actor: { personId: string } | null }[]);

  async function ticket(title = 'Payroll export fails for the Dean’s office'): Promise<number> {
    const r = await call('judy', 'POST', '/api/tickets', { title, priority: 'P3', requesterId: 'judy', assigneeId: 'alice' });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return r.body.number as number;
  }

  it('the seed-000 story: request → coordinators and the CIO told → one claim wins → checklist, all on the timeline', async () => {
    const num = await ticket();
    // Refusals first, each with a reason a person can act on.
    const judy = await call('judy', 'POST', `/api/tickets/${num}/escalation-requests`, { reason: 'I need it today' });
    expect(judy.status).to.equal(403);
    expect(judy.body.message).to.match(/Only managers, team leads, designated point persons, executives, escalation coordinators, escalation managers or admins can request an escalation\. Judy Alvarez is requester/);
    const noReason = await call('ken', 'POST', `/api/tickets/${num}/escalation-requests`, { reason: '  ' });
    expect(noReason.status).to.equal(400);
    expect(noReason.body.message).to.match(/A reason is required/);
    const noTicket = await call('ken', 'POST', '/api/tickets/ESC-9999/escalation-requests', { reason: 'urgent' });
    expect(noTicket.status).to.equal(404);
    expect(noTicket.body.message).to.match(/open a ticket first/);
    const nobody = await api(esc.baseUrl, 'POST', `/api/tickets/${num}/escalation-requests`, { reason: 'x' }, 'nobody-token-0001');
    expect(nobody.status).to.equal(403);
    expect(nobody.body.message).to.match(/names no person/);

    const req = await call('ken', 'POST', `/api/tickets/${num}/escalation-requests`, { reason: 'Payroll closes tonight; 40 staff unpaid', urgency: 'urgent' });
    expect(req.status, JSON.stringify(req.body)).to.equal(201);
    expect(req.body.message).to.match(/sent to the escalation coordinators \(Erin Park, Frank Moreau\), copy to Grace Liu \(CIO\)/);
    expect((req.body.ticket as { escalation: string }).escalation).to.equal('ESCALATED · manager request');
    const again = await call('ken', 'POST', `/api/tickets/${num}/escalation-requests`, { reason: 'again' });
    expect(again.status).to.equal(200);
    expect(again.body.changed).to.equal(false);
    expect(again.body.message).to.match(/already has an open escalation request .*not claimed yet/);
    await esc.settle();
    for (const c of ['erin', 'frank']) {
      expect(n.chat.to(c).map((d) => d.notice.actions), c).to.deep.equal([['claim']]);
      expect(n.email.to(c)).to.have.length(1);
      expect(n.chat.to(c)[0]!.notice.kind).to.equal('manager_request');
      expect(n.chat.to(c)[0]!.notice.urgent).to.equal(true);
    }
    expect(n.chat.to('grace')[0]!.notice.title).to.match(/^Copy: escalation request/);
    expect(n.email.to('grace')).to.have.length(1);

    const alice = await call('alice', 'POST', `/api/tickets/${num}/escalation-requests/claim`);
    expect(alice.status).to.equal(403);
    expect(alice.body.message).to.match(/Only escalation coordinators or admins can claim an escalation request\. Alice Ng is technician/);
    const early = await call('frank', 'POST', `/api/tickets/${num}/escalation-requests/reviewed`);
    expect(early.status).to.equal(409);
    expect(early.body.message).to.match(/not claimed yet: claim it first/);

    esc.clock.advanceMinutes(7);
    // Two coordinators claim at the same moment: exactly one wins, the other is told who.
    const [a, b] = await Promise.all([call('frank', 'POST', `/api/tickets/${num}/escalation-requests/claim`), call('erin', 'POST', `/api/tickets/${num}/escalation-requests/claim`)]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).to.deep.equal([200, 409]);
    const [win, lose] = a.status === 200 ? [a, b] : [b, a];
    const winner = a.status === 200 ? 'frank' : 'erin';
    const loser = winner === 'frank' ? 'erin' : 'frank';
    const winnerName = winner === 'frank' ? 'Frank Moreau' : 'Erin Park';
    expect(win.body.message).to.match(/You claimed the escalation request/);
    expect(lose.body.message).to.match(new RegExp(`${winnerName} already claimed the request on ESC-${num}`));
    await esc.settle();
    expect(n.chat.to(loser).at(-1)!.notice.title).to.equal(`${winnerName} claimed the escalation request on ESC-${num}`);

    // The checklist, by the coordinator who claimed it.
    const other = await call(loser === 'erin' ? 'alice' : 'alice', 'POST', `/api/tickets/${num}/escalation-requests/inform`, { message: 'x' });
    expect(other.status).to.equal(403);
    expect((await call(winner, 'POST', `/api/tickets/${num}/escalation-requests/reviewed`)).body.message).to.match(/marked reviewed\. Still to do: user told the estimated time, requesting manager informed, service owner engaged/);
    const past = await call(winner, 'POST', `/api/tickets/${num}/escalation-requests/eta`, { eta: '2026-11-20T10:00:00-08:00', message: 'soon' });
    expect(past.status).to.equal(400);
    expect(past.body.message).to.match(/in the past/);
    const badEta = await call(winner, 'POST', `/api/tickets/${num}/escalation-requests/eta`, { eta: 'tomorrow', message: 'soon' });
    expect(badEta.status).to.equal(400);
    expect(badEta.body.message).to.match(/eta: an ISO 8601 date-time/);
    const eta = await call(winner, 'POST', `/api/tickets/${num}/escalation-requests/eta`, { eta: '2026-11-23T15:00:00-08:00', message: 'The payroll team is rerunning the export.' });
    expect(eta.status, JSON.stringify(eta.body)).to.equal(200);
    expect(eta.body.message).to.match(/Estimated time 2026-11-23 15:00 PST sent to Judy Alvarez, copy to Grace Liu \(CIO\)/);
    const inform = await call(winner, 'POST', `/api/tickets/${num}/escalation-requests/inform`, { message: 'Claimed; ETA 15:00 today.' });
    expect(inform.body.message).to.match(/Ken Sato \(Dean's office\) was told/);
    const engage = await call(winner, 'POST', `/api/tickets/${num}/escalation-requests/engage`, { message: 'Please get the payroll export rerun before 15:00.' });
    expect(engage.body.message).to.match(/Dana Whitfield was engaged .* The checklist is complete\./);
    expect((engage.body.request as { status: string }).status).to.equal('done');
    await esc.settle();
    expect(n.chat.to('judy').at(-1)!.notice.title).to.match(/estimated time 2026-11-23 15:00 PST/);
    expect(n.email.to('judy')).to.have.length(1);
    expect(n.email.to('grace').at(-1)!.notice.title).to.match(/^Copy: ESC-\d+ estimated time/);
    expect(n.chat.to('ken').at(-1)!.notice.text).to.match(/Claimed; ETA 15:00 today\./);
    expect(n.chat.to('dana').at(-1)!.notice.text).to.match(/Please follow up with the user \(Judy Alvarez\)/);

    const tl = await types(num);
    const kinds = tl.map((e) => e.type);
    expect(kinds).to.include.members(['escalation.requested', 'escalation.request_claimed', 'coordination.reviewed', 'coordination.eta_sent', 'coordination.manager_informed', 'coordination.owner_engaged']);
    const requested = tl.find((e) => e.type === 'escalation.requested')!;
    expect(requested.data).to.include({ reason: 'Payroll closes tonight; 40 staff unpaid', urgency: 'urgent', requestedBy: 'ken' });
    expect(tl.find((e) => e.type === 'escalation.request_claimed')!.data).to.include({ by: winner, waitedMs: 7 * 60_000 });
    expect(tl.find((e) => e.type === 'coordination.eta_sent')!.data).to.include({ to: 'judy', message: 'The payroll team is rerunning the export.' });
    expect(tl.find((e) => e.type === 'coordination.manager_informed')!.data).to.include({ to: 'ken' });
    expect(tl.find((e) => e.type === 'coordination.owner_engaged')!.data).to.include({ ownerId: 'dana' });
    expect(tl.filter((e) => e.type.startsWith('coordination.')).every((e) => e.actor?.personId === winner)).to.equal(true);
  });

  it('a request on a resolved ticket asks for a new ticket first', async () => {
    const num = await ticket('Printer jam');
    await call('alice', 'POST', `/api/tickets/${num}/resolve`, { note: 'cleared' });
    await esc.settle(); // the engine reacts to the ticket change
    const r = await call('ken', 'POST', `/api/tickets/${num}/escalation-requests`, { reason: 'still broken' });
    expect(r.status).to.equal(409);
    expect(r.body.message).to.match(/is resolved: open a new ticket first/);
  });

  it('unclaimed: the coordinators are reminded every 30 min, twice, then their manager is told', async () => {
    const num = await ticket('Lab licence server down');
    expect((await call('dana', 'POST', `/api/tickets/${num}/escalation-requests`, { reason: 'Exams at 14:00' })).status).to.equal(201);
    await esc.settle();
    const first = n.chat.to('erin').length;
    esc.clock.advanceMinutes(29);
    await esc.settle();
    expect(n.chat.to('erin')).to.have.length(first);
    esc.clock.advanceMinutes(1);
    await esc.settle();
    expect(n.chat.to('erin').at(-1)!.notice.title).to.match(/^Reminder: nobody claimed/);
    expect(n.chat.to('frank').at(-1)!.notice.actions).to.deep.equal(['claim']);
    esc.clock.advanceMinutes(30);
    await esc.settle();
    expect(n.chat.to('erin')).to.have.length(first + 2);
    const danaBefore = n.chat.to('dana').length;
    esc.clock.advanceMinutes(30);
    await esc.settle();
    // The coordinators' manager (Erin's manager: Dana) is told, once.
    expect(n.chat.to('dana').slice(danaBefore).map((d) => d.notice.title)).to.deep.equal([`Unclaimed escalation request: ESC-${num} Lab licence server down`]);
    esc.clock.advanceMinutes(240);
    await esc.settle();
    expect(n.chat.to('erin')).to.have.length(first + 2);
    expect(n.chat.to('dana')).to.have.length(danaBefore + 1);
    const tl = await types(num);
    expect(tl.filter((e) => e.type === 'escalation.request_reminded').map((e) => e.data.reminder)).to.deep.equal([1, 2]);
    expect(tl.filter((e) => e.type === 'escalation.request_escalated').map((e) => e.data.to)).to.deep.equal(['dana']);
    // A claim after all that still works and says how long it waited.
    const claim = await call('erin', 'POST', `/api/tickets/${num}/escalation-requests/claim`);
    expect(claim.status).to.equal(200);
    expect((await types(num)).find((e) => e.type === 'escalation.request_claimed')!.data.waitedMs).to.equal(330 * 60_000);
  });

  it('resolving the ticket closes its request (open: cancelled, no more reminders; claimed: done), so a reopened ticket can get a new one', async () => {
    const num = await ticket('Timetable service slow');
    expect((await call('ken', 'POST', `/api/tickets/${num}/escalation-requests`, { reason: 'Timetables publish today' })).status).to.equal(201);
    await esc.settle();
    const erinBefore = n.chat.to('erin').length;
    esc.clock.advanceMinutes(10);
    expect((await call('alice', 'POST', `/api/tickets/${num}/resolve`, { note: 'cache cleared' })).status).to.equal(200);
    await esc.settle(); // the engine reacts to the ticket change
    let r = (await call('erin', 'GET', `/api/tickets/${num}/escalation-requests`)).body.request as { id: string; status: string; closedReason: string; nextDueAt: string | null };
    expect(r).to.include({ status: 'cancelled', closedReason: `ESC-${num} was resolved`, nextDueAt: null });
    let tl = await types(num);
    expect(tl.filter((e) => e.type === 'escalation.request_cancelled').map((e) => e.data)).to.deep.equal([{ requestId: r.id, reason: `ESC-${num} was resolved`, reminders: 0 }]);
    await esc.settle();
    expect(n.chat.to('erin').slice(erinBefore).map((d) => d.notice.title)).to.deep.equal([`No longer needed: escalation request on ESC-${num}`]);
    // No reminders for the cancelled request, however long it waits.
    esc.clock.advanceMinutes(300);
    await esc.settle();
    expect(n.chat.to('erin')).to.have.length(erinBefore + 1);
    expect((await types(num)).filter((e) => e.type === 'escalation.request_reminded')).to.have.length(0);
    expect((await call('frank', 'POST', `/api/tickets/${num}/escalation-requests/claim`)).status).to.equal(404);

    // Reopened: a new request is made (not "already has one"), claimed, then the ticket is resolved again.
    expect((await call('alice', 'POST', `/api/tickets/${num}/actions`, { action: 'reopen', reason: 'slow again' })).status).to.equal(200);
    await esc.settle(); // the engine reacts to the ticket change
    const again = await call('ken', 'POST', `/api/tickets/${num}/escalation-requests`, { reason: 'Still slow, timetables due' });
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
    const second = (again.body.request as { id: string }).id;
    expect(second).to.not.equal(r.id);
    expect((await call('frank', 'POST', `/api/tickets/${num}/escalation-requests/claim`)).status).to.equal(200);
    await call('frank', 'POST', `/api/tickets/${num}/escalation-requests/reviewed`);
    await esc.settle();
    expect((await call('alice', 'POST', `/api/tickets/${num}/resolve`, { note: 'index rebuilt' })).status).to.equal(200);
    await esc.settle(); // the engine reacts to the ticket change
    r = (await call('erin', 'GET', `/api/tickets/${num}/escalation-requests`)).body.request as typeof r;
    expect(r).to.include({ id: second, status: 'done', closedReason: `ESC-${num} was resolved` });
    tl = await types(num);
    expect(tl.find((e) => e.type === 'escalation.request_closed')!.data).to.deep.equal({ requestId: second, reason: `ESC-${num} was resolved`, by: 'frank', stepsLeft: ['eta_sent', 'manager_informed', 'owner_engaged'] });
    await esc.settle();
    expect(n.chat.to('frank').at(-1)!.notice.title).to.equal(`Escalation request on ESC-${num} closed: ESC-${num} was resolved`);
    expect(n.chat.to('frank').at(-1)!.notice.text).to.match(/Steps not recorded: user told the estimated time, requesting manager informed, service owner engaged/);
    const late = await call('frank', 'POST', `/api/tickets/${num}/escalation-requests/inform`, { message: 'done' });
    expect(late.status).to.equal(409);
    expect(late.body.message).to.match(/is closed \(ESC-\d+ was resolved\)/);
    expect((await call('alice', 'POST', `/api/tickets/${num}/actions`, { action: 'reopen', reason: 'slow once more' })).status).to.equal(200);
    await esc.settle(); // the engine reacts to the ticket change
    expect((await call('dana', 'POST', `/api/tickets/${num}/escalation-requests`, { reason: 'Third time' })).status).to.equal(201);
  });

  it('a claimed request left live by a process that stopped before closing it does not block the reopened ticket', async () => {
    const num = await ticket('Room booking down');
    await call('alice', 'POST', `/api/tickets/${num}/resolve`, { note: 'restarted' });
    await esc.settle(); // the engine reacts to the ticket change
    await call('alice', 'POST', `/api/tickets/${num}/actions`, { action: 'reopen', reason: 'down again' });
    await esc.settle(); // the engine reacts to the ticket change
    const t = (await esc.deps.tickets.getByNumber(num))!;
    expect(t.reopenCount).to.equal(1);
    // A request made before the resolution, claimed, and never closed.
    const old = newRequest({ id: 'stale-request', ticketId: t.id, requestedBy: 'ken', reason: 'Rooms for exams', urgency: 'normal', now: esc.clock.now(), cfg: DEFAULT_COORDINATION, ticketReopenCount: 0 });
    await esc.deps.requests.insert({ ...old, status: 'claimed', claimedBy: 'erin', claimedAt: esc.clock.now(), nextDueAt: null });
    const r = await call('ken', 'POST', `/api/tickets/${num}/escalation-requests`, { reason: 'Rooms for exams, again' });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    expect((await esc.deps.requests.get('stale-request'))!).to.include({ status: 'done' });
    expect((await types(num)).find((e) => e.type === 'escalation.request_closed')!.data).to.include({ requestId: 'stale-request', by: 'erin' });
  });

  it('a request stored by a process that stopped before announcing it is announced when asked again, once', async () => {
    const num = await ticket('Grades portal times out');
    const t = (await esc.deps.tickets.getByNumber(num))!;
    // What a process that stopped right after the insert leaves: the record, nothing else.
    await esc.deps.requests.insert(newRequest({ id: 'crashed-request', ticketId: t.id, requestedBy: 'ken', reason: 'Grades due today', urgency: 'normal', now: esc.clock.now(), cfg: DEFAULT_COORDINATION }));
    const again = await call('ken', 'POST', `/api/tickets/${num}/escalation-requests`, { reason: 'Grades due today' });
    expect(again.status).to.equal(200);
    expect(again.body.message).to.match(/already has an open escalation request/);
    expect((again.body.ticket as { escalation: string }).escalation).to.match(/ESCALATED/);
    await esc.settle();
    const told = () => n.chat.to('frank').filter((d) => d.notice.title === `Escalation request: ESC-${num} Grades portal times out`);
    expect(told()).to.have.length(1);
    expect(n.chat.to('grace').filter((d) => /^Copy: escalation request/.test(d.notice.title))).to.have.length(1);
    expect((await types(num)).filter((e) => e.type === 'escalation.requested')).to.have.length(1);
    await call('dana', 'POST', `/api/tickets/${num}/escalation-requests`, { reason: 'Me too' });
    await esc.settle();
    expect(told()).to.have.length(1);
    expect((await types(num)).filter((e) => e.type === 'escalation.requested')).to.have.length(1);
  });

  it('checklist messages stored but not sent (a crash right after the write) are sent by the engine, once', async () => {
    const num = await ticket('Exam papers will not print');
    expect((await call('ken', 'POST', `/api/tickets/${num}/escalation-requests`, { reason: 'Exams at 09:00' })).status).to.equal(201);
    expect((await call('erin', 'POST', `/api/tickets/${num}/escalation-requests/claim`)).status).to.equal(200);
    // The normal path: sent at once, nothing left pending.
    const inform = await call('erin', 'POST', `/api/tickets/${num}/escalation-requests/inform`, { message: 'Claimed; looking now.' });
    expect(inform.status, JSON.stringify(inform.body)).to.equal(200);
    expect(inform.body.request).to.not.have.property('pending');
    const tk = (await esc.deps.tickets.getByNumber(num))!;
    let r = (await esc.deps.requests.latestForTicket(tk.id))!;
    expect(r.pending).to.deep.equal([]);
    await esc.settle();
    expect(n.chat.to('ken').filter((d) => d.notice.title === `Status of your escalation request: ESC-${num}`)).to.have.length(1);

    // What a process that stopped right after storing the ETA step leaves: the step and its pending messages, nothing sent.
    const now = esc.clock.now();
    const eta = new Date('2026-11-23T23:00:00Z');
    const title = `ESC-${num}: estimated time 2026-11-23 15:00 PST`;
    const batch = {
      id: 'crashed-eta',
      at: now,
      attempts: 0,
      notices: [
        { key: `eta:${r.id}:${now.getTime()}:user`, personIds: ['judy'], channels: ['chat' as const, 'email' as const], notice: noticeFor(esc.deps, tk, { kind: 'info', title, text: 'Printing restored by 15:00.' }) },
        { key: `eta:${r.id}:${now.getTime()}:copy`, personIds: ['grace'], channels: ['email' as const], notice: noticeFor(esc.deps, tk, { kind: 'info', title: `Copy: ${title}`, text: 'Sent to Judy Alvarez: Printing restored by 15:00.' }) },
      ],
      events: [{ id: 'crashed-event', key: `coordination.eta_sent:${r.id}:${now.getTime()}`, ticketId: tk.id, at: now, type: 'coordination.eta_sent', actor: { personId: 'erin', via: 'api' as const }, data: { requestId: r.id, eta, message: 'Printing restored by 15:00.', to: 'judy', copy: ['grace'] } }],
    };
    r = (await esc.deps.requests.save(withStep({ ...r, eta: { at: eta, message: 'Printing restored by 15:00.', sentAt: now }, pending: [batch] }, 'eta_sent', now)))!;
    expect(r).to.not.equal(null);
    const toJudy = () => n.chat.to('judy').filter((d) => d.notice.title === title);
    const etaEvents = async () => (await types(num)).filter((e) => e.type === 'coordination.eta_sent');
    await esc.settle();
    expect(toJudy()).to.have.length(0); // the action itself may still be sending them
    expect(await etaEvents()).to.have.length(0);
    esc.clock.advanceMinutes(1);
    await esc.settle();
    expect(toJudy()).to.have.length(1);
    expect(n.email.to('judy').filter((d) => d.notice.title === title)).to.have.length(1);
    expect(n.email.to('grace').filter((d) => d.notice.title === `Copy: ${title}`)).to.have.length(1);
    expect((await etaEvents()).map((e) => e.data)).to.deep.equal([{ requestId: r.id, eta: eta.toISOString(), message: 'Printing restored by 15:00.', to: 'judy', copy: ['grace'] }]);
    expect((await esc.deps.requests.get(r.id))!.pending).to.deep.equal([]);
    // Nothing is sent twice, however long the engine runs; the checklist goes on as normal.
    esc.clock.advanceMinutes(60);
    await esc.settle();
    expect(toJudy()).to.have.length(1);
    expect(await etaEvents()).to.have.length(1);
    const engage = await call('erin', 'POST', `/api/tickets/${num}/escalation-requests/engage`, { message: 'Please get the print queue fixed.' });
    expect(engage.status, JSON.stringify(engage.body)).to.equal(200);
    expect(engage.body.message).to.match(/Still to do: ticket reviewed\./);
    expect((await esc.deps.requests.get(r.id))!.pending).to.deep.equal([]);
  });
});
