import type { App } from '@slack/bolt';
import { pool } from '../../lib/pool.js';
import type { AppDeps } from '../../app/deps.js';
import type { MessageKind, NewTicketMessage, TicketMessageRepository } from '../../app/ports/ticket-messages.js';
import { buildTicketView } from '../../app/views/ticket-view.js';
import type { Person } from '../../domain/directory.js';
import type { Ticket } from '../../domain/ticket.js';
import { ticketBlocks, ticketText } from './blocks.js';
import type { PostMessage } from './lean-post.js';
import type { WriteTurn } from '../../lib/write-turns.js';

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

export interface TicketPost {
  ticket: Ticket;
  channel: string;
  person: Person;
  userId: string;
  text: string;
  /**
   * Just created by this request and owing nothing on opening (no plan starts on open): no
   * escalation can exist yet, so the view is built without reading one.
   */
  fresh?: boolean;
}

/**
 * Posts a ticket in a channel (a new ticket from the form) and records the post; when Esc is
 * not in that channel, DMs it to the person instead (their own buttons only).
 */
export async function postTicketMessage(deps: AppDeps, client: App['client'], args: TicketPost): Promise<void> {
  const m = await postOne(deps, (a) => client.chat.postMessage(a as never), args);
  if (m) await recordQuietly(deps, [m]);
}

/**
 * postTicketMessage for several tickets (a group the intake opened): up to `concurrency`
 * posts at once, then every post recorded in one grouped write (in a background turn of the
 * intake's writes, `later`). Never throws: a post that fails is logged (the ticket exists
 * either way).
 */
export async function postTicketMessages(deps: AppDeps, post: PostMessage, posts: TicketPost[], opts: { concurrency?: number; later?: WriteTurn } = {}): Promise<void> {
  const recorded: NewTicketMessage[] = [];
  await pool(posts, opts.concurrency ?? 8, async (p) => {
    try {
      const m = await postOne(deps, post, p);
      if (m) recorded.push(m);
    } catch (err) {
      deps.log.warn({ ticketId: p.ticket.id, err: (err as Error).message, code: 'SLACK_ANSWER_FAILED' }, 'slack: could not post the new ticket');
    }
  });
  await recordQuietly(deps, recorded, opts.later);
}

/** Records posted messages (one grouped write); a failure is logged: the messages went out either way. */
async function recordQuietly(deps: AppDeps, ms: NewTicketMessage[], later?: WriteTurn): Promise<void> {
  const messages = deps.ticketMessages;
  if (!messages || ms.length === 0) return;
  try {
    await (later ? later(() => messages.recordMany(ms)) : messages.recordMany(ms));
  } catch (e) {
    deps.log.warn({ n: ms.length, ticketId: ms[0]!.ticketId, err: (e as Error).message }, 'slack: could not record the ticket message; it will not follow the ticket');
  }
}

/** Posts one ticket (channel, else DM) and says what to record; null when Slack gave no place. */
async function postOne(deps: AppDeps, post: PostMessage, args: TicketPost): Promise<NewTicketMessage | null> {
  const esc = args.fresh ? null : undefined;
  const view = await buildTicketView(deps, args.ticket, null, esc);
  const at = deps.clock.now();
  const where = (r: { channel?: string; ts?: string }, fallback: string) => (r.ts ? { platform: 'slack' as const, channel: r.channel ?? fallback, ts: r.ts } : null);
  try {
    const r = await post({ channel: args.channel, text: args.text, blocks: ticketBlocks(view) });
    const w = where(r, args.channel);
    return w ? { ticketId: args.ticket.id, kind: 'channel_post', where: w, recipientId: null, createdAt: at } : null;
  } catch {
    // Not in that channel (or it is gone): tell the person directly instead.
    const mine = await buildTicketView(deps, args.ticket, args.person.id, esc);
    const r = await post({ channel: args.userId, text: args.text || ticketText(mine), blocks: ticketBlocks(mine) });
    const w = where(r, args.userId);
    return w ? { ticketId: args.ticket.id, kind: 'dm', where: w, recipientId: args.person.id, createdAt: at } : null;
  }
}
