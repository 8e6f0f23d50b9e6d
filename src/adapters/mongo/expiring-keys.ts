import type { Connection } from 'mongoose';

interface KeyDoc {
  _id: string;
  expireAt: Date;
  value?: unknown;
}

/** How often expired keys are deleted in code (FerretDB has no TTL indexes). */
const SWEEP_EVERY_MS = 60_000;

/**
 * Short-lived keys in one MongoDB collection, shared by every Esc process: what used to be
 * per-process memory (Slack retry dedupe, the DM thread map). On real MongoDB a TTL index on
 * `expireAt` deletes expired keys; FerretDB has no TTL indexes, so every read also treats an
 * expired key as absent and a sweep deletes them at most once a minute.
 */
export class ExpiringKeys {
  private ready: Promise<void> | null = null;
  private lastSweep = 0;

  constructor(
    private readonly connection: () => Connection,
    private readonly name: string,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  private async col(now: Date) {
    const db = this.connection().db;
    if (!db) throw new Error(`${this.name}: the database is not connected`);
    const col = db.collection<KeyDoc>(this.name);
    // A failed TTL index (FerretDB) is not an error: expiry in code covers it.
    this.ready ??= col.createIndex({ expireAt: 1 }, { expireAfterSeconds: 0 }).then(
      () => undefined,
      () => undefined,
    );
    await this.ready;
    if (now.getTime() - this.lastSweep > SWEEP_EVERY_MS) {
      this.lastSweep = now.getTime();
      col.deleteMany({ expireAt: { $lte: now } }).catch(this.onError);
    }
    return col;
  }

  /**
   * Claims `key` for `ttlMs`: true for the first claim (or the first after the last one
   * expired), false while another claim holds it. Safe across processes (unique `_id`).
   */
  async claim(key: string, now: Date, ttlMs: number, value?: unknown): Promise<boolean> {
    const col = await this.col(now);
    const expireAt = new Date(now.getTime() + ttlMs);
    const extra = value === undefined ? {} : { value };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await col.insertOne({ _id: key, expireAt, ...extra });
        return true;
      } catch (e) {
        if ((e as { code?: number }).code !== 11000) throw e;
      }
      // Held: take it over only if the holder's claim has expired (conditional: one winner).
      const r = await col.updateOne({ _id: key, expireAt: { $lte: now } }, { $set: { expireAt, ...extra } });
      if (r.modifiedCount === 1) return true;
      // Still held by a live claim, or deleted (TTL, sweep) in between: then try the insert again.
      if (await col.findOne({ _id: key }, { projection: { _id: 1 } })) return false;
    }
    return false;
  }

  /** The value stored with a live key, or null. */
  async get<T>(key: string, now: Date): Promise<T | null> {
    const col = await this.col(now);
    const doc = await col.findOne({ _id: key, expireAt: { $gt: now } });
    return (doc?.value as T | undefined) ?? null;
  }
}
