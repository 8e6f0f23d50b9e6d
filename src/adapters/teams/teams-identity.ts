import { TeamsInfo } from 'botbuilder';
import type { TurnContext } from 'botbuilder';
import type { AppDeps } from '../../app/deps.js';
import type { Person } from '../../domain/directory.js';
import { learnChatUser } from '../../app/use-cases/oncall/people.js';

/**
 * Who is talking: the AAD object id Teams sends (Directory.byTeamsId), else the member's
 * email or UPN looked up from Teams, matched to a person by email, whose Teams id is then
 * stored (issue 15); nobody matching becomes a requester (`directory.autoRequesters`).
 * Undefined when Esc cannot tell (no lookup, a person linked to another Teams account, requesters off).
 */
export async function resolvePerson(deps: AppDeps, context: TurnContext): Promise<Person | undefined> {
  const dir = deps.directory();
  const from = context.activity.from;
  if (!from) return undefined;
  const byAad = from.aadObjectId ? dir.byTeamsId(from.aadObjectId) : undefined;
  if (byAad) return byAad;
  try {
    const m = await TeamsInfo.getMember(context, from.id);
    const mails = [m.email, m.userPrincipalName].filter((x): x is string => !!x && x.includes('@'));
    const mail = mails.find((x) => dir.byEmail(x)) ?? mails[0];
    if (!mail) return undefined;
    // Without an AAD object id there is nothing to store: the email match holds for this turn only.
    if (!from.aadObjectId) return dir.byEmail(mail);
    return (await learnChatUser(deps, { platform: 'teams', chatId: from.aadObjectId, email: mail, name: m.name ?? from.name ?? null })) ?? undefined;
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
