import type { QueryFilter } from 'mongoose';
import type { Doc } from './models.js';
import type { Delivery, DeliveryFilter, DeliveryRepository } from '../../app/ports/deliveries.js';
import type { Models } from './models.js';
import { isDuplicateKey } from './models.js';
import { fromDoc, toDoc } from './mapping.js';
import { chunks } from '../../lib/chunks.js';
import { assertId, assertOptionalId } from './ids.js';

export class MongoDeliveryRepository implements DeliveryRepository {
  constructor(private readonly m: Models) {}

  async enqueue(deliveries: Delivery[]): Promise<number> {
    if (deliveries.length === 0) return 0;
    try {
      const r = await this.m.Delivery.collection.insertMany(deliveries.map(toDoc) as never[], { ordered: false });
      return r.insertedCount;
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      const r = (e as { result?: { insertedCount?: number }; insertedCount?: number });
      return r.insertedCount ?? r.result?.insertedCount ?? 0;
    }
  }

  async claimReady(now: Date, limit: number, leaseMs: number, claim: string): Promise<Delivery[]> {
    // Three round trips for a whole batch: pick candidates, claim those still queued, read back ours.
    const ids = (await this.m.Delivery.find({ status: 'queued', nextAttemptAt: { $lte: now } }, { _id: 1 }).sort({ nextAttemptAt: 1 }).limit(limit).lean()).map((d) => d._id);
    if (ids.length === 0) return [];
    for (const part of chunks(ids)) {
      await this.m.Delivery.collection.updateMany({ _id: { $in: part }, status: 'queued' } as never, { $set: { status: 'sending', claim, leaseUntil: new Date(now.getTime() + leaseMs) } });
    }
    return this.claimedBy(claim);
  }

  async claimedBy(claim: string): Promise<Delivery[]> {
    const docs = await this.m.Delivery.find({ claim, status: 'sending' }).lean();
    return docs.map((d) => fromDoc<Delivery>(d)!);
  }

  async finishMany(items: { id: string; claim: string; update: Partial<Delivery> }[]): Promise<number> {
    let matched = 0;
    for (const part of chunks(items)) {
      const r = await this.m.Delivery.collection.bulkWrite(
        part.map((it) => ({ updateOne: { filter: { _id: it.id, claim: it.claim } as never, update: { $set: { ...it.update, claim: null, leaseUntil: null } } } })),
        { ordered: false },
      );
      matched += r.matchedCount;
    }
    return matched;
  }

  async requeueExpired(now: Date): Promise<number> {
    const r = await this.m.Delivery.collection.updateMany({ status: 'sending', leaseUntil: { $lte: now } } as never, { $set: { status: 'queued', claim: null, leaseUntil: null, nextAttemptAt: now } });
    return r.modifiedCount;
  }

  async cancelQueued(escalationId: string): Promise<number> {
    assertId(escalationId, 'escalation id');
    const r = await this.m.Delivery.collection.updateMany({ escalationId, status: 'queued' } as never, { $set: { status: 'cancelled', error: { code: 'ACKNOWLEDGED', message: 'acknowledged before it was sent' } } });
    return r.modifiedCount;
  }

  async list(f: DeliveryFilter, limit: number): Promise<Delivery[]> {
    for (const [k, v] of [['ticketId', f.ticketId], ['escalationId', f.escalationId], ['personId', f.personId]] as const) assertOptionalId(v, k);
    const q: QueryFilter<Doc> = {};
    if (f.ticketId) q.ticketId = f.ticketId;
    if (f.escalationId) q.escalationId = f.escalationId;
    if (f.status?.length) q.status = { $in: f.status };
    if (f.channel?.length) q.channel = { $in: f.channel };
    if (f.personId) q['recipient.personId'] = f.personId;
    const docs = await this.m.Delivery.find(q).sort({ queuedAt: -1 }).limit(limit).lean();
    return docs.map((d) => fromDoc<Delivery>(d)!);
  }

  async get(id: string) {
    assertId(id, 'delivery id');
    return fromDoc<Delivery>(await this.m.Delivery.findById(id).lean());
  }

  async byProviderId(providerId: string) {
    assertId(providerId, 'provider id');
    return fromDoc<Delivery>(await this.m.Delivery.findOne({ providerId }).lean());
  }

  async updateByProviderId(providerId: string, update: Partial<Delivery>) {
    assertId(providerId, 'provider id');
    return fromDoc<Delivery>(await this.m.Delivery.findOneAndUpdate({ providerId }, { $set: update }, { returnDocument: 'after' }).lean());
  }
}
