/** Organisation reloads without a restart, and the diff shown before one (admins). */
import type { Org } from '../../../domain/directory.js';
import { DomainError } from '../../../domain/errors.js';
import { diffOrgs } from '../../../domain/org-diff.js';
import type { OrgDiff } from '../../../domain/org-diff.js';
import type { Actor } from '../../../domain/timeline.js';
import { authorize } from '../../authorize.js';
import type { AppDeps } from '../../deps.js';

/** Reads the candidate organisation (the file, or a snapshot): a problem list by dotted path when invalid. */
export type OrgSource = () => Org;

/** A file that cannot be used: every problem (dotted paths), the running organisation untouched. */
function refused(deps: AppDeps, actor: Actor, err: unknown): DomainError {
  const problems = (err as { problems?: string[] }).problems ?? [(err as Error).message];
  const now = deps.clock.now();
  void deps.oncall.record({ id: `org.refused:${now.getTime()}:${deps.newId()}`, subject: 'org', type: 'org.reload_refused', at: now, actor, data: { problems } }).catch(() => undefined);
  return new DomainError('VALIDATION', `The organisation file has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing changed, the running organisation stays:\n${problems.map((p) => `- ${p}`).join('\n')}`, { problems });
}

function read(deps: AppDeps, actor: Actor, source: OrgSource): Org {
  try {
    return source();
  } catch (err) {
    if ((err as { name?: string }).name === 'OrgFileError') throw refused(deps, actor, err);
    throw err;
  }
}

/** What a reload would change. */
export function orgDiff(deps: AppDeps, actor: Actor, source: OrgSource): OrgDiff {
  authorize(deps, actor, 'administer');
  return diffOrgs(deps.directory().org, read(deps, actor, source));
}

/** Reloads: validated first (an invalid file changes nothing), then stored and swapped in; running escalations keep their plan snapshots. */
export async function reloadOrganisation(deps: AppDeps, actor: Actor, source: OrgSource): Promise<{ diff: OrgDiff; hash: string; changed: boolean }> {
  authorize(deps, actor, 'administer');
  const next = read(deps, actor, source);
  const diff = diffOrgs(deps.directory().org, next);
  const r = await deps.reloadOrg(next, actor);
  return { diff, ...r };
}
