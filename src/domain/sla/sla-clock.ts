import type { BusinessCalendar } from './calendar.js';
import { addBusinessMs, businessMsBetween, subtractBusinessMs } from './calendar.js';
import type { Priority } from '../priority.js';

/** Response and resolution targets for one priority, in business minutes of a calendar. */
export interface SlaPolicy {
  id: string;
  priority: Priority;
  responseMinutes: number;
  resolutionMinutes: number;
  calendarId: string;
  /** Warn the assignee (or on-call) at this share of each target; absent: no warning. */
  warnAtPercent?: number;
  /** The plan a resolution breach starts; absent: none. */
  resolutionPlanId?: string;
  /** Keep the requester informed of acknowledgement, escalation, ETA, hold and resolution (default true). */
  informRequester?: boolean;
}

/**
 * The SLA clock of one ticket. Due times are absolute instants; while paused they are
 * null and the remaining business time is kept, so resuming recomputes them exactly.
 */
export interface SlaClock {
  policyId: string;
  calendarId: string;
  responseMinutes: number;
  resolutionMinutes: number;
  startedAt: Date;
  responseDueAt: Date | null;
  resolutionDueAt: Date | null;
  respondedAt: Date | null;
  resolvedAt: Date | null;
  pausedAt: Date | null;
  responseRemainingMs: number | null;
  resolutionRemainingMs: number | null;
  /** Wall-clock time spent paused, summed. */
  pausedMs: number;
}

export function startClock(policy: SlaPolicy, cal: BusinessCalendar, now: Date): SlaClock {
  return {
    policyId: policy.id,
    calendarId: cal.id,
    responseMinutes: policy.responseMinutes,
    resolutionMinutes: policy.resolutionMinutes,
    startedAt: now,
    responseDueAt: addBusinessMs(cal, now, policy.responseMinutes * 60_000),
    resolutionDueAt: addBusinessMs(cal, now, policy.resolutionMinutes * 60_000),
    respondedAt: null,
    resolvedAt: null,
    pausedAt: null,
    responseRemainingMs: null,
    resolutionRemainingMs: null,
    pausedMs: 0,
  };
}

/** Records the first response (acknowledge or start of work); later calls change nothing. */
export function markResponded(clock: SlaClock, now: Date): SlaClock {
  return clock.respondedAt ? clock : { ...clock, respondedAt: now };
}

export function markResolved(clock: SlaClock, now: Date): SlaClock {
  return { ...clock, resolvedAt: now };
}

/** Pauses the clock (waiting on the customer): remaining business time is kept. */
export function pauseClock(clock: SlaClock, cal: BusinessCalendar, now: Date): SlaClock {
  if (clock.pausedAt) return clock;
  // Negative when already breached: resuming keeps it breached by the same business time.
  const remaining = (due: Date | null): number | null => {
    if (!due) return null;
    return due.getTime() >= now.getTime() ? businessMsBetween(cal, now, due) : -businessMsBetween(cal, due, now);
  };
  return {
    ...clock,
    pausedAt: now,
    responseRemainingMs: clock.respondedAt ? null : remaining(clock.responseDueAt),
    resolutionRemainingMs: remaining(clock.resolutionDueAt),
    responseDueAt: clock.respondedAt ? clock.responseDueAt : null,
    resolutionDueAt: null,
  };
}

/** Resumes a paused clock: due times are the remaining business time from now. */
export function resumeClock(clock: SlaClock, cal: BusinessCalendar, now: Date): SlaClock {
  if (!clock.pausedAt) return clock;
  const due = (rem: number | null, old: Date | null): Date | null => {
    if (rem === null) return old;
    // Already breached when paused: the due time stays in the past by the same business time.
    return rem >= 0 ? addBusinessMs(cal, now, rem) : subtractBusinessMs(cal, now, -rem);
  };
  return {
    ...clock,
    responseDueAt: clock.respondedAt ? clock.responseDueAt : due(clock.responseRemainingMs, clock.responseDueAt),
    resolutionDueAt: due(clock.resolutionRemainingMs, clock.resolutionDueAt),
    pausedMs: clock.pausedMs + (now.getTime() - clock.pausedAt.getTime()),
    pausedAt: null,
    responseRemainingMs: null,
    resolutionRemainingMs: null,
  };
}

export type SlaState = 'running' | 'paused' | 'met' | 'breached';

/** Response SLA: met when responded by the due time, breached when not responded by then. */
export function responseState(clock: SlaClock, now: Date): SlaState {
  if (clock.respondedAt) return clock.responseDueAt && clock.respondedAt.getTime() > clock.responseDueAt.getTime() ? 'breached' : 'met';
  if (clock.pausedAt) return (clock.responseRemainingMs ?? 0) < 0 ? 'breached' : 'paused';
  return clock.responseDueAt && now.getTime() > clock.responseDueAt.getTime() ? 'breached' : 'running';
}

export function resolutionState(clock: SlaClock, now: Date): SlaState {
  if (clock.resolvedAt) return clock.resolutionDueAt && clock.resolvedAt.getTime() > clock.resolutionDueAt.getTime() ? 'breached' : 'met';
  if (clock.pausedAt) return (clock.resolutionRemainingMs ?? 0) < 0 ? 'breached' : 'paused';
  return clock.resolutionDueAt && now.getTime() > clock.resolutionDueAt.getTime() ? 'breached' : 'running';
}

/**
 * Elevation (issue 14): the resolution time still left is multiplied by `factor` (0 < f ≤ 1)
 * from `now`, in business time; the target shrinks by what was taken off, so a warning at a
 * share of the target stays before the new due time. Paused clocks keep the shorter remainder.
 */
export function tightenResolution(clock: SlaClock, cal: BusinessCalendar, now: Date, factor: number): SlaClock {
  if (factor >= 1 || clock.resolvedAt) return clock;
  if (clock.pausedAt) {
    if (clock.resolutionRemainingMs === null) return clock;
    const left = clock.resolutionRemainingMs * factor;
    return { ...clock, resolutionRemainingMs: left, resolutionMinutes: clock.resolutionMinutes - (clock.resolutionRemainingMs - left) / 60_000 };
  }
  if (!clock.resolutionDueAt) return clock;
  const remaining = Math.max(0, businessMsBetween(cal, now, new Date(clock.resolutionDueAt)));
  const left = remaining * factor;
  return { ...clock, resolutionDueAt: addBusinessMs(cal, now, left), resolutionMinutes: clock.resolutionMinutes - (remaining - left) / 60_000 };
}
