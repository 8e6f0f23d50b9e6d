import { randomUUID } from 'node:crypto';
import { DomainError } from '../../domain/errors.js';
import type { EscalationKind, EscalationState, StepFiring } from '../../domain/escalation.js';
import { decideAcknowledge, decideEscalateNow, decideResolve, firingKey, isLive, newEscalation } from '../../domain/escalation.js';
import { choosePlan, planStart, snapshotPlan } from '../../domain/plan.js';
import type { Ticket } from '../../domain/ticket.js';
import { isOpen } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import { startClock, tightenResolution } from '../../domain/sla/sla-clock.js';
import { authorize } from '../authorize.js';
import type { AppDeps } from '../deps.js';
import type { StoredEscalation } from '../ports/escalations.js';
import type { Actor } from '../ports/timeline.js';
import { changeTicket } from './change-ticket.js';
import { event, markEscalated, requireTicket, touchTicket } from './ticket-access.js';
import { notifyPeople, ticketFacts } from './notify.js';
import { informRequester } from './requester-updates.js';
import { elevatedReaction, movedReaction, withReaction } from '../../domain/ticket-reaction.js';

/**
 * Starts a plan on a ticket: automatically on an SLA breach, or on request. The plan is
 * frozen into the escalation. At most one live escalation per ticket: starting another
 * returns the live one (created: false).
 */
export async function startEscalation(
  deps: AppDeps,
  args: { ticket: string | number; kind: EscalationKind; planId?: string; actor: Actor; reason?: string; firstDueAt?: Date; breachAt?: Date; idKey?: string },
): Promise<{ escalation: StoredEscalation; created: boolean }> {
  const ticket = await requireTicket(deps, args.ticket);
  if (!isOpen(ticket)) throw new DomainError('INVALID_TRANSITION', `${formatTicketKey(ticket.number)} is ${ticket.status}: there is nothing to escalate.`);
  const dir = deps.directory();
  const plan = args.planId ? dir.org.plans.find((p) => p.id === args.planId) : choosePlan(dir.org.plans, ticket.teamId, ticket.priority);
  if (!plan) {
    throw new DomainError('NOT_FOUND', args.planId ? `There is no escalation plan "${args.planId}".` : `No escalation plan matches ${ticket.priority} tickets of team ${ticket.teamId}.`, { field: 'planId' });
  }
  const now = deps.clock.now();
  // An automatic escalation is keyed by the breach it answers: the same breach never starts two.
  const id = args.idKey ? `${ticket.id}:${args.idKey}` : args.kind === 'automatic' && args.breachAt ? `${ticket.id}:auto:${args.breachAt.getTime()}` : randomUUID();
  const firstDueAt = args.firstDueAt ?? (args.breachAt ? new Date(args.breachAt.getTime() + plan.steps[0]!.delayMinutes * 60_000) : undefined);
  const state = newEscalation({ id, ticketId: ticket.id, kind: args.kind, plan: snapshotPlan(plan, now), now: args.breachAt ?? now, startedBy: args.actor.personId, reason: args.reason ?? null, firstDueAt });
  const created = await deps.escalations.insert(state);
  if (!created) {
    const live = (await deps.escalations.liveForTicket(ticket.id)) ?? (await deps.escalations.get(id));
    if (live) return { escalation: live, created: false };
    throw new DomainError('CONFLICT', 'Another escalation was starting at the same time; try again.');
  }
  await markEscalated(deps, ticket.id, {}, args.kind);
  await deps.timeline.append([
    event(deps, ticket.id, 'escalation.started', now, args.actor, { escalationId: id, kind: args.kind, planId: plan.id, planName: plan.name, steps: plan.steps.length, reason: args.reason ?? null, firstDueAt: state.nextDueAt }, `escalation.started:${id}`),
  ]);
  deps.nudge?.();
  return { escalation: (await deps.escalations.get(id))!, created: true };
}

/**
 * A plan that starts on open (its `startOn`, or an alert when the org starts alerts on open)
 * starts now, keyed by the ticket's opening (or move) so it starts once. Returns whether one started.
 */
