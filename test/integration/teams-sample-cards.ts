import type { AppDeps } from '../../src/app/deps.js';
import type { StoredEscalation } from '../../src/app/ports/escalations.js';
import type { TimelineEvent } from '../../src/app/ports/timeline.js';
import { ticketViewOf } from '../../src/app/views/ticket-view.js';
import { escalateRequestCard, escalationDmCard, ticketCard, ticketFormCard } from '../../src/adapters/teams/teams-cards.js';
import { historyRows } from '../../src/app/use-cases/history.js';
import { Directory } from '../../src/domain/directory.js';
import { escalationStepNotice } from '../../src/domain/notice.js';
import { snapshotPlan } from '../../src/domain/plan.js';
import { makeTicket } from '../fixtures/domain.js';
import { historyCard, reportCard } from '../../src/adapters/teams/report-card.js';
import { sampleReport } from '../fixtures/report-sample.js';
import { demoOrg, TestClock } from '../support/harness.js';
import { coordinatorNoticeCard, escalationRequestCard, majorSummaryCard, satisfactionCard, taskListCard, warRoomPostCard } from '../../src/adapters/teams/teams-major-cards.js';
import { newRequest } from '../../src/domain/coordination.js';
import type { MajorEscalation } from '../../src/domain/major.js';
import { ticketNotice } from '../../src/domain/notice.js';
import { oncallCard } from '../../src/adapters/teams/teams-render.js';

