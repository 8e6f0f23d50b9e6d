/**
 * What a ticket still has coming between the SLA clock and the plan (issue 14), as pure data:
 * a warning before each breach, the resolution breach that starts a plan, and the chase of an
 * acknowledged ticket nobody updates. The engine's `ticket-timers` module asks this each time
 * a ticket changes, stores the earliest `at`, and handles a timer once (keyed).
 */
import type { EscalationPlan } from './plan.js';
import type { BusinessCalendar } from './sla/calendar.js';
import { addBusinessMs, subtractBusinessMs } from './sla/calendar.js';
import type { SlaPolicy } from './sla/sla-clock.js';
import type { Ticket } from './ticket.js';
import { isOpen } from './ticket.js';

export type TicketTimerKind = 'warn_response' | 'warn_resolution' | 'resolution_breach' | 'ack_timeout';

export interface TicketTimer {
  /** Unique per ticket and occurrence (a new due time is a new timer). */
  key: string;
  kind: TicketTimerKind;
  at: Date;
  /** The SLA due time a warning or breach is about. */
  dueAt: Date | null;
}

/** A pause of the ack-timeout chase (`/esc snooze`). */
export interface Snooze {
  until: Date;
  reason: string;
  by: string | null;
  at: Date;
}

export interface TimerContext {
  policy: SlaPolicy | undefined;
  /** The plan the ticket's team and priority choose (its ackTimeoutMinutes). */
  plan: EscalationPlan | undefined;
  cal: BusinessCalendar;
  /** An escalation is running (active or out of steps): the chase waits for it to be acknowledged. */
  liveEscalation: boolean;
  /** When its latest escalation was acknowledged. */
  lastAckAt: Date | null;
}

const ms = (d: Date | string | null | undefined): number => (d ? new Date(d).getTime() : 0);

/** Every timer the ticket has now, done or not (the caller skips the keys it handled). */
export function ticketTimers(t: Ticket, ctx: TimerContext): TicketTimer[] {
  const out: TicketTimer[] = [];
  if (!isOpen(t)) return out;
  const { sla } = t;
  const pct = ctx.policy?.warnAtPercent;
  const running = !sla.pausedAt && t.status !== 'pending';
  if (running && pct) {
    if (!sla.respondedAt && sla.responseDueAt) {
      const due = new Date(sla.responseDueAt);
      out.push({ key: `warn_response:${due.getTime()}`, kind: 'warn_response', at: subtractBusinessMs(ctx.cal, due, ((100 - pct) / 100) * sla.responseMinutes * 60_000), dueAt: due });
    }
    if (!sla.resolvedAt && sla.resolutionDueAt) {
      const due = new Date(sla.resolutionDueAt);
      out.push({ key: `warn_resolution:${due.getTime()}`, kind: 'warn_resolution', at: subtractBusinessMs(ctx.cal, due, ((100 - pct) / 100) * sla.resolutionMinutes * 60_000), dueAt: due });
    }
  }
  if (running && ctx.policy?.resolutionPlanId && sla.resolutionDueAt && !sla.resolvedAt) {
    const due = new Date(sla.resolutionDueAt);
    out.push({ key: `resolution_breach:${due.getTime()}`, kind: 'resolution_breach', at: due, dueAt: due });
  }
  const timeout = ctx.plan?.ackTimeoutMinutes;
  if (timeout && (t.status === 'acknowledged' || t.status === 'in_progress') && !ctx.liveEscalation) {
    // The last sign of life: the acknowledgement, any update (comment, change), a later acknowledgement.
    const since = new Date(Math.max(ms(t.acknowledgedAt), ms(t.updatedAt), ms(ctx.lastAckAt)));
    const due = addBusinessMs(ctx.cal, since, timeout * 60_000);
    const at = new Date(Math.max(due.getTime(), ms(t.snooze?.until)));
    out.push({ key: `ack_timeout:${at.getTime()}`, kind: 'ack_timeout', at, dueAt: null });
  }
  return out;
}

/** The timers not handled yet, earliest first. */
export function pendingTimers(t: Ticket, ctx: TimerContext): TicketTimer[] {
  const done = new Set(t.timersDone ?? []);
  return ticketTimers(t, ctx)
    .filter((x) => !done.has(x.key))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
}
