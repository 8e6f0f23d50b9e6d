/**
 * The one entry for every reply to a ticket or a page (button, command, SMS code, key press,
 * email link, API): acknowledge, escalate or resolve, authorized here for every path.
 */
import { authorize } from '../authorize.js';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../ports/timeline.js';
import { escalateTicket } from './escalate.js';
import type { Reply, ReplyResult } from './escalations.js';
import { applyReply } from './escalations.js';
import { requireTicket } from './tickets.js';

export type { Reply, ReplyResult };

export async function respondToNotification(deps: AppDeps, args: { ticket: string | number; reply: Reply; actor: Actor; toStep?: number; note?: string; urgency?: 'next' | 'last' | 'normal' | 'urgent' }): Promise<ReplyResult> {
  if (args.reply === 'escalate') return escalateTicket(deps, { ticket: args.ticket, actor: args.actor, ...(args.note !== undefined ? { reason: args.note } : {}), ...(args.toStep !== undefined ? { toStep: args.toStep } : {}), ...(args.urgency ? { urgency: args.urgency } : {}) });
  const t = await requireTicket(deps, args.ticket);
  authorize(deps, args.actor, args.reply, t);
  return applyReply(deps, { ...args, ticket: t.id });
}