/** Every card Esc sends to Teams, rendered from cards/ with realistic data: [name, card]. */
export function sampleCards(): [string, Record<string, unknown>][] {
  const clock = new TestClock();
  const dir = new Directory(demoOrg());
  // The card builders read only the directory and the clock.
  const deps = { directory: () => dir, clock } as unknown as AppDeps;
  const ticket = makeTicket('acknowledged', { number: 42, title: 'Exam portal down "quoted" ${notAnExpression}', teamId: 'service-desk', assigneeId: 'alice', acknowledgedBy: 'alice', acknowledgedAt: clock.now(), elevated: true, escalated: true });
  const plan = dir.org.plans[0]!;
  const esc = { id: 'e1', ticketId: ticket.id, kind: 'automatic', status: 'acknowledged', plan: snapshotPlan(plan, clock.now()), stepIndex: 1, round: 0, fired: 1, managerLevel: 0, nextDueAt: null, startedAt: clock.now(), startedBy: null, reason: null, acknowledgedBy: 'alice', acknowledgedAt: clock.now(), endedAt: null, version: 3 } as unknown as StoredEscalation;
  const notice = escalationStepNotice({ ticket: { ...ticket, teamName: 'Service Desk', assigneeName: 'Alice Ng' }, escalation: { id: 'e1', kind: 'automatic' }, stepIndex: 0, steps: 5, round: 0, channel: 'chat', urgent: true, now: clock.now() });
  const events: TimelineEvent[] = Array.from({ length: 120 }, (_, i) => ({ id: `ev${i}`, key: `ev${i}`, ticketId: ticket.id, at: clock.now(), type: i % 2 ? 'delivery.sent' : 'escalation.step_fired', actor: null, data: { channel: 'chat', personId: 'alice', step: 1 } }));

  // Issue 7: a manager escalation request, claimed, and a major escalation in its warranty.
  const facts = { ...ticket, teamName: 'Service Desk', assigneeName: 'Alice Ng', escalationKind: 'major' };
  const requestNotice = ticketNotice(facts, { kind: 'manager_request', title: `Escalation request: ESC-42 ${ticket.title}`, text: 'Ken Sato (Dean\'s office) asked for urgent handling: the Dean cannot run the 10:00 exam.', facts: [{ label: 'Requested by', value: 'Ken Sato (Dean\'s office)' }, { label: 'Urgency', value: 'urgent' }], actions: ['claim'], urgent: true });
  const request = newRequest({ id: 'r1', ticketId: ticket.id, requestedBy: 'ken', reason: 'the Dean cannot run the 10:00 exam', urgency: 'urgent', now: clock.now(), cfg: { claimWithinMinutes: 30, reminders: 2 } });
  const claimed = { ...request, status: 'claimed' as const, claimedBy: 'erin', claimedAt: clock.now(), nextDueAt: null, steps: { reviewed: clock.now() } };
  const task = (n: number, title: string, ownerId: string, dueMin: number, done = false) => ({ n, title, ownerId, dueAt: new Date(clock.now().getTime() + dueMin * 60_000), status: done ? ('done' as const) : ('open' as const), createdAt: clock.now(), createdBy: 'erin', doneAt: done ? clock.now() : null, doneBy: done ? 'henry' : null, reminders: 0 });
  const major: MajorEscalation = {
    id: 'm1', ticketId: ticket.id, ticketKey: 'ESC-42', status: 'warranty', declaredBy: 'erin', declaredAt: clock.now(), reason: 'Exam portal down for 3,000 students during finals week', warRoom: { platform: 'teams', id: '19:abc@thread.tacv2', name: 'war-esc-42-exam-portal-down', teamId: 't1', url: 'https://teams.microsoft.com/l/channel/x' },
    members: [{ personId: 'erin', role: 'escalation_manager', assignedAt: clock.now(), assignedBy: 'erin' }, { personId: 'henry', role: 'incident_owner', assignedAt: clock.now(), assignedBy: 'erin' }, { personId: 'ken', role: 'abrm', assignedAt: clock.now(), assignedBy: 'erin' }],
    tasks: [task(1, 'Fail over the exam database', 'henry', -30, true), task(2, 'Tell the Dean\'s office the new exam time', 'ken', -5), task(3, 'Vendor: patch the load balancer', 'ivan', 120)],
    updates: [{ at: clock.now(), by: 'erin', text: 'Failover done', sentTo: ['ken', 'grace'] }], cadenceMinutes: 60, nextUpdateDueAt: null, updateReminders: 0, problemId: 'PRB-1001', executivesAlertedAt: clock.now(), resolvedAt: clock.now(), warrantyEndsAt: new Date(clock.now().getTime() + 7 * 86_400_000), recurrences: 0, satisfaction: null, satisfactionRequestedAt: null, reviewScheduledAt: null, aarGeneratedAt: null, closedAt: null, archivedAt: null, version: 4,
    priority: 'P1', ticketOpenedAt: clock.now(), vipRequester: false, relatedTicketIds: [], warRoomError: null, reviewAt: null, nextWakeAt: null,
  };
  const satisfactionNotice = ticketNotice(facts, { kind: 'major_escalation', title: 'How did we do? ESC-42', text: 'The warranty period is over. Is the resolution still working for you?', actions: ['rate'] });

  return [
    ['escalation-request', escalationRequestCard(ticket)],
    ['escalation-request (no reason)', escalationRequestCard(ticket, 'A reason is required: say in a few words why this needs urgent handling.')],
    ['coordinator-notice', coordinatorNoticeCard(requestNotice)],
    ['coordinator-notice (claimed)', coordinatorNoticeCard(requestNotice, { dir, request: claimed })],
    ['major-summary', majorSummaryCard(dir, ticket, major, clock.now())],
    ['task-list', taskListCard(dir, ticket, major, clock.now())],
    ['task-list (empty)', taskListCard(dir, ticket, { ...major, tasks: [] }, clock.now())],
    ['satisfaction', satisfactionCard(satisfactionNotice)],
    ['satisfaction (answered)', satisfactionCard(satisfactionNotice, { score: 4, comment: 'Quick once the team was on it' })],
    ['war-room-post (summary)', warRoomPostCard({ text: 'Major escalation ESC-42: Exam portal down\n\nEscalation manager: Erin Park. Incident owner: Henry Adeyemi.\n\nNext customer update due 2026-11-23 10:00 PST.', pinned: true, link: null })],
    ['war-room-post (file)', warRoomPostCard({ text: 'After-action report for ESC-42', pinned: false, link: { url: 'https://esc.example.org/files/war-room/AbC/ESC-42-after-action.pdf', expiresAt: clock.now(), name: 'After-action report ESC-42' }, timeZone: dir.org.timeZone })],
    ['ticket-form', ticketFormCard(deps)],
    ['ticket', ticketCard(ticketViewOf(dir, ticket, esc, null, clock.now()), 'a note')],
    ['ticket (per-viewer refresh)', ticketCard(ticketViewOf(dir, ticket, esc, 'alice', clock.now()), undefined, ['29:user-alice', '8:orgid:00000000-0000-0000-0000-00000000a11c'])],
    ['ticket (open, no escalation)', ticketCard(ticketViewOf(dir, { ...ticket, status: 'new', acknowledgedBy: null, elevated: false }, null, null, clock.now()))],
    ['escalation-dm', escalationDmCard(notice)],
    ['escalation-dm (after ack)', escalationDmCard(notice, ticketViewOf(dir, ticket, esc, 'alice', clock.now()))],
    ['escalate-request', escalateRequestCard(ticket)],
    ['status-history', historyCard({ ticket, key: 'ESC-42', zone: dir.org.timeZone, rows: historyRows(dir, ticket, events, [], dir.org.timeZone) }, [{ label: 'Status', value: ticket.status }, { label: 'Times in', value: dir.org.timeZone }])],
    // The chart is inlined as a data URI (report-card.ts); a 1×1 PNG stands in here.
    ['report', reportCard(sampleReport(), { url: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==' })],
    ['oncall cover request (issue 15)', oncallCard({ text: 'Alice Ng asks for cover of Service Desk on-call (primary) from Mon 23 Nov 09:30 PST to Tue 24 Nov 09:00 PST. The first to take it carries the pager.', take: { coverId: 'c1' } })],
    ['oncall hand-off (issue 15)', oncallCard({ text: 'Hand-off: Alice Ng is on call for Service Desk until Mon 30 Nov 09:00 PST.' })],
    ['report (no chart, nothing slow)', reportCard({ ...sampleReport(), figures: { ...sampleReport().figures, slowest: [], satisfaction: { count: 0, average: null, distribution: {}, comments: [] } } }, { url: null })],
  ];
}