export async function startIfPlannedOnOpen(deps: AppDeps, t: Ticket, actor: Actor, key = 'open'): Promise<boolean> {
  const dir = deps.directory();
  const plan = choosePlan(dir.org.plans, t.teamId, t.priority);
  if (!plan || planStart(plan, t.source, dir.org.alerts?.startOn) !== 'open') return false;
  const r = await startEscalation(deps, { ticket: t.id, kind: 'automatic', planId: plan.id, actor, reason: t.source === 'alert' && plan.startOn !== 'open' ? 'alert: the plan starts on open' : 'the plan starts on open', idKey: key });
  return r.created;
}

export type Reply = 'acknowledge' | 'escalate' | 'resolve';

export interface ReplyResult {
  ticket: Ticket;
  escalation: StoredEscalation | null;
  changed: boolean;
  /** What happened, in one sentence a person can read (SMS answer, ephemeral message). */
  message: string;
}

/**
 * Applies a reply, already authorized (see respond.ts, the entry every path uses):
 * acknowledge stops the plan, escalate jumps to the next (or chosen) step, resolve ends it.
 */
export async function applyReply(deps: AppDeps, args: { ticket: string | number; reply: Reply; actor: Actor; toStep?: number; note?: string }): Promise<ReplyResult> {
  const { actor } = args;
  const ticket0 = await requireTicket(deps, args.ticket);
  const key = formatTicketKey(ticket0.number);
  const who = actor.personId ? (deps.directory().person(actor.personId)?.name ?? actor.personId) : actor.via;
  if (args.reply === 'acknowledge') {
    const by = actor.personId ?? `via:${actor.via}`;
    const { ticket, changed: ticketChanged } = await changeTicket(deps, ticket0.id, (t) => (t.status === 'new' || t.status === 'assigned' ? { type: 'acknowledge', by } : null), actor, { via: actor.via });
    const esc = await acknowledgeLive(deps, ticket0.id, by, actor);
    const changed = ticketChanged || !!esc?.changed;
    // Acknowledged again after an ack timeout: the chase counts from now.
    if (!ticketChanged && esc?.changed) await touchTicket(deps, ticket0.id);
    const ackBy = deps.directory().person(ticket.acknowledgedBy)?.name ?? ticket.acknowledgedBy;
    return {
      ticket,
      escalation: esc?.escalation ?? null,
      changed,
      message: changed ? `${key} acknowledged by ${who}. Escalation stopped.` : `${key} was already acknowledged${ackBy ? ` by ${ackBy}` : ''}; nothing changed.`,
    };
  }
  if (args.reply === 'resolve') {
    const { ticket, changed } = await changeTicket(deps, ticket0.id, (t) => (isOpen(t) ? { type: 'resolve', by: actor.personId ?? `via:${actor.via}`, note: args.note } : null), actor, { via: actor.via });
    const esc = await endLive(deps, ticket0.id, actor);
    return { ticket, escalation: esc, changed, message: changed ? `${key} resolved by ${who}.` : `${key} was already ${ticket.status}; nothing changed.` };
  }
  // escalate
  if (!isOpen(ticket0)) throw new DomainError('INVALID_TRANSITION', `${key} is ${ticket0.status}: there is nothing to escalate.`);
  const live = await deps.escalations.liveForTicket(ticket0.id);
  if (!live) {
    const { escalation } = await startEscalation(deps, { ticket: ticket0.id, kind: 'manual', actor, reason: args.note ?? 'escalated by hand', firstDueAt: deps.clock.now() });
    return { ticket: await requireTicket(deps, ticket0.id), escalation, changed: true, message: `${key} escalated by ${who}: plan "${escalation.plan.name}" started.` };
  }
  const esc = await escalateNow(deps, live, actor, args.toStep, args.note);
  return { ticket: await requireTicket(deps, ticket0.id), escalation: esc, changed: true, message: `${key} escalated by ${who}: step ${esc.stepIndex + 1} of ${esc.plan.steps.length} (${esc.plan.steps[esc.stepIndex]!.channel}) goes out now.` };
}

