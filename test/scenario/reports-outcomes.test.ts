import { expect } from 'chai';
import { runText } from '../../src/app/chatops/catalog.js';
import type { ChatContext } from '../../src/app/chatops/answer.js';
import { reportBlocks } from '../../src/adapters/slack/report-blocks.js';
import { reportCard } from '../../src/adapters/teams/report-card.js';
import { decodeDay, encodeDay } from '../../src/adapters/mongo/report-codec.js';
import type { Report } from '../../src/domain/reports/report.js';
import { recordingNotifiers } from '../support/counting-notifier.js';
import { api, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import { PEOPLE_TOKENS, tok } from '../support/people-tokens.js';

/**
 * Issue 14 (seed 001): reports put elevated and escalated tickets side by side (how many, how
 * many resolved, in time, how fast) and count the snoozes of the ack-timeout chase and the
 * chases that fired: in the API's JSON, the CSV, and `/esc report` in Slack and Teams.
 */
describe('reports: elevated vs escalated outcomes, and snoozes (issue 14)', () => {
  let esc: TestEsc;
  before(async function () {
    this.timeout(60_000);
    // Monday 2026-11-23 09:00 Pacific.
    esc = await startTestEsc({ notifiers: Object.values(recordingNotifiers()), env: { ESC_API_TOKENS: PEOPLE_TOKENS } });
  });
  after(async () => {
    await esc?.stop();
  });
  const call = (who: string, method: string, path: string, body?: unknown) => api(esc.baseUrl, method, path, body, tok(who));
  const ctx = (personId: string): ChatContext => {
    const person = esc.deps.directory().person(personId)!;
    return { person, actor: { personId, via: 'slack' }, platform: 'slack', zone: person.timeZone, conversationId: null };
  };
  const say = async (who: string, text: string) => {
    const r = await runText(esc.deps, ctx(who), text);
    expect(r.ok, `${text}: ${r.text}`).to.equal(true);
    return r;
  };
  const open = async (title: string, priority: string) => {
    const r = await call('judy', 'POST', '/api/tickets', { title, priority, requesterId: 'judy', assigneeId: 'alice' });
    expect(r.status).to.equal(201);
    return String(r.body.key);
  };

  it('the API, the CSV and /esc report in both shells show the two side by side, with the snoozes', async () => {
    // Elevated only, resolved in 1 h: the flag, not the process.
    const elevated = await open('Dean needs the lecture hall projector', 'P3');
    // Elevated, then escalated by hand: the full process (counted as escalated).
    const both = await open('Payroll export fails', 'P3');
    // Moved to Infrastructure (functional escalation).
    const moved = await open('Storage array degraded', 'P3');
    // Acknowledged, snoozed twice, then chased when the snooze ran out (ack timeout: escalated).
    const snoozed = await open('VPN drops every hour', 'P2');
    // Neither.
    await open('New mouse for room 4', 'P3');
    await say('erin', `elevate ${elevated} the Dean presents at 2pm`);
    await say('erin', `elevate ${both} month-end close`);
    await say('carol', `escalate ${both} needs the manager now`);
    await say('carol', `move ${moved} infrastructure needs the storage admins`);
    await call('alice', 'POST', `/api/tickets/${snoozed}/acknowledge`);
    await say('alice', `snooze ${snoozed} 1h waiting for the vendor`);
    await say('alice', `snooze ${snoozed} 2h vendor asked for more time`);
    await esc.settle();
    esc.clock.advanceMinutes(60);
    expect((await call('alice', 'POST', `/api/tickets/${elevated}/resolve`, { note: 'bulb replaced' })).status).to.equal(200);
    // The snooze ends at 11:00; the chase (120 business minutes after the acknowledgement) fires then.
    for (let i = 0; i < 4; i++) {
      esc.clock.advanceMinutes(30);
      await esc.settle();
    }
    const r = await call('erin', 'GET', '/api/reports?period=today');
    expect(r.status).to.equal(200);
    const f = (r.body as unknown as Report).figures;
    expect(f.tickets).to.equal(5);
    expect(f.outcomes.elevated).to.deep.equal({ tickets: 1, resolved: 1, resolutionCompliancePct: 100, resolutionBreaches: 0, timeToResolve: { count: 1, p50Ms: 3_600_000, p90Ms: 3_600_000 } });
    expect(f.outcomes.escalated).to.include({ tickets: 3, resolved: 0, resolutionBreaches: 0 });
    expect(f.snoozes).to.deep.equal({ count: 2, tickets: 1, totalMs: 3 * 3_600_000, ackTimeouts: 1 });

    const csv = await fetch(`${esc.baseUrl}/api/reports.csv?period=today`, { headers: { authorization: `Bearer ${tok('erin')}` } }).then((x) => x.text());
    const lines = csv.split('\r\n').filter(Boolean);
    expect(lines[0]).to.match(/,satisfaction,snoozes,ack_timeouts$/);
    expect(lines.find((l) => l.includes('VPN drops every hour'))).to.match(/,2,1$/);

    // /esc report: the same lines in Slack's blocks (what the Slack shell posts) and on the Teams card.
    const answer = await say('erin', 'report today');
    const report = (answer.view as { kind: 'report'; report: Report }).report;
    const expected = ['Elevated vs escalated', 'elevated 1: 1 resolved, 100% in time, p50 1h | escalated 3: 0 resolved, —', 'Snoozes', '2 on 1 ticket (3h in all) · ack timeouts 1'];
    const slack = JSON.stringify(reportBlocks(report));
    const teams = JSON.stringify(reportCard(report, { url: null }));
    for (const s of expected) {
      expect(slack, `Slack: ${s}`).to.include(s);
      expect(teams, `Teams: ${s}`).to.include(s);
    }
  });

  it('the snooze and ack-timeout counts survive the rollups\' storage', () => {
    const fact = { ticketId: 't1', number: 1, key: 'ESC-1', title: 'x', teamId: 'desk', priority: 'P2' as const, source: 'api', planId: null, kinds: ['elevated' as const], openedAt: 1_700_000_000_000, responseDueAt: null, resolutionDueAt: null, respondedAt: null, responseBreachRecorded: false, pausedAt: null, acknowledgedAt: null, acknowledgedBy: null, ackStep: null, ackChannel: null, resolvedAt: null, maxLevel: 0, requestWaitMs: null, satisfactionScore: null, satisfactionComment: null, satisfactionAt: null, status: 'new', snoozes: 3, snoozedMs: 5_400_000, ackTimeouts: 2 };
    expect(decodeDay(encodeDay([fact]))).to.deep.equal([fact]);
    // A row stored before these columns existed reads as none.
    const old = encodeDay([{ ...fact, snoozes: 0, snoozedMs: 0, ackTimeouts: 0 }]);
    const cut = { ...old, rows: old.rows.replace(/\t*$/, '') };
    expect(decodeDay(cut)[0]).to.include({ snoozes: 0, snoozedMs: 0, ackTimeouts: 0 });
  });
});
