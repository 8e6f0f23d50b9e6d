import type { Connection } from 'mongoose';

/**
 * Teams lets a bot post about 7 messages per second into one conversation (thread) before it
 * answers 429. This keeps us under it within one process: a send over the limit is handed
 * back to the dispatcher as retryable with the wait, instead of spending a 429.
 */
export class ThreadRate {
  private readonly sent = new Map<string, number[]>();

  constructor(
    private readonly perSecond = 7,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a slot for `conversationId`; returns 0 when taken, else the ms to wait. */
  take(conversationId: string): number {
    const t = this.now();
    const recent = (this.sent.get(conversationId) ?? []).filter((x) => t - x < 1000);
    if (recent.length >= this.perSecond) {
      this.sent.set(conversationId, recent);
      return 1000 - (t - recent[0]!);
    }
    recent.push(t);
    this.sent.set(conversationId, recent);
    if (this.sent.size > 10_000) for (const [k, v] of this.sent) if (t - v[v.length - 1]! >= 1000) this.sent.delete(k);
    return 0;
  }
}

/** A per-conversation send limit: `take` answers 0 (go) or the ms to wait. */
export interface ConversationRate {
  take(conversationId: string): number | Promise<number>;
}

interface RateDoc {
  _id: string;
  /** Send times (ms) within the last second. */
  sent: number[];
  /** Compare-and-set version. */
  v: number;
  expireAt: Date;
}

/**
 * The same limit shared by every Esc process through MongoDB: one document per conversation
 * holding the last second's send times, updated with compare-and-set. `expireAt` carries a TTL
 * index on real MongoDB; FerretDB has none, so stale times are also dropped in code and idle
 * documents are swept now and then.
 */
export class MongoThreadRate implements ConversationRate {
  private ready: Promise<void> | null = null;
  private lastSweep = 0;

  constructor(
    private readonly connection: () => Connection | null,
    private readonly perSecond = 7,
    private readonly now: () => number = Date.now,
    /** Used until the database is bound, or when it cannot be reached. */
    private readonly local: ThreadRate = new ThreadRate(perSecond, now),
  ) {}

  async take(conversationId: string): Promise<number> {
    const db = this.connection()?.db;
    if (!db) return this.local.take(conversationId);
    const col = db.collection<RateDoc>('teams_thread_rate');
    this.ready ??= col.createIndex({ expireAt: 1 }, { expireAfterSeconds: 0 }).then(
      () => undefined,
      () => undefined,
    );
    try {
      await this.ready;
      const t = this.now();
      if (t - this.lastSweep > 60_000) {
        this.lastSweep = t;
        col.deleteMany({ expireAt: { $lte: new Date(t) } }).catch(() => undefined);
      }
      for (let attempt = 0; attempt < 20; attempt++) {
        const doc = await col.findOne({ _id: conversationId });
        const recent = (doc?.sent ?? []).filter((x) => t - x < 1000 && x <= t);
        if (recent.length >= this.perSecond) return 1000 - (t - Math.min(...recent));
        const next = { sent: [...recent, t], v: (doc?.v ?? 0) + 1, expireAt: new Date(t + 60_000) };
        if (!doc) {
          try {
            await col.insertOne({ _id: conversationId, ...next });
            return 0;
          } catch (e) {
            if ((e as { code?: number }).code !== 11000) throw e;
            continue;
          }
        }
        const r = await col.updateOne({ _id: conversationId, v: doc.v }, { $set: next });
        if (r.modifiedCount === 1) return 0;
      }
      return 50; // heavy contention: wait a moment rather than overshoot
    } catch {
      return this.local.take(conversationId);
    }
  }
}
