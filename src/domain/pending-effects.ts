/**
 * The messages, events and war-room posts of one action, stored with the action's own write
 * and sent right after it; the engine sends what a crash or a failure left behind (major
 * escalations and manager escalation requests both use it).
 */
import type { Notice } from './notice.js';
import type { Channel } from './plan.js';
import type { TimelineEvent } from './timeline.js';

/** The messages, events and war-room posts of one action, until they are sent. */
export interface PendingEffects {
  id: string;
  at: Date;
  /** Engine attempts so far. */
  attempts: number;
  notices: { key: string; personIds: string[]; channels: Channel[]; notice: Notice }[];
  events: TimelineEvent[];
  /** People to invite to the war room. */
  invites: string[];
  posts: string[];
}

/** A batch of pending effects is sent by the engine this long after its action (the action normally sends it at once), retried every PENDING_RETRY_MINUTES × attempt, at most PENDING_MAX_ATTEMPTS times. */
export const PENDING_GRACE_MINUTES = 1;
export const PENDING_RETRY_MINUTES = 5;
export const PENDING_MAX_ATTEMPTS = 12;

/** When the engine sends a batch a crash left behind (null: never again). */
export function pendingBatchDueAt(b: Pick<PendingEffects, 'at' | 'attempts'>): Date | null {
  if (b.attempts >= PENDING_MAX_ATTEMPTS) return null;
  return new Date(new Date(b.at).getTime() + PENDING_GRACE_MINUTES * 60_000 + b.attempts * PENDING_RETRY_MINUTES * 60_000);
}
