import type { App } from '@slack/bolt';
import type { AppDeps } from '../../app/deps.js';
import type { MessageKind, TicketMessageRepository } from '../../app/ports/ticket-messages.js';
import { buildTicketView } from '../../app/views/ticket-view.js';
import type { Person } from '../../domain/directory.js';
import type { Ticket } from '../../domain/ticket.js';
import { ticketBlocks, ticketText } from './blocks.js';

/**
 * Records a Slack message about a ticket so the engine keeps it up to date (issue 12). Never
 * throws: the message went out either way; a failure to record is logged.
 */
export async function recordSlackMessage(
  messages: TicketMessageRepository | null | undefined,
  log: AppDeps['log'],
  m: { ticketId: string; channel: string | undefined; ts: string | undefined; kind: MessageKind; recipientId: string | null; at: Date },
): Promise<void> {
  if (!messages || !m.channel || !m.ts) return;
  try {
    await messages.record({ ticketId: m.ticketId, kind: m.kind, where: { platform: 'slack', channel: m.channel, ts: m.ts }, recipientId: m.recipientId, createdAt: m.at });
  } catch (e) {
    log.warn({ ticketId: m.ticketId, err: (e as Error).message }, 'slack: could not record the ticket message; it will not follow the ticket');
  }
}

/**
 * Posts a ticket in a channel (a new ticket from the form) and records the post; when Esc is
 * not in that channel, DMs it to the person instead (their own buttons only).
 */
export async function postTicketMessage(deps: AppDeps, client: App['client'], args: { ticket: Ticket; channel: string; person: Person; userId: string; text: string }): Promise<void> {
  const view = await buildTicketView(deps, args.ticket, null);
  const at = deps.clock.now();
  try {
    const r = await client.chat.postMessage({ channel: args.channel, text: args.text, blocks: ticketBlocks(view) as never });
    await recordSlackMessage(deps.ticketMessages, deps.log, { ticketId: args.ticket.id, channel: r.channel ?? args.channel, ts: r.ts, kind: 'channel_post', recipientId: null, at });
  } catch {
    // Not in that channel (or it is gone): tell the person directly instead.
    const mine = await buildTicketView(deps, args.ticket, args.person.id);
    const r = await client.chat.postMessage({ channel: args.userId, text: args.text || ticketText(mine), blocks: ticketBlocks(mine) as never });
    await recordSlackMessage(deps.ticketMessages, deps.log, { ticketId: args.ticket.id, channel: r.channel ?? args.userId, ts: r.ts, kind: 'dm', recipientId: args.person.id, at });
  }
}
