import type { webApi } from '@slack/bolt';
import type { Notifier, SendResult } from '../../app/ports/notifier.js';
import type { Delivery } from '../../app/ports/deliveries.js';
import type { Person } from '../../domain/directory.js';
import { clip, esc, noticeBlocks } from './blocks.js';
import { sendFailure } from './web-client.js';
import type { Logger } from '../../app/deps.js';
import type { TicketMessageRepository } from '../../app/ports/ticket-messages.js';
import { recordSlackMessage } from './ticket-posts.js';

const SILENT: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

/** Where the first DM of an escalation to a person went, so later steps reply in its thread. */
export interface ThreadStore {
  get(key: string): Promise<{ channel: string; ts: string } | null>;
  /** Keeps the first thread for a key; a later put for the same key is ignored. */
  put(key: string, value: { channel: string; ts: string }): Promise<void>;
}

/** In memory: after a restart, the next step starts a new thread (acceptable; nothing is lost). */
export class MemoryThreadStore implements ThreadStore {
  private readonly m = new Map<string, { channel: string; ts: string }>();
  async get(key: string) {
    return this.m.get(key) ?? null;
  }
  async put(key: string, value: { channel: string; ts: string }) {
    if (!this.m.has(key)) this.m.set(key, value);
    if (this.m.size > 50_000) this.m.delete(this.m.keys().next().value!);
  }
}

/**
 * The chat channel on Slack: a DM to a person (their slackId, else looked up by email) or a
 * post to a channel target. Never throws: failures become a SendResult.
 */
export class SlackChatNotifier implements Notifier {
  readonly channel = 'chat' as const;
  readonly name = 'Slack chat';
  private readonly emailToUser = new Map<string, string | null>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly threads: ThreadStore = new MemoryThreadStore(),
    /** Where posted escalation messages are recorded so they follow the ticket (issue 12); null: not yet / not kept. */
    private readonly messages: () => TicketMessageRepository | null = () => null,
    private readonly log?: Logger,
  ) {}

  /** Escalation steps carry the ticket's buttons: record them (other notices keep their own content). */
  private async record(delivery: Delivery, channel: string | undefined, ts: string | undefined, recipientId: string | null): Promise<void> {
    if (delivery.notice.kind !== 'escalation_step') return;
    await recordSlackMessage(this.messages(), this.log ?? SILENT, { ticketId: delivery.ticketId, channel, ts, kind: recipientId ? 'dm' : 'channel_post', recipientId, at: new Date() });
  }

  async send(delivery: Delivery, recipient: Person | undefined): Promise<SendResult> {
    try {
      const blocks = noticeBlocks(delivery.notice);
      // The fallback text is mrkdwn too: user text (a title like `<!channel> lunch`) is escaped.
      const text = clip(esc(`${delivery.notice.title}: ${delivery.notice.text}`), 3000);
      if (delivery.recipient.channelId) {
        const r = await this.client.chat.postMessage({ channel: delivery.recipient.channelId, text, blocks: blocks as never });
        await this.record(delivery, r.channel ?? delivery.recipient.channelId, r.ts, null);
        return { ok: true, status: 'sent', providerId: `${r.channel ?? delivery.recipient.channelId}:${r.ts ?? ''}` };
      }
      if (!recipient) return { ok: false, retryable: false, code: 'SLACK_NO_RECIPIENT', message: 'the delivery names neither a person nor a channel' };
      const userId = await this.userIdOf(recipient);
      if (!userId) return { ok: false, retryable: false, code: 'SLACK_USER_UNKNOWN', message: `${recipient.name} has no slackId and no Slack account with ${recipient.email}` };
      const threadKey = delivery.escalationId ? `${delivery.escalationId}:${recipient.id}` : null;
      const thread = threadKey ? await this.threads.get(threadKey) : null;
      const channel = thread?.channel ?? (await this.openDm(userId));
      const r = thread
        ? await this.client.chat.postMessage({ channel, text, blocks: blocks as never, thread_ts: thread.ts, reply_broadcast: delivery.urgent })
        : await this.client.chat.postMessage({ channel, text, blocks: blocks as never });
      if (threadKey && !thread && r.ts) await this.threads.put(threadKey, { channel, ts: r.ts });
      await this.record(delivery, r.channel ?? channel, r.ts, recipient.id);
      return { ok: true, status: 'sent', providerId: `${channel}:${r.ts ?? ''}` };
    } catch (err) {
      return sendFailure(err);
    }
  }

  private async openDm(userId: string): Promise<string> {
    const r = await this.client.conversations.open({ users: userId });
    if (!r.channel?.id) throw Object.assign(new Error('conversations.open returned no channel'), { code: 'slack_webapi_platform_error', data: { error: 'channel_not_found' } });
    return r.channel.id;
  }

  private async userIdOf(p: Person): Promise<string | null> {
    if (p.slackId) return p.slackId;
    const email = p.email.toLowerCase();
    if (this.emailToUser.has(email)) return this.emailToUser.get(email)!;
    try {
      const r = await this.client.users.lookupByEmail({ email });
      const id = r.user?.id ?? null;
      this.emailToUser.set(email, id);
      return id;
    } catch (err) {
      const f = sendFailure(err);
      if (f.code === 'SLACK_USERS_NOT_FOUND' || f.code === 'SLACK_USER_NOT_FOUND') {
        this.emailToUser.set(email, null);
        return null;
      }
      throw err;
    }
  }
}
