import { ActivityTypes, CardFactory } from 'botbuilder';
import type { ConversationReference } from 'botbuilder';
import type { ConversationRefRepository } from '../../app/ports/conversation-refs.js';
import type { TicketMessage, TicketMessageUpdater, UpdateResult } from '../../app/ports/ticket-messages.js';
import type { TicketView } from '../../app/views/ticket-view.js';
import type { HomePublisher, HomeWhere } from '../../app/ports/homes.js';
import type { Home } from '../../app/views/home-model.js';
import { homeCard } from './teams-home.js';
import type { Person } from '../../domain/directory.js';
import type { EscTeamsAdapter } from './teams-adapter.js';
import { TEAMS_PLATFORM } from './teams-bot.js';
import { cardBytes, MAX_CARD_BYTES, ticketCard } from './teams-cards.js';
import { classifyTeamsError, runCapturing } from './teams-chat-notifier.js';
import { teamsUserIds } from './teams-refresh.js';

/**
 * Edits Esc's Teams messages about a ticket in place: a proactive turn on the message's
 * conversation (Bot Connector PUT v3/conversations/{id}/activities/{activityId}). The card
 * shows what the view allows (a DM: the recipient's buttons) and carries a `refresh` listing
 * the audience, so Teams fetches each listed viewer's own card (verb `refresh`).
 */
export class TeamsMessageUpdater implements TicketMessageUpdater, HomePublisher {
  readonly platform = 'teams' as const;

  constructor(private readonly args: { adapter: EscTeamsAdapter; appId: string; refs: () => ConversationRefRepository | null; random?: () => number }) {}

  async update(message: TicketMessage, view: TicketView, audience: Person[]): Promise<UpdateResult> {
    const w = message.where;
    if (w.platform !== 'teams') return { ok: false, retryable: false, gone: true, code: 'TEAMS_NOT_A_TEAMS_MESSAGE', message: 'not a Teams message' };
    const refs = this.args.refs();
    const reference = w.reference ?? (refs ? (await refs.byConversation(TEAMS_PLATFORM, w.conversationId))?.reference : null) ?? null;
    if (!reference) return { ok: false, retryable: !refs, gone: !!refs, code: 'TEAMS_NO_CONVERSATION', message: `no conversation reference for ${w.conversationId}` };
    const card = ticketCard(view, undefined, await teamsUserIds(refs, audience));
    if (cardBytes(card) > MAX_CARD_BYTES) return { ok: false, retryable: false, gone: false, code: 'TEAMS_CARD_TOO_LARGE', message: 'the ticket card is over the Teams size limit' };
    try {
      await runCapturing(
        (logic) => this.args.adapter.continueConversationAsync(this.args.appId, reference as Partial<ConversationReference>, logic),
        async (context) => {
          await context.updateActivity({ id: w.activityId, type: ActivityTypes.Message, attachments: [CardFactory.adaptiveCard(card)] });
        },
      );
      return { ok: true };
    } catch (e) {
      const r = classifyTeamsError(e, message.failures, this.args.random);
      // 404: the message or the conversation is gone; 403: Esc was removed from it.
      const gone = /TEAMS_HTTP_(403|404)$/.test(r.code);
      return { ...r, gone };
    }
  }

  /** Issue 16: the home card Esc sent in the person's chat, edited in place when its content changed. */
  async publishHome(where: HomeWhere, home: Home): Promise<{ ok: true } | { ok: false; gone: boolean; message: string }> {
    if (where.platform !== 'teams') return { ok: false, gone: false, message: 'not a Teams home' };
    const refs = this.args.refs();
    const reference = refs ? (await refs.byConversation(TEAMS_PLATFORM, where.conversationId))?.reference : null;
    if (!reference) return { ok: false, gone: !!refs, message: `no conversation reference for ${where.conversationId}` };
    try {
      await runCapturing(
        (logic) => this.args.adapter.continueConversationAsync(this.args.appId, reference as Partial<ConversationReference>, logic),
        async (context) => {
          await context.updateActivity({ id: where.activityId, type: ActivityTypes.Message, attachments: [CardFactory.adaptiveCard(homeCard(home))] });
        },
      );
      return { ok: true };
    } catch (e) {
      const r = classifyTeamsError(e, 0, this.args.random);
      return { ok: false, gone: /TEAMS_HTTP_(403|404)$/.test(r.code), message: r.message };
    }
  }
}
