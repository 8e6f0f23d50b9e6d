import { Application } from '@microsoft/teams-ai';
import { ActivityTypes, CardFactory, TurnContext } from 'botbuilder';
import type { Activity } from 'botbuilder';
import type { AppDeps } from '../../app/deps.js';
import type { ConversationRefRepository } from '../../app/ports/conversation-refs.js';
import type { Person } from '../../domain/directory.js';
import type { EscTeamsAdapter } from './teams-adapter.js';
import type { Answer, ChatContext } from '../../app/chatops/answer.js';
import { runAction, runText } from '../../app/chatops/catalog.js';
import type { AdaptiveCardJson } from './teams-cards.js';
import { cardBytes, MAX_CARD_BYTES, REFRESH_VERB, ticketFormCard } from './teams-cards.js';
import { recordTicketCard } from './teams-card-record.js';
import { refreshCardFor } from './teams-refresh.js';
import { resolvePerson, unknownPersonText } from './teams-identity.js';
import { cleanText, textWithMentions } from './teams-mentions.js';
import { teamsReply } from './teams-render.js';
import { addNote } from '../../app/use-cases/ticket-work.js';
import type { TeamsReply } from './teams-render.js';

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

  /** Who is asking, where, in which zone: once per turn. */
  const contextFor = (context: TurnContext, person: Person): ChatContext => {
    const a = context.activity;
    const inRoom = a.conversation?.conversationType && a.conversation.conversationType !== 'personal';
    return { person, actor: { personId: person.id, via: 'teams', name: person.name }, platform: 'teams', zone: person.timeZone || deps.directory().org.timeZone, conversationId: inRoom ? a.conversation.id.split(';messageid=')[0]! : null };
  };

  app.activity(ActivityTypes.Message, async (context) => {
    const person = await resolvePerson(deps, context);
    await remember(context, person);
    if (!person) {
      await context.sendActivity(unknownPersonText(context));
      return;
    }
    // A reply in the channel thread of a ticket card, not addressed to Esc, is a note (issue 16).
    if (await threadNote(deps, context, person)) return;
    // With ChannelMessage.Read.Group (RSC, for thread notes) every channel message arrives: only those that @mention Esc are commands.
    if (!addressedToEsc(context)) return;
    const ctx = contextFor(context, person);
    const value = context.activity.value as unknown;
    if (!context.activity.text && value !== null && typeof value === 'object') {
      // Action.Submit (the fallback of every Action.Execute): value.verb picks the action.
      const data = value as Record<string, unknown>;
      const answer = await runAction(deps, ctx, typeof data.verb === 'string' ? data.verb : '', data);
      const reply = await teamsReply(deps, answer);
      await updateOriginal(context, answer, reply);
      await recordTicketCard(deps, context, reply.card, await send(context, reply), person);
      return;
    }
    // @mentions of people become @<directory id> before the core parses the text.
    const answer = await runText(deps, ctx, cleanText(await textWithMentions(deps, context)));
    const reply = await teamsReply(deps, answer);
    const sent = await send(context, reply);
    await recordTicketCard(deps, context, reply.card, sent, person);
    await rememberHome(deps, context, answer, sent, person);
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
      // Teams asks for one viewer's own ticket card (the card's refresh.userIds; issue 12).
      if (action.verb === REFRESH_VERB) return invokeReply(context, 200, await refreshReply(deps, person, action.data));
      const answer = await runAction(deps, contextFor(context, person), action.verb, action.data ?? {});
      const reply = await teamsReply(deps, answer);
      if (!reply.card) return invokeReply(context, 200, { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: reply.text });
      await updateOriginal(context, answer, reply);
      await rememberHome(deps, context, answer, context.activity.replyToId, person); // Refresh: the card clicked is the home now
      return invokeReply(context, 200, { statusCode: 200, type: CARD_TYPE, value: fit(reply.card) });
    },
    true,
  );
  // The message extension action "Open an Esc ticket" (issue 16): the form prefilled from the message, then the ticket.
  app.addRoute(
    async (context) => context.activity.type === ActivityTypes.Invoke && (context.activity.name === 'composeExtension/fetchTask' || context.activity.name === 'composeExtension/submitAction'),
    async (context) => {
      const person = await resolvePerson(deps, context);
      await remember(context, person);
      if (!person) return invokeReply(context, 200, { task: { type: 'message', value: unknownPersonText(context) } });
      const value = (context.activity.value ?? {}) as { messagePayload?: { body?: { content?: string }; linkToMessage?: string }; data?: Record<string, unknown> };
      if (context.activity.name === 'composeExtension/fetchTask') {
        const form = messageForm(cleanText(value.messagePayload?.body?.content ?? ''), value.messagePayload?.linkToMessage ?? null);
        return invokeReply(context, 200, { task: { type: 'continue', value: { title: 'Open an Esc ticket', width: 'medium', height: 'medium', card: CardFactory.adaptiveCard(prefilledTicketForm(deps, form)) } } });
      }
      const answer = await runAction(deps, contextFor(context, person), 'ticket.create', { ...(value.data ?? {}), verb: undefined });
      const reply = await teamsReply(deps, answer);
      if (!answer.ok || !reply.card) return invokeReply(context, 200, { task: { type: 'message', value: reply.text } });
      return invokeReply(context, 200, { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: [CardFactory.adaptiveCard(fit(reply.card))] } });
    },
    true,
  );
  // Any other invoke (search extensions, sign-in…) is not a feature of this app.
  app.addRoute(
    async (context) => context.activity.type === ActivityTypes.Invoke,
    async (context) => invokeReply(context, 400, { error: 'UNSUPPORTED_INVOKE', message: `Esc does not handle "${String(context.activity.name).slice(0, 60)}".` }),
    true,
  );

  app.error(async (context, err) => {
    deps.log.error({ err: err.stack ?? err.message, code: 'TEAMS_TURN_FAILED' }, 'teams: turn failed');
    if (context.activity.type === ActivityTypes.Message) await context.sendActivity(SORRY).catch(() => undefined);
  });

  async function updateOriginal(context: TurnContext, answer: Answer, reply: TeamsReply) {
    const id = context.activity.replyToId;
    if (!answer.ok || !answer.replacesOriginal || !reply.card || !id) return;
    try {
      await context.updateActivity({ id, type: ActivityTypes.Message, attachments: [CardFactory.adaptiveCard(fit(reply.card))] });
    } catch (e) {
      // The original may be gone or not ours; the person still gets the new card.
      deps.log.warn({ err: (e as Error).message }, 'teams: could not update the card in place');
    }
  }
  return app;
}

