import type { Connection } from 'mongoose';
import type { IntakeRecord, IntakeStore } from '../../app/ports/intake.js';
import { assertIds } from './ids.js';

type IntakeDoc = Omit<IntakeRecord, 'id'> & { _id: string };

/** Ticket requests made durable before their acknowledgement (collection `ticket_intake`). */
export class MongoIntakeStore implements IntakeStore {
  constructor(
    private readonly connection: () => Connection,
    private readonly name = 'ticket_intake',
  ) {}

  private col() {
    const db = this.connection().db;
    if (!db) throw new Error(`${this.name}: the database is not connected`);
    return db.collection<IntakeDoc>(this.name);
  }

  async putMany(records: IntakeRecord[]): Promise<Set<string>> {
    if (records.length === 0) return new Set();
    assertIds(records.map((r) => r.id), 'intake ids');
    try {
      await this.col().insertMany(records.map(({ id, ...rest }) => ({ _id: id, ...rest })), { ordered: false });
      return new Set(records.map((r) => r.id));
    } catch (e) {
      // Unordered: the others are stored; a duplicate is a retried request already stored.
      const errs = (e as { writeErrors?: { code?: number; index?: number }[] | { code?: number; index?: number } }).writeErrors;
      const list = Array.isArray(errs) ? errs : errs ? [errs] : [];
      if (list.length === 0 || list.some((w) => w.code !== 11000 || typeof w.index !== 'number')) throw e;
      const refused = new Set(list.map((w) => w.index));
      return new Set(records.filter((_, i) => !refused.has(i)).map((r) => r.id));
    }
  }

  async leftBefore(before: Date, limit: number): Promise<IntakeRecord[]> {
    const docs = await this.col().find({ at: { $lt: before } }).sort({ at: 1 }).limit(limit).toArray();
    return docs.map(({ _id, ...rest }) => ({ id: String(_id), ...rest }));
  }

  async doneMany(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    assertIds(ids, 'intake ids');
    await this.col().deleteMany({ _id: { $in: ids } });
  }
}
