import { TurnContext } from 'botbuilder';
import type { AppDeps } from '../../app/deps.js';
import type { Person } from '../../domain/directory.js';
import type { AdaptiveCardJson } from './teams-cards.js';
import { ticketIdOfCard } from './teams-cards.js';

/**
 * Records a ticket card Esc sent in reply to a command or a card action (issue 12), so the
 * engine edits it when the ticket changes. In a personal chat it is the person's own (their
 * buttons); elsewhere it is shared. Never throws: the reply went out either way.
 */
export async function recordTicketCard(deps: AppDeps, context: TurnContext, card: AdaptiveCardJson | undefined | null, activityId: string | undefined, person: Person): Promise<void> {
  const ticketId = card ? ticketIdOfCard(card) : null;
  const a = context.activity;
  if (!ticketId || !activityId || !deps.ticketMessages || !a.conversation?.id) return;
  try {
    const reference = TurnContext.getConversationReference(a) as Record<string, unknown>;
    delete reference.activityId;
    const personal = (a.conversation.conversationType ?? 'personal') === 'personal';
    await deps.ticketMessages.record({
      ticketId,
      kind: 'card',
      where: { platform: 'teams', conversationId: a.conversation.id, activityId, serviceUrl: a.serviceUrl ?? null, reference },
      recipientId: personal ? person.id : null,
      createdAt: deps.clock.now(),
    });
  } catch (e) {
    deps.log.warn({ ticketId, err: (e as Error).message }, 'teams: could not record the ticket card; it will not follow the ticket');
  }
}
