/** Cover requests (with a Take button), shift notices and hand-off posts on Slack. */
import type { webApi } from '@slack/bolt';
import { WebClient } from './bolt.js';
import type { Logger } from '../../app/deps.js';
import type { OnCallMessage, OnCallMessenger, PostedMessage } from '../../app/ports/oncall.js';
import type { Person } from '../../domain/directory.js';
import type { SlackConfig } from '../../config/slack-env.js';
import { boltLogger, webClientOptions } from './web-client.js';

/** Slack channel ids (C…, G…, D…): a Teams conversation id is another messenger's. */
const SLACK_CHANNEL = /^[CGD][A-Z0-9]+$/;

/** The action id of the Take button; its value is `{"c": <cover id>}`. */
export const TAKE_ACTION = 'esc_take';

export function oncallBlocks(m: Pick<OnCallMessage, 'text' | 'take'>): unknown[] {
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: m.text.slice(0, 3000) } }];
  if (m.take) blocks.push({ type: 'actions', block_id: 'esc_cover', elements: [{ type: 'button', action_id: TAKE_ACTION, style: 'primary', text: { type: 'plain_text', text: 'Take' }, value: JSON.stringify({ c: m.take.coverId }) }] });
  return blocks;
}

export class SlackOnCallMessenger implements OnCallMessenger {
  constructor(private readonly client: webApi.WebClient) {}

  async post(m: OnCallMessage, person: Person | undefined): Promise<{ sent: boolean; posted?: PostedMessage }> {
    let channel: string | undefined;
    if ('channelId' in m.to) channel = SLACK_CHANNEL.test(m.to.channelId) ? m.to.channelId : undefined;
    else if (person?.slackId) channel = (await this.client.conversations.open({ users: person.slackId })).channel?.id;
    if (!channel) return { sent: false };
    const r = await this.client.chat.postMessage({ channel, text: m.text, blocks: oncallBlocks(m) as never });
    return { sent: true, ...(r.ts ? { posted: { platform: 'slack', conversationId: r.channel ?? channel, messageId: r.ts } } : {}) };
  }

  async update(posted: PostedMessage, m: Pick<OnCallMessage, 'text' | 'take'>): Promise<boolean> {
    if (posted.platform !== 'slack') return false;
    await this.client.chat.update({ channel: posted.conversationId, ts: posted.messageId, text: m.text, blocks: oncallBlocks(m) as never });
    return true;
  }
}

export function createSlackOnCallMessenger(log: Logger, config: SlackConfig): SlackOnCallMessenger {
  return new SlackOnCallMessenger(new WebClient(config.botToken.reveal(), webClientOptions(config.apiUrl, boltLogger(log), false)));
}
