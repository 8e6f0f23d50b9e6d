/**
 * "Escalate" as people mean it, decided in one place for every path (button, command, API,
 * SMS, voice, email): coordinators and escalation managers escalate at once; managers,
 * supervisors and designated point persons make a request the coordinators handle (seed 000);
 * everyone else is told who can.
 */
import { actorMay, refusal } from '../authorize.js';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../ports/timeline.js';
import { requestEscalation } from './coordination.js';
import type { ReplyResult } from './escalations.js';
import { applyReply } from './escalations.js';
import { requireTicket } from './tickets.js';

export type EscalateMode = 'now' | 'request';

/** What the Escalate button opens for this person: the escalate-now form or the request form (throws FORBIDDEN otherwise). */
export async function escalateMode(deps: AppDeps, actor: Actor, ref: string | number): Promise<{ mode: EscalateMode; ticket: Awaited<ReturnType<typeof requireTicket>> }> {
  const ticket = await requireTicket(deps, ref);
  const dir = deps.directory();
  const now = deps.clock.now();
  if (actorMay(dir, actor, 'escalate_now', ticket, now)) return { mode: 'now', ticket };
  if (actorMay(dir, actor, 'request_escalation', ticket, now)) return { mode: 'request', ticket };
  throw refusal(dir, actor, 'escalate_now', ticket);
}

/**
 * Escalates a ticket as the actor may: at once (next step, or the last with urgency 'last'),
 * or as a manager escalation request (reason required).
 */
export async function escalateTicket(
  deps: AppDeps,
  args: { ticket: string | number; actor: Actor; reason?: string; urgency?: 'next' | 'last' | 'normal' | 'urgent'; toStep?: number },
): Promise<ReplyResult & { mode: EscalateMode }> {
  const { mode, ticket } = await escalateMode(deps, args.actor, args.ticket);
  const reason = args.reason?.trim() || undefined;
  if (mode === 'request') {
    const r = await requestEscalation(deps, { ticket: ticket.id, reason: reason ?? '', urgency: args.urgency === 'urgent' || args.urgency === 'last' ? 'urgent' : 'normal', actor: args.actor });
    return { ticket: r.ticket, escalation: null, changed: r.changed, message: r.message, mode };
  }
  let toStep = args.toStep;
  if (toStep === undefined && args.urgency === 'last') {
    const live = await deps.escalations.liveForTicket(ticket.id);
    if (live) toStep = live.plan.steps.length;
  }
  const r = await applyReply(deps, { ticket: ticket.id, reply: 'escalate', actor: args.actor, note: reason, ...(toStep !== undefined ? { toStep } : {}) });
  return { ...r, mode };
}
