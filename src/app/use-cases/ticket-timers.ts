import { DateTime } from 'luxon';
import { isLive } from '../../domain/escalation.js';
import { choosePlan } from '../../domain/plan.js';
import type { Ticket } from '../../domain/ticket.js';
import { isOpen } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import type { TicketTimer } from '../../domain/ticket-timers.js';
import { pendingTimers } from '../../domain/ticket-timers.js';
import { durationText } from '../../domain/time-text.js';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../ports/timeline.js';
import { startEscalation } from './escalations.js';
import { noticeFor, notifyPeople } from './notify.js';
import { event } from './ticket-access.js';

const ENGINE: Actor = { personId: null, via: 'engine' };

/** The ticket's timers not handled yet, earliest first (reads its escalations once). */
export async function timersOf(deps: AppDeps, t: Ticket): Promise<TicketTimer[]> {
  const dir = deps.directory();
  const escs = await deps.escalations.forTicket(t.id);
  const lastAck = escs.reduce((m, e) => Math.max(m, e.acknowledgedAt ? new Date(e.acknowledgedAt).getTime() : 0), 0);
  return pendingTimers(t, {
    policy: dir.slaPolicy(t.priority),
    plan: choosePlan(dir.org.plans, t.teamId, t.priority),
    cal: dir.calendarFor(t.teamId, t.priority),
    liveEscalation: escs.some((e) => isLive(e)),
    lastAckAt: lastAck ? new Date(lastAck) : null,
  });
}

/** "14:30" on the same local day, else "Mon 09:15": a due time as the reader reads it. */
export function dueClock(due: Date, now: Date, zone: string): string {
  const d = DateTime.fromJSDate(due, { zone });
  return d.hasSame(DateTime.fromJSDate(now, { zone }), 'day') ? d.toFormat('HH:mm') : d.toFormat('ccc HH:mm');
}

/**
 * Carries out one due timer. Idempotent: every message and event is keyed by the ticket and
 * the timer's key, and a plan started here has a deterministic id.
 */
export async function handleTimer(deps: AppDeps, t: Ticket, timer: TicketTimer, now: Date): Promise<void> {
  if (!isOpen(t)) return;
  if (timer.kind === 'warn_response' || timer.kind === 'warn_resolution') return warn(deps, t, timer, now);
  if (timer.kind === 'resolution_breach') return resolutionBreach(deps, t, timer, now);
  return ackTimeout(deps, t, timer, now);
}

/** One DM to the assignee (else the on-call person): "ESC-1042 response due in 7 min (14:30)". */
async function warn(deps: AppDeps, t: Ticket, timer: TicketTimer, now: Date): Promise<void> {
  const due = timer.dueAt!;
  // A warning that comes after the breach (Esc was down) says nothing the breach does not.
  if (due.getTime() <= now.getTime()) return;
  const dir = deps.directory();
  const person = dir.person(t.assigneeId) ?? dir.onCall(t.teamId, now);
  const what = timer.kind === 'warn_response' ? 'response' : 'resolution';
  const key = formatTicketKey(t.number);
  const data = { what, dueAt: due, to: person?.id ?? null, percent: dir.slaPolicy(t.priority)?.warnAtPercent ?? null };
  if (person) {
    const title = `${key} ${what} due in ${durationText(due.getTime() - now.getTime())} (${dueClock(due, now, person.timeZone)})`;
    const notice = noticeFor(deps, t, {
      kind: 'info',
      title,
      text: `${title}: ${t.title}. ${what === 'response' ? 'Acknowledge it before then, or it escalates.' : 'Resolve it, or put it on hold while you wait on the customer.'}`,
      actions: what === 'response' ? ['acknowledge', 'resolve'] : ['resolve'],
      urgent: false,
    });
    await notifyPeople(deps, t, [person.id], ['chat'], notice, `sla-warn:${t.id}:${timer.key}`);
  }
  await deps.timeline.append([event(deps, t.id, 'sla.warning', now, ENGINE, data, `sla.warning:${t.id}:${timer.key}`)]);
}

/** The resolution target passed: the policy's resolution plan starts, unless a plan is running. */
async function resolutionBreach(deps: AppDeps, t: Ticket, timer: TicketTimer, now: Date): Promise<void> {
  const planId = deps.directory().slaPolicy(t.priority)?.resolutionPlanId;
  const live = await deps.escalations.liveForTicket(t.id);
  const startPlan = !!planId && !live;
  await deps.timeline.append([
    event(deps, t.id, 'sla.resolution_breached', now, ENGINE, { resolutionDueAt: timer.dueAt, lateMs: now.getTime() - timer.dueAt!.getTime(), planId: planId ?? null, planStarted: startPlan, ...(live ? { running: live.id } : {}) }, `sla.resolution_breached:${t.id}:${timer.key}`),
  ]);
  if (startPlan) await startEscalation(deps, { ticket: t.id, kind: 'automatic', planId, actor: ENGINE, reason: 'resolution SLA breached', idKey: timer.key, firstDueAt: now });
}

/** Acknowledged, then nothing: the plan starts again from step 1 (`escalation.ack_timeout`). */
async function ackTimeout(deps: AppDeps, t: Ticket, timer: TicketTimer, now: Date): Promise<void> {
  if (t.status !== 'acknowledged' && t.status !== 'in_progress') return;
  const dir = deps.directory();
  const plan = choosePlan(dir.org.plans, t.teamId, t.priority);
  if (!plan?.ackTimeoutMinutes) return;
  const who = dir.person(t.assigneeId)?.name ?? t.assigneeId ?? 'nobody';
  const reason = `acknowledged by ${who}, not updated for ${plan.ackTimeoutMinutes} business minutes`;
  await deps.timeline.append([event(deps, t.id, 'escalation.ack_timeout', now, ENGINE, { planId: plan.id, minutes: plan.ackTimeoutMinutes, assigneeId: t.assigneeId, reason }, `escalation.ack_timeout:${t.id}:${timer.key}`)]);
  await startEscalation(deps, { ticket: t.id, kind: 'automatic', planId: plan.id, actor: ENGINE, reason, idKey: timer.key, firstDueAt: now });
}
