import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import type { Delivery } from '../../app/ports/deliveries.js';
import type { Notifier, SendContext, SendResult } from '../../app/ports/notifier.js';
import type { Person } from '../../domain/directory.js';

interface SlotDoc {
  _id: string;
  until: Date;
}

/**
 * At most one message per channel and destination (phone, address) per `windowMs`, across
 * every Esc process: a slot document per destination, taken with a conditional upsert (a
 * duplicate-key error means someone holds it). Used by SMS, voice and email; it lives here
 * because adapters may not share a folder yet (see the report).
 */
export class DestinationThrottle {
  private model: Model<SlotDoc> | null = null;
  constructor(
    private readonly connection: () => Connection,
    private readonly windowMs: number,
  ) {}

  private m(): Model<SlotDoc> {
    const conn = this.connection();
    this.model ??= conn.models.ChannelThrottleSlot ?? conn.model<SlotDoc>('ChannelThrottleSlot', new Schema<SlotDoc>({ _id: String, until: Date }, { versionKey: false }), 'channel_throttle_slots');
    return this.model;
  }

  /** Takes the slot for `key`: 0 when taken, else the ms until it frees. */
  async take(key: string, now: Date): Promise<number> {
    try {
      await this.m().findOneAndUpdate({ _id: key, until: { $lte: now } }, { $set: { until: new Date(now.getTime() + this.windowMs) } }, { upsert: true });
      return 0;
    } catch (e) {
      if ((e as { code?: number }).code !== 11000) throw e;
      const cur = await this.m().findById(key).lean();
      return Math.max(1, (cur?.until.getTime() ?? now.getTime()) - now.getTime());
    }
  }

  /** Frees the slot after a failed send, so the retry is not held back by our own attempt. */
  async release(key: string): Promise<void> {
    await this.m().deleteOne({ _id: key });
  }
}

/** Wraps a notifier: a destination messaged within the window gets a retryable THROTTLED result. */
export class ThrottledNotifier implements Notifier {
  readonly channel: Notifier['channel'];
  readonly name: string;
  constructor(
    private readonly inner: Notifier,
    private readonly throttle: DestinationThrottle,
    private readonly now: () => Date,
  ) {
    this.channel = inner.channel;
    this.name = inner.name;
  }

  async send(d: Delivery, recipient: Person | undefined, ctx?: SendContext): Promise<SendResult> {
    if (!d.address) return this.inner.send(d, recipient, ctx);
    const key = `${d.channel}:${d.address.toLowerCase()}`;
    const wait = await this.throttle.take(key, this.now());
    if (wait > 0) return { ok: false, retryable: true, code: 'THROTTLED', message: `${d.channel} to this destination already sent within the last minute`, retryAfterMs: wait };
    const r = await this.inner.send(d, recipient, ctx);
    if (!r.ok) await this.throttle.release(key);
    return r;
  }
}
