import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';

/** What an SMS reference number (`1` in `1a`) points at, for one person. */
export interface ReplyRef {
  personId: string;
  ref: number;
  deliveryId: string;
  ticketId: string;
  ticketNumber: number;
  at: Date;
}

interface CounterDoc {
  _id: string;
  seq: number;
}
interface ReceiptDoc {
  _id: string;
  at: Date;
}

/** References wrap after this many, so codes stay one or two digits; the oldest is reused. */
const REF_WRAP = 99;

/**
 * The Twilio adapter's own collections: per-person SMS reference numbers and a receipt per
 * inbound webhook (MessageSid, CallSid+Digits) under a unique key, so a replay does nothing.
 *
 * The connection is read lazily: createEsc creates it after the adapters are built, so the
 * composition root hands a getter (see buildChannelAdapters). Indexes are created on first use.
 */
export class TwilioReplyStore {
  private models: { refs: Model<ReplyRef>; counters: Model<CounterDoc>; receipts: Model<ReceiptDoc> } | null = null;
  private ready: Promise<void> | null = null;

  constructor(private readonly connection: () => Connection) {}

  private async m() {
    if (!this.models) {
      const conn = this.connection();
      const refs = new Schema<ReplyRef>({ personId: String, ref: Number, deliveryId: String, ticketId: String, ticketNumber: Number, at: Date }, { versionKey: false });
      refs.index({ personId: 1, ref: 1 }, { unique: true });
      refs.index({ deliveryId: 1 }, { unique: true });
      refs.index({ personId: 1, at: -1 });
      this.models = {
        refs: conn.models.TwilioReplyRef ?? conn.model<ReplyRef>('TwilioReplyRef', refs, 'twilio_reply_refs'),
        counters: conn.models.TwilioRefCounter ?? conn.model<CounterDoc>('TwilioRefCounter', new Schema<CounterDoc>({ _id: String, seq: Number }, { versionKey: false }), 'twilio_ref_counters'),
        receipts: conn.models.TwilioReceipt ?? conn.model<ReceiptDoc>('TwilioReceipt', new Schema<ReceiptDoc>({ _id: String, at: Date }, { versionKey: false }), 'twilio_receipts'),
      };
    }
    const models = this.models;
    this.ready ??= models.refs.createIndexes().then(() => undefined);
    await this.ready;
    return models;
  }

  /** The reference for a delivery: the same one on every retry of that delivery. */
  async refFor(args: { personId: string; deliveryId: string; ticketId: string; ticketNumber: number; at: Date }): Promise<number> {
    const { refs, counters } = await this.m();
    const existing = await refs.findOne({ deliveryId: args.deliveryId }).lean();
    if (existing) return existing.ref;
    const c = await counters.findOneAndUpdate({ _id: args.personId }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' }).lean();
    const ref = (((c?.seq ?? 1) - 1) % REF_WRAP) + 1;
    // Reusing a number after wrapping replaces what it pointed at (replace keeps the unique key).
    await refs.deleteOne({ personId: args.personId, ref });
    try {
      await refs.create({ ...args, ref });
    } catch {
      const again = await refs.findOne({ deliveryId: args.deliveryId }).lean();
      if (again) return again.ref;
      throw new Error(`could not store SMS reference ${ref} for ${args.personId}`);
    }
    return ref;
  }

  /** What `ref` means for this person; with no ref, their latest. */
  async lookup(personId: string, ref: number | null): Promise<ReplyRef | null> {
    const { refs } = await this.m();
    const q = ref === null ? refs.findOne({ personId }).sort({ at: -1, ref: -1 }) : refs.findOne({ personId, ref });
    return (await q.lean()) as ReplyRef | null;
  }

  /** Records an inbound webhook once: true the first time, false on a replay. */
  async firstTime(key: string, at: Date): Promise<boolean> {
    const { receipts } = await this.m();
    try {
      await receipts.create({ _id: key, at });
      return true;
    } catch (e) {
      if ((e as { code?: number }).code === 11000) return false;
      throw e;
    }
  }

  /** Drops a receipt so the provider's retry is processed (the first attempt failed). */
  async forget(key: string): Promise<void> {
    const { receipts } = await this.m();
    await receipts.deleteOne({ _id: key });
  }
}