async function acknowledgeLive(deps: AppDeps, ticketId: string, by: string, actor: Actor): Promise<{ escalation: StoredEscalation; changed: boolean } | null> {
  const live = await deps.escalations.liveForTicket(ticketId);
  if (!live) return null;
  const now = deps.clock.now();
  const d = decideAcknowledge(live, by, now);
  if (!d.changed) return { escalation: live, changed: false };
  // Conditional on status only: an acknowledgement is valid whatever step is in flight, and
  // bumping the version makes any tick holding the old version lose its claim.
  const stored = await deps.escalations.transition(live.id, ['active', 'exhausted'], { status: 'acknowledged', acknowledgedBy: by, acknowledgedAt: now, nextDueAt: null });
  if (!stored) return { escalation: (await deps.escalations.get(live.id)) ?? live, changed: false };
  const cancelled = await stopSends(deps, stored);
  // The step that was out (1-based), for the reports: the last firing, kept in the document's
  // `pending` (exact after a repeat, a jump, or the last step, where stepIndex does not say it).
  const last = stored.pending.find((f) => f.seq === stored.fired - 1);
  await deps.timeline.append([
    // `fired` is read from the document the acknowledgement wrote: steps fired before it committed.
    event(deps, ticketId, 'escalation.acknowledged', now, actor, { escalationId: live.id, by, via: actor.via, nextStep: stored.stepIndex + 1, firedBeforeAck: stored.fired, ...(last ? { stepOut: last.stepIndex + 1 } : {}), cancelledDeliveries: cancelled }, `escalation.acknowledged:${live.id}`),
  ]);
  return { escalation: stored, changed: true };
}

/** How long a stop waits, at most, for messages already on their way to be recorded. */
const STOP_WAIT_MS = 2500;

/**
 * After an escalation stopped (acknowledged, resolved): its queued messages are cancelled, and
 * the answer waits for those already on their way. A step pass that read the escalation live
 * before the stop committed may be sending its latest firing right now (Dispatcher.sendFresh
 * stores a firing's deliveries, then its step event, after the sends): wait for that event,
 * then for deliveries handed over under a lease. Returns how many were cancelled.
 */
async function stopSends(deps: AppDeps, stopped: StoredEscalation): Promise<number> {
  const end = Date.now() + STOP_WAIT_MS;
  if (stopped.pendingAt) while (Date.now() < end && (await unstoredFirings(deps, [stopped])).size > 0) await new Promise((r) => setTimeout(r, 20));
  return deps.deliveries.cancelQueued(stopped.id, Math.max(0, end - Date.now()));
}

/** Of these escalations' latest firings, those whose step event is missing (a step pass is still sending them, or its process died before storing them). */
export async function unstoredFirings(deps: AppDeps, escs: StoredEscalation[]): Promise<Map<string, StepFiring[]>> {
  const withPending = escs.filter((e) => e.pending.length > 0);
  const out = new Map<string, StepFiring[]>();
  if (withPending.length === 0) return out;
  const have = await deps.timeline.existingKeys(withPending.flatMap((e) => e.pending.map((f) => firingKey(e.id, f.seq))));
  for (const e of withPending) {
    const missing = e.pending.filter((f) => !have.has(firingKey(e.id, f.seq))).map((f) => ({ ...f, dueAt: new Date(f.dueAt) }));
    if (missing.length > 0) out.set(e.id, missing);
  }
  return out;
}