/**
 * Adds a channel-thread reply to the ticket whose card started the thread, with its author,
 * once (keyed by the activity id). True when the activity was such a reply (handled: no answer).
 */
/** A channel message is for Esc when it @mentions the bot (a card's Action.Submit always is). */
function addressedToEsc(context: TurnContext): boolean {
  const a = context.activity;
  if (a.conversation?.conversationType !== 'channel' || (!a.text && a.value)) return true;
  const mentions = (a.entities ?? []).filter((e) => e.type === 'mention') as { mentioned?: { id?: string } }[];
  // Teams always sends the mention entity; text alone with <at> (no entities) is kept for simple clients.
  return mentions.some((m) => m.mentioned?.id === a.recipient?.id) || (mentions.length === 0 && /<at>/i.test(a.text ?? ''));
}

async function threadNote(deps: AppDeps, context: TurnContext, person: Person): Promise<boolean> {
  const a = context.activity;
  const conv = a.conversation?.id ?? '';
  if (a.conversation?.conversationType !== 'channel' || !conv.includes(';messageid=') || !deps.ticketMessages) return false;
  if (a.from?.role === 'bot' || !a.text?.trim()) return false;
  const mentioned = (a.entities ?? []).some((e) => e.type === 'mention' && (e as { mentioned?: { id?: string } }).mentioned?.id === a.recipient?.id);
  if (mentioned) return false;
  const ticketId = await deps.ticketMessages.ticketAt({ platform: 'teams', conversationId: conv });
  if (!ticketId) return false;
  try {
    await addNote(deps, ticketId, cleanText(a.text), { personId: person.id, via: 'teams', name: person.name }, { key: `teams-reply:${a.id ?? conv}`, data: { from: 'teams-thread' } });
  } catch (err) {
    deps.log.info({ ticketId, err: (err as Error).message }, 'teams: a thread reply was not added as a note');
  }
  return true;
}

