/** Cover requests (with a Take button), shift notices and hand-off posts on Slack. */
import { webApi } from '@slack/bolt';
import type { Logger } from '../../app/deps.js';
import type { OnCallMessage, OnCallMessenger } from '../../app/ports/oncall.js';
import type { Person } from '../../domain/directory.js';
import type { SlackConfig } from '../../config/slack-env.js';
import { boltLogger, webClientOptions } from './web-client.js';

/** The action id of the Take button; its value is `{"c": <cover id>}`. */
export const TAKE_ACTION = 'esc_take';

export function oncallBlocks(m: Pick<OnCallMessage, 'text' | 'take'>): unknown[] {
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: m.text.slice(0, 3000) } }];
  if (m.take) blocks.push({ type: 'actions', block_id: 'esc_cover', elements: [{ type: 'button', action_id: TAKE_ACTION, style: 'primary', text: { type: 'plain_text', text: 'Take' }, value: JSON.stringify({ c: m.take.coverId }) }] });
  return blocks;
}

export class SlackOnCallMessenger implements OnCallMessenger {
  constructor(private readonly client: webApi.WebClient) {}

  async post(m: OnCallMessage, person: Person | undefined): Promise<{ sent: boolean }> {
    let channel: string | undefined;
    if ('channelId' in m.to) channel = m.to.channelId;
    else if (person?.slackId) channel = (await this.client.conversations.open({ users: person.slackId })).channel?.id;
    if (!channel) return { sent: false };
    await this.client.chat.postMessage({ channel, text: m.text, blocks: oncallBlocks(m) as never });
    return { sent: true };
  }
}

export function createSlackOnCallMessenger(log: Logger, config: SlackConfig): SlackOnCallMessenger {
  return new SlackOnCallMessenger(new webApi.WebClient(config.botToken.reveal(), webClientOptions(config.apiUrl, boltLogger(log), false)));
}
