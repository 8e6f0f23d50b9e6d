/** What every major-escalation use case shares: loading, permission checks, compare-and-set saves, pending batches. */
import { localTime } from '../../../domain/time-text.js';
import type { Person } from '../../../domain/directory.js';
import { DomainError } from '../../../domain/errors.js';
import type { MajorEscalation } from '../../../domain/major.js';
import { nextWake } from '../../../domain/major-due.js';
import { DEFAULT_MAJOR } from '../../../domain/org-config.js';
import type { MajorConfig } from '../../../domain/org-config.js';
import type { PendingEffects } from '../../../domain/pending-effects.js';
import { formatTicketKey } from '../../../domain/ticket-number.js';
import type { Ticket } from '../../../domain/ticket.js';
import type { AppDeps } from '../../deps.js';
import type { Actor } from '../../ports/timeline.js';
import { requireAllowed } from '../actors.js';
import { requireTicket } from '../ticket-access.js';

export interface MajorResult {
  ticket: Ticket;
  major: MajorEscalation;
  changed: boolean;
  /** One sentence for the person who acted. */
  message: string;
}

export const ENGINE: Actor = { personId: null, via: 'engine' };
export const MIN = 60_000;

export function majorConfig(deps: Pick<AppDeps, 'directory'>): MajorConfig {
  return deps.directory().org.major ?? DEFAULT_MAJOR;
}

export const when = (deps: AppDeps, d: Date | string) => localTime(new Date(d), deps.directory().org.timeZone);
export const keyOf = (t: Ticket) => formatTicketKey(t.number);

/** The major escalation of a ticket: its own, or the one it was linked to as a recurrence. */
export async function majorOf(deps: AppDeps, t: Ticket): Promise<MajorEscalation | null> {
  return (await deps.majors.forTicket(t.id)) ?? (await deps.majors.byRelatedTicket(t.id));
}

export async function requireMajor(deps: AppDeps, ref: string | number): Promise<{ t: Ticket; m: MajorEscalation }> {
  const t = await requireTicket(deps, ref);
  const m = await majorOf(deps, t);
  if (!m) throw new DomainError('NOT_FOUND', `${keyOf(t)} has no major escalation: an escalation manager declares one first.`);
  return { t, m };
}

/** Saves with compare-and-set, with the engine's next wake-up time recomputed. */
export async function saveMajor(deps: AppDeps, m: MajorEscalation): Promise<MajorEscalation | null> {
  return deps.majors.save({ ...m, nextWakeAt: nextWake(m, majorConfig(deps)) });
}

export function requireEscalationManager(deps: AppDeps, pid: string, doing: string): void {
  requireAllowed(deps, pid, 'manage_major', doing);
}

/** The escalation team (any role) and escalation managers. */
export function requireTeam(deps: AppDeps, m: MajorEscalation, pid: string, doing: string, alsoOk = false): void {
  if (alsoOk || m.members.some((x) => x.personId === pid) || deps.directory().hasRole(pid, 'escalation_manager')) return;
  const p = deps.directory().person(pid)!;
  throw new DomainError('FORBIDDEN', `Only the escalation team of ${m.ticketKey} and escalation managers can ${doing}. ${p.name} is not on the team; an escalation manager can assign them a role.`, { permission: doing });
}

export function requireNotClosed(m: MajorEscalation): void {
  if (m.status === 'closed') throw new DomainError('INVALID_TRANSITION', `The major escalation of ${m.ticketKey} is closed${m.closedAt ? ` (since ${new Date(m.closedAt).toISOString().slice(0, 16)} UTC)` : ''}: nothing more can change on it.`);
}

/**
 * Reads, changes and saves a major escalation with compare-and-set, retrying when another
 * writer got there first. `change` returns null for "nothing to do".
 */
export async function mutate<X>(deps: AppDeps, ref: string | number, change: (m: MajorEscalation, t: Ticket, now: Date) => { next: MajorEscalation; extra: X } | null): Promise<{ t: Ticket; m: MajorEscalation; saved: MajorEscalation | null; extra: X | null; now: Date }> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const { t, m } = await requireMajor(deps, ref);
    const now = deps.clock.now();
    const r = change(m, t, now);
    if (!r) return { t, m, saved: null, extra: null, now };
    const saved = await saveMajor(deps, r.next);
    if (saved) return { t, m, saved, extra: r.extra, now };
  }
  throw new DomainError('CONFLICT', 'The major escalation is changing too fast; try again.');
}

/** A batch of effects for `pending`, to store in the action's own write. */
export function effects(deps: AppDeps, now: Date, e: Partial<Pick<PendingEffects, 'notices' | 'events' | 'invites' | 'posts'>>): PendingEffects {
  return { id: deps.newId(), at: now, attempts: 0, notices: e.notices ?? [], events: e.events ?? [], invites: e.invites ?? [], posts: e.posts ?? [] };
}

export function people(deps: AppDeps, ids: (string | null | undefined)[]): Person[] {
  const dir = deps.directory();
  return [...new Set(ids.filter((x): x is string => !!x))].map((id) => dir.person(id)).filter((p): p is Person => !!p);
}
