import type { EscalationState, StepFiring } from '../../domain/escalation.js';
import type { EscalationRepository, StoredEscalation } from '../../app/ports/escalations.js';
import type { Models } from './models.js';
import { isDuplicateKey } from './models.js';
import { fromDoc, toDoc } from './mapping.js';

const LIVE: EscalationState['status'][] = ['active', 'exhausted'];

function liveKey(e: Pick<EscalationState, 'id' | 'ticketId' | 'status'>): string {
  return LIVE.includes(e.status) ? e.ticketId : e.id;
}

export class MongoEscalationRepository implements EscalationRepository {
  constructor(private readonly m: Models) {}

  private map(d: Record<string, unknown> | null): StoredEscalation | null {
    const e = fromDoc<StoredEscalation & { liveKey?: string }>(d);
    if (!e) return null;
    delete e.liveKey;
    return { ...e, pending: e.pending ?? [], pendingAt: e.pendingAt ?? null };
  }

  async insert(e: EscalationState): Promise<boolean> {
    try {
      await this.m.Escalation.collection.insertOne({ ...toDoc(e), liveKey: liveKey(e), pending: [], pendingAt: null } as never);
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async get(id: string) {
    return this.map(await this.m.Escalation.findById(id).lean());
  }

  async liveForTicket(ticketId: string) {
    return this.map(await this.m.Escalation.findOne({ liveKey: ticketId }).lean());
  }

  async forTicket(ticketId: string) {
    const docs = await this.m.Escalation.find({ ticketId }).sort({ startedAt: 1 }).lean();
    return docs.map((d) => this.map(d)!);
  }

  async due(now: Date, limit: number) {
    const docs = await this.m.Escalation.find({ status: 'active', nextDueAt: { $lte: now } }).sort({ nextDueAt: 1 }).limit(limit).lean();
    return docs.map((d) => this.map(d)!);
  }

  async claim(next: EscalationState, expectedVersion: number, firings: StepFiring[], now: Date): Promise<boolean> {
    const { _id, pending: _p, pendingAt: _pa, ...rest } = toDoc(next as StoredEscalation);
    const set: Record<string, unknown> = { ...rest, liveKey: liveKey(next), version: expectedVersion + 1 };
    const update: Record<string, unknown> = { $set: set };
    if (firings.length > 0) {
      set.pendingAt = now;
      update.$push = { pending: { $each: firings } };
    }
    const r = await this.m.Escalation.collection.updateOne({ _id, version: expectedVersion } as never, update);
    return r.matchedCount === 1;
  }

  async clearPending(items: { id: string; seqs: number[] }[]): Promise<void> {
    if (items.length === 0) return;
    await this.m.Escalation.collection.bulkWrite(
      items.map((it) => ({ updateOne: { filter: { _id: it.id } as never, update: { $pull: { pending: { seq: { $in: it.seqs } } } } as never } })),
      { ordered: false },
    );
    await this.m.Escalation.collection.updateMany({ _id: { $in: items.map((i) => i.id) }, pending: { $size: 0 }, pendingAt: { $ne: null } } as never, { $set: { pendingAt: null } });
  }

  async withStalePending(before: Date, limit: number) {
    const docs = await this.m.Escalation.find({ pendingAt: { $ne: null, $lte: before } }).limit(limit).lean();
    return docs.map((d) => this.map(d)!);
  }

  async transition(id: string, from: EscalationState['status'][], next: Partial<EscalationState>) {
    const set: Record<string, unknown> = { ...next };
    if (next.status) set.liveKey = LIVE.includes(next.status) ? (await this.m.Escalation.findById(id, { ticketId: 1 }).lean())?.ticketId : id;
    const doc = await this.m.Escalation.findOneAndUpdate({ _id: id, status: { $in: from } }, { $set: set, $inc: { version: 1 } }, { returnDocument: 'after' }).lean();
    return this.map(doc);
  }

  async overdue(before: Date, limit: number) {
    const docs = await this.m.Escalation.find({ status: 'active', nextDueAt: { $lte: before } }).sort({ nextDueAt: 1 }).limit(limit).lean();
    return docs.map((d) => this.map(d)!);
  }

  async statuses(ids: string[]) {
    const docs = await this.m.Escalation.find({ _id: { $in: ids } }, { status: 1 }).lean();
    return new Map(docs.map((d) => [String(d._id), d.status as EscalationState['status']]));
  }
}