/** Ends the ticket's live escalation (only one that started before `startedBefore`, when given). */
export async function endLive(deps: AppDeps, ticketId: string, actor: Actor, startedBefore?: Date): Promise<StoredEscalation | null> {
  const live = await deps.escalations.liveForTicket(ticketId);
  if (!live || (startedBefore && new Date(live.startedAt).getTime() >= startedBefore.getTime())) return null;
  const now = deps.clock.now();
  const next = decideResolve(live, now);
  const stored = await deps.escalations.transition(live.id, ['active', 'exhausted', 'acknowledged'], { status: next.status, nextDueAt: null, endedAt: now });
  if (stored) {
    await stopSends(deps, stored);
    await deps.timeline.append([event(deps, ticketId, 'escalation.resolved', now, actor, { escalationId: live.id }, `escalation.resolved:${live.id}`)]);
  }
  return stored;
}

async function escalateNow(deps: AppDeps, live: StoredEscalation, actor: Actor, toStep?: number, note?: string): Promise<StoredEscalation> {
  let cur: EscalationState = live;
  for (let i = 0; i < 8; i++) {
    const now = deps.clock.now();
    const next = decideEscalateNow(cur, now, toStep);
    if (await deps.escalations.claim(next, cur.version, [], now)) {
      await deps.timeline.append([event(deps, live.ticketId, 'escalation.escalated_now', now, actor, { escalationId: live.id, toStep: next.stepIndex + 1, via: actor.via, note: note ?? null })]);
      deps.nudge?.();
      return (await deps.escalations.get(live.id))!;
    }
    const fresh = await deps.escalations.get(live.id);
    if (!fresh || !isLive(fresh) && fresh.status !== 'acknowledged') throw new DomainError('CONFLICT', 'The escalation ended meanwhile.');
    cur = fresh;
  }
  throw new DomainError('CONFLICT', 'The escalation is changing too fast; try again.');
}

/**
 * Elevate (seed 001): flagged important and visible everywhere, without the full process. It has
 * teeth (issue 14): posted to the team's channel with the reason, the team lead and manager told,
 * and the remaining resolution target multiplied by `elevate.resolutionFactor` from now.
 */
export async function elevateTicket(deps: AppDeps, ref: string | number, actor: Actor, reason?: string): Promise<{ ticket: Ticket; changed: boolean }> {
  authorize(deps, actor, 'elevate', await requireTicket(deps, ref));
  const dir = deps.directory();
  for (;;) {
    const t = await requireTicket(deps, ref);
    if (!isOpen(t)) throw new DomainError('INVALID_TRANSITION', `${formatTicketKey(t.number)} is ${t.status}: only open tickets can be elevated.`);
    if (t.elevated) return { ticket: t, changed: false };
    const now = deps.clock.now();
    const factor = dir.org.elevate?.resolutionFactor ?? 1;
    const sla = tightenResolution(t.sla, dir.calendarFor(t.teamId, t.priority), now, factor);
    // The channel post and the lead's and manager's messages are owed in the same write and
    // carried out by the engine (ticket-announce.ts): a crash right after it loses neither.
    const saved = await deps.tickets.save(withReaction({ ...t, elevated: true, sla, updatedAt: now }, elevatedReaction(t, now, actor, reason ?? null)));
    if (!saved) continue;
    deps.nudge?.();
    const key = `elevated:${t.id}:${saved.version}`;
    await deps.timeline.append([event(deps, t.id, 'ticket.elevated', now, actor, { reason: reason ?? null, factor, resolutionDueAt: sla.resolutionDueAt, resolutionDueBefore: t.sla.resolutionDueAt }, key)]);
    return { ticket: saved, changed: true };
  }
}

/**
 * Functional escalation (seed 004): moves the ticket to a higher-tier team. The SLA clock
 * restarts on the new team's calendar and its plan applies from then on.
 */
