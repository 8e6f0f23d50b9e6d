import { DomainError } from '../../domain/errors.js';
import type { Role } from '../../domain/directory.js';
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

/** Refuses a person without one of the roles, saying who may and what they are. */
export function requireRole(deps: Pick<AppDeps, 'directory'>, personId: string, roles: readonly Role[], who: string, doing: string): void {
  const dir = deps.directory();
  if (dir.hasRole(personId, ...roles)) return;
  const p = dir.person(personId)!;
  const has = p.roles.length ? p.roles.join(', ').replace(/_/g, ' ') : 'no role';
  throw new DomainError('FORBIDDEN', `Only ${who} can ${doing}. ${p.name} is ${has}.`, { permission: doing, roles: [...roles] });
}
