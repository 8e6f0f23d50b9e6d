import type { Db } from 'mongodb';

interface LeaseDoc {
  _id: string;
  holder: string;
  until: Date;
  renewedAt: Date;
}

const LEASE_ID = 'engine';

/**
 * The engine lease: one document, taken and renewed with conditional updates, so at most one
 * process runs engine passes at a time. Times are the processes' wall clocks: replicas need
 * synchronised clocks (NTP), and skew eats into the lease (keep it well above the skew).
 */
export class EngineLease {
  constructor(
    private readonly db: Db,
    private readonly id: string,
    private readonly leaseMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private col() {
    return this.db.collection<LeaseDoc>('engine_lease');
  }

  /** Takes the lease if free, expired or already ours. `holder`: who holds it after the attempt. */
  async acquire(): Promise<{ held: boolean; holder: string | null; until: number }> {
    const now = this.now();
    const until = now + this.leaseMs;
    try {
      await this.col().updateOne({ _id: LEASE_ID, $or: [{ holder: this.id }, { until: { $lte: new Date(now) } }] }, { $set: { holder: this.id, until: new Date(until), renewedAt: new Date(now) } }, { upsert: true });
      return { held: true, holder: this.id, until };
    } catch (e) {
      // The upsert collided with a document held by someone else: not ours.
      if ((e as { code?: number }).code !== 11000) throw e;
      const cur = await this.col().findOne({ _id: LEASE_ID });
      return { held: false, holder: cur?.holder ?? null, until: 0 };
    }
  }

  /** Extends the lease while we hold it: the new end (ms), or null when another process holds it now. */
  async renew(): Promise<number | null> {
    const now = this.now();
    const until = now + this.leaseMs;
    const r = await this.col().updateOne({ _id: LEASE_ID, holder: this.id }, { $set: { until: new Date(until), renewedAt: new Date(now) } });
    return r.matchedCount === 1 ? until : null;
  }

  /** Gives the lease up (a clean stop), so the next process need not wait for it to expire. */
  async release(): Promise<void> {
    await this.col().updateOne({ _id: LEASE_ID, holder: this.id }, { $set: { until: new Date(0) } });
  }
}