export async function moveToTeam(deps: AppDeps, ref: string | number, actor: Actor, toTeamId?: string, reason?: string): Promise<Ticket> {
  const dir = deps.directory();
  authorize(deps, actor, 'move', await requireTicket(deps, ref));
  for (;;) {
    const t = await requireTicket(deps, ref);
    if (!isOpen(t)) throw new DomainError('INVALID_TRANSITION', `${formatTicketKey(t.number)} is ${t.status}: it cannot be moved.`);
    const target = toTeamId ?? dir.team(t.teamId)?.escalatesTo;
    const team = dir.team(target);
    if (!team) throw new DomainError('UNKNOWN_TEAM', target ? `There is no team "${target}".` : `Team ${t.teamId} has no next-tier team: name one.`, { field: 'teamId' });
    if (team.id === t.teamId) throw new DomainError('VALIDATION', `${formatTicketKey(t.number)} is already with ${team.name}.`, { field: 'teamId' });
    const now = deps.clock.now();
    const policy = dir.slaPolicy(t.priority)!;
    const sla = { ...startClock(policy, dir.calendarFor(team.id, t.priority), now), startedAt: t.sla.startedAt };
    // The new team's channel post and a plan that starts on open are owed in the same write
    // (carried out by the engine: ticket-announce.ts), so a crash loses neither.
    const moved = withReaction({ ...t, teamId: team.id, assigneeId: null, status: 'new' as const, sla, level: t.level + 1, escalated: true, updatedAt: now }, movedReaction(t, team.id, now, actor, reason ?? null));
    const saved = await deps.tickets.save(moved, { breachHandled: false });
    if (!saved) continue;
    deps.nudge?.();
    await endLive(deps, t.id, actor);
    await deps.timeline.append([event(deps, t.id, 'ticket.moved', now, actor, { kind: 'functional', from: t.teamId, to: team.id, level: saved.level, reason: reason ?? null, responseDueAt: sla.responseDueAt, resolutionDueAt: sla.resolutionDueAt })]);
    await informRequester(deps, saved, { kind: 'escalated', level: saved.level, team: team.name }, actor, `moved:${t.id}:${saved.version}`);
    return saved;
  }
}

/** Hierarchical escalation (seed 004): tells the next manager up the chain, by chat and email. */
export async function notifyManagementChain(deps: AppDeps, ref: string | number, actor: Actor, reason?: string): Promise<{ ticket: Ticket; managerId: string }> {
  const dir = deps.directory();
  const t = await requireTicket(deps, ref);
  authorize(deps, actor, 'notify_management', t);
  const base = t.assigneeId ?? dir.team(t.teamId)?.managerId;
  const chain = t.assigneeId ? dir.managerChain(t.assigneeId) : [dir.person(base), ...(base ? dir.managerChain(base) : [])].filter((p) => !!p);
  const level = Math.min(t.level, chain.length - 1);
  const manager = chain[level];
  if (!manager) throw new DomainError('NOT_FOUND', `Nobody above ${formatTicketKey(t.number)} in the management chain.`);
  const now = deps.clock.now();
  const saved = await markEscalated(deps, t.id, { level: t.level + 1 });
  const facts = ticketFacts(deps, saved);
  const notice = {
    kind: 'info' as const,
    title: `Escalated to you: ${formatTicketKey(t.number)} ${t.title}`.slice(0, 150),
    text: `${formatTicketKey(t.number)} (${t.priority}) was escalated up the management chain to ${manager.name}${reason ? `: ${reason}` : ''}.`,
    ticket: { id: t.id, key: formatTicketKey(t.number), number: t.number, title: t.title, priority: t.priority, impact: t.impact, status: t.status, team: facts.teamName, assignee: facts.assigneeName, openedAt: t.createdAt, elevated: t.elevated, escalated: true },
    escalation: null,
    facts: [{ label: 'Reason', value: reason ?? 'not given' }],
    actions: ['acknowledge' as const, 'resolve' as const],
    urgent: t.priority === 'P1',
  };
  const key = `hierarchical:${t.id}:${saved.level}`;
  await notifyPeople(deps, saved, [manager.id], ['chat', 'email'], notice, key);
  await informRequester(deps, saved, { kind: 'escalated', level: saved.level }, actor, key);
  await deps.timeline.append([event(deps, t.id, 'escalation.hierarchical', now, actor, { kind: 'hierarchical', to: manager.id, level: saved.level, reason: reason ?? null }, key)]);
  return { ticket: saved, managerId: manager.id };
}
