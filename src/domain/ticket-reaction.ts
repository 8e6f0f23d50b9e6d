/**
 * What a ticket change owes the rest of Esc (issue 12): resolving a ticket closes its manager
 * escalation request and may start a major escalation's warranty; reopening one may reopen the
 * major escalation. The change stores its reaction on the ticket in the same compare-and-set
 * write, and the engine carries it out (keyed effects, retried with backoff until it succeeds),
 * so a crash between the two writes is repaired and no failure is lost. Pure: callers pass `now`.
 */
import type { Actor } from './timeline.js';

export type TicketChange = 'resolve' | 'reopen';
/**
 * What a reaction carries out: a change above, or an announcement (issue 14): a ticket that
 * opened or moved to a team is posted in the team's channel and, when its plan starts on open,
 * pages at once. Stored with the ticket write, so a crash right after it loses neither.
 */
export type ReactionKind = TicketChange | 'open' | 'move' | 'elevate';

export interface TicketReaction {
  /** Unique per change (the key of the change's timeline event). */
  key: string;
  change: ReactionKind;
  /** For an announcement: the team it was for (a later move makes it moot) and the reason given. */
  teamId?: string;
  reason?: string | null;
  /** When the change happened, and who made it (the reaction acts on their behalf). */
  at: Date;
  actor: Actor;
  /** Failed attempts so far. */
  attempts: number;
  /** When the engine (next) carries it out. */
  dueAt: Date;
}

/** The ticket actions that owe a reaction. */
export function isReactedChange(type: string): type is TicketChange {
  return type === 'resolve' || type === 'reopen';
}

/** A failed reaction is retried after this many minutes × attempts, at most REACTION_MAX_BACKOFF_MINUTES apart; it is never dropped. */
export const REACTION_RETRY_MINUTES = 1;
export const REACTION_MAX_BACKOFF_MINUTES = 30;
/** From this many failed attempts on, each failure is logged as an error (a person should look). */
export const REACTION_ALERT_ATTEMPTS = 5;

/** What a record owing reactions carries (a ticket; kept generic so this module does not import ticket.ts). */
export interface OwesReactions {
  reactions?: TicketReaction[];
  reactAt?: Date | null;
}

function withReactions<T extends OwesReactions>(t: T, reactions: TicketReaction[]): T {
  const times = reactions.map((r) => new Date(r.dueAt).getTime());
  return { ...t, reactions, reactAt: times.length ? new Date(Math.min(...times)) : null };
}

/** The ticket with a reaction owed for `change` (due at once). */
export function withReaction<T extends OwesReactions>(t: T, r: { key: string; change: ReactionKind; at: Date; actor: Actor; teamId?: string; reason?: string | null }): T {
  return withReactions(t, [...(t.reactions ?? []), { ...r, attempts: 0, dueAt: r.at }]);
}

/** The reactions due at `now`, oldest change first (they are carried out in order). */
export function dueReactions(t: OwesReactions, now: Date): TicketReaction[] {
  return (t.reactions ?? []).filter((r) => new Date(r.dueAt).getTime() <= now.getTime()).sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime());
}

/** The reaction `key` carried out. */
export function reactionDone<T extends OwesReactions>(t: T, key: string): T {
  return withReactions(t, (t.reactions ?? []).filter((r) => r.key !== key));
}

/** The reaction `key` failed at `now`: retried later, with backoff. */
export function reactionFailed<T extends OwesReactions>(t: T, key: string, now: Date): T {
  return withReactions(
    t,
    (t.reactions ?? []).map((r) => {
      if (r.key !== key) return r;
      const attempts = r.attempts + 1;
      const wait = Math.min(attempts * REACTION_RETRY_MINUTES, REACTION_MAX_BACKOFF_MINUTES) * 60_000;
      return { ...r, attempts, dueAt: new Date(now.getTime() + wait) };
    }),
  );
}

/** The reaction a new ticket owes, stored in its first write (issue 14). */
export function openedReaction(t: { id: string; teamId: string; createdAt: Date }, actor: Actor) {
  return { key: `opened:${t.id}`, change: 'open' as const, at: t.createdAt, actor, teamId: t.teamId };
}

/** The reaction an elevation owes (the team's channel, its lead and manager told), keyed by the version it writes (issue 14). */
export function elevatedReaction(t: { id: string; version: number; teamId: string }, at: Date, actor: Actor, reason: string | null) {
  return { key: `elevated:${t.id}:${t.version + 1}`, change: 'elevate' as const, at, actor, teamId: t.teamId, reason };
}

/** The reaction a move to team `toTeamId` owes, keyed by the version the move writes (issue 14). */
export function movedReaction(t: { id: string; version: number }, toTeamId: string, at: Date, actor: Actor, reason: string | null) {
  return { key: `moved:${t.id}:${t.version + 1}`, change: 'move' as const, at, actor, teamId: toTeamId, reason };
}
