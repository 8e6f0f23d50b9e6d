import type { Directory } from '../../domain/directory.js';
import type { Ticket } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import { escalationLabel } from '../../domain/notice.js';
import { resolutionState, responseState } from '../../domain/sla/sla-clock.js';
import type { StoredEscalation } from '../../app/ports/escalations.js';

/** The ticket as the API shows it: names resolved, SLA states computed. */
export function ticketView(t: Ticket, dir: Directory, now: Date) {
  return {
    id: t.id,
    key: formatTicketKey(t.number),
    number: t.number,
    title: t.title,
    description: t.description,
    status: t.status,
    priority: t.priority,
    impact: t.impact,
    team: { id: t.teamId, name: dir.team(t.teamId)?.name ?? t.teamId },
    assignee: t.assigneeId ? { id: t.assigneeId, name: dir.person(t.assigneeId)?.name ?? t.assigneeId } : null,
    requester: t.requesterId ? { id: t.requesterId, name: dir.person(t.requesterId)?.name ?? t.requesterId } : null,
    elevated: t.elevated,
    escalated: t.escalated,
    /** Elevated vs escalated, as people read it: "ESCALATED · major", "ELEVATED", both, or null. */
    escalation: escalationLabel(t),
    escalationKind: t.escalationKind ?? null,
    /** Issue 16: only the requester, the team, coordinators, escalation managers and admins see it. */
    confidential: !!t.confidential,
    level: t.level,
    source: t.source,
    alertKey: t.alertKey,
    alertCount: t.alertCount,
    acknowledgedBy: t.acknowledgedBy,
    acknowledgedAt: t.acknowledgedAt,
    resolvedBy: t.resolvedBy,
    resolvedAt: t.resolvedAt,
    resolution: t.resolution,
    sla: {
      response: { dueAt: t.sla.responseDueAt, state: responseState(t.sla, now), respondedAt: t.sla.respondedAt },
      resolution: { dueAt: t.sla.resolutionDueAt, state: resolutionState(t.sla, now), resolvedAt: t.sla.resolvedAt },
      paused: !!t.sla.pausedAt,
      calendarId: t.sla.calendarId,
    },
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

export function escalationView(e: StoredEscalation) {
  return {
    id: e.id,
    ticketId: e.ticketId,
    kind: e.kind,
    status: e.status,
    plan: { id: e.plan.id, name: e.plan.name, steps: e.plan.steps, repeat: e.plan.repeat ?? null, frozenAt: e.plan.frozenAt },
    nextStep: e.status === 'active' ? e.stepIndex + 1 : null,
    round: e.round,
    fired: e.fired,
    nextDueAt: e.nextDueAt,
    startedAt: e.startedAt,
    startedBy: e.startedBy,
    reason: e.reason,
    acknowledgedBy: e.acknowledgedBy,
    acknowledgedAt: e.acknowledgedAt,
    endedAt: e.endedAt,
  };
}
