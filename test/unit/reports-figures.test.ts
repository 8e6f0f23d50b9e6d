import { expect } from 'chai';
import { decodeDay, encodeDay, ticketTexts } from '../../src/adapters/mongo/report-codec.js';
import type { FactEvent, TicketFact } from '../../src/domain/reports/facts.js';
import { foldFacts } from '../../src/domain/reports/facts.js';
import { computeReport } from '../../src/domain/reports/compute.js';
import { reportRows } from '../../src/domain/reports/csv-rows.js';
import { REPORT_CSV_COLUMNS } from '../../src/domain/reports/report.js';

/**
 * A hand-built fixture: ten tickets opened on Mon 23 Nov 2026 (organisation time zone
 * America/Los_Angeles), one the week before, one long before. Every figure below is worked
 * out by hand from the events, in the comments.
 */
const MIN = 60_000;
const T0 = Date.parse('2026-11-23T16:00:00Z'); // Mon 23 Nov 08:00 PST
const NOW = new Date(T0 + 1680 * MIN); // Tue 24 Nov 12:00 PST (20:00Z)
const NAMES: Record<string, string> = { alice: 'Alice Ng', bob: 'Bob Okafor', carol: 'Carol Diaz', henry: 'Henry Adeyemi', ivan: 'Ivan Petrov', erin: 'Erin Park' };

let seq = 0;
function ev(ticketId: string, minute: number, type: string, who: [string | null, string] | null, data: Record<string, unknown> = {}, base = T0): FactEvent {
  return { id: `e${++seq}`, ticketId, at: new Date(base + minute * MIN), type, actor: who ? { personId: who[0], via: who[1] } : null, data };
}
function opened(n: number, minute: number, team: string, priority: string, source: string, respDue: number, resDue: number, base = T0): FactEvent {
  return ev(`t${n}`, minute, 'ticket.opened', ['judy', source], { number: n, key: `ESC-${n}`, title: `Ticket ${n}`, priority, teamId: team, assigneeId: null, responseDueAt: new Date(base + respDue * MIN), resolutionDueAt: new Date(base + resDue * MIN), source }, base);
}
const ENGINE: [null, string] = [null, 'engine'];
const due = (m: number) => new Date(T0 + m * MIN);

