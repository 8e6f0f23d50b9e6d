import { Application } from '@microsoft/teams-ai';
import { ActivityTypes, CardFactory, TurnContext } from 'botbuilder';
import type { Activity } from 'botbuilder';
import type { AppDeps } from '../../app/deps.js';
import type { ConversationRefRepository } from '../../app/ports/conversation-refs.js';
import type { Person } from '../../domain/directory.js';
import type { EscTeamsAdapter } from './teams-adapter.js';
import type { AdaptiveCardJson } from './teams-cards.js';
import { cardBytes, MAX_CARD_BYTES } from './teams-cards.js';
import { runVerb } from './teams-actions.js';
import type { VerbOutcome } from './teams-actions.js';
import { runCommand } from './teams-commands.js';
import type { TeamsReply } from './teams-commands.js';
import { resolvePerson, unknownPersonText } from './teams-identity.js';
import { textWithMentions } from './teams-major-commands.js';

/** The two activities of one install arrive within seconds; a reinstall later greets again. */
export const GREETING_WINDOW_MS = 10 * 60_000;

export const TEAMS_PLATFORM = 'teams';
const ADAPTIVE_ACTION = 'adaptiveCard/action';
const CARD_TYPE = 'application/vnd.microsoft.card.adaptive';
const SORRY = 'Something went wrong on my side; nothing may have changed. Try again in a minute.';

