import { DomainError } from '../../domain/errors.js';
import type { Action } from '../authorize.js';
import { personMay, whoMay } from '../authorize.js';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../ports/timeline.js';

/** A person's name, or the id when the directory does not know it. */
export function personName(deps: Pick<AppDeps, 'directory'>, id: string | null | undefined): string {
  if (!id) return 'nobody';
  return deps.directory().person(id)?.name ?? id;
}

/** The person acting; refuses an actor who is nobody in the directory (an API token without a person). */
export function actingPerson(deps: Pick<AppDeps, 'directory'>, actor: Actor, doing: string): string {
  if (!actor.personId) throw new DomainError('FORBIDDEN', `To ${doing} Esc must know who you are: this ${actor.via === 'api' ? 'API token names no person (use token:role:personId)' : 'account is not linked to a person in the directory'}.`);
  if (!deps.directory().person(actor.personId)) throw new DomainError('FORBIDDEN', `"${actor.personId}" is not a person in the directory, so they cannot ${doing}.`);
  return actor.personId;
}

/**
 * Refuses a person the authorization table does not allow `action` (a role-only action:
 * coordinating requests, running a major escalation), saying who may and what they are.
 */
export function requireAllowed(deps: Pick<AppDeps, 'directory' | 'clock'>, personId: string, action: Action, doing: string): void {
  const dir = deps.directory();
  const p = dir.person(personId)!;
  if (personMay(dir, p, action, undefined, deps.clock.now())) return;
  const has = p.roles.length ? p.roles.join(', ').replace(/_/g, ' ') : 'no role';
  throw new DomainError('FORBIDDEN', `Only ${whoMay(action)} can ${doing}. ${p.name} is ${has}.`, { permission: action });
}
