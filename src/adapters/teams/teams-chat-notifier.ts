import { ActivityTypes, CardFactory, TurnContext } from 'botbuilder';
import type { ConversationParameters, ConversationReference, TurnContext as Context } from 'botbuilder';
import type { Clock, Logger } from '../../app/deps.js';
import type { ConversationRefRepository, StoredConversationRef } from '../../app/ports/conversation-refs.js';
import { ThreadRate } from './thread-rate.js';
import type { ConversationRate } from './thread-rate.js';
import type { Delivery } from '../../app/ports/deliveries.js';
import { followsTicket } from '../../domain/notice.js';
import type { Notifier, SendResult } from '../../app/ports/notifier.js';
import type { TicketMessageRepository } from '../../app/ports/ticket-messages.js';
import type { Person } from '../../domain/directory.js';
import type { EscTeamsAdapter } from './teams-adapter.js';
import { TEAMS_PLATFORM } from './teams-bot.js';
import { noticeCard } from './teams-major-cards.js';

/** Public-cloud Bot Framework audience for proactive calls. */
const BOT_FRAMEWORK_AUDIENCE = 'https://api.botframework.com';
const RETRYABLE = new Set([429, 412, 500, 502, 503, 504]);

interface ConnectorError {
  statusCode?: number;
  status?: number;
  code?: string;
  message?: string;
  response?: { status?: number; headers?: { get?(name: string): string | null | undefined } };
}

/** A send's result and the conversation it went to (for the message registry). */
export interface Posted {
  result: SendResult;
  reference: Record<string, unknown> | null;
}

/** Exponential backoff with full jitter: attempt 1 waits up to 2 s, then 4 s, 8 s… capped at 60 s. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const cap = Math.min(60_000, 1000 * 2 ** Math.max(1, attempts));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/** Maps a Bot Connector failure to a SendResult: throttling and gateway errors are retried, the rest are permanent. */
export function classifyTeamsError(err: unknown, attempts: number, random?: () => number): SendResult & { ok: false } {
  const e = (err ?? {}) as ConnectorError;
  const status = e.statusCode ?? e.status ?? e.response?.status;
  const message = (e.message ?? String(err)).slice(0, 300);
  if (status === undefined) return { ok: false, retryable: true, code: `TEAMS_NETWORK${e.code ? `_${e.code}` : ''}`, message, retryAfterMs: backoffMs(attempts, random) };
  if (RETRYABLE.has(status)) {
    const after = Number(e.response?.headers?.get?.('retry-after'));
    const wait = Number.isFinite(after) && after > 0 ? after * 1000 + backoffMs(0, random) : backoffMs(attempts, random);
    return { ok: false, retryable: true, rateLimited: status === 429, code: `TEAMS_HTTP_${status}`, message, retryAfterMs: wait };
  }
  const hint = status === 403 ? ' (the app is not installed for this person, or they blocked it)' : status === 404 ? ' (the conversation no longer exists)' : '';
  return { ok: false, retryable: false, code: `TEAMS_HTTP_${status}`, message: `${message}${hint}` };
}

/**
 * Proactive Teams DMs with the escalation-dm card. A person must have talked to Esc or
 * installed it once (a stored conversation reference), or have a Teams id and share a
 * tenant with someone who did (a new 1:1 chat is created). Otherwise: a permanent failure.
 */
export class TeamsChatNotifier implements Notifier {
  readonly channel = 'chat' as const;
  readonly name = 'Microsoft Teams chat';

  constructor(private readonly args: { adapter: EscTeamsAdapter; appId: string; tenantId: string | null; refs: () => ConversationRefRepository | null; log: Logger; clock: Clock; random?: () => number; messages?: () => TicketMessageRepository | null; rate?: ConversationRate }) {}

  async send(delivery: Delivery, recipient: Person | undefined): Promise<SendResult> {
    const refs = this.args.refs();
    if (!refs) return { ok: false, retryable: true, code: 'TEAMS_NOT_READY', message: 'The Teams adapter is not bound to the database yet.', retryAfterMs: 1000 };
    const card = noticeCard(delivery.notice);
    const activity = { type: ActivityTypes.Message, text: delivery.notice.title, summary: delivery.notice.title, attachments: [CardFactory.adaptiveCard(card)] };
    try {
      if (delivery.recipient.channelId) {
        const ref = await refs.byConversation(TEAMS_PLATFORM, delivery.recipient.channelId);
        if (!ref) return { ok: false, retryable: false, code: 'TEAMS_NO_CONVERSATION', message: `Esc has not been added to the Teams conversation ${delivery.recipient.channelId}.` };
        return await this.recorded(delivery, null, await this.post(ref.reference, activity));
      }
      if (!recipient) return { ok: false, retryable: false, code: 'TEAMS_NO_RECIPIENT', message: 'The delivery names no person and no conversation.' };
      const ref = await refs.personal(TEAMS_PLATFORM, recipient.id);
      if (ref) return await this.recorded(delivery, recipient.id, await this.post(ref.reference, activity));
      return await this.recorded(delivery, recipient.id, await this.openAndPost(refs, recipient, activity));
    } catch (e) {
      const r = classifyTeamsError(e, delivery.attempts, this.args.random);
      this.args.log.warn({ deliveryId: delivery.id, code: r.code, retryable: r.retryable }, 'teams: DM failed');
      return r;
    }
  }

