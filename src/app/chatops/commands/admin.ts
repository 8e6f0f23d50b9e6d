/** `/esc admin reload` and `/esc admin diff`: organisation changes without a restart (admins). */
import { diffLines } from '../../../domain/org-diff.js';
import { orgDiff, reloadOrganisation } from '../../use-cases/oncall/org-admin.js';
import { say } from '../answer.js';
import { command, Usage } from '../spec.js';

export const adminCommand = command({
  name: 'admin',
  group: 'Administration',
  usage: 'admin reload | admin diff',
  summary: 'reload the organisation file without a restart, or show what a reload would change (admins)',
  example: 'admin diff',
  parse: (words) => {
    const w = words[0]?.toLowerCase();
    return (w === 'reload' || w === 'diff') && words.length === 1 ? { what: w } : new Usage('Use `admin reload` or `admin diff`.');
  },
  run: async (deps, ctx, a) => {
    if (a.what === 'diff') {
      const lines = diffLines(orgDiff(deps, ctx.actor, () => deps.readOrgFile()));
      return say('A reload would change:', { kind: 'lines', lines: ['A reload would change:', ...lines] });
    }
    const r = await reloadOrganisation(deps, ctx.actor, () => deps.readOrgFile());
    return say(`Organisation reloaded (${r.hash.slice(0, 12)})${r.changed ? '' : ': nothing changed'}.`, { kind: 'lines', lines: [`Organisation reloaded (${r.hash.slice(0, 12)}).`, ...diffLines(r.diff)] });
  },
});