/** What a message becomes in the ticket form: its first line as the title, its text and link as the description. */
export function messageForm(text: string, link: string | null): { title: string; description: string } {
  const plain = text.trim();
  const first = plain.split('\n').find((l) => l.trim())?.trim() ?? '';
  const title = first.length > 0 ? (first.length > 120 ? `${first.slice(0, 119)}…` : first) : 'Ticket from a Teams message';
  return { title, description: [plain, link ? `From Teams: ${link}` : ''].filter(Boolean).join('\n\n').slice(0, 3000) };
}

/** The ticket form card with title and description filled in. */
function prefilledTicketForm(deps: AppDeps, form: { title: string; description: string }): AdaptiveCardJson {
  const card = ticketFormCard(deps);
  const body = (card.body as Record<string, unknown>[]).map((b) => (b.id === 'title' ? { ...b, value: form.title } : b.id === 'description' ? { ...b, value: form.description } : b));
  // In a task module the form submits with Action.Submit (its data arrives in submitAction).
  return { ...card, body, actions: [{ type: 'Action.Submit', title: 'Open ticket', style: 'positive', data: {} }] };
}

async function invokeReply(context: TurnContext, status: number, body: unknown): Promise<void> {
  await context.sendActivity({ type: 'invokeResponse', value: { status, body } } as Partial<Activity>);
}

/** Cards over the size limit become a short text card rather than a refused message. */
function fit(card: AdaptiveCardJson): AdaptiveCardJson {
  if (cardBytes(card) <= MAX_CARD_BYTES) return card;
  return { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', wrap: true, text: 'This card is too large for Teams. Type `history <ticket>` or use the API for the details.' }] };
}

/** A home card in the person's own chat is remembered, so the engine edits it when its content changes (issue 16). */
async function rememberHome(deps: AppDeps, context: TurnContext, answer: Answer, activityId: string | undefined, person: Person): Promise<void> {
  const conv = context.activity.conversation;
  if (answer.view?.kind !== 'home' || !activityId || conv?.conversationType !== 'personal' || !deps.homes) return;
  try {
    await deps.homes.opened(person.id, { platform: 'teams', conversationId: conv.id, activityId }, deps.clock.now());
  } catch (e) {
    deps.log.warn({ err: (e as Error).message, code: 'HOME_MARK_FAILED' }, 'teams: could not remember the home card');
  }
}

/** Sends the reply; returns the id of the activity sent (for the message registry). */
async function send(context: TurnContext, reply: TeamsReply): Promise<string | undefined> {
  if (reply.card) {
    return (await context.sendActivity({ type: ActivityTypes.Message, text: reply.text, attachments: [CardFactory.adaptiveCard(fit(reply.card))] }))?.id;
  }
  return (await context.sendActivity(reply.text ?? ''))?.id;
}

/** The invoke answer to a refresh: the viewer's card, or a sentence when the card's data is not a ticket. */
async function refreshReply(deps: AppDeps, person: Person, data: unknown): Promise<Record<string, unknown>> {
  const card = await refreshCardFor(deps, person, data);
  return card ? { statusCode: 200, type: CARD_TYPE, value: fit(card) } : { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'That card is out of date; type `status <ticket>` instead.' };
}
