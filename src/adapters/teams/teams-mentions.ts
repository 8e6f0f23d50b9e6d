/**
 * Teams mentions, normalised before parsing: each @mention of a person becomes
 * `@<directory id>` (found by AAD id, else the member's email from Teams, else a unique
 * display name); a mention Esc cannot place becomes `@<name>`, which the command reports.
 */
import { TeamsInfo } from 'botbuilder';
import type { TurnContext } from 'botbuilder';
import type { AppDeps } from '../../app/deps.js';
import type { Person } from '../../domain/directory.js';

const isMention = (e: unknown): e is { type: 'mention'; text?: string; mentioned?: { id?: string; name?: string; aadObjectId?: string } } => (e as { type?: unknown } | null)?.type === 'mention';
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'someone';

/** Who a Teams @mention is: its AAD id, else the member's AAD id or email from Teams, else a unique display-name match. */
async function mentionedPerson(deps: AppDeps, context: TurnContext, m: { id?: string; name?: string; aadObjectId?: string }): Promise<Person | undefined> {
  const dir = deps.directory();
  if (m.aadObjectId) {
    const p = dir.byTeamsId(m.aadObjectId);
    if (p) return p;
  }
  if (m.id) {
    try {
      const member = await TeamsInfo.getMember(context, m.id);
      const p = (member.aadObjectId ? dir.byTeamsId(member.aadObjectId) : undefined) ?? [member.email, member.userPrincipalName].map((x) => (x ? dir.byEmail(x) : undefined)).find(Boolean);
      if (p) return p;
    } catch (e) {
      deps.log.debug({ err: (e as Error).message }, 'teams: mentioned member lookup failed');
    }
  }
  const byName = dir.allPeople().filter((p) => m.name && p.name.toLowerCase() === m.name.toLowerCase());
  return byName.length === 1 ? byName[0] : undefined;
}

/**
 * The message text with every @mention of a person replaced by `@<directory id>` (a mention
 * Esc cannot place becomes `@<name>`, which the command then reports as unknown). Esc's own
 * mention is left for the usual clean-up.
 */
export async function textWithMentions(deps: AppDeps, context: TurnContext): Promise<string> {
  const a = context.activity;
  let text = a.text ?? '';
  for (const e of (a.entities ?? []).filter(isMention).slice(0, 20)) {
    if (!e.text || !e.mentioned || e.mentioned.id === a.recipient?.id) continue;
    const p = await mentionedPerson(deps, context, e.mentioned);
    text = text.split(e.text).join(` @${p ? p.id : slug(e.mentioned.name ?? '')} `);
  }
  return text;
}

/** Removes Esc's own <at>…</at> mention and Teams' HTML leftovers from a message's text. */
export function cleanText(text: string): string {
  return text
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