  private readonly fallbackRate = new ThreadRate();

  /**
   * Records a sent escalation-step card (its conversation and activity id) so the engine edits
   * it when the ticket changes (issue 12). Other notices keep their own content. Never fails the send.
   */
  private async recorded(delivery: Delivery, recipientId: string | null, sent: Posted): Promise<SendResult> {
    const { result, reference } = sent;
    const messages = this.args.messages?.();
    const conversationId = String((reference?.conversation as { id?: string } | undefined)?.id ?? '');
    if (!result.ok || !result.providerId || !messages || !reference || !conversationId || !followsTicket(delivery.notice.kind)) return result;
    try {
      const where = { platform: 'teams' as const, conversationId, activityId: result.providerId, serviceUrl: typeof reference.serviceUrl === 'string' ? reference.serviceUrl : null, reference };
      await messages.record({ ticketId: delivery.ticketId, kind: recipientId ? 'dm' : 'channel_post', where, recipientId, createdAt: this.args.clock.now() });
    } catch (e) {
      this.args.log.warn({ deliveryId: delivery.id, err: (e as Error).message }, 'teams: could not record the ticket message; it will not follow the ticket');
    }
    return result;
  }

  /** Sends one activity to a stored conversation (per-conversation rate limit first). */
  async post(reference: Record<string, unknown>, activity: object): Promise<Posted> {
    const conversationId = String((reference.conversation as { id?: string } | undefined)?.id ?? '');
    const wait = conversationId ? await (this.args.rate ?? this.fallbackRate).take(conversationId) : 0;
    if (wait > 0) return { result: { ok: false, retryable: true, code: 'RATE_LIMITED', message: 'Teams allows about 7 messages per second per conversation', retryAfterMs: wait }, reference };
    let providerId: string | undefined;
    await runCapturing(
      (logic) => this.args.adapter.continueConversationAsync(this.args.appId, reference as Partial<ConversationReference>, logic),
      async (context) => {
        providerId = (await context.sendActivity(activity))?.id;
      },
    );
    return { result: { ok: true, status: 'sent', ...(providerId ? { providerId } : {}) }, reference };
  }

  /** Opens a 1:1 chat with a person who has a Teams id (stored for next time) and sends one activity. */
  async openAndPost(refs: ConversationRefRepository, person: Person, activity: object): Promise<Posted> {
    const seed: StoredConversationRef | null = person.teamsId ? await refs.anyInTenant(TEAMS_PLATFORM, this.args.tenantId) : null;
    if (!person.teamsId || !seed) {
      const why = person.teamsId ? 'nobody in the tenant has installed Esc yet' : `${person.name} has no Teams id in the directory and never talked to Esc`;
      return { result: { ok: false, retryable: false, code: 'TEAMS_NO_REFERENCE', message: `Cannot reach ${person.name} on Teams: ${why}.` }, reference: null };
    }
    const tenantId = seed.tenantId ?? this.args.tenantId ?? undefined;
    const bot = (seed.reference.bot as { id?: string } | undefined) ?? { id: `28:${this.args.appId}` };
    let providerId: string | undefined;
    let made: Record<string, unknown> | null = null;
    const params = { isGroup: false, bot: { id: bot.id ?? `28:${this.args.appId}`, name: 'Esc' }, members: [{ id: person.teamsId, name: person.name }], tenantId, channelData: { tenant: { id: tenantId } } } as ConversationParameters;
    const start = (logic: (context: Context) => Promise<void>) => this.args.adapter.createConversationAsync(this.args.appId, 'msteams', seed.serviceUrl, BOT_FRAMEWORK_AUDIENCE, params, logic);
    await runCapturing(start, async (context) => {
      if (!context.activity.conversation?.id) throw Object.assign(new Error('Teams did not create the 1:1 conversation.'), { statusCode: 502 });
      const reference = TurnContext.getConversationReference(context.activity) as Record<string, unknown>;
      made = reference;
      await refs.save({ platform: TEAMS_PLATFORM, personId: person.id, conversationId: String(context.activity.conversation.id), scope: 'personal', tenantId: tenantId ?? null, serviceUrl: seed.serviceUrl, reference, updatedAt: this.args.clock.now() });
      providerId = (await context.sendActivity(activity))?.id;
    });
    return { result: { ok: true, status: 'sent', ...(providerId ? { providerId } : {}) }, reference: made };
  }
}

/**
 * The adapter hands errors thrown in a turn to onTurnError (teams-ai's error handler logs and
 * swallows them), so a failed send would look like a success. Run `logic`, keep its error, and
 * throw it after the adapter returns.
 */
export async function runCapturing(start: (logic: (context: Context) => Promise<void>) => Promise<void>, logic: (context: Context) => Promise<void>): Promise<void> {
  let failure: { error: unknown } | null = null;
  await start(async (context) => {
    try {
      await logic(context);
    } catch (error) {
      failure = { error };
    }
  });
  if (failure) throw (failure as { error: unknown }).error;
}
