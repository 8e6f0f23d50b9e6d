import type { Logger } from '../../app/deps.js';
import type { Delivery } from '../../app/ports/deliveries.js';
import type { Notifier, SendResult } from '../../app/ports/notifier.js';
import type { Channel } from '../../domain/plan.js';
import { maskAddress } from '../../engine/dispatcher.js';

/**
 * The notifier for channels nobody configured: the message stays in the outbox (status
 * `outboxed`, visible at GET /api/outbox) and is logged, clearly marked NOT SENT.
 */
export class OutboxNotifier implements Notifier {
  readonly name = 'outbox (not sent)';
  constructor(
    readonly channel: Channel,
    private readonly log: Logger,
  ) {}

  async send(d: Delivery): Promise<SendResult> {
    this.log.info(
      { outbox: true, ticket: d.notice.ticket.key, channel: d.channel, to: d.recipient.name ?? d.recipient.channelId, address: maskAddress(d.address), step: d.notice.escalation?.step ?? null },
      `NOT SENT (no ${d.channel} channel configured): ${d.notice.title}`,
    );
    return { ok: true, status: 'sent', providerId: `outbox:${d.id}` };
  }
}
