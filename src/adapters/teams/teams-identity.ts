import { TeamsInfo } from 'botbuilder';
import type { TurnContext } from 'botbuilder';
import type { AppDeps } from '../../app/deps.js';
import type { Person } from '../../domain/directory.js';

/**
 * Who is talking: the AAD object id Teams sends (Directory.byTeamsId), else the member's
 * email or UPN looked up from Teams (Directory.byEmail). Undefined when the directory has neither.
 */
export async function resolvePerson(deps: AppDeps, context: TurnContext): Promise<Person | undefined> {
  const dir = deps.directory();
  const from = context.activity.from;
  if (!from) return undefined;
  const byAad = from.aadObjectId ? dir.byTeamsId(from.aadObjectId) : undefined;
  if (byAad) return byAad;
  try {
    const m = await TeamsInfo.getMember(context, from.id);
    for (const mail of [m.email, m.userPrincipalName]) {
      const p = mail ? dir.byEmail(mail) : undefined;
      if (p) return p;
    }
  } catch (e) {
    deps.log.debug({ err: (e as Error).message, from: from.id }, 'teams: member lookup failed');
  }
  return undefined;
}

/** The reply to someone the directory does not know. */
export function unknownPersonText(context: TurnContext): string {
  const name = context.activity.from?.name ? `${context.activity.from.name}, I` : 'I';
  return `${name} can't find you in Esc's directory, so I can't act for you. Ask an Esc admin to add your Teams id (${context.activity.from?.aadObjectId ?? 'unknown'}) or your email to the organisation file.`;
}
