import type { AppDeps } from '../../src/app/deps.js';
import type { StoredEscalation } from '../../src/app/ports/escalations.js';
import type { TimelineEvent } from '../../src/app/ports/timeline.js';
import { escalateRequestCard, escalationDmCard, statusHistoryCard, ticketCard, ticketFormCard } from '../../src/adapters/teams/teams-cards.js';
import { Directory } from '../../src/domain/directory.js';
import { escalationStepNotice } from '../../src/domain/notice.js';
import { snapshotPlan } from '../../src/domain/plan.js';
import { makeTicket } from '../fixtures/domain.js';
import { demoOrg, TestClock } from '../support/harness.js';

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

  return [
    ['ticket-form', ticketFormCard(deps)],
    ['ticket', ticketCard(deps, ticket, esc, 'a note')],
    ['ticket (open, no escalation)', ticketCard(deps, { ...ticket, status: 'new', acknowledgedBy: null, elevated: false }, null)],
    ['escalation-dm', escalationDmCard(notice)],
    ['escalation-dm (after ack)', escalationDmCard(notice, { deps, ticket, escalation: esc })],
    ['escalate-request', escalateRequestCard(ticket)],
    ['status-history', statusHistoryCard(deps, ticket, events)],
  ];
}
