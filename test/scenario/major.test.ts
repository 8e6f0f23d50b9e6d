import { mkdirSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';
import type { Person } from '../../src/domain/directory.js';
import { ROLE_INSTRUCTIONS } from '../../src/domain/major.js';
import type { WarRoomPort, WarRoomRef } from '../../src/app/ports/war-room.js';
import { WarRoomError } from '../../src/app/ports/war-room.js';
import type { OutboxWarRoom } from '../../src/adapters/outbox/outbox-war-room.js';
import { buildChannelAdapters } from '../../src/config/channels-env.js';
import { FakeSmtp } from '../far-side/fake-smtp.js';
import { recordingNotifiers } from '../support/counting-notifier.js';
import { api, startTestEsc } from '../support/harness.js';
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

  it('the seed-001 story: declare → roles → tasks → reminders → updates → executives → problem → warranty → recurrence → satisfaction → review, report, closed, archived', async () => {
    const room = esc.deps.warRoom as OutboxWarRoom;
    expect(room.platform).to.equal('outbox');
    const t1 = await open('Student portal down for all users');

    // Declare: escalation managers only, with a reason.
    const ken = await call('ken', 'POST', `/api/tickets/${t1}/major`, { reason: 'x' });
    expect(ken.status).to.equal(403);
    expect(ken.body.message).to.match(/Only escalation managers can declare a major escalation\. Ken Sato \(Dean's office\) is manager, point person\./);
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
    expect(kenRole.body.message).to.match(/Only escalation managers can assign roles/);
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
    expect((await majorOf(t1)).major.status).to.equal('active'); // ESC-t2 is still open
    await call('alice', 'POST', `/api/tickets/${t2}/resolve`, { note: 'Same fix' });
    let m = (await majorOf(t1)).major;
    expect(m.status).to.equal('warranty');
    expect(new Date(m.warrantyEndsAt as string).getTime() - esc.clock.now().getTime()).to.equal(7 * 24 * 3_600_000);
    posts = await room.transcript(m0.warRoom.id);
    expect(posts.at(-1)!.text).to.match(/Warranty until .* the team stays on standby/);

    // A recurrence during the warranty: the ticket reopened → active again, the team alerted.
    esc.clock.advanceMinutes(24 * 60);
    expect((await call('alice', 'POST', `/api/tickets/${t1}/actions`, { action: 'reopen', reason: 'Portal down again' })).status).to.equal(200);
    m = (await majorOf(t1)).major;
    expect(m.status).to.equal('active');
    expect(m.recurrences).to.equal(1);
    await esc.settle();
    expect(majorNotices('henry').filter((d) => /^Recurrence:/.test(d.notice.title))).to.have.length(1);
    expect((await room.transcript(m0.warRoom.id)).at(-1)!.text).to.match(/^RECURRENCE: .* was reopened/);
    await call('alice', 'POST', `/api/tickets/${t1}/resolve`, { note: 'Connection pool limit raised' });
    expect((await majorOf(t1)).major.status).to.equal('warranty');
    // A new ticket linked as the same incident during the warranty also reopens it.
    const t3 = await open('Portal 502 errors', 'P2');
    expect((await call('alice', 'POST', `/api/tickets/${t3}/major/recurrence`, { of: t1 })).body.message).to.match(/recurrence of ESC-\d+ during its warranty/);
    expect((await majorOf(t1)).major).to.include({ status: 'active', recurrences: 2 });
    await call('alice', 'POST', `/api/tickets/${t3}/resolve`, { note: 'Pool limit applied to the second node' });
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

  it('bad input gets 4xx with the field named', async () => {
    const t = await open('Mail delayed', 'P3');
    expect((await call('erin', 'POST', `/api/tickets/${t}/major`, { reason: 'VIP mailbox', extra: 1 })).body.message).to.match(/unknown field: extra/);
    expect((await call('erin', 'GET', `/api/tickets/${t}/major`)).status).to.equal(404);
    await call('erin', 'POST', `/api/tickets/${t}/major`, { reason: 'VIP mailbox' });
    const bad = await call('erin', 'POST', `/api/tickets/${t}/major/tasks`, { title: '', ownerId: 'henry', dueAt: 'soon' });
    expect(bad.status).to.equal(400);
    expect(bad.body.message).to.match(/title: .*dueAt: an ISO 8601 date-time/);
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
  posts: string[] = [];
  async open(args: { name: string; topic: string; members: Person[] }): Promise<WarRoomRef> {
    if (this.fail) throw new WarRoomError('Slack said name_taken_by_archived_channel', false, 'NAME_TAKEN');
    return { platform: 'slack', id: 'C0WAR', name: args.name };
  }
  async invite(): Promise<{ unreachable: Person[] }> {
    return { unreachable: [] };
  }
  async post(_room: WarRoomRef, m: { text: string }): Promise<void> {
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
    const ch = buildChannelAdapters(
      { ESC_PUBLIC_URL: PUBLIC, SMTP_URL: smtpUrl, EMAIL_FROM: 'Esc <esc@demo.example.edu>', ESC_LINK_SECRET: 'a-long-test-link-secret-0123456789' },
      { clock: { now: () => esc.clock.now() }, connection: () => esc.conn },
    );
    esc = await startTestEsc({ notifiers: ch.notifiers, mounts: ch.mounts, env: { ESC_API_TOKENS: PEOPLE_TOKENS } });
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
    const claim = await fetch(link(req.text!, 'Claim this request'));
    expect(claim.status).to.equal(200);
    expect(await claim.text()).to.match(/You claimed the escalation request/);
    expect(((await call('erin', 'GET', `/api/tickets/${num}/escalation-requests`)).body.request as { claimedBy: string }).claimedBy).to.equal('frank');

    await call('erin', 'POST', `/api/tickets/${num}/major`, { reason: 'Exams at risk' });
    esc.clock.advanceMinutes(2);
    await call('bob', 'POST', `/api/tickets/${num}/resolve`, { note: 'Firmware rolled back' });
    esc.clock.advanceMinutes(7 * 24 * 60);
    await esc.settle();
    const rate = mailTo('judy@demo.example.edu', /^How satisfied are you/)!;
    expect(rate.text).to.match(/Rate 1 of 5: /);
    const five = await fetch(link(rate.text!, 'Rate 5 of 5'));
    expect(five.status).to.equal(200);
    expect(await five.text()).to.match(/Recorded 5\/5 .* the escalation is closed/);
    expect((await fetch(link(rate.text!, 'Rate 1 of 5'))).status).to.equal(409); // closed: nothing changes
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

  it('closing work left undone (war room not archived, report not sent) is finished by the engine', async () => {
    const t = await open('Storage array degraded');
    await call('erin', 'POST', `/api/tickets/${t}/major`, { reason: 'Research data at risk' });
    await call('bob', 'POST', `/api/tickets/${t}/acknowledge`);
    expect((await call('bob', 'POST', `/api/tickets/${t}/resolve`, { note: 'Controller replaced' })).status).to.equal(200);
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
