import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import type { SharedPace } from '../twilio/pacer.js';

interface PaceDoc {
  _id: string;
  /** The earliest moment the next send may start (wall clock). */
  next: Date;
  /** When the document is of no use any more: a TTL index removes it on MongoDB. */
  expiresAt: Date;
}

/** Slot documents outlive their last use by this much, then go (TTL index, or the sweep below). */
const KEEP_MS = 3_600_000;
const SWEEP_EVERY_MS = 600_000;

/**
 * A provider's pace shared by every Esc process: one document per paced sender (e.g. a
 * Twilio From number), whose `next` is claimed with a conditional upsert. One long code then
 * sends 1 SMS/s whatever the number of replicas. Wall clocks: replicas need NTP; skew eats
 * into the pacer's guard.
 */
export class MongoPaceSlots {
  private model: Model<PaceDoc> | null = null;
  private indexed = false;
  private lastSweep = 0;

  constructor(private readonly connection: () => Connection) {}

  private m(): Model<PaceDoc> {
    const conn = this.connection();
    this.model ??= (conn.models.PaceSlot as Model<PaceDoc> | undefined) ?? conn.model<PaceDoc>('PaceSlot', new Schema<PaceDoc>({ _id: String, next: Date, expiresAt: Date }, { versionKey: false, autoIndex: false }), 'pace_slots');
    return this.model;
  }

  private async housekeeping(now: number): Promise<void> {
    if (!this.indexed) {
      this.indexed = true;
      // MongoDB expires old slots itself; FerretDB 1.24 has no TTL indexes (the sweep covers it).
      await this.m().collection.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 }).catch(() => undefined);
    }
    if (now - this.lastSweep >= SWEEP_EVERY_MS) {
      this.lastSweep = now;
      await this.m().deleteMany({ expiresAt: { $lt: new Date(now) } }).catch(() => undefined);
    }
  }

  /** The shared pace of one sender, e.g. `sms:+15105550100`. */
  for(key: string): SharedPace {
    return {
      take: async (now, spacingMs) => {
        await this.housekeeping(now);
        try {
          await this.m().collection.updateOne({ _id: key, next: { $lte: new Date(now) } } as never, { $set: { next: new Date(now + spacingMs), expiresAt: new Date(now + spacingMs + KEEP_MS) } }, { upsert: true });
          return 0;
        } catch (e) {
          // The upsert met the document while its slot is still taken: someone else sends now.
          if ((e as { code?: number }).code !== 11000) throw e;
          const cur = await this.m().findById(key).lean();
          return Math.max(1, (cur?.next.getTime() ?? now) - now);
        }
      },
      notBefore: async (at) => {
        await this.m().collection.updateOne({ _id: key } as never, { $max: { next: new Date(at) } });
      },
    };
  }
}
