import type { webApi } from '@slack/bolt';
import { WebClient } from './bolt.js';
import type { Logger } from '../../app/deps.js';
import type { TicketMessage, TicketMessageUpdater, UpdateResult } from '../../app/ports/ticket-messages.js';
import type { TicketView } from '../../app/views/ticket-view.js';
import type { HomePublisher, HomeWhere } from '../../app/ports/homes.js';
import type { Home } from '../../app/views/home-model.js';
import { homeView } from './home-blocks.js';
import type { SlackConfig } from '../../config/slack-env.js';
import { ticketBlocks, ticketText } from './blocks.js';
import { boltLogger, sendFailure, webClientOptions } from './web-client.js';

/** Slack errors that mean the message is not there to edit any more. */
const GONE = new Set(['SLACK_MESSAGE_NOT_FOUND', 'SLACK_CHANNEL_NOT_FOUND', 'SLACK_IS_ARCHIVED', 'SLACK_CANT_UPDATE_MESSAGE', 'SLACK_EDIT_WINDOW_CLOSED']);

/**
 * Edits Esc's Slack messages about a ticket in place (chat.update) from its view. Rate limits
 * come back as retryable with Slack's Retry-After; the engine's messages module waits them out.
 */
export class SlackMessageUpdater implements TicketMessageUpdater, HomePublisher {
  readonly platform = 'slack' as const;
  constructor(private readonly client: webApi.WebClient) {}

  async update(message: TicketMessage, view: TicketView): Promise<UpdateResult> {
    const w = message.where;
    if (w.platform !== 'slack') return { ok: false, retryable: false, gone: true, code: 'SLACK_NOT_A_SLACK_MESSAGE', message: 'not a Slack message' };
    try {
      await this.client.chat.update({ channel: w.channel, ts: w.ts, text: ticketText(view), blocks: ticketBlocks(view) as never });
      return { ok: true };
    } catch (err) {
      const f = sendFailure(err);
      const gone = GONE.has(f.code);
      return { ...f, retryable: f.retryable && !gone, gone };
    }
  }

  /** Issue 16: the App Home published again when its content changed (views.publish). */
  async publishHome(where: HomeWhere, home: Home): Promise<{ ok: true } | { ok: false; gone: boolean; message: string }> {
    if (where.platform !== 'slack') return { ok: false, gone: false, message: 'not a Slack home' };
    try {
      await this.client.views.publish({ user_id: where.userId, view: homeView(home) as never });
      return { ok: true };
    } catch (err) {
      const f = sendFailure(err);
      return { ok: false, gone: f.code === 'SLACK_USER_NOT_FOUND' || f.code === 'SLACK_ACCOUNT_INACTIVE', message: f.message };
    }
  }
}

/** The Slack updater for the composition root, through the configured Web API base URL. */
export function createSlackMessageUpdater(log: Logger, config: SlackConfig): SlackMessageUpdater {
  return new SlackMessageUpdater(new WebClient(config.botToken.reveal(), webClientOptions(config.apiUrl, boltLogger(log), true)));
}
