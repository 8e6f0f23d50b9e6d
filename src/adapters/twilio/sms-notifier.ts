import type { Twilio } from 'twilio';
import type { Delivery } from '../../app/ports/deliveries.js';
import type { Notifier, SendResult } from '../../app/ports/notifier.js';
import type { Person } from '../../domain/directory.js';
import type { TwilioReplyStore } from './reply-store.js';
import type { SmsConsent } from './sms-consent.js';
import { smsText } from './sms-text.js';
import type { Pacer } from './pacer.js';
import { twilioFailure } from './twilio-client.js';

export interface TwilioSmsOptions {
  client: Twilio;
  /** The From number (also the pacing key); a Messaging Service, when set, sends instead. */
  from: string;
  /** TWILIO_MESSAGING_SERVICE_SID (MG…): Twilio picks the sender from the service's pool. */
  messagingServiceSid?: string;
  /** Opted-out numbers are not texted (the step falls back); error 21610 records an opt-out. */
  consent?: SmsConsent;
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
    const pacer = this.opts.pacer;
    const limited = (wait: number): SendResult => ({ ok: false, retryable: true, code: 'RATE_LIMITED', message: 'Twilio send rate for this number reached; waiting for a slot', retryAfterMs: wait });
    try {
      // A number that replied STOP: Twilio would refuse it (21610); the dispatcher falls back to the next method.
      if (await this.opts.consent?.isOptedOut(to)) return { ok: false, retryable: false, code: 'SMS_OPTED_OUT', message: `${d.recipient.name ?? to} opted out of Esc SMS (replied STOP)` };
      // Cheap refusal first: when the pace is booked beyond maxWait, touch neither the database nor Twilio.
      const back = pacer?.askBack() ?? 0;
      if (back > 0) return limited(back);
      // The reference is stored before the slot is taken, so the slot is followed by the HTTP call alone.
      const ref = await this.opts.store.refFor({ personId, deliveryId: d.id, ticketId: d.ticketId, ticketNumber: d.notice.ticket.number, at: this.opts.now() });
      const create = () =>
        this.opts.client.messages.create({
          to,
          ...(this.opts.messagingServiceSid ? { messagingServiceSid: this.opts.messagingServiceSid } : { from: this.opts.from }),
          body: smsText(d.notice, ref),
          statusCallback: `${this.opts.publicUrl.replace(/\/$/, '')}/twilio/status`,
        });
      if (!pacer) {
        const msg = await create();
        return { ok: true, status: 'sent', providerId: msg.sid };
      }
      const start = Date.now();
      for (let tries = 0; ; tries++) {
        try {
          // The retry after a 429 gets what is left of maxWait, so the send never outlives its claim.
          const r = await pacer.paced(create, pacer.maxWait - (Date.now() - start));
          if ('waitMs' in r) return limited(r.waitMs);
          return { ok: true, status: 'sent', providerId: r.value.sid };
        } catch (e) {
          // 429 = too fast for this number: push the pace back and try once more in a later slot.
          // A 429 with no time left for the retry counts as a failed attempt (dispatcher backoff).
          if ((e as { status?: number }).status !== 429 || tries >= 1 || Date.now() - start >= pacer.maxWait) throw e;
          pacer.backOff();
        }
      }
    } catch (e) {
      if ((e as { code?: unknown }).code === 21610 && this.opts.consent) {
        // "Attempt to send to unsubscribed recipient": the same opt-out as a STOP reply.
        await this.opts.consent.stopped(to, 'STOP (Twilio 21610)', this.opts.now(), { personId: d.recipient.personId, ticketId: d.ticketId }).catch(() => undefined);
      }
      return twilioFailure(e);
    }
  }
}