const timelines: FactEvent[][] = [
  // T1: P1 service desk, acked by alice (slack) at +10, resolved +100 (due 30 / 240: both met), satisfaction 5.
  [opened(1, 0, 'service-desk', 'P1', 'slack', 30, 240), ev('t1', 10, 'ticket.acknowledged', ['alice', 'slack'], { to: 'acknowledged', via: 'slack', by: 'alice' }), ev('t1', 100, 'ticket.resolved', ['alice', 'slack'], { to: 'resolved' }), ev('t1', 200, 'satisfaction.recorded', ['judy', 'email'], { score: 5, comment: 'Great' })],
  // T2: P1 from Teams, response breached at +50, automatic plan "urgent"; bob acks by SMS at +62 with step 2 out; resolved +320 > due 260.
  [
    opened(2, 20, 'service-desk', 'P1', 'teams', 50, 260),
    ev('t2', 50, 'sla.response_breached', ENGINE, { responseDueAt: due(50) }),
    ev('t2', 50, 'escalation.started', ENGINE, { escalationId: 'E2', kind: 'automatic', planId: 'urgent' }),
    ev('t2', 62, 'ticket.acknowledged', ['bob', 'sms'], { to: 'acknowledged', via: 'sms', by: 'bob' }),
    ev('t2', 62, 'escalation.acknowledged', ['bob', 'sms'], { escalationId: 'E2', by: 'bob', via: 'sms', nextStep: 3, firedBeforeAck: 2 }),
    ev('t2', 320, 'ticket.resolved', ['bob', 'slack'], { to: 'resolved' }),
  ],
  // T3: P2 infrastructure via API, henry starts work at +45 (due 90), resolved +200 (due 510).
  [opened(3, 30, 'infrastructure', 'P2', 'api', 90, 510), ev('t3', 45, 'ticket.started', ['henry', 'api'], { to: 'in_progress', by: 'henry' }), ev('t3', 200, 'ticket.resolved', ['henry', 'api'], { to: 'resolved' })],
  // T4: P3, alice acks at +100, moved to infrastructure at +120 (new response due 180, resolution 1600), ivan acks at +150; still open at now (+1680): resolution breached.
  [
    opened(4, 40, 'service-desk', 'P3', 'slack', 520, 1480),
    ev('t4', 100, 'ticket.acknowledged', ['alice', 'slack'], { to: 'acknowledged', via: 'slack', by: 'alice' }),
    ev('t4', 120, 'ticket.moved', ['carol', 'slack'], { kind: 'functional', from: 'service-desk', to: 'infrastructure', level: 1, responseDueAt: due(180), resolutionDueAt: due(1600) }),
    ev('t4', 150, 'ticket.acknowledged', ['ivan', 'teams'], { to: 'acknowledged', via: 'teams', by: 'ivan' }),
  ],
  // T5: P4 by email, nobody responds: response due +1020 has passed at now (not recorded by the engine); resolution due +4860 has not.
  [opened(5, 60, 'service-desk', 'P4', 'email', 1020, 4860)],
  // T6: P2, elevated, carol acks at +80, on hold +90..+300 (resolution due moves to +760), resolved +700.
  [
    opened(6, 70, 'service-desk', 'P2', 'slack', 130, 550),
    ev('t6', 75, 'ticket.elevated', ['carol', 'slack'], { reason: 'VIP' }),
    ev('t6', 80, 'ticket.acknowledged', ['carol', 'slack'], { to: 'acknowledged', via: 'slack', by: 'carol' }),
    ev('t6', 90, 'ticket.pending', ['carol', 'slack'], { to: 'pending' }),
    ev('t6', 300, 'ticket.resumed', ['carol', 'slack'], { to: 'in_progress', responseDueAt: due(130), resolutionDueAt: due(760) }),
    ev('t6', 700, 'ticket.resolved', ['carol', 'slack'], { to: 'resolved' }),
  ],
  // T7: P1 alert, breached at +130, plan "urgent"; ivan acknowledges the escalation by voice at +150 with step 3 out;
  // resolved +300, reopened +400, resolved again +500 > due 340.
  [
    opened(7, 100, 'infrastructure', 'P1', 'alert', 130, 340),
    ev('t7', 130, 'sla.response_breached', ENGINE, { responseDueAt: due(130) }),
    ev('t7', 130, 'escalation.started', ENGINE, { escalationId: 'E7', kind: 'automatic', planId: 'urgent' }),
    ev('t7', 150, 'escalation.acknowledged', ['ivan', 'voice'], { escalationId: 'E7', by: 'ivan', via: 'voice', nextStep: 4, firedBeforeAck: 3 }),
    ev('t7', 300, 'ticket.resolved', ['ivan', 'slack'], { to: 'resolved' }),
    ev('t7', 400, 'ticket.reopened', ['judy', 'slack'], { to: 'assigned' }),
    ev('t7', 500, 'ticket.resolved', ['ivan', 'slack'], { to: 'resolved' }),
  ],
  // T8: P3, manager request at +130 claimed by erin after 25 min; alice acks via Teams at +200; resolved +400; satisfaction 2.
  [
    opened(8, 120, 'service-desk', 'P3', 'slack', 600, 1560),
    ev('t8', 130, 'escalation.requested', ['ken', 'slack'], { requestId: 'R8', reason: 'dean', urgency: 'urgent', requestedBy: 'ken' }),
    ev('t8', 155, 'escalation.request_claimed', ['erin', 'slack'], { requestId: 'R8', by: 'erin', waitedMs: 25 * MIN }),
    ev('t8', 200, 'ticket.acknowledged', ['alice', 'teams'], { to: 'acknowledged', via: 'teams', by: 'alice' }),
    ev('t8', 400, 'ticket.resolved', ['alice', 'slack'], { to: 'resolved' }),
    ev('t8', 600, 'satisfaction.recorded', ['ken', 'email'], { score: 2, comment: 'Too slow' }),
  ],
  // T9: P2 infrastructure from Teams: request claimed after 5 min, major declared, henry acks +140, hierarchical to level 1, resolved +600 (due 610), satisfaction 4 without comment.
  [
    opened(9, 130, 'infrastructure', 'P2', 'teams', 190, 610),
    ev('t9', 135, 'escalation.requested', ['ken', 'slack'], { requestId: 'R9', reason: 'exam', urgency: 'urgent', requestedBy: 'ken' }),
    ev('t9', 140, 'escalation.request_claimed', ['frank', 'slack'], { requestId: 'R9', by: 'frank', waitedMs: 5 * MIN }),
    ev('t9', 140, 'major.declared', ['erin', 'slack'], { majorId: 'M9', reason: 'outage' }),
    ev('t9', 140, 'ticket.acknowledged', ['henry', 'slack'], { to: 'acknowledged', via: 'slack', by: 'henry' }),
    ev('t9', 150, 'escalation.hierarchical', ['erin', 'slack'], { kind: 'hierarchical', to: 'ivan', level: 1 }),
    ev('t9', 600, 'ticket.resolved', ['henry', 'slack'], { to: 'resolved' }),
    ev('t9', 700, 'satisfaction.recorded', ['ken', 'email'], { score: 4, comment: null }),
  ],
  // T10: P3, escalated by hand at +160 (plan standard), bob acks by Slack at +170 with step 1 out, resolved +250.
  [
    opened(10, 150, 'service-desk', 'P3', 'slack', 630, 1590),
    ev('t10', 160, 'escalation.started', ['carol', 'slack'], { escalationId: 'E10', kind: 'manual', planId: 'standard' }),
    ev('t10', 170, 'ticket.acknowledged', ['bob', 'slack'], { to: 'acknowledged', via: 'slack', by: 'bob' }),
    ev('t10', 170, 'escalation.acknowledged', ['bob', 'slack'], { escalationId: 'E10', by: 'bob', via: 'slack', nextStep: 2, firedBeforeAck: 1 }),
    ev('t10', 250, 'ticket.resolved', ['bob', 'slack'], { to: 'resolved' }),
  ],
  // T11: the previous week (Mon 16 Nov 10:00 PST): acked after 30 min, resolved after 120 (due 60 / 480).
  (() => {
    const b = Date.parse('2026-11-16T18:00:00Z');
    return [opened(11, 0, 'service-desk', 'P2', 'slack', 60, 480, b), ev('t11', 30, 'ticket.acknowledged', ['alice', 'slack'], { to: 'acknowledged', via: 'slack', by: 'alice' }, b), ev('t11', 120, 'ticket.resolved', ['alice', 'slack'], { to: 'resolved' }, b)];
  })(),
  // T12: 1 Nov, in neither period.
  [opened(12, 0, 'infrastructure', 'P4', 'api', 960, 4800, Date.parse('2026-11-01T18:00:00Z'))],
];

