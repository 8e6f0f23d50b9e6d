import { stepLevel } from '../../domain/escalation-level.js';
import type { FiredTarget } from '../../domain/escalation-level.js';
import { isOpen } from '../../domain/ticket.js';
import type { AppDeps } from '../deps.js';
import type { TimelineEvent } from '../ports/timeline.js';
import { informRequester } from './requester-updates.js';

const ENGINE = { personId: null, via: 'engine' } as const;

/**
 * A plan step fired (`escalation.step_fired`): when it reaches a level above the front line the
 * ticket has not reached before with its team, the requester is told, once per level (issue 14):
 * "Your ticket ESC-1042 … has been escalated to management so it gets the right attention."
 * The per-priority `informRequester` switch and the requester's contact methods apply
 * (informRequester). Idempotent: the message is keyed by ticket, team and level. Returns
 * whether the step was above the front line.
 */
export async function tellRequesterOfStep(deps: AppDeps, e: TimelineEvent): Promise<boolean> {
  const targets = Array.isArray(e.data.targets) ? (e.data.targets as FiredTarget[]) : [];
  const dir = deps.directory();
  const { level, label } = stepLevel(dir, targets);
  if (level === 0) return false;
  const t = await deps.tickets.get(e.ticketId);
  if (!t?.requesterId || !isOpen(t)) return true;
  await informRequester(deps, t, { kind: 'escalated', level, to: label }, ENGINE, `plan-level:${t.id}:${t.teamId}:${level}`);
  return true;
}
