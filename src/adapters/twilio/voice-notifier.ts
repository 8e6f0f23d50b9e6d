import type { Twilio } from 'twilio';
import type { Delivery } from '../../app/ports/deliveries.js';
import type { Notifier, SendResult } from '../../app/ports/notifier.js';
import type { Pacer } from './pacer.js';
import { twilioFailure } from './twilio-client.js';
import { callTwiml } from './voice-twiml.js';

export interface TwilioVoiceOptions {
  client: Twilio;
  from: string;
  publicUrl: string;
  now: () => Date;
  /** Spaces sends for Twilio's per-number rate; none = no pacing. */
  pacer?: Pacer;
}

/** The URL key presses post to; it names the delivery, and Twilio signs the whole URL. */
export function voiceActionUrl(publicUrl: string, deliveryId: string): string {
  return `${publicUrl.replace(/\/$/, '')}/twilio/voice?delivery=${encodeURIComponent(deliveryId)}`;
}

/** Phones the recipient, reads the ticket and takes a key press: 1 ack, 2 escalate, 3 resolve, * repeat. */
export class TwilioVoiceNotifier implements Notifier {
  readonly channel = 'voice' as const;
  readonly name = 'Twilio voice';
  constructor(private readonly opts: TwilioVoiceOptions) {}

  async send(d: Delivery): Promise<SendResult> {
    if (!d.address) return { ok: false, retryable: false, code: 'NO_PHONE', message: `${d.recipient.name ?? 'recipient'} has no phone number to call` };
    const base = this.opts.publicUrl.replace(/\/$/, '');
    try {
      const wait = (await this.opts.pacer?.slot()) ?? 0;
      if (wait > 0) return { ok: false, retryable: true, code: 'RATE_LIMITED', message: 'Twilio send rate reached in this process', retryAfterMs: wait };
      const call = await this.opts.client.calls.create({
        to: d.address,
        from: this.opts.from,
        twiml: callTwiml(d.notice, this.opts.now(), voiceActionUrl(base, d.id)),
        statusCallback: `${base}/twilio/status`,
        statusCallbackEvent: ['completed'],
      });
      return { ok: true, status: 'sent', providerId: call.sid };
    } catch (e) {
      return twilioFailure(e);
    }
  }
}