/** The Teams bot: commands, card actions, and conversation references for proactive messages. */
export function createTeamsApplication(args: {
  deps: AppDeps;
  adapter: EscTeamsAdapter;
  appId: string;
  refs: () => ConversationRefRepository | null;
  /** True the first time a conversation is to be greeted (shared by every Esc process); default: this process's memory. */
  firstGreeting?: (conversationId: string) => Promise<boolean>;
}): Application {
  const { deps } = args;
  const app = new Application({ adapter: args.adapter, botAppId: args.appId, startTypingTimer: false, removeRecipientMention: true, longRunningMessages: false });

  const remember = async (context: TurnContext, person: Person | undefined) => {
    const refs = args.refs();
    const a = context.activity;
    if (!refs || !a.conversation?.id || !a.serviceUrl) return;
    const scope = a.conversation.conversationType ?? 'personal';
    const reference = TurnContext.getConversationReference(a) as Record<string, unknown> & { conversation: { id: string } };
    // A message in a channel thread carries ";messageid=…": store the channel itself, so a later post starts a new thread.
    const conversationId = a.conversation.id.split(';messageid=')[0]!;
    reference.conversation = { ...reference.conversation, id: conversationId };
    delete reference.activityId;
    const tenantId = a.conversation.tenantId ?? (a.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ?? null;
    try {
      await refs.save({ platform: TEAMS_PLATFORM, personId: scope === 'personal' ? (person?.id ?? null) : null, conversationId, scope, tenantId, serviceUrl: a.serviceUrl, reference, updatedAt: deps.clock.now() });
    } catch (e) {
      deps.log.warn({ err: (e as Error).message }, 'teams: could not store the conversation reference');
    }
  };

  const greeted = new Map<string, number>();
  const firstGreeting =
    args.firstGreeting ??
    (async (id: string) => {
      const now = Date.now();
      for (const [k, at] of greeted) if (now - at > GREETING_WINDOW_MS || greeted.size > 10_000) greeted.delete(k);
      if (greeted.has(id)) return false;
      greeted.set(id, now);
      return true;
    });

  // Installed, added to a chat or team: remember where we are.
  for (const type of [ActivityTypes.ConversationUpdate, ActivityTypes.InstallationUpdate]) {
    app.activity(type, async (context) => {
      await remember(context, await resolvePerson(deps, context));
      const added = context.activity.membersAdded?.some((m) => m.id === context.activity.recipient?.id);
      const conversationId = context.activity.conversation?.id;
      // An install sends both a conversationUpdate and an installationUpdate: greet once.
      if ((added || context.activity.action === 'add') && context.activity.conversation?.conversationType === 'personal' && conversationId && (await firstGreeting(conversationId))) {
        await context.sendActivity('Hi, I am Esc. I page people until someone acknowledges. Type `help` for what I can do.');
      }
    });
  }

  app.activity(ActivityTypes.Message, async (context) => {
    const person = await resolvePerson(deps, context);
    await remember(context, person);
    if (!person) {
      await context.sendActivity(unknownPersonText(context));
      return;
    }
    try {
      const value = context.activity.value as unknown;
      if (!context.activity.text && value !== null && typeof value === 'object') {
        // Action.Submit (the fallback of every Action.Execute): value.verb picks the handler.
        const data = value as Record<string, unknown>;
        const out = await runVerb(deps, person, typeof data.verb === 'string' ? data.verb : '', data);
        await updateOriginal(context, out);
        await send(context, { text: out.message, ...(out.card ? { card: out.card } : {}) });
        return;
      }
      // @mentions of people become @<directory id> (role, task, engage name people).
      // Inside a war room (channel or group chat) the ticket may be left out.
      const a = context.activity;
      const place = a.conversation?.conversationType && a.conversation.conversationType !== 'personal' ? { conversationId: a.conversation.id.split(';messageid=')[0]!, channelName: (a.channelData as { channel?: { name?: string } } | undefined)?.channel?.name ?? null } : undefined;
      await send(context, await runCommand(deps, person, await textWithMentions(deps, context), place));
    } catch (e) {
      deps.log.error({ err: (e as Error).stack ?? String(e), code: 'TEAMS_TURN_FAILED' }, 'teams: message failed');
      await context.sendActivity(SORRY);
    }
  });

  // Action.Execute (Universal Actions): answer with the card that replaces the one clicked.
  app.addRoute(
    async (context) => context.activity.type === ActivityTypes.Invoke && context.activity.name === ADAPTIVE_ACTION,
    async (context) => {
      const action = (context.activity.value as { action?: { verb?: unknown; data?: unknown } } | undefined)?.action;
      const person = await resolvePerson(deps, context);
      await remember(context, person);
      if (!person) return invokeReply(context, 200, { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: unknownPersonText(context) });
      if (!action || typeof action.verb !== 'string') return invokeReply(context, 200, { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: 'The card sent no action verb.' } });
      try {
        const out = await runVerb(deps, person, action.verb, action.data ?? {});
        if (!out.card) return invokeReply(context, 200, { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: out.message });
        await updateOriginal(context, out);
        return invokeReply(context, 200, { statusCode: 200, type: CARD_TYPE, value: fit(out.card) });
      } catch (e) {
        deps.log.error({ err: (e as Error).stack ?? String(e), code: 'TEAMS_ACTION_FAILED' }, 'teams: card action failed');
        return invokeReply(context, 200, { statusCode: 500, type: 'application/vnd.microsoft.error', value: { code: 'InternalError', message: SORRY } });
      }
    },
    true,
  );
  // Any other invoke (message extensions, sign-in…) is not a feature of this app.
  app.addRoute(
    async (context) => context.activity.type === ActivityTypes.Invoke,
    async (context) => invokeReply(context, 400, { error: 'UNSUPPORTED_INVOKE', message: `Esc does not handle "${String(context.activity.name).slice(0, 60)}".` }),
    true,
  );

  app.error(async (context, err) => {
    deps.log.error({ err: err.stack ?? err.message, code: 'TEAMS_TURN_FAILED' }, 'teams: turn failed');
    if (context.activity.type === ActivityTypes.Message) await context.sendActivity(SORRY).catch(() => undefined);
  });

  async function updateOriginal(context: TurnContext, out: VerbOutcome) {
    const id = context.activity.replyToId;
    if (!out.forEveryone || !out.card || !id) return;
    try {
      await context.updateActivity({ id, type: ActivityTypes.Message, attachments: [CardFactory.adaptiveCard(fit(out.card))] });
    } catch (e) {
      // The original may be gone or not ours; the person still gets the new card.
      deps.log.warn({ err: (e as Error).message }, 'teams: could not update the card in place');
    }
  }
  return app;
}

async function invokeReply(context: TurnContext, status: number, body: unknown): Promise<void> {
  await context.sendActivity({ type: 'invokeResponse', value: { status, body } } as Partial<Activity>);
}

/** Cards over the size limit become a short text card rather than a refused message. */
function fit(card: AdaptiveCardJson): AdaptiveCardJson {
  if (cardBytes(card) <= MAX_CARD_BYTES) return card;
  return { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', wrap: true, text: 'This card is too large for Teams. Type `history <ticket>` or use the API for the details.' }] };
}

async function send(context: TurnContext, reply: TeamsReply): Promise<void> {
  if (reply.card) {
    await context.sendActivity({ type: ActivityTypes.Message, text: reply.text, attachments: [CardFactory.adaptiveCard(fit(reply.card))] });
  } else {
    await context.sendActivity(reply.text ?? '');
  }
}