const facts = timelines.map((evs) => foldFacts(evs)!);
const byKey = (k: string) => facts.find((f) => f.key === k)!;
const tz = 'America/Los_Angeles';
const report = (q: Parameters<typeof computeReport>[0]['query']) => computeReport({ query: q, timeZone: tz, now: NOW, facts, personName: (id) => NAMES[id] });

describe('reports: figures of a hand-built fixture', () => {
  it('folds each timeline into the expected fact', () => {
    const t2 = byKey('ESC-2');
    expect(t2).to.include({ teamId: 'service-desk', priority: 'P1', source: 'teams', planId: 'urgent', acknowledgedBy: 'bob', ackStep: 2, ackChannel: 'sms', responseBreachRecorded: true, status: 'resolved' });
    expect(t2.acknowledgedAt! - t2.openedAt).to.equal(42 * MIN);
    const t4 = byKey('ESC-4');
    // Moved: the current team, level 1, the restarted clock answered by ivan at +150; the first acknowledgement stays alice's.
    expect(t4).to.include({ teamId: 'infrastructure', maxLevel: 1, acknowledgedBy: 'alice', ackStep: null, ackChannel: 'slack', respondedAt: T0 + 150 * MIN, responseDueAt: T0 + 180 * MIN, resolutionDueAt: T0 + 1600 * MIN, status: 'acknowledged' });
    expect(t4.kinds).to.deep.equal(['functional']);
    expect(byKey('ESC-6').resolutionDueAt).to.equal(T0 + 760 * MIN);
    expect(byKey('ESC-7')).to.include({ resolvedAt: T0 + 500 * MIN, ackStep: 3, ackChannel: 'voice', acknowledgedBy: 'ivan' });
    expect(byKey('ESC-9').kinds).to.deep.equal(['manager_request', 'major', 'hierarchical']);
    expect(byKey('ESC-9').requestWaitMs).to.equal(5 * MIN);
    expect(byKey('ESC-10')).to.include({ ackStep: 1, planId: 'standard' });
    expect(byKey('ESC-10').kinds).to.deep.equal(['manual']);
  });

  it('takes the due times a resolve from on hold recomputed', () => {
    // Due +100, on hold at +50 (50 min left), resolved from hold at +500: the clock resumes first (due +550), so in time.
    const f = foldFacts([
      opened(50, 0, 'service-desk', 'P1', 'api', 30, 100),
      ev('t50', 10, 'ticket.acknowledged', ['alice', 'api'], { to: 'acknowledged', via: 'api', by: 'alice' }),
      ev('t50', 50, 'ticket.pending', ['alice', 'api'], { to: 'pending' }),
      ev('t50', 500, 'ticket.resolved', ['alice', 'api'], { to: 'resolved', responseDueAt: due(30), resolutionDueAt: due(550) }),
    ])!;
    expect(f).to.include({ resolutionDueAt: T0 + 550 * MIN, resolvedAt: T0 + 500 * MIN, pausedAt: null, status: 'resolved' });
    expect(computeReport({ query: { period: 'today' }, timeZone: tz, now: new Date(T0 + 600 * MIN), facts: [f] }).figures.resolutionBreaches).to.equal(0);
  });

  it('names the step that was out when the plan ran out or repeated (stepOut), not one before it', () => {
    const acked = (n: number, data: Record<string, unknown>) =>
      foldFacts([
        opened(n, 0, 'service-desk', 'P4', 'email', 30, 900),
        ev(`t${n}`, 30, 'escalation.started', ENGINE, { escalationId: `E${n}`, kind: 'automatic', planId: 'low' }),
        ev(`t${n}`, 40, 'escalation.acknowledged', ['dana', 'email'], { escalationId: `E${n}`, by: 'dana', via: 'email', ...data }),
      ])!.ackStep;
    // The one-step P4 plan ran out: stepIndex stays on its last step, so nextStep is 1, yet step 1 was out.
    expect(acked(60, { nextStep: 1, firedBeforeAck: 1, stepOut: 1 })).to.equal(1);
    // A P1 plan repeating from step 3 after its 5th step: nextStep 3, the step out was 5.
    expect(acked(61, { nextStep: 3, firedBeforeAck: 5, stepOut: 5 })).to.equal(5);
    // Events written before stepOut existed: the next step, less one.
    expect(acked(62, { nextStep: 3, firedBeforeAck: 2 })).to.equal(2);
    expect(acked(63, { nextStep: 1, firedBeforeAck: 0 })).to.equal(null);
  });

  it('computes every figure of the 7-day report exactly', () => {
    const r = report({ period: '7d' });
    // 7 local days to Tue 24 Nov: Wed 18 00:00 PST (08:00Z) .. Wed 25 00:00 PST.
    expect(r.period.from.toISOString()).to.equal('2026-11-18T08:00:00.000Z');
    expect(r.period.to.toISOString()).to.equal('2026-11-25T08:00:00.000Z');
    expect(r.previous.from.toISOString()).to.equal('2026-11-11T08:00:00.000Z');
    expect(r.period.label).to.equal('7 days to Tue 24 Nov 2026');
    const f = r.figures;
    // T1..T10 opened in the period; T11 the week before; T12 neither.
    expect(f.tickets).to.equal(10);
    // Open: T4, T5. Resolved: 10 − 2 = 8.
    expect(f.resolved).to.equal(8);
    // Response: T2 and T7 recorded by the engine, T5 unanswered past +1020 at now (+1680): 3 breaches of 10 evaluable → 7/10 = 70.0 %.
    expect(f.responseBreaches).to.equal(3);
    expect(f.responseCompliancePct).to.equal(70);
    // Resolution: T2 (320 > 260), T4 (open, now 1680 > 1600), T7 (500 > 340) breached; T5 not yet due so not counted:
    // 9 evaluable, 6 in time → 66.67 → 66.7 %.
    expect(f.resolutionBreaches).to.equal(3);
    expect(f.resolutionCompliancePct).to.equal(66.7);
    // Time to acknowledge (min): 10, 42, 15, 60, 10, 50, 80, 10, 20 → sorted 10,10,10,15,20,42,50,60,80.
    // Nearest rank: p50 = ceil(0.5×9) = 5th = 20; p90 = ceil(0.9×9) = 9th = 80.
    expect(f.timeToAcknowledge).to.deep.equal({ count: 9, p50Ms: 20 * MIN, p90Ms: 80 * MIN });
    // Time to resolve (min): T1 100, T2 300, T3 170, T6 630, T7 400, T8 280, T9 470, T10 100
    // → sorted 100,100,170,280,300,400,470,630; p50 = 4th = 280; p90 = ceil(7.2) = 8th = 630.
    expect(f.timeToResolve).to.deep.equal({ count: 8, p50Ms: 280 * MIN, p90Ms: 630 * MIN });
    // Levels: T4 (moved) and T9 (hierarchical) reached 1; the other 8 stayed at 0.
    expect(f.escalationsByLevel).to.deep.equal({ '0': 8, '1': 2 });
    expect(f.escalationsByKind).to.deep.equal({ automatic: 2, manual: 1, manager_request: 2, major: 1, functional: 1, hierarchical: 1, elevated: 1 });
    // Steps: T10 step 1, T2 step 2, T7 step 3; the other six acknowledged with no plan out.
    expect(f.ackByStep).to.deep.equal({ '1': 1, '2': 1, '3': 1, none: 6 });
    // Channels of the first acknowledgement: slack T1 T4 T6 T9 T10 = 5; sms T2; api T3; voice T7; teams T8.
    expect(f.ackByChannel).to.deep.equal({ api: 1, slack: 5, sms: 1, teams: 1, voice: 1 });
    // alice T1 T4 T8 = 3; bob T2 T10 = 2; henry T3 T9 = 2; carol T6; ivan T7. Ties by name.
    expect(f.ackByPerson).to.deep.equal([
      { personId: 'alice', name: 'Alice Ng', count: 3 },
      { personId: 'bob', name: 'Bob Okafor', count: 2 },
      { personId: 'henry', name: 'Henry Adeyemi', count: 2 },
      { personId: 'carol', name: 'Carol Diaz', count: 1 },
      { personId: 'ivan', name: 'Ivan Petrov', count: 1 },
    ]);
    // Slowest: open T4 aged 1680 − 40 = 1640 min, open T5 1620, then resolved T6 630, T9 470, T7 400, T2 300, T8 280, T3 170, T1 100, T10 100 (tie: lower number first).
    expect(f.slowest.map((s) => [s.key, s.timeToResolveMs! / MIN, s.open])).to.deep.equal([
      ['ESC-4', 1640, true],
      ['ESC-5', 1620, true],
      ['ESC-6', 630, false],
      ['ESC-9', 470, false],
      ['ESC-7', 400, false],
      ['ESC-2', 300, false],
      ['ESC-8', 280, false],
      ['ESC-3', 170, false],
      ['ESC-1', 100, false],
      ['ESC-10', 100, false],
    ]);
    expect(f.slowest[1]!.timeToAcknowledgeMs).to.equal(null);
    // Coordinators: T8 waited 25 min, T9 5 min → sorted 5, 25: p50 = 1st = 5, p90 = ceil(1.8) = 2nd = 25.
    expect(f.coordinatorResponse).to.deep.equal({ count: 2, p50Ms: 5 * MIN, p90Ms: 25 * MIN });
    // Satisfaction: 5, 2, 4 → (5+2+4)/3 = 3.666… → 3.67; comments latest first: T8 (+600) then T1 (+200).
    expect(f.satisfaction.count).to.equal(3);
    expect(f.satisfaction.average).to.equal(3.67);
    expect(f.satisfaction.distribution).to.deep.equal({ '1': 0, '2': 1, '3': 0, '4': 1, '5': 1 });
    expect(f.satisfaction.comments.map((c) => [c.key, c.score, c.comment])).to.deep.equal([
      ['ESC-8', 2, 'Too slow'],
      ['ESC-1', 5, 'Great'],
    ]);
  });

  it('computes the previous period and the daily series', () => {
    const r = report({ period: '7d' });
    // Only T11: acked after 30 min (due 60), resolved after 120 (due 480): everything in time.
    expect(r.previousFigures).to.include({ tickets: 1, resolved: 1, responseCompliancePct: 100, resolutionCompliancePct: 100, responseBreaches: 0 });
    expect(r.previousFigures.timeToAcknowledge).to.deep.equal({ count: 1, p50Ms: 30 * MIN, p90Ms: 30 * MIN });
    expect(r.daily.map((d) => d.day)).to.deep.equal(['2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24']);
    // All ten opened, nine acknowledged and eight resolved on Mon 23 (the last resolve, T6 at +700, is 19:40 PST).
    // Breaches by the day the response fell due: T2 (+50) and T7 (+130) on the 23rd; T5 (+1020 = 01:00 PST Tue) on the 24th.
    expect(r.daily[5]).to.deep.equal({ day: '2026-11-23', opened: 10, responseBreaches: 2, acknowledged: 9, resolved: 8 });
    expect(r.daily[6]).to.deep.equal({ day: '2026-11-24', opened: 0, responseBreaches: 1, acknowledged: 0, resolved: 0 });
    expect(r.daily.slice(0, 5).every((d) => d.opened + d.acknowledged + d.resolved + d.responseBreaches === 0)).to.equal(true);
  });

  it('filters by team, priority, plan, channel and kind', () => {
    // Current team after moves: T3, T4 (moved in), T7, T9.
    expect(report({ period: '7d', teamId: 'infrastructure' }).figures.tickets).to.equal(4);
    expect(report({ period: '7d', priority: 'P1' }).figures.slowest.map((s) => s.key).sort()).to.deep.equal(['ESC-1', 'ESC-2', 'ESC-7']);
    expect(report({ period: '7d', planId: 'urgent' }).figures.tickets).to.equal(2);
    expect(report({ period: '7d', channel: 'alert' }).figures.slowest.map((s) => s.key)).to.deep.equal(['ESC-7']);
    expect(report({ period: '7d', kind: 'elevated' }).figures.slowest.map((s) => s.key)).to.deep.equal(['ESC-6']);
    expect(report({ period: '7d', kind: 'manager_request' }).figures.tickets).to.equal(2);
    expect(report({ period: '7d', kind: 'major' }).figures.tickets).to.equal(1);
    expect(report({ period: '7d', kind: 'automatic' }).figures.responseCompliancePct).to.equal(0);
  });

  it('gives one CSV row per ticket with the documented columns', () => {
    const r = report({ period: '7d' });
    const rows = reportRows(
      facts.filter((f) => f.openedAt >= r.period.from.getTime() && f.openedAt < r.period.to.getTime()),
      NOW,
    );
    expect(rows).to.have.length(10);
    for (const row of rows) expect(Object.keys(row)).to.deep.equal([...REPORT_CSV_COLUMNS]);
    expect(rows[1]).to.deep.equal({
      ticket: 'ESC-2',
      title: 'Ticket 2',
      team: 'service-desk',
      priority: 'P1',
      channel: 'teams',
      plan: 'urgent',
      kinds: 'automatic',
      opened_at: '2026-11-23T16:20:00.000Z',
      response_due_at: '2026-11-23T16:50:00.000Z',
      acknowledged_at: '2026-11-23T17:02:00.000Z',
      acknowledged_by: 'bob',
      ack_step: 2,
      ack_channel: 'sms',
      minutes_to_acknowledge: 42,
      response_breached: true,
      resolved_at: '2026-11-23T21:20:00.000Z',
      minutes_to_resolve: 300,
      resolution_breached: true,
      max_level: 0,
      satisfaction: null,
      snoozes: 0,
      ack_timeouts: 0,
    });
    expect(rows[0]).to.include({ ticket: 'ESC-1', ack_step: 'none', satisfaction: 5, response_breached: false });
    expect(rows[4]).to.include({ ticket: 'ESC-5', acknowledged_at: null, ack_step: null, response_breached: true, resolution_breached: false });
  });

  it('stores facts compactly and reads them back unchanged', () => {
    const odd: TicketFact = { ...facts[0]!, ticketId: 'odd', number: 9999, title: 'tab\there\nnew line \\ back', satisfactionComment: 'a\tb', satisfactionScore: 4.5, key: 'OLD-7' };
    const all = [...facts, odd];
    const enc = encodeDay(all);
    expect(enc.n).to.equal(all.length);
    const back = decodeDay({ dict: enc.dict, rows: enc.rows, ids: enc.ids });
    const sortById = (xs: TicketFact[]) => [...xs].sort((a, b) => (a.ticketId + a.key < b.ticketId + b.key ? -1 : 1));
    expect(sortById(back)).to.deep.equal(sortById(all));
    // Without `ids` (what a report scan reads) only the ticket id and title are missing; ticketTexts gives them by number.
    const bare = decodeDay({ dict: enc.dict, rows: enc.rows });
    const blank = (xs: TicketFact[]) => xs.map((f) => ({ ...f, ticketId: '', title: '' })).sort((a, b) => a.number - b.number || (a.key < b.key ? -1 : 1));
    expect(blank(bare)).to.deep.equal(blank(all));
    const texts = new Map<number, { ticketId: string; title: string }>();
    ticketTexts({ ids: enc.ids }, new Set([odd.number]), texts);
    expect(texts.get(odd.number)).to.deep.equal({ ticketId: odd.ticketId, title: odd.title });
  });

  it('still reads buckets written before ticket ids and titles moved out of the rows', () => {
    const enc = encodeDay(facts);
    const ids = enc.ids.split('\n').map((l) => l.split('\t'));
    // The earlier format: the ticket id in the first field of the row, the title in the fourth, no `ids`.
    const rows = enc.rows.split('\n').map((l, i) => {
      const c = l.split('\t');
      c[0] = ids[i]![1]!;
      c[3] = ids[i]![2]!;
      return c.join('\t');
    });
    const back = decodeDay({ dict: enc.dict, rows: rows.join('\n') });
    expect([...back].sort((a, b) => a.number - b.number)).to.deep.equal([...facts].sort((a, b) => a.number - b.number));
  });
});
