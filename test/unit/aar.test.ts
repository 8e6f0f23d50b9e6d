import { writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { aarMarkdown, buildAar } from '../../src/domain/aar.js';
import type { AarEvent } from '../../src/domain/aar-events.js';
import { durationText, localTime } from '../../src/domain/time-text.js';
import { renderAarPdf } from '../../src/adapters/report/aar-pdf.js';

// pdfjs-dist 4+ calls Promise.withResolvers (Node 22+); Node 20 needs this small stand-in.
const P = Promise as unknown as { withResolvers?: () => unknown };
P.withResolvers ??= () => {
  let resolve!: (v: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

const ZONE = 'America/Los_Angeles';
const NAMES: Record<string, string> = { judy: 'Judy Alvarez', alice: 'Alice Ng', erin: 'Erin Park', henry: 'Henry Adeyemi', grace: 'Grace Liu (CIO)', ivan: 'Ivan Petrov', carol: 'Carol Diaz' };
const name = (id: string) => NAMES[id] ?? id;

let seq = 0;
const at = (hhmm: string, day = '2026-11-23') => new Date(`${day}T${hhmm}:00-08:00`);
function ev(time: Date, type: string, personId: string | null, data: Record<string, unknown> = {}): AarEvent {
  return { id: `e${++seq}`, at: time, type, actor: personId ? { personId, via: 'api' } : { personId: null, via: 'engine' }, data };
}

/** A major escalation's timeline, as the use cases write it (plus delivery noise the report ignores). */
function story(): AarEvent[] {
  return [
    ev(at('09:00'), 'ticket.opened', 'judy', { key: 'ESC-1042', title: 'Student portal down', priority: 'P1', teamId: 'service-desk' }),
    ev(at('09:30'), 'sla.response_breached', null, { responseDueAt: at('09:30').toISOString() }),
    ev(at('09:31'), 'delivery.sent', null, { channel: 'chat' }),
    ev(at('09:42'), 'ticket.acknowledged', 'alice', {}),
    ev(at('09:50'), 'major.declared', 'erin', { reason: 'Registration week: every student affected', warRoom: 'war-esc-1042-student-portal-down' }),
    ev(at('09:50'), 'major.role_assigned', 'erin', { personId: 'erin', role: 'escalation_manager' }),
    ev(at('09:50'), 'major.role_assigned', 'erin', { personId: 'alice', role: 'incident_owner' }),
    ev(at('09:51'), 'major.war_room_opened', 'erin', { room: { platform: 'outbox', id: 'outbox:war', name: 'war-esc-1042-student-portal-down' } }),
    ev(at('09:52'), 'major.executives_alerted', null, { to: ['grace'], criteria: ['priority P1'] }),
    ev(at('09:55'), 'major.role_assigned', 'erin', { personId: 'henry', role: 'sme' }),
    ev(at('10:00'), 'major.task_added', 'erin', { n: 1, title: 'Fail over to the standby cluster', ownerId: 'henry', dueAt: at('10:30').toISOString() }),
    ev(at('10:05'), 'major.task_added', 'erin', { n: 2, title: 'Collect load balancer logs', ownerId: 'alice', dueAt: at('12:00').toISOString() }),
    ev(at('10:30'), 'major.task_overdue', null, { n: 1, ownerId: 'henry', reminder: 1 }),
    ev(at('10:50'), 'major.update_due', null, { reminder: 1 }),
    ev(at('10:55'), 'major.task_done', 'henry', { n: 1 }),
    ev(at('11:00'), 'major.update_sent', 'erin', { text: 'Failover done; monitoring.', sentTo: ['judy', 'grace'] }),
    ev(at('11:10'), 'problem.linked', 'ivan', { number: 1000, created: true }),
    ev(at('11:30'), 'major.task_done', 'alice', { n: 2 }),
    ev(at('11:45'), 'ticket.resolved', 'alice', { note: 'Session store resized' }),
    ev(at('11:45'), 'major.resolved', 'alice', { warrantyEndsAt: at('11:45', '2026-11-30').toISOString() }),
    ev(at('08:15', '2026-11-25'), 'ticket.reopened', 'alice', { reason: 'down again' }),
    ev(at('08:15', '2026-11-25'), 'major.recurred', 'alice', { via: 'reopen' }),
    ev(at('09:15', '2026-11-25'), 'ticket.resolved', 'alice', { note: 'Pool limit raised' }),
    ev(at('09:15', '2026-11-25'), 'major.resolved', 'alice', { warrantyEndsAt: at('09:15', '2026-12-02').toISOString() }),
    ev(at('09:15', '2026-12-02'), 'major.satisfaction_requested', null, {}),
    ev(at('10:00', '2026-12-02'), 'satisfaction.recorded', 'judy', { score: 2, comment: 'Still slow every morning' }),
    ev(at('14:00', '2026-12-02'), 'satisfaction.recorded', 'judy', { score: 5, comment: 'Fast now, thanks' }),
    ev(at('14:00', '2026-12-02'), 'major.review_scheduled', null, { at: at('10:00', '2026-12-03').toISOString() }),
    ev(at('14:00', '2026-12-02'), 'major.closed', null, {}),
  ];
}

describe('after-action report', () => {
  const events = story();
  const now = at('14:01', '2026-12-02');
  const m = buildAar([...events].reverse(), { name, timeZone: ZONE, now });
  const byId = new Map(events.map((e) => [e.id, e]));

  it('times to acknowledge and resolve are the differences between the events they come from', () => {
    const opened = events.find((e) => e.type === 'ticket.opened')!;
    const acked = events.find((e) => e.type === 'ticket.acknowledged')!;
    const lastResolved = events.filter((e) => e.type === 'ticket.resolved').at(-1)!;
    expect(m.timeToAcknowledgeMs).to.equal(acked.at.getTime() - opened.at.getTime());
    expect(m.timeToAcknowledgeMs).to.equal(42 * 60_000);
    expect(m.timeToResolveMs).to.equal(lastResolved.at.getTime() - opened.at.getTime());
    expect(m.facts).to.deep.include({ label: 'Time to acknowledge', value: durationText(m.timeToAcknowledgeMs!) });
    expect(m.facts).to.deep.include({ label: 'Time to acknowledge', value: '42 min' });
    expect(m.facts).to.deep.include({ label: 'Time to resolve', value: '2 days 15 min' });
    expect(m.facts).to.deep.include({ label: 'Recurrences in warranty', value: '1' });
    expect(m.facts).to.deep.include({ label: 'Customer satisfaction', value: '5/5' });
  });

  it('every timeline entry is an event: same time (in the org time zone), same actor; deliveries left out', () => {
    expect(m.timeline.length).to.be.greaterThan(20);
    for (const t of m.timeline) {
      const e = byId.get(t.eventId)!;
      expect(e, t.what).to.not.equal(undefined);
      expect(t.at.getTime()).to.equal(e.at.getTime());
      expect(t.local).to.equal(localTime(e.at, ZONE));
      expect(t.who).to.equal(e.actor?.personId ? name(e.actor.personId) : 'Esc');
      expect(t.type).to.equal(e.type);
    }
    expect(m.timeline.map((t) => t.type)).to.not.include('delivery.sent');
    expect(m.timeline[0]!.local).to.equal('2026-11-23 09:00 PST');
    const times = m.timeline.map((t) => t.at.getTime());
    expect(times).to.deep.equal([...times].sort((a, b) => a - b));
  });

  it('who did what: each line is an event the person acted on; roles from the role events', () => {
    const erin = m.people.find((p) => p.personId === 'erin')!;
    expect(erin.roles).to.deep.equal(['Escalation manager']);
    expect(erin.did.length).to.equal(events.filter((e) => e.actor?.personId === 'erin' && e.type !== 'delivery.sent').length);
    const henry = m.people.find((p) => p.personId === 'henry')!;
    expect(henry.roles).to.deep.equal(['Subject matter expert']);
    expect(henry.did).to.deep.equal([`${localTime(at('10:55'), ZONE)}: Task 1 done`]);
    for (const p of m.people) {
      for (const line of p.did) {
        const local = line.slice(0, line.indexOf(': '));
        expect(events.some((e) => e.actor?.personId === p.personId && localTime(e.at, ZONE) === local), line).to.equal(true);
      }
    }
  });

  it('the action plan, updates and lessons come from their events', () => {
    expect(m.actions.map((a) => [a.n, a.owner, a.due, a.done, a.state, a.overdueReminders])).to.deep.equal([
      [1, 'Henry Adeyemi', '2026-11-23 10:30 PST', '2026-11-23 10:55 PST', 'done late', 1],
      [2, 'Alice Ng', '2026-11-23 12:00 PST', '2026-11-23 11:30 PST', 'done on time', 0],
    ]);
    expect(m.updates).to.have.length(1);
    expect(m.updates[0]).to.include({ local: '2026-11-23 11:00 PST', by: 'Erin Park', text: 'Failover done; monitoring.', recipients: 2 });
    const lessons = m.lessons.join('\n');
    expect(lessons).to.include('Customer feedback (2/5, 2026-12-02 10:00 PST): "Still slow every morning"');
    expect(lessons).to.include('The response SLA was breached at 2026-11-23 09:30 PST');
    expect(lessons).to.include('Task 1 "Fail over to the standby cluster" (Henry Adeyemi) ran past its due time 2026-11-23 10:30 PST (done 25 min after its due time); 1 overdue reminder.');
    expect(lessons).to.include('A customer update was late 1 time (first reminder 2026-11-23 10:50 PST)');
    expect(lessons).to.include('recurred 1 time during the warranty (2026-11-25 08:15 PST via reopen)');
    expect(m.summary.join(' ')).to.include('Erin Park declared a major escalation at 2026-11-23 09:50 PST: Registration week: every student affected');
  });

  it('renders Markdown with every section', () => {
    const md = aarMarkdown(m);
    for (const s of ['# After-action report: ESC-1042 Student portal down', '## Summary', '## Timeline', '## Who did what', '### Erin Park — Escalation manager', '## Action plan', '## Updates sent', '## Lessons']) expect(md).to.include(s);
    expect(md).to.include('| 1 | Fail over to the standby cluster | Henry Adeyemi | 2026-11-23 10:30 PST | 2026-11-23 10:55 PST | done late |');
    expect(md).to.include('| Time to acknowledge | 42 min |');
  });

  it('says when events were left out, and counts the events it was only told about', () => {
    expect(m.omittedEvents).to.equal(null);
    expect(m.summary.join(' ')).to.not.include('left out');
    const cut = buildAar(events, { name, timeZone: ZONE, now, sourceEvents: 9_000, omitted: { count: 8_950, from: at('10:00'), to: at('11:00') } });
    expect(cut.sourceEvents).to.equal(9_000);
    expect(cut.summary.at(-1)).to.equal('The timeline is too long to report in full: 8950 events between 2026-11-23 10:00 PST and 2026-11-23 11:00 PST were left out (the first and the newest are included; the full timeline is on the ticket).');
    expect(aarMarkdown(cut)).to.include('from 9000 timeline events. 8950 of them (2026-11-23 10:00 PST to 2026-11-23 11:00 PST) were left out: see the summary.');
  });

  it('renders an A4 PDF whose text holds the same facts, with page numbers', async () => {
    const pdf = await renderAarPdf(m);
    writeFileSync('/tmp/aar-sample.pdf', pdf);
    const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, disableFontFace: true }).promise;
    expect(doc.numPages).to.be.greaterThan(1);
    const page1 = await doc.getPage(1);
    const [, , w, h] = page1.view;
    expect([Math.round(w!), Math.round(h!)]).to.deep.equal([595, 842]); // A4 in points
    let text = '';
    for (let i = 1; i <= doc.numPages; i++) {
      const c = await (await doc.getPage(i)).getTextContent();
      text += `${c.items.map((it) => ('str' in it ? it.str : '')).join(' ')}\n`;
    }
    const flat = text.replace(/\s+/g, ' ');
    for (const s of ['After-action report', 'ESC-1042 Student portal down', 'Summary', 'Timeline', 'Who did what', 'Action plan', 'Updates sent', 'Lessons', '42 min', 'Henry Adeyemi', 'Erin Park — Escalation manager', 'Fail over to the standby cluster', 'done late', 'Still slow every morning', `Page 1 of ${doc.numPages}`, `Page ${doc.numPages} of ${doc.numPages}`]) {
      expect(flat, s).to.include(s);
    }
    for (const t of m.timeline) expect(flat, t.local).to.include(t.local);
    await doc.cleanup();
  });
});
