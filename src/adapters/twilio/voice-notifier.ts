import type { Twilio } from 'twilio';
import type { Delivery } from '../../app/ports/deliveries.js';
import type { Notifier, SendContext, SendResult } from '../../app/ports/notifier.js';
import type { Pacer } from './pacer.js';
import { NotWanted } from './pacer.js';
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

  async send(d: Delivery, _recipient?: unknown, ctx?: SendContext): Promise<SendResult> {
    const to = d.address;
    if (!to) return { ok: false, retryable: false, code: 'NO_PHONE', message: `${d.recipient.name ?? 'recipient'} has no phone number to call` };
    const base = this.opts.publicUrl.replace(/\/$/, '');
    try {
      const create = async () => {
        if (ctx && !(await ctx.stillWanted())) throw new NotWanted();
        return this.opts.client.calls.create({
          to,
          from: this.opts.from,
          twiml: callTwiml(d.notice, this.opts.now(), voiceActionUrl(base, d.id)),
          statusCallback: `${base}/twilio/status`,
          statusCallbackEvent: ['completed'],
        });
      };
      const r = this.opts.pacer ? await this.opts.pacer.paced(create) : { value: await create() };
      if ('waitMs' in r) return { ok: false, retryable: true, code: 'RATE_LIMITED', message: 'Twilio call rate for this number reached; waiting for a slot', retryAfterMs: r.waitMs };
      return { ok: true, status: 'sent', providerId: r.value.sid };
    } catch (e) {
      if (e instanceof NotWanted) return e.result;
      // Too fast for this number: the next call waits a full interval.
      if ((e as { status?: number }).status === 429) this.opts.pacer?.backOff();
      return twilioFailure(e);
    }
  }
}
