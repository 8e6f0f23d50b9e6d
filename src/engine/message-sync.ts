import type { AppDeps } from '../app/deps.js';
import type { StaleMark, TicketMessage, TicketMessageRepository, TicketMessageUpdater, UpdateResult } from '../app/ports/ticket-messages.js';
import { latestEscalation, ticketViewOf } from '../app/views/ticket-view.js';
import type { Directory, Person } from '../domain/directory.js';
import type { Ticket } from '../domain/ticket.js';
import { pool } from '../lib/pool.js';

/** Stale tickets handled per pass, and edits in flight. */
const BATCH = 100;
const CONCURRENCY = 4;
/** A message whose edits keep failing (retryable) is given up after this many in a row. */
const MAX_FAILURES = 10;
/** When no process here can edit a platform's messages, look again after this long. */
const NO_UPDATER_WAIT_MS = 60_000;

/** Retry wait after `failures` failures in a row: 2 s, 4 s, 8 s… capped at 5 minutes; the platform's Retry-After wins when longer. */
export function syncBackoffMs(failures: number, retryAfterMs?: number): number {
  return Math.max(retryAfterMs ?? 0, Math.min(300_000, 1000 * 2 ** Math.max(1, failures)));
}

/**
 * Who may see a ticket's shared messages and act on it: the people Teams should give their own
 * card to (at most 60 are refreshed automatically). The assignee and the team first.
 */
export function ticketAudience(dir: Directory, t: Ticket, now: Date): Person[] {
  const team = dir.team(t.teamId);
  const ids = [t.assigneeId, dir.onCall(t.teamId, now)?.id ?? null, team?.leadId ?? null, team?.managerId ?? null, ...(team?.members ?? []), t.requesterId];
  const coordinators = dir.org.people.filter((p) => p.roles.includes('coordinator') || p.roles.includes('escalation_manager')).map((p) => p.id);
  const out = new Map<string, Person>();
  for (const id of [...ids, ...coordinators]) {
    const p = id ? dir.person(id) : undefined;
    if (p && !out.has(p.id)) out.set(p.id, p);
  }
  return [...out.values()];
}

/**
 * The engine's `messages` module (issue 12): a ticket's messages follow it. The timeline marks
 * a ticket stale when an event that changes its view is appended (whatever the path: chat,
 * SMS, a call, an email link, the API, the engine); each pass re-renders every recorded
 * message of the stale tickets (a DM with the recipient's own buttons, a shared post with the
 * actions the state allows) and edits it in place. Idempotent (an edit writes the current
 * state); a failure is retried with backoff and never stops the pass; the mark is cleared
 * only if no change came meanwhile.
 */
export async function syncTicketMessages(deps: AppDeps): Promise<number> {
  const repo = deps.ticketMessages;
  if (!repo) return 0;
  const now = deps.clock.now();
  let marks: StaleMark[];
  try {
    marks = await repo.stale(now, BATCH);
  } catch (e) {
    deps.log.warn({ err: (e as Error).message, code: 'MESSAGE_SYNC_FAILED' }, 'messages: could not read stale tickets');
    return 0;
  }
  if (marks.length === 0) return 0;
  const updaters = new Map((deps.messageUpdaters ?? []).map((u) => [u.platform, u] as const));
  await pool(marks, CONCURRENCY, async (mark) => {
    try {
      await syncTicket(deps, repo, updaters, mark, now);
    } catch (e) {
      deps.log.warn({ ticketId: mark.ticketId, err: (e as Error).message, code: 'MESSAGE_SYNC_FAILED' }, 'messages: could not update a ticket\'s messages; will retry');
      await repo.retryStaleAt(mark.ticketId, new Date(now.getTime() + syncBackoffMs(1))).catch(() => undefined);
    }
  });
  return marks.length;
}

async function syncTicket(deps: AppDeps, repo: TicketMessageRepository, updaters: Map<string, TicketMessageUpdater>, mark: StaleMark, now: Date): Promise<void> {
  const [ticket, messages] = await Promise.all([deps.tickets.get(mark.ticketId), repo.forTicket(mark.ticketId)]);
  if (!ticket || messages.length === 0) {
    await repo.clearStale(mark);
    return;
  }
  const dir = deps.directory();
  const esc = await latestEscalation(deps, ticket.id);
  const audience = ticketAudience(dir, ticket, now);
  let waitMs = 0;
  for (const m of messages) {
    const updater = updaters.get(m.where.platform);
    if (!updater) {
      waitMs = Math.max(waitMs, NO_UPDATER_WAIT_MS);
      continue;
    }
    const view = ticketViewOf(dir, ticket, esc, m.recipientId, now);
    const who = m.recipientId ? [dir.person(m.recipientId)].filter((p): p is Person => !!p) : audience;
    const r = await safeUpdate(updater, m, view, who);
    if (r.ok) {
      if (m.failures > 0) await repo.noteResult(m.id, { ok: true }, now);
      continue;
    }
    const giveUp = !r.retryable || m.failures + 1 >= MAX_FAILURES;
    await repo.noteResult(m.id, { ok: false, gone: giveUp }, now);
    deps.log.warn({ ticketId: ticket.id, messageId: m.id, platform: m.where.platform, code: r.code, retryable: r.retryable, failures: m.failures + 1 }, giveUp ? 'messages: a ticket message cannot be updated; leaving it as it is' : 'messages: update failed; will retry');
    if (!giveUp) waitMs = Math.max(waitMs, syncBackoffMs(m.failures + 1, r.retryAfterMs));
  }
  if (waitMs > 0) await repo.retryStaleAt(ticket.id, new Date(now.getTime() + waitMs));
  else await repo.clearStale(mark);
}

/** An updater that throws (a bug, not a platform error) counts as a retryable failure. */
async function safeUpdate(u: TicketMessageUpdater, m: TicketMessage, view: ReturnType<typeof ticketViewOf>, audience: Person[]): Promise<UpdateResult> {
  try {
    return await u.update(m, view, audience);
  } catch (e) {
    return { ok: false, retryable: true, gone: false, code: 'UPDATER_THREW', message: (e as Error).message };
  }
}
