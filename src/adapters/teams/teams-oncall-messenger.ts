/** Cover requests (with a Take card), shift notices and hand-off posts on Teams, sent proactively (issue 15). */
import { ActivityTypes, CardFactory } from 'botbuilder';
import type { ConversationReference } from 'botbuilder';
import type { ConversationRefRepository } from '../../app/ports/conversation-refs.js';
import type { OnCallMessage, OnCallMessenger, PostedMessage } from '../../app/ports/oncall.js';
import type { Person } from '../../domain/directory.js';
import type { EscTeamsAdapter } from './teams-adapter.js';
import { TEAMS_PLATFORM } from './teams-bot.js';
import type { TeamsChatNotifier } from './teams-chat-notifier.js';
import { runCapturing } from './teams-chat-notifier.js';
import { oncallCard } from './teams-render.js';

/** Teams conversation ids (channels 19:…, chats a:… / 8:…); a Slack channel id is another messenger's. */
const TEAMS_CONVERSATION = /^(19:|a:|8:)/;

const activityOf = (m: Pick<OnCallMessage, 'text' | 'take'>) => ({ type: ActivityTypes.Message, text: m.text, summary: m.text.slice(0, 120), attachments: [CardFactory.adaptiveCard(oncallCard(m))] });

/**
 * Posts where Esc was installed: a team channel's stored conversation reference, a person's
 * 1:1 chat (opened when they have a Teams id and someone in the tenant installed Esc). Where
 * Esc cannot reach, `sent: false` (the message stays in `oncall_messages`).
 */
export class TeamsOnCallMessenger implements OnCallMessenger {
  constructor(private readonly args: { notifier: TeamsChatNotifier; adapter: EscTeamsAdapter; appId: string; refs: () => ConversationRefRepository | null }) {}

  async post(m: OnCallMessage, person: Person | undefined): Promise<{ sent: boolean; posted?: PostedMessage }> {
    const refs = this.args.refs();
    if (!refs) return { sent: false };
    const activity = activityOf(m);
    let out: Awaited<ReturnType<TeamsChatNotifier['post']>>;
    if ('channelId' in m.to) {
      if (!TEAMS_CONVERSATION.test(m.to.channelId)) return { sent: false };
      const ref = await refs.byConversation(TEAMS_PLATFORM, m.to.channelId);
      if (!ref) return { sent: false };
      out = await this.args.notifier.post(ref.reference, activity);
    } else {
      if (!person) return { sent: false };
      const ref = await refs.personal(TEAMS_PLATFORM, person.id);
      out = ref ? await this.args.notifier.post(ref.reference, activity) : await this.args.notifier.openAndPost(refs, person, activity);
    }
    if (!out.result.ok) return { sent: false };
    const conversationId = String((out.reference?.conversation as { id?: string } | undefined)?.id ?? '');
    const messageId = out.result.providerId;
    return { sent: true, ...(conversationId && messageId ? { posted: { platform: TEAMS_PLATFORM, conversationId, messageId } } : {}) };
  }

  async update(posted: PostedMessage, m: Pick<OnCallMessage, 'text' | 'take'>): Promise<boolean> {
    const refs = this.args.refs();
    if (posted.platform !== TEAMS_PLATFORM || !refs) return false;
    const ref = await refs.byConversation(TEAMS_PLATFORM, posted.conversationId);
    if (!ref) return false;
    await runCapturing(
      (logic) => this.args.adapter.continueConversationAsync(this.args.appId, ref.reference as Partial<ConversationReference>, logic),
      async (context) => {
        await context.updateActivity({ id: posted.messageId, ...activityOf(m) });
      },
    );
    return true;
  }
}
