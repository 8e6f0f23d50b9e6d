import type { Delivery } from '../../src/app/ports/deliveries.js';
import type { Notifier, SendResult } from '../../src/app/ports/notifier.js';
import type { Channel } from '../../src/domain/plan.js';

/**
 * Plays the far side of a channel: records every message it is handed, and can be told to
 * fail. It stands where a provider's API would be; Esc's own code runs unchanged.
 */
export class RecordingNotifier implements Notifier {
  readonly name: string;
  readonly sent: Delivery[] = [];
  /** Results to return before succeeding, consumed in order. */
  failures: SendResult[] = [];
  delayMs = 0;
  constructor(readonly channel: Channel) {
    this.name = `recording ${channel}`;
  }
  async send(d: Delivery): Promise<SendResult> {
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const f = this.failures.shift();
    if (f) return f;
    this.sent.push(d);
    return { ok: true, status: 'sent', providerId: `${this.channel}-${this.sent.length}` };
  }
  to(personId: string): Delivery[] {
    return this.sent.filter((d) => d.recipient.personId === personId);
  }
}

export function recordingNotifiers(): Record<Channel, RecordingNotifier> {
  return {
    chat: new RecordingNotifier('chat'),
    sms: new RecordingNotifier('sms'),
    voice: new RecordingNotifier('voice'),
    email: new RecordingNotifier('email'),
    webhook: new RecordingNotifier('webhook'),
    push: new RecordingNotifier('push'),
  };
}
