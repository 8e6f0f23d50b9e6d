import type { EscalationRequest } from '../../domain/coordination.js';
import { pendingDueAt } from '../../domain/coordination.js';
import type { RequestRepository } from '../../app/ports/requests.js';
import type { MajorModels } from './major-models.js';
import { isDuplicateKey } from './models.js';
import { fromDoc, toDoc } from './mapping.js';
import { assertId } from './ids.js';

const LIVE = ['open', 'claimed'];

function stored(r: EscalationRequest) {
  // pendingWatch + pendingDueAt: a batch of notices / events is owed (equality-indexed flag, then the time).
  const pendingAt = pendingDueAt(r);
  return { ...toDoc(r), liveKey: LIVE.includes(r.status) ? r.ticketId : r.id, dueWatch: r.status === 'open' && !!r.nextDueAt, pendingWatch: pendingAt !== null, pendingDueAt: pendingAt };
}

function map(d: Record<string, unknown> | null | undefined): EscalationRequest | null {
  const r = fromDoc<EscalationRequest & { liveKey?: string; dueWatch?: boolean; pendingWatch?: boolean; pendingDueAt?: Date | null }>(d);
  if (!r) return null;
  delete r.liveKey;
  delete r.dueWatch;
  delete r.pendingWatch;
  delete r.pendingDueAt;
  return r;
}

export class MongoRequestRepository implements RequestRepository {
  constructor(private readonly m: MajorModels) {}

  async insert(r: EscalationRequest): Promise<boolean> {
    try {
      await this.m.Request.collection.insertOne(stored(r) as never);
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  }

  async get(id: string) {
    assertId(id, 'escalation request id');
    return map(await this.m.Request.findById(id).lean());
  }

  async liveForTicket(ticketId: string) {
    assertId(ticketId, 'ticket id');
    return map(await this.m.Request.findOne({ liveKey: ticketId }).lean());
  }

  async latestForTicket(ticketId: string) {
    assertId(ticketId, 'ticket id');
    return map(await this.m.Request.findOne({ ticketId }).sort({ requestedAt: -1 }).lean());
  }

  async save(r: EscalationRequest): Promise<EscalationRequest | null> {
    const { _id, ...rest } = stored(r);
    const res = await this.m.Request.collection.updateOne({ _id, version: r.version } as never, { $set: { ...rest, version: r.version + 1 } });
    return res.matchedCount === 1 ? { ...r, version: r.version + 1 } : null;
  }

  async due(now: Date, limit: number) {
    const docs = await this.m.Request.find({ dueWatch: true, nextDueAt: { $lte: now } }).sort({ nextDueAt: 1 }).limit(limit).lean();
    return docs.map((d) => map(d)!);
  }

  async pendingDue(now: Date, limit: number) {
    const docs = await this.m.Request.find({ pendingWatch: true, pendingDueAt: { $lte: now } }).sort({ pendingDueAt: 1 }).limit(limit).lean();
    return docs.map((d) => map(d)!);
  }
}
