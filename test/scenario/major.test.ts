import { mkdirSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';
import type { Person } from '../../src/domain/directory.js';
import { ROLE_INSTRUCTIONS } from '../../src/domain/major.js';
import { afterActionReport } from '../../src/app/use-cases/major.js';
import { noticeFor } from '../../src/app/use-cases/notify.js';
import type { WarRoomPort, WarRoomRef } from '../../src/app/ports/war-room.js';
import { WarRoomError } from '../../src/app/ports/war-room.js';
import type { OutboxWarRoom } from '../../src/adapters/outbox/outbox-war-room.js';
import { buildChannelAdapters } from '../../src/config/channels-env.js';
import { pressEmailLink } from '../support/email-link.js';
import { FakeSmtp } from '../far-side/fake-smtp.js';
import { recordingNotifiers } from '../support/counting-notifier.js';
import { api, openTestDb, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import { PEOPLE_TOKENS, tok } from '../support/people-tokens.js';

type Ev = { type: string; at: string; data: Record<string, unknown>; actor: { personId: string | null } | null };

describe('major escalations (seed 001) over the HTTP API, outbox war room', () => {
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
  const timeline = async (ref: number) => (await call('erin', 'GET', `/api/tickets/${ref}/timeline`)).body.events as Ev[];
  const majorOf = async (ref: number) => (await call('erin', 'GET', `/api/tickets/${ref}/major`)).body as { major: Record<string, unknown> & { status: string; warRoom: WarRoomRef }; problem: { ticketIds: string[]; key: string } | null };
  const majorNotices = (who: string) => n.chat.to(who).filter((d) => d.notice.kind === 'major_escalation');
  const open = async (title: string, priority = 'P1') => {
    const r = await call('judy', 'POST', '/api/tickets', { title, priority, requesterId: 'judy', assigneeId: 'alice' });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    await call('alice', 'POST', `/api/tickets/${r.body.number as number}/acknowledge`);
    return r.body.number as number;
  };
  const iso = (min: number) => new Date(esc.clock.now().getTime() + min * 60_000).toISOString();

  it('the seed-001 story: declare → roles → tasks → reminders → updates → executives → problem → warranty → recurrence → satisfaction → review, report, closed, archived', async function () {
    this.timeout(60_000); // a long story: over 20 s on a loaded 2-core machine
    const room = esc.deps.warRoom as OutboxWarRoom;
    expect(room.platform).to.equal('outbox');
    const t1 = await open('Student portal down for all users');

    // Declare: escalation managers only, with a reason.
    const ken = await call('ken', 'POST', `/api/tickets/${t1}/major`, { reason: 'x' });
    expect(ken.status).to.equal(403);
    expect(ken.body.message).to.match(/Only escalation managers or admins can declare a major escalation\. Ken Sato \(Dean's office\) is manager, point person\./);
    expect((await call('erin', 'POST', `/api/tickets/${t1}/major`, {})).body.message).to.match(/A reason is required/);
    const declared = await call('erin', 'POST', `/api/tickets/${t1}/major`, { reason: 'Registration week: every student is affected' });
    expect(declared.status, JSON.stringify(declared.body)).to.equal(201);
    expect((declared.body.ticket as { escalation: string }).escalation).to.equal('ESCALATED · major');
    const m0 = (await majorOf(t1)).major;
    expect(m0.warRoom.name).to.equal(`war-esc-${t1}-student-portal-down-for-all-users`);
    const rec = (await room.room(m0.warRoom.id))!;
    expect(rec.members).to.have.members(['erin', 'alice']);
    expect(rec.topic).to.equal('Student portal down for all users');
    let posts = await room.transcript(m0.warRoom.id);
    expect(posts[0]!.pin).to.equal(true);
    expect(posts[0]!.text).to.match(new RegExp(`^MAJOR ESCALATION ESC-${t1}: Student portal down`));
    const again = await call('erin', 'POST', `/api/tickets/${t1}/major`, { reason: 'again' });
    expect(again.body.changed).to.equal(false);

    // P1 meets the executive criteria: the CIO and the notifyAlso list (Dana) are alerted once.
    await esc.settle();
    await esc.settle();
    expect(majorNotices('grace').filter((d) => /Major escalation:/.test(d.notice.title))).to.have.length(1);
    expect(majorNotices('dana').filter((d) => /Major escalation:/.test(d.notice.title))).to.have.length(1);
    expect(n.email.to('grace').filter((d) => d.notice.kind === 'major_escalation')).to.have.length(1);

    // Roles: escalation managers only; each person is invited and gets the role's instructions.
    const kenRole = await call('ken', 'POST', `/api/tickets/${t1}/major/roles`, { personId: 'henry', role: 'sme' });
    expect(kenRole.status).to.equal(403);
    expect(kenRole.body.message).to.match(/Only escalation managers or admins can assign roles/);
    expect((await call('erin', 'POST', `/api/tickets/${t1}/major/roles`, { personId: 'henry', role: 'wizard' })).status).to.equal(400);
    expect((await call('erin', 'POST', `/api/tickets/${t1}/major/roles`, { personId: 'nobody', role: 'sme' })).status).to.equal(422);
    for (const [personId, role] of [['henry', 'sme'], ['carol', 'abrm'], ['ivan', 'problem_owner']]) {
      const r = await call('erin', 'POST', `/api/tickets/${t1}/major/roles`, { personId, role });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      expect(r.body.message).to.match(/invited to the war room; the role's instructions were sent/);
    }
    expect((await call('erin', 'POST', `/api/tickets/${t1}/major/roles`, { personId: 'henry', role: 'sme' })).body.changed).to.equal(false);
    await esc.settle();
    expect(majorNotices('henry').at(-1)!.notice.text).to.equal(ROLE_INSTRUCTIONS.sme);
    expect(majorNotices('carol').at(-1)!.notice.text).to.equal(ROLE_INSTRUCTIONS.abrm);
    expect(majorNotices('alice').at(-1)!.notice.text).to.equal(ROLE_INSTRUCTIONS.incident_owner);
    expect((await room.room(m0.warRoom.id))!.members).to.have.members(['erin', 'alice', 'henry', 'carol', 'ivan']);

    // The action plan: the team adds tasks; an overdue task reminds its owner and the escalation manager once per 30 min.
    const judyTask = await call('judy', 'POST', `/api/tickets/${t1}/major/tasks`, { title: 'x', ownerId: 'henry', dueAt: iso(30) });
    expect(judyTask.status).to.equal(403);
    expect(judyTask.body.message).to.match(/Only the escalation team of ESC-\d+ and escalation managers can add tasks/);
    expect((await call('erin', 'POST', `/api/tickets/${t1}/major/tasks`, { title: 'x', ownerId: 'henry', dueAt: iso(-5) })).body.message).to.match(/already past/);
    const task1 = await call('erin', 'POST', `/api/tickets/${t1}/major/tasks`, { title: 'Fail the portal over to the standby cluster', ownerId: 'henry', dueAt: iso(40) });
    expect(task1.status, JSON.stringify(task1.body)).to.equal(201);
    expect((task1.body.task as { n: number }).n).to.equal(1);
    const task2 = await call('henry', 'POST', `/api/tickets/${t1}/major/tasks`, { title: 'Collect the load balancer logs', ownerId: 'alice', dueAt: iso(120) });
    expect((task2.body.task as { n: number }).n).to.equal(2);
    esc.clock.advanceMinutes(39);
    await esc.settle();
    expect(majorNotices('henry').filter((d) => /Overdue/.test(d.notice.title))).to.have.length(0);
    esc.clock.advanceMinutes(1);
    await esc.settle();
    expect(majorNotices('henry').filter((d) => /Overdue: task 1/.test(d.notice.title))).to.have.length(1);
    expect(majorNotices('erin').filter((d) => /Overdue: task 1/.test(d.notice.title))).to.have.length(1);
    esc.clock.advanceMinutes(10);
    await esc.settle();
    expect(majorNotices('henry').filter((d) => /Overdue: task 1/.test(d.notice.title))).to.have.length(1);
    expect((await call('henry', 'POST', `/api/tickets/${t1}/major/tasks/1/done`)).body.message).to.match(/Task 1 done on ESC-\d+\. 1 task still open/);
    expect((await call('henry', 'POST', `/api/tickets/${t1}/major/tasks/9/done`)).status).to.equal(404);

    // Cadence: P1 updates every 60 min; at 60 min without one the escalation manager is reminded.
    esc.clock.advanceMinutes(9); // 59 min after the declaration
    await esc.settle();
    expect(majorNotices('erin').filter((d) => /Customer update due/.test(d.notice.title))).to.have.length(0);
    esc.clock.advanceMinutes(1);
    await esc.settle();
    expect(majorNotices('erin').filter((d) => /Customer update due/.test(d.notice.title))).to.have.length(1);
    const upd = await call('erin', 'POST', `/api/tickets/${t1}/major/updates`, { text: 'Failover in progress; next update within the hour.' });
    expect(upd.status, JSON.stringify(upd.body)).to.equal(201);
    expect(upd.body.message).to.match(/Update 1 sent to 3 stakeholders and posted in the war room\. Next update due by/);
    await esc.settle();
    for (const who of ['judy', 'grace', 'ken']) {
      expect(majorNotices(who).filter((d) => /^Update 1 on/.test(d.notice.title)), who).to.have.length(1);
      expect(n.email.to(who).filter((d) => /^Update 1 on/.test(d.notice.title)), who).to.have.length(1);
    }
    esc.clock.advanceMinutes(59);
    await esc.settle();
    expect(majorNotices('erin').filter((d) => /Customer update due/.test(d.notice.title))).to.have.length(1); // the cadence restarted

    // Problem case: created from the incident, a second incident related to it.
    const prb = await call('ivan', 'POST', `/api/tickets/${t1}/major/problem`, { title: 'Portal session store exhausts connections' });
    expect(prb.status, JSON.stringify(prb.body)).to.equal(201);
    expect((prb.body.problem as { key: string }).key).to.equal('PRB-1000');
    const t2 = await open('Portal login times out for staff', 'P2');
    expect((await call('alice', 'POST', `/api/tickets/${t2}/major/recurrence`, { of: `ESC-${t1}` })).body.message).to.match(/is linked to the major escalation of ESC-\d+ \(active\)/);
    const prb2 = await call('ivan', 'POST', `/api/tickets/${t2}/major/problem`, { number: 1000 });
    expect(prb2.status, JSON.stringify(prb2.body)).to.equal(200);
    expect((prb2.body.problem as { ticketIds: string[] }).ticketIds).to.have.length(2);
    expect((await call('ivan', 'POST', `/api/tickets/${t2}/major/problem`, { number: 4242 })).status).to.equal(404);
    expect((await majorOf(t1)).problem!.ticketIds).to.have.length(2);

    // Resolution: the last open incident resolved starts the 7-day warranty.
    await call('alice', 'POST', `/api/tickets/${t1}/major/tasks/2/done`);
    await call('alice', 'POST', `/api/tickets/${t1}/resolve`, { note: 'Failed over; session store resized' });
    await esc.settle(); // the engine reacts to the ticket change
    expect((await majorOf(t1)).major.status).to.equal('active'); // ESC-t2 is still open
    await call('alice', 'POST', `/api/tickets/${t2}/resolve`, { note: 'Same fix' });
    await esc.settle(); // the engine reacts to the ticket change
    let m = (await majorOf(t1)).major;
    expect(m.status).to.equal('warranty');
    expect(new Date(m.warrantyEndsAt as string).getTime() - esc.clock.now().getTime()).to.equal(7 * 24 * 3_600_000);
    posts = await room.transcript(m0.warRoom.id);
    expect(posts.at(-1)!.text).to.match(/Warranty until .* the team stays on standby/);

    // A recurrence during the warranty: the ticket reopened → active again, the team alerted.
    esc.clock.advanceMinutes(24 * 60);
    expect((await call('alice', 'POST', `/api/tickets/${t1}/actions`, { action: 'reopen', reason: 'Portal down again' })).status).to.equal(200);
    await esc.settle(); // the engine reacts to the ticket change
    m = (await majorOf(t1)).major;
    expect(m.status).to.equal('active');
    expect(m.recurrences).to.equal(1);
    await esc.settle();
    expect(majorNotices('henry').filter((d) => /^Recurrence:/.test(d.notice.title))).to.have.length(1);
    expect((await room.transcript(m0.warRoom.id)).at(-1)!.text).to.match(/^RECURRENCE: .* was reopened/);
    await call('alice', 'POST', `/api/tickets/${t1}/resolve`, { note: 'Connection pool limit raised' });
    await esc.settle(); // the engine reacts to the ticket change
    expect((await majorOf(t1)).major.status).to.equal('warranty');
    // A new ticket linked as the same incident during the warranty also reopens it.
    const t3 = await open('Portal 502 errors', 'P2');
    expect((await call('alice', 'POST', `/api/tickets/${t3}/major/recurrence`, { of: t1 })).body.message).to.match(/recurrence of ESC-\d+ during its warranty/);
    expect((await majorOf(t1)).major).to.include({ status: 'active', recurrences: 2 });
    await call('alice', 'POST', `/api/tickets/${t3}/resolve`, { note: 'Pool limit applied to the second node' });
    await esc.settle(); // the engine reacts to the ticket change
    m = (await majorOf(t1)).major;
    expect(m.status).to.equal('warranty');

    // Warranty end: the customer is asked (chat + email, a rate action).
    const notYet = await call('judy', 'POST', `/api/tickets/${t1}/major/satisfaction`, { score: 5 });
    expect(notYet.status).to.equal(409);
    expect(notYet.body.message).to.match(/no satisfaction check open/);
    esc.clock.set(new Date(m.warrantyEndsAt as string));
    await esc.settle();
    expect((await majorOf(t1)).major.status).to.equal('satisfaction');
    expect(n.chat.to('judy').at(-1)!.notice.actions).to.deep.equal(['rate']);
    expect(n.email.to('judy').at(-1)!.notice.actions).to.deep.equal(['rate']);

    const grace = await call('grace', 'POST', `/api/tickets/${t1}/major/satisfaction`, { score: 5 });
    expect(grace.status).to.equal(403);
    expect(grace.body.message).to.match(/Only the customer \(Judy Alvarez\) or an escalation manager/);
    expect((await call('judy', 'POST', `/api/tickets/${t1}/major/satisfaction`, { score: 7 })).status).to.equal(400);
    // Not satisfied: back to the escalation manager.
    const two = await call('judy', 'POST', `/api/tickets/${t1}/major/satisfaction`, { score: 2, comment: 'Still slow every morning at 8' });
    expect(two.status, JSON.stringify(two.body)).to.equal(200);
    expect(two.body.message).to.match(/Not satisfied: the escalation manager \(Erin Park\) was told/);
    expect((await majorOf(t1)).major.status).to.equal('active');
    await esc.settle();
    expect(majorNotices('erin').at(-1)!.notice.text).to.match(/not satisfied .*\(2\/5\): "Still slow every morning at 8"/);
    expect(n.email.to('erin').at(-1)!.notice.title).to.match(/^Not satisfied \(2\/5\)/);

    // Satisfied after the follow-up: review next business day 10:00 (org time), report, closed, archived.
    esc.clock.advanceMinutes(120);
    const five = await call('judy', 'POST', `/api/tickets/${t1}/major/satisfaction`, { score: 5, comment: 'Fast now, thanks' });
    expect(five.status, JSON.stringify(five.body)).to.equal(200);
    m = (await majorOf(t1)).major;
    expect(m.status).to.equal('closed');
    const now = esc.clock.now();
    expect(now.toISOString().slice(0, 10)).to.equal('2026-12-01'); // a Tuesday
    expect(m.reviewAt).to.equal('2026-12-02T18:00:00.000Z'); // Wednesday 10:00 PST
    expect(five.body.message).to.match(/post-escalation review scheduled for 2026-12-02 10:00 PST, the after-action report was sent, the escalation is closed and its war room archived/);
    expect((await room.room(m0.warRoom.id))!.archivedAt).to.be.instanceOf(Date);
    posts = await room.transcript(m0.warRoom.id);
    const filePost = posts.find((p) => p.file)!;
    expect(filePost.file).to.include({ name: `aar-ESC-${t1}.pdf`, contentType: 'application/pdf' });
    await esc.settle();
    const aarMails = n.email.sent.filter((d) => /^After-action report/.test(d.notice.title));
    // Executives (Grace), the configured list (Carol), team managers (Dana, Ivan), service owners (Ivan: problem owner; Carol: ABRM).
    expect(aarMails.map((d) => d.recipient.personId)).to.have.members(['grace', 'carol', 'dana', 'ivan']);
    expect(aarMails[0]!.notice.attachments!.map((a) => a.name)).to.deep.equal([`aar-ESC-${t1}.pdf`, `aar-ESC-${t1}.md`]);
    expect(Buffer.from(aarMails[0]!.notice.attachments![0]!.base64, 'base64').subarray(0, 5).toString()).to.equal('%PDF-');

    const tl = await timeline(t1);
    const kinds = tl.map((e) => e.type);
    for (const k of ['major.declared', 'major.war_room_opened', 'major.role_assigned', 'major.task_added', 'major.task_done', 'major.task_overdue', 'major.update_due', 'major.update_sent', 'major.executives_alerted', 'problem.linked', 'major.resolved', 'major.recurred', 'major.satisfaction_requested', 'satisfaction.recorded', 'major.review_scheduled', 'major.aar_generated', 'major.closed', 'major.war_room_archived']) {
      expect(kinds, k).to.include(k);
    }
    expect(tl.find((e) => e.type === 'major.executives_alerted')!.data).to.deep.include({ criteria: ['priority P1'], to: ['grace', 'dana'] });
    expect(tl.filter((e) => e.type === 'major.recurred').map((e) => e.data.via)).to.deep.equal(['reopen', 'linked']);
    expect(tl.find((e) => e.type === 'major.update_sent')!.data.sentTo).to.deep.equal(['judy', 'grace', 'ken']);

    // The report over the API, and nothing changes any more.
    const md = await fetch(`${esc.baseUrl}/api/tickets/${t1}/major/aar.md`, { headers: { authorization: `Bearer ${tok('grace')}` } });
    expect(md.headers.get('content-type')).to.match(/text\/markdown/);
    const mdText = await md.text();
    for (const s of ['## Summary', '## Timeline', '## Who did what', '## Action plan', '## Updates sent', '## Lessons']) expect(mdText).to.include(s);
    expect(mdText).to.include('Still slow every morning at 8');
    const pdf = await fetch(`${esc.baseUrl}/api/tickets/${t1}/major/aar.pdf`, { headers: { authorization: `Bearer ${tok('grace')}` } });
    expect(pdf.headers.get('content-type')).to.equal('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).to.equal('%PDF-');
    // The story's war-room transcript and report, for people to read (test-artifacts/ is not committed).
    mkdirSync('test-artifacts/major', { recursive: true });
    const transcript = (await room.transcript(m0.warRoom.id)).map((p) => `[${p.at.toISOString()}]${p.pin ? ' (pinned)' : ''}${p.file ? ` [file ${p.file.name}, ${p.file.size} bytes]` : ''} ${p.text}`);
    writeFileSync('test-artifacts/major/outbox-war-room-transcript.txt', `#${m0.warRoom.name}\n${transcript.join('\n')}\n`);
    writeFileSync('test-artifacts/major/aar-story.md', mdText);
    writeFileSync('test-artifacts/major/aar-story.pdf', Buffer.from(aarMails[0]!.notice.attachments![0]!.base64, 'base64'));
    const late = await call('erin', 'POST', `/api/tickets/${t1}/major/updates`, { text: 'late' });
    expect(late.status).to.equal(409);
    expect(late.body.message).to.match(/is closed/);
  });

  it('an unanswered satisfaction check reminds the customer once after 2 days, then goes to the escalation manager after 5 more; nothing closes by itself', async () => {
    const t = await open('Exam scanner queue stuck', 'P3');
    await call('erin', 'POST', `/api/tickets/${t}/major`, { reason: 'Exam results due' });
    await call('alice', 'POST', `/api/tickets/${t}/resolve`, { note: 'Queue drained' });
    await esc.settle(); // the engine reacts to the ticket change
    const m = (await majorOf(t)).major;
    esc.clock.set(new Date(m.warrantyEndsAt as string));
    await esc.settle();
    expect((await majorOf(t)).major.status).to.equal('satisfaction');
    const asks = () => n.chat.to('judy').filter((d) => /how satisfied are you/i.test(d.notice.title));
    const unanswered = () => majorNotices('erin').filter((d) => /^No answer to the satisfaction check/.test(d.notice.title));
    expect(asks()).to.have.length(1);
    esc.clock.advanceMinutes(2 * 24 * 60 - 1);
    await esc.settle();
    expect(asks()).to.have.length(1);
    esc.clock.advanceMinutes(1);
    await esc.settle();
    expect(asks().map((d) => d.notice.title)).to.deep.equal([`How satisfied are you with the resolution of ESC-${t}?`, `Reminder: how satisfied are you with the resolution of ESC-${t}?`]);
    expect(asks().at(-1)!.notice.actions).to.deep.equal(['rate']);
    expect(n.email.to('judy').filter((d) => /^Reminder: how satisfied/.test(d.notice.title))).to.have.length(1);
    esc.clock.advanceMinutes(5 * 24 * 60 - 1);
    await esc.settle();
    expect(unanswered()).to.have.length(0);
    expect(asks()).to.have.length(2); // reminded once only
    esc.clock.advanceMinutes(1);
    await esc.settle();
    expect(unanswered()).to.have.length(1);
    expect(unanswered()[0]!.notice.text).to.match(/has not answered the satisfaction check of ESC-\d+ .* stays open until a person decides/);
    expect(n.email.to('erin').filter((d) => /^No answer to the satisfaction check/.test(d.notice.title))).to.have.length(1);
    esc.clock.advanceMinutes(30 * 24 * 60);
    await esc.settle();
    expect(unanswered()).to.have.length(1);
    expect(asks()).to.have.length(2);
    expect((await majorOf(t)).major.status).to.equal('satisfaction');
    const tl = await timeline(t);
    expect(tl.filter((e) => e.type === 'major.satisfaction_reminded').map((e) => e.data.to)).to.deep.equal(['judy']);
    expect(tl.filter((e) => e.type === 'major.satisfaction_unanswered').map((e) => e.data.to)).to.deep.equal([['erin']]);
    // The escalation manager decides: records the answer they got by phone.
    const rec = await call('erin', 'POST', `/api/tickets/${t}/major/satisfaction`, { score: 4, comment: 'Told us by phone: fine now' });
    expect(rec.status, JSON.stringify(rec.body)).to.equal(200);
    expect((await majorOf(t)).major.status).to.equal('closed');
  });

  it('problem records: a double click creates one; a second problem is refused (409 naming the linked one) unless replace is true', async () => {
    const t = await open('Portal sessions dropped', 'P2');
    await call('erin', 'POST', `/api/tickets/${t}/major`, { reason: 'Enrolment at risk' });
    await call('erin', 'POST', `/api/tickets/${t}/major/roles`, { personId: 'ivan', role: 'problem_owner' });
    const title = 'Session store exhausts connections';
    const [a, b] = await Promise.all([call('ivan', 'POST', `/api/tickets/${t}/major/problem`, { title }), call('ivan', 'POST', `/api/tickets/${t}/major/problem`, { title })]);
    expect([a.status, b.status], JSON.stringify([a.body, b.body])).to.include(201);
    expect(b.status).to.be.oneOf([200, 201]);
    const first = a.body.problem as { id: string; key: string; number: number };
    expect((b.body.problem as { id: string }).id).to.equal(first.id);
    esc.clock.advanceMinutes(3);
    const again = await call('ivan', 'POST', `/api/tickets/${t}/major/problem`, { title: '  session store  EXHAUSTS connections ' });
    expect(again.status, JSON.stringify(again.body)).to.equal(200);
    expect(again.body.changed).to.equal(false);
    expect((again.body.problem as { id: string }).id).to.equal(first.id);
    expect(again.body.message).to.match(/the same record is kept/);
    let tl = await timeline(t);
    expect(tl.filter((e) => e.type === 'problem.linked').map((e) => e.data.problemId)).to.deep.equal([first.id]);
    expect((await majorOf(t)).problem!.key).to.equal(first.key);

    // A second problem: refused, naming the linked one; by title or by number.
    const other = await call('ivan', 'POST', `/api/tickets/${t}/major/problem`, { title: 'Load balancer drops sticky sessions' });
    expect(other.status, JSON.stringify(other.body)).to.equal(409);
    expect(other.body.message).to.equal(`The major escalation of ESC-${t} is already linked to problem ${first.key} "${title}". To link another one instead, ask again with replace (API: "replace": true; chat: problem ESC-${t} replace …).`);
    expect(other.body.linkedProblem).to.equal(first.key);
    const t2 = await open('Another portal incident', 'P3');
    await call('erin', 'POST', `/api/tickets/${t2}/major`, { reason: 'Separate outage' });
    const theirs = (await call('erin', 'POST', `/api/tickets/${t2}/major/problem`, { title: 'Certificate expiry' })).body.problem as { id: string; number: number; key: string };
    const byNumber = await call('ivan', 'POST', `/api/tickets/${t}/major/problem`, { number: theirs.number });
    expect(byNumber.status).to.equal(409);
    expect(byNumber.body.message).to.match(new RegExp(`already linked to problem ${first.key}`));
    expect((await call('ivan', 'POST', `/api/tickets/${t}/major/problem`, { number: theirs.number, replace: 'yes' })).status).to.equal(400);
    esc.clock.advanceMinutes(10);
    expect((await call('ivan', 'POST', `/api/tickets/${t}/major/problem`, { title })).status).to.equal(409); // not a double click any more
    expect((await majorOf(t)).problem!.key).to.equal(first.key);

    // replace: true links the other one instead; the incident is no longer related to the first.
    const replaced = await call('ivan', 'POST', `/api/tickets/${t}/major/problem`, { number: theirs.number, replace: true });
    expect(replaced.status, JSON.stringify(replaced.body)).to.equal(200);
    expect(replaced.body.message).to.match(new RegExp(`is now related to problem ${theirs.key} "Certificate expiry" \\(2 incidents\\) instead of ${first.key}`));
    expect((await majorOf(t)).problem!.key).to.equal(theirs.key);
    expect((await esc.deps.problems.get(first.id))!.ticketIds).to.deep.equal([]);
    tl = await timeline(t);
    expect(tl.filter((e) => e.type === 'problem.linked').at(-1)!.data).to.deep.include({ problemId: theirs.id, created: false, replaced: { problemId: first.id, number: first.number } });
    const created = await call('ivan', 'POST', `/api/tickets/${t}/major/problem`, { title: 'Portal session handling', replace: true });
    expect(created.status).to.equal(201);
    expect((await majorOf(t)).problem!.key).to.equal((created.body.problem as { key: string }).key);
  });

  it('bad input gets 4xx with the field named', async () => {
    const t = await open('Mail delayed', 'P3');
    expect((await call('erin', 'POST', `/api/tickets/${t}/major`, { reason: 'VIP mailbox', extra: 1 })).body.message).to.match(/unknown field: extra/);
    expect((await call('erin', 'GET', `/api/tickets/${t}/major`)).status).to.equal(404);
    await call('erin', 'POST', `/api/tickets/${t}/major`, { reason: 'VIP mailbox' });
    const bad = await call('erin', 'POST', `/api/tickets/${t}/major/tasks`, { title: '', ownerId: 'henry', dueAt: 'soon' });
    expect(bad.status).to.equal(400);
    expect(bad.body.message).to.match(/title: .*dueAt: an ISO 8601 date-time/);
    // Due times: not in the past (a minute of slack), not more than a year ahead; the field is named.
    for (const [min, re] of [[-2, /^dueAt: .* is already past/], [-60 * 24 * 400, /^dueAt: .* is already past/], [367 * 24 * 60, /^dueAt: .* is more than a year away/]] as const) {
      const r = await call('erin', 'POST', `/api/tickets/${t}/major/tasks`, { title: 'Check the queue', ownerId: 'henry', dueAt: iso(min) });
      expect(r.status, `${min}: ${JSON.stringify(r.body)}`).to.equal(400);
      expect(r.body.message).to.match(re);
      expect(r.body.field).to.equal('dueAt');
    }
    expect((await call('erin', 'POST', `/api/tickets/${t}/major/tasks`, { title: 'Check the queue now', ownerId: 'henry', dueAt: iso(-0.5) })).status).to.equal(201);
    expect((await call('erin', 'POST', `/api/tickets/${t}/major/tasks`, { title: 'Renew the support contract', ownerId: 'henry', dueAt: iso(300 * 24 * 60) })).status).to.equal(201);
    expect((await call('erin', 'POST', `/api/tickets/${t}/major/tasks/abc/done`)).status).to.equal(400);
    expect((await call('erin', 'POST', `/api/tickets/${t}/major/problem`, {})).status).to.equal(400);
    expect((await call('erin', 'POST', `/api/tickets/${t}/major/satisfaction`, { score: 'five' })).status).to.equal(400);
    expect((await call('erin', 'POST', `/api/tickets/${t}/major/recurrence`, { of: t })).body.message).to.match(/cannot be a recurrence of itself/);
    // A P3 without a VIP requester meets no executive criterion until it has been open 4 hours.
    await esc.settle();
    expect(majorNotices('grace')).to.have.length(0);
    esc.clock.advanceMinutes(240);
    await esc.settle();
    expect(majorNotices('grace').filter((d) => /Major escalation:/.test(d.notice.title))).to.have.length(1);
    const ev = (await timeline(t)).find((e) => e.type === 'major.executives_alerted')!;
    expect(ev.data.criteria).to.deep.equal(['open longer than 240 min']);
  });
});

/** A war room that cannot be created (the platform refuses), then can. */
class FlakyWarRoom implements WarRoomPort {
  readonly platform = 'slack' as const;
  fail = true;
  postDown = false;
  posts: string[] = [];
  async open(args: { name: string; topic: string; members: Person[] }): Promise<WarRoomRef> {
    if (this.fail) throw new WarRoomError('Slack said name_taken_by_archived_channel', false, 'NAME_TAKEN');
    return { platform: 'slack', id: 'C0WAR', name: args.name };
  }
  async invite(): Promise<{ unreachable: Person[] }> {
    return { unreachable: [] };
  }
  async post(_room: WarRoomRef, m: { text: string }): Promise<void> {
    if (this.postDown) throw new WarRoomError('Slack is unreachable', true);
    this.posts.push(m.text);
  }
  async archive(): Promise<void> {}
}

describe('major escalation when the war room cannot be created', () => {
  it('is declared anyway, the failure recorded and told; declaring again reuses the record and opens the room', async () => {
    const wr = new FlakyWarRoom();
    const esc = await startTestEsc({ env: { ESC_API_TOKENS: PEOPLE_TOKENS }, warRoom: () => wr });
    try {
      const t = await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'Wifi down in the library', priority: 'P2', requesterId: 'judy', assigneeId: 'bob' }, tok('judy'));
      const num = t.body.number as number;
      const first = await api(esc.baseUrl, 'POST', `/api/tickets/${num}/major`, { reason: 'Exams' }, tok('erin'));
      expect(first.status).to.equal(200);
      expect(first.body.message).to.match(/is declared a major escalation, but the war room could not be created: Slack said name_taken_by_archived_channel\. Declare it again to retry/);
      expect(first.body.warRoomError).to.equal('Slack said name_taken_by_archived_channel');
      wr.fail = false;
      const second = await api(esc.baseUrl, 'POST', `/api/tickets/${num}/major`, { reason: 'Exams' }, tok('erin'));
      expect(second.status).to.equal(201);
      expect(second.body.message).to.match(/War room war-esc-\d+-wifi-down-in-the-library is open/);
      const ev = ((await api(esc.baseUrl, 'GET', `/api/tickets/${num}/timeline`, undefined, tok('erin'))).body.events as Ev[]).map((e) => e.type);
      expect(ev.filter((x) => x === 'major.declared')).to.have.length(1);
      expect(ev.filter((x) => x === 'major.war_room_failed')).to.have.length(1);
      expect(ev.filter((x) => x === 'major.war_room_opened')).to.have.length(1);
      expect(wr.posts[0]).to.match(/^MAJOR ESCALATION/);
    } finally {
      await esc.stop();
    }
  });
});

describe('email links: claim a request, rate the resolution; the report arrives as an attachment', () => {
  const PUBLIC = 'https://esc.example.test';
  let esc: TestEsc;
  let smtp: FakeSmtp;
  before(async () => {
    smtp = new FakeSmtp();
    const smtpUrl = await smtp.start();
    const db = await openTestDb();
    const ch = buildChannelAdapters(
      { ESC_PUBLIC_URL: PUBLIC, SMTP_URL: smtpUrl, EMAIL_FROM: 'Esc <esc@demo.example.edu>', ESC_LINK_SECRET: 'a-long-test-link-secret-0123456789' },
      { clock: db.clock, conn: db.conn },
    );
    esc = await startTestEsc({ db, notifiers: ch.notifiers, mounts: ch.mounts, env: { ESC_API_TOKENS: PEOPLE_TOKENS } });
  });
  after(async () => {
    await esc?.stop();
    await smtp.stop();
  });
  const call = (who: string, method: string, path: string, body?: unknown) => api(esc.baseUrl, method, path, body, tok(who));
  const link = (text: string, label: string) => new RegExp(`${label}: (\\S+)`).exec(text)![1]!.replace(PUBLIC, esc.baseUrl);
  const mailTo = (addr: string, subject: RegExp) => smtp.mails.filter((m) => (m.to as { text: string }).text.includes(addr) && subject.test(m.subject ?? '')).at(-1);

  it('a coordinator claims by email link; the customer rates 5 by email link; the PDF is attached', async () => {
    const t = await call('judy', 'POST', '/api/tickets', { title: 'VPN drops every hour', priority: 'P2', requesterId: 'judy', assigneeId: 'bob' });
    const num = t.body.number as number;
    await call('ken', 'POST', `/api/tickets/${num}/escalation-requests`, { reason: 'Remote exams tomorrow' });
    await esc.settle();
    const req = mailTo('frank@demo.example.edu', /^Escalation request/)!;
    expect(req.text).to.match(/Status: ESCALATED · manager request/);
    const claim = await pressEmailLink(link(req.text!, 'Claim this request'));
    expect(claim.status).to.equal(200);
    expect(await claim.text()).to.match(/You claimed the escalation request/);
    expect(((await call('erin', 'GET', `/api/tickets/${num}/escalation-requests`)).body.request as { claimedBy: string }).claimedBy).to.equal('frank');

    await call('erin', 'POST', `/api/tickets/${num}/major`, { reason: 'Exams at risk' });
    esc.clock.advanceMinutes(2);
    await call('bob', 'POST', `/api/tickets/${num}/resolve`, { note: 'Firmware rolled back' });
    await esc.settle(); // the engine reacts to the ticket change
    esc.clock.advanceMinutes(7 * 24 * 60);
    await esc.settle();
    const rate = mailTo('judy@demo.example.edu', /^How satisfied are you/)!;
    expect(rate.text).to.match(/Rate 1 of 5: /);
    const five = await pressEmailLink(link(rate.text!, 'Rate 5 of 5'));
    expect(five.status).to.equal(200);
    expect(await five.text()).to.match(/Recorded 5\/5 .* the escalation is closed/);
    expect((await pressEmailLink(link(rate.text!, 'Rate 1 of 5'))).status).to.equal(409); // closed: nothing changes
    await esc.settle();
    const aar = mailTo('cio@demo.example.edu', /^After-action report/)!;
    expect(aar.attachments.map((a) => [a.filename, a.contentType])).to.deep.equal([
      [`aar-ESC-${num}.pdf`, 'application/pdf'],
      [`aar-ESC-${num}.md`, 'text/markdown'],
    ]);
    expect(aar.attachments[0]!.content.subarray(0, 5).toString()).to.equal('%PDF-');
  });
});

/** A war room whose archive fails until told otherwise (the platform is down at closing time). */
class ArchiveDownWarRoom extends FlakyWarRoom {
  override fail = false;
  archiveDown = true;
  archived = 0;
  override async archive(): Promise<void> {
    if (this.archiveDown) throw new WarRoomError('Slack is unreachable', true);
    this.archived += 1;
  }
}

describe('major escalations after a crash or a platform failure', () => {
  let esc: TestEsc;
  let n: ReturnType<typeof recordingNotifiers>;
  let wr: ArchiveDownWarRoom;
  beforeEach(async () => {
    n = recordingNotifiers();
    wr = new ArchiveDownWarRoom();
    esc = await startTestEsc({ notifiers: Object.values(n), env: { ESC_API_TOKENS: PEOPLE_TOKENS }, warRoom: () => wr });
  });
  afterEach(async () => {
    await esc.stop();
  });
  const call = (who: string, method: string, path: string, body?: unknown) => api(esc.baseUrl, method, path, body, tok(who));
  const types = async (ref: number) => ((await call('erin', 'GET', `/api/tickets/${ref}/timeline`)).body.events as Ev[]).map((e) => e.type);
  const open = async (title: string) => {
    const r = await call('judy', 'POST', '/api/tickets', { title, priority: 'P3', requesterId: 'judy', assigneeId: 'bob' });
    return r.body.number as number;
  };

  it('declaring again finishes a declaration stored by a process that stopped before announcing it', async () => {
    const a = await open('Printer fleet offline');
    const b = await open('Badge readers offline');
    await call('erin', 'POST', `/api/tickets/${a}/major`, { reason: 'Whole campus' });
    const ma = (await esc.deps.majors.forTicket((await esc.deps.tickets.getByNumber(a))!.id))!;
    const tb = (await esc.deps.tickets.getByNumber(b))!;
    // What a process that stopped right after the insert leaves: the record, nothing else.
    await esc.deps.majors.insert({ ...ma, id: 'crashed-major', ticketId: tb.id, ticketKey: `ESC-${b}`, warRoom: null, version: 0, declaredAt: esc.clock.now(), members: ma.members.map((x) => ({ ...x, assignedAt: esc.clock.now() })) });
    expect((await call('erin', 'GET', `/api/tickets/${b}`)).body.escalation).to.not.match(/ESCALATED/);
    const again = await call('erin', 'POST', `/api/tickets/${b}/major`, { reason: 'Whole campus' });
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
    expect((again.body.ticket as { escalation: string }).escalation).to.equal('ESCALATED · major');
    const kinds = await types(b);
    expect(kinds.filter((k) => k === 'major.declared')).to.have.length(1);
    expect(kinds.filter((k) => k === 'major.role_assigned')).to.have.length(2);
    await esc.settle();
    expect(n.chat.to('bob').filter((d) => d.notice.title === `You are the incident owner of major escalation ESC-${b}`)).to.have.length(1);
    // Once more: nothing is told or recorded twice.
    await call('erin', 'POST', `/api/tickets/${b}/major`, { reason: 'Whole campus' });
    await esc.settle();
    expect((await types(b)).filter((k) => k === 'major.declared')).to.have.length(1);
    expect(n.chat.to('bob').filter((d) => d.notice.title === `You are the incident owner of major escalation ESC-${b}`)).to.have.length(1);
  });

  it('a war room stored but not announced (a crash, a failed post) is announced once: by declaring again or by the engine', async () => {
    const a = await open('Library catalogue down');
    const b = await open('Parking permits down');
    const c = await open('Printing quotas wrong');
    await call('erin', 'POST', `/api/tickets/${a}/major`, { reason: 'Semester start' });
    const ma = (await esc.deps.majors.forTicket((await esc.deps.tickets.getByNumber(a))!.id))!;
    expect(ma.summaryPostedAt).to.be.instanceOf(Date);
    const summaries = () => wr.posts.filter((p) => p.startsWith('MAJOR ESCALATION'));
    expect(summaries()).to.have.length(1);
    // What a process that stopped right after storing the room leaves: the record with its room, no event, no summary.
    const crashed = async (num: number, id: string) => {
      const tk = (await esc.deps.tickets.getByNumber(num))!;
      const room = await wr.open({ name: `war-esc-${num}`, topic: tk.title, members: [] });
      await esc.deps.majors.insert({ ...ma, id, ticketId: tk.id, ticketKey: `ESC-${num}`, warRoom: room, warRoomOpenedAt: esc.clock.now(), summaryPostedAt: null, version: 0, declaredAt: esc.clock.now(), nextWakeAt: esc.clock.now() });
    };
    await crashed(b, 'unannounced-b');
    const again = await call('erin', 'POST', `/api/tickets/${b}/major`, { reason: 'Semester start' });
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
    expect(again.body.message).to.match(/had not been announced: the summary is now posted and pinned/);
    expect(summaries()).to.have.length(2);
    expect(summaries().at(-1)).to.match(new RegExp(`^MAJOR ESCALATION ESC-${b}: Parking permits down`));
    expect((await types(b)).filter((k) => k === 'major.war_room_opened')).to.have.length(1);
    expect((await types(b)).filter((k) => k === 'major.declared')).to.have.length(1);
    const once = await call('erin', 'POST', `/api/tickets/${b}/major`, { reason: 'Semester start' });
    expect(once.body.message).to.match(/is already a major escalation .* Nothing changed/);
    await esc.settle();
    esc.clock.advanceMinutes(30);
    await esc.settle();
    expect(summaries()).to.have.length(2);

    // Nobody declares again: the engine announces it, retrying while the platform is down.
    await crashed(c, 'unannounced-c');
    wr.postDown = true;
    esc.clock.advanceMinutes(2);
    await esc.settle();
    expect(summaries()).to.have.length(2);
    expect((await esc.deps.majors.get('unannounced-c'))!.summaryPostedAt).to.equal(null);
    expect((await types(c)).filter((k) => k === 'major.war_room_opened')).to.have.length(1);
    wr.postDown = false;
    esc.clock.advanceMinutes(5);
    await esc.settle();
    expect(summaries()).to.have.length(3);
    expect(summaries().at(-1)).to.match(new RegExp(`^MAJOR ESCALATION ESC-${c}: Printing quotas wrong`));
    expect((await esc.deps.majors.get('unannounced-c'))!.summaryPostedAt).to.be.instanceOf(Date);
    esc.clock.advanceMinutes(120);
    await esc.settle();
    expect(summaries()).to.have.length(3);
    expect((await types(c)).filter((k) => k === 'major.war_room_opened')).to.have.length(1);

    // A declaration whose summary post fails says so, and the engine posts it later.
    const d = await open('Wifi captive portal loops');
    wr.postDown = true;
    const declared = await call('erin', 'POST', `/api/tickets/${d}/major`, { reason: 'Guests cut off' });
    expect(declared.body.message).to.match(/is open, but the summary could not be posted yet \(Esc retries\)/);
    wr.postDown = false;
    esc.clock.advanceMinutes(2);
    await esc.settle();
    expect(summaries().at(-1)).to.match(new RegExp(`^MAJOR ESCALATION ESC-${d}:`));
    expect(summaries()).to.have.length(4);
  });

  it('messages of an action stored but not sent (a crash right after the write) are sent by the engine, once', async () => {
    const num = await open('Course site uploads fail');
    await call('erin', 'POST', `/api/tickets/${num}/major`, { reason: 'Assignments due tonight' });
    // The normal path: sent at once, nothing left pending.
    expect((await call('erin', 'POST', `/api/tickets/${num}/major/updates`, { text: 'Investigating the upload service.' })).status).to.equal(201);
    const tk = (await esc.deps.tickets.getByNumber(num))!;
    let m = (await esc.deps.majors.forTicket(tk.id))!;
    expect(m.pending).to.deep.equal([]);
    // What a process that stopped right after storing update 2 leaves: the update and its pending messages, nothing sent.
    const now = esc.clock.now();
    const notice = noticeFor(esc.deps, tk, { kind: 'major_escalation', title: `Update 2 on ESC-${num}: ${tk.title}`, text: 'Uploads restored for most users.' });
    const batch = {
      id: 'crashed-batch',
      at: now,
      attempts: 0,
      notices: [{ key: `major:${m.id}:update:2`, personIds: ['judy', 'grace'], channels: ['chat' as const, 'email' as const], notice }],
      events: [{ id: 'crashed-event', key: `major.update_sent:${m.id}:2`, ticketId: tk.id, at: now, type: 'major.update_sent', actor: { personId: 'erin', via: 'api' }, data: { majorId: m.id, n: 2, text: 'Uploads restored for most users.', sentTo: ['judy', 'grace'] } }],
      invites: [],
      posts: ['Update 2 sent to 2 stakeholders (Judy Alvarez, Grace Liu (CIO)): Uploads restored for most users.'],
    };
    m = (await esc.deps.majors.save({ ...m, updates: [...m.updates, { at: now, by: 'erin', text: 'Uploads restored for most users.', sentTo: ['judy', 'grace'] }], pending: [batch], nextWakeAt: now }))!;
    expect(m).to.not.equal(null);
    const update2 = () => n.chat.to('judy').filter((d) => d.notice.title === `Update 2 on ESC-${num}: ${tk.title}`);
    await esc.settle();
    expect(update2()).to.have.length(0); // the action itself may still be sending them
    esc.clock.advanceMinutes(1);
    await esc.settle();
    expect(update2()).to.have.length(1);
    expect(n.email.to('grace').filter((d) => d.notice.title === `Update 2 on ESC-${num}: ${tk.title}`)).to.have.length(1);
    expect(wr.posts.filter((p) => p.startsWith('Update 2 sent'))).to.have.length(1);
    expect((await types(num)).filter((k) => k === 'major.update_sent')).to.have.length(2);
    expect((await esc.deps.majors.get(m.id))!.pending).to.deep.equal([]);
    esc.clock.advanceMinutes(60);
    await esc.settle();
    expect(update2()).to.have.length(1);
    expect(wr.posts.filter((p) => p.startsWith('Update 2 sent'))).to.have.length(1);
  });

  it('a ticket belongs to one major escalation: no declaring on a linked ticket, no linking a major one', async () => {
    const a = await open('VPN down');
    const b = await open('VPN down again');
    const c = await open('Mail down');
    await call('erin', 'POST', `/api/tickets/${a}/major`, { reason: 'Remote staff cut off' });
    await call('erin', 'POST', `/api/tickets/${c}/major`, { reason: 'No mail' });
    expect((await call('erin', 'POST', `/api/tickets/${b}/major/recurrence`, { of: a })).status).to.equal(200);
    const declare = await call('erin', 'POST', `/api/tickets/${b}/major`, { reason: 'separately' });
    expect(declare.status).to.equal(409);
    expect(declare.body.message).to.match(new RegExp(`ESC-${b} is linked to the major escalation of ESC-${a}`));
    const relink = await call('erin', 'POST', `/api/tickets/${b}/major/recurrence`, { of: c });
    expect(relink.status).to.equal(409);
    expect(relink.body.message).to.match(new RegExp(`already linked to the major escalation of ESC-${a}`));
    const own = await call('erin', 'POST', `/api/tickets/${c}/major/recurrence`, { of: a });
    expect(own.status).to.equal(409);
    expect(own.body.message).to.match(/is a major escalation of its own/);
    expect(((await call('erin', 'GET', `/api/tickets/${b}/major`)).body.major as { ticketKey: string }).ticketKey).to.equal(`ESC-${a}`);
  });

  it('the after-action report reads the whole timeline (more than 5,000 events) and says when it had to leave events out', async function () {
    // 5,000 events written and read back: ~10 s alone, more on a loaded machine.
    this.timeout(90_000);
    const t = await open('Identity provider flapping');
    await call('erin', 'POST', `/api/tickets/${t}/major`, { reason: 'Every login affected' });
    await call('bob', 'POST', `/api/tickets/${t}/acknowledge`);
    const tk = (await esc.deps.tickets.getByNumber(t))!;
    // A long escalation: thousands of delivery events before the resolution.
    const at = esc.clock.now();
    const filler = Array.from({ length: 5_100 }, (_, i) => ({ id: `fill-${i}`, key: `fill:${tk.id}:${i}`, ticketId: tk.id, at, type: 'delivery.sent', actor: null, data: { n: i } }));
    for (let i = 0; i < filler.length; i += 50) await esc.deps.timeline.append(filler.slice(i, i + 50));
    esc.clock.advanceMinutes(5);
    for (let i = 1; i <= 3; i++) await call('erin', 'POST', `/api/tickets/${t}/major/updates`, { text: `Update ${i}: failover in progress` });
    await call('bob', 'POST', `/api/tickets/${t}/resolve`, { note: 'Certificate rotated' });
    await esc.settle(); // the engine reacts to the ticket change
    const m = (await call('erin', 'GET', `/api/tickets/${t}/major`)).body.major as { warrantyEndsAt: string };
    esc.clock.set(new Date(m.warrantyEndsAt));
    await esc.settle();
    expect((await call('judy', 'POST', `/api/tickets/${t}/major/satisfaction`, { score: 5, comment: 'Logins fine' })).status).to.equal(200);
    const stored = (await esc.deps.timeline.forTicket(tk.id, 100_000)).length;
    expect(stored).to.be.greaterThan(5_100);
    const md = await (await fetch(`${esc.baseUrl}/api/tickets/${t}/major/aar.md`, { headers: { authorization: `Bearer ${tok('grace')}` } })).text();
    expect(md).to.include(`from ${stored} timeline events. Times in`);
    expect(md).to.include('Ticket resolved: Certificate rotated');
    expect(md).to.include('Customer satisfaction 5/5: "Logins fine"');
    expect(md).to.include('| Customer satisfaction | 5/5 |');
    expect(md).to.not.include('left out');
    // With room for fewer events than it reads, the first and the newest are kept and the gap is said.
    const small = await afterActionReport(esc.deps, { ticket: t, actor: { personId: 'erin', via: 'api' }, keepEvents: 8 });
    expect(small.markdown).to.match(/Ticket ESC-\d+ opened/);
    expect(small.markdown).to.include('Major escalation declared: Every login affected');
    expect(small.markdown).to.include('Customer satisfaction 5/5: "Logins fine"');
    expect(small.markdown).to.include('Major escalation closed');
    expect(small.markdown).to.match(/The timeline is too long to report in full: \d+ events between .* were left out \(the first and the newest are included/);
    expect(small.markdown).to.match(/timeline events\. \d+ of them \(.* to .*\) were left out: see the summary\./);
  });

  it('closing work left undone (war room not archived, report not sent) is finished by the engine', async () => {
    const t = await open('Storage array degraded');
    await call('erin', 'POST', `/api/tickets/${t}/major`, { reason: 'Research data at risk' });
    await call('bob', 'POST', `/api/tickets/${t}/acknowledge`);
    expect((await call('bob', 'POST', `/api/tickets/${t}/resolve`, { note: 'Controller replaced' })).status).to.equal(200);
    await esc.settle(); // the engine reacts to the ticket change
    let m = (await call('erin', 'GET', `/api/tickets/${t}/major`)).body.major as { status: string; warrantyEndsAt: string };
    expect(m.status).to.equal('warranty');
    esc.clock.set(new Date(m.warrantyEndsAt));
    await esc.settle();
    const five = await call('judy', 'POST', `/api/tickets/${t}/major/satisfaction`, { score: 5 });
    expect(five.status, JSON.stringify(five.body)).to.equal(200);
    expect(five.body.message).to.match(/the after-action report was sent, the escalation is closed \(its war room could not be archived yet; Esc retries\)/);
    await esc.settle();
    expect(wr.archived).to.equal(0);
    wr.archiveDown = false;
    esc.clock.advanceMinutes(10);
    await esc.settle();
    expect(wr.archived).to.equal(1);
    m = (await call('erin', 'GET', `/api/tickets/${t}/major`)).body.major as { status: string; warrantyEndsAt: string };
    expect(m).to.include({ status: 'closed' });
    expect((m as unknown as { archivedAt: string }).archivedAt).to.be.a('string');
    const kinds = await types(t);
    for (const k of ['major.closed', 'major.war_room_archived', 'major.aar_generated', 'major.review_scheduled']) expect(kinds.filter((x) => x === k), k).to.have.length(1);
    esc.clock.advanceMinutes(600);
    await esc.settle();
    expect(wr.archived).to.equal(1);
    expect(n.email.sent.filter((d) => /^After-action report/.test(d.notice.title) && d.recipient.personId === 'grace')).to.have.length(1);

    // A process that stopped right after recording the answer: the engine sends the report and archives.
    const t2 = await open('Storage array degraded again');
    await call('erin', 'POST', `/api/tickets/${t2}/major`, { reason: 'Research data at risk' });
    const stored = (await esc.deps.majors.forTicket((await esc.deps.tickets.getByNumber(t2))!.id))!;
    const now = esc.clock.now();
    const closed = (await esc.deps.majors.save({ ...stored, status: 'closed', closedAt: now, satisfaction: { score: 4, comment: '', at: now, by: 'judy' }, nextWakeAt: new Date(now.getTime() + 10 * 60_000) }))!;
    expect(closed).to.not.equal(null);
    esc.clock.advanceMinutes(10);
    await esc.settle();
    const after = (await esc.deps.majors.get(stored.id))!;
    expect(after.aarGeneratedAt).to.be.instanceOf(Date);
    expect(after.archivedAt).to.be.instanceOf(Date);
    expect(after.nextWakeAt).to.equal(null);
    expect((await types(t2)).filter((x) => x === 'major.closed')).to.have.length(1);
  });
});
