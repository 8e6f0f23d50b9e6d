import type { Twilio } from 'twilio';
import type { Delivery } from '../../app/ports/deliveries.js';
import type { Notifier, SendResult } from '../../app/ports/notifier.js';
import type { Person } from '../../domain/directory.js';
import type { TwilioReplyStore } from './reply-store.js';
import { smsText } from './sms-text.js';
import type { Pacer } from './pacer.js';
import { twilioFailure } from './twilio-client.js';

export interface TwilioSmsOptions {
  client: Twilio;
  from: string;
  /** ESC_PUBLIC_URL: status callbacks go to {publicUrl}/twilio/status. */
  publicUrl: string;
  store: TwilioReplyStore;
  now: () => Date;
  /** Spaces sends for Twilio's per-number rate; none = no pacing. */
  pacer?: Pacer;
}

/** Sends escalation notices as SMS with per-recipient reply codes (`1a`, `1e`, `1c`). */
export class TwilioSmsNotifier implements Notifier {
  readonly channel = 'sms' as const;
  readonly name = 'Twilio SMS';
  constructor(private readonly opts: TwilioSmsOptions) {}

  async send(d: Delivery, recipient: Person | undefined): Promise<SendResult> {
    const to = d.address;
    if (!to) return { ok: false, retryable: false, code: 'NO_PHONE', message: `${d.recipient.name ?? 'recipient'} has no phone number for SMS` };
    const personId = d.recipient.personId ?? recipient?.id ?? `phone:${to}`;
    try {
      const wait = (await this.opts.pacer?.slot()) ?? 0;
      if (wait > 0) return { ok: false, retryable: true, code: 'RATE_LIMITED', message: 'Twilio send rate reached in this process', retryAfterMs: wait };
      const ref = await this.opts.store.refFor({ personId, deliveryId: d.id, ticketId: d.ticketId, ticketNumber: d.notice.ticket.number, at: this.opts.now() });
      const msg = await this.opts.client.messages.create({
        to,
        from: this.opts.from,
        body: smsText(d.notice, ref),
        statusCallback: `${this.opts.publicUrl.replace(/\/$/, '')}/twilio/status`,
      });
      return { ok: true, status: 'sent', providerId: msg.sid };
    } catch (e) {
      return twilioFailure(e);
    }
  }
}
