import { randomUUID } from 'node:crypto';
import type { QueryFilter } from 'mongoose';
import type { Doc } from './models.js';
import type { Delivery, DeliveryFilter, DeliveryRepository } from '../../app/ports/deliveries.js';
import type { Models } from './models.js';
import { isDuplicateKey } from './models.js';
import { fromDoc, jsonText, toDoc } from './mapping.js';
import { BULK_CHUNK, chunks } from '../../lib/chunks.js';
import { assertId, assertOptionalId } from './ids.js';

/** The notice's date fields, read back as Dates. */
const reviveNotice = (n: Delivery['notice']): Delivery['notice'] => ({ ...n, ticket: { ...n.ticket, openedAt: new Date(n.ticket.openedAt) } });

/** A stored delivery without the hand-over token (internal to the claim). */
function toDelivery(d: Record<string, unknown> | null): Delivery | null {
  const out = fromDoc<Delivery & { handedBy?: string }>(d);
  if (!out) return out;
  delete out.handedBy;
  out.notice = jsonText.read(out.notice, reviveNotice);
  return out;
}

/**
 * A delivery as stored. The notice (the message rendered when the step fired, about 1 KB of
 * nested fields nobody queries) is kept as JSON text: a server that converts every field of a
 * document on each write (the FerretDB stand-in) stores and updates it about twice as fast.
 */
function toDeliveryDoc(d: Delivery): Record<string, unknown> {
  return { ...toDoc(d), notice: jsonText.write(d.notice) };
}

export class MongoDeliveryRepository implements DeliveryRepository {
  /** `now`: the clock leases are written with (the engine's), to tell a live sender from a dead one. */
  constructor(
    private readonly m: Models,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async enqueue(deliveries: Delivery[]): Promise<number> {
    if (deliveries.length === 0) return 0;
    try {
      const r = await this.m.Delivery.collection.insertMany(deliveries.map(toDeliveryDoc) as never[], { ordered: false });
      return r.insertedCount;
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      // Some keys exist already. Count ours by id, not the error's insertedCount: a write the
      // driver retried after a dropped connection finds its own rows stored and reports them as duplicates.
      return this.m.Delivery.countDocuments({ _id: { $in: deliveries.map((d) => d.id) } });
    }
  }

  async claimReady(now: Date, limit: number, leaseMs: number, claim: string): Promise<Delivery[]> {
    // Three round trips for a whole batch: pick candidates, claim those still queued, read back ours (by id: no index on the claim).
    const ids = (await this.m.Delivery.find({ status: 'queued', nextAttemptAt: { $lte: now } }, { _id: 1 }).sort({ nextAttemptAt: 1 }).limit(limit).lean()).map((d) => d._id);
    if (ids.length === 0) return [];
    const out: Delivery[] = [];
    for (const part of chunks(ids)) {
      await this.m.Delivery.collection.updateMany({ _id: { $in: part }, status: 'queued' } as never, { $set: { status: 'sending', claim, leaseUntil: new Date(now.getTime() + leaseMs) } });
      for (const d of await this.m.Delivery.find({ _id: { $in: part }, claim, status: 'sending' }).lean()) out.push(toDelivery(d)!);
    }
    return out;
  }

  async handOver(items: { id: string; claim: string }[], now: Date): Promise<Set<string>> {
    // Two round trips for a group: mark under a fresh token, read back which ones it marked.
    // `handedAt: null` also matches a document without the field (stored before it existed).
    const token = randomUUID();
    const byClaim = new Map<string, string[]>();
    for (const it of items) byClaim.set(it.claim, [...(byClaim.get(it.claim) ?? []), it.id]);
    const handed = new Set<string>();
    for (const [claim, ids] of byClaim) {
      for (const part of chunks(ids)) {
        const r = await this.m.Delivery.collection.updateMany({ _id: { $in: part }, claim, status: 'sending', handedAt: null } as never, { $set: { handedAt: now, handedBy: token } });
        if (r.modifiedCount === 0) continue;
        if (r.modifiedCount === part.length) for (const id of part) handed.add(id);
        else for (const d of await this.m.Delivery.find({ _id: { $in: part }, handedBy: token }, { _id: 1 }).lean()) handed.add(String(d._id));
      }
    }
    return handed;
  }

  async release(ids: string[], claim: string): Promise<number> {
    let n = 0;
    for (const part of chunks(ids)) {
      const r = await this.m.Delivery.collection.updateMany({ _id: { $in: part }, claim, status: 'sending', handedAt: null } as never, { $set: { status: 'queued', claim: null, leaseUntil: null } });
      n += r.modifiedCount;
    }
    return n;
  }

  async finishMany(items: { id: string; claim: string; update: Partial<Delivery> }[]): Promise<number> {
    let matched = 0;
    for (const part of chunks(items)) {
      const r = await this.m.Delivery.collection.bulkWrite(
        part.map(outcomeOp),
        { ordered: false },
      );
      matched += r.matchedCount;
    }
    return matched;
  }

  async finishAndHandOver(items: { id: string; claim: string; update: Partial<Delivery> }[], next: { id: string; claim: string }[], now: Date): Promise<Set<string>> {
    const token = randomUUID();
    const byClaim = new Map<string, string[]>();
    for (const it of next) byClaim.set(it.claim, [...(byClaim.get(it.claim) ?? []), it.id]);
    const ops = [
      ...items.map(outcomeOp),
      ...[...byClaim].map(([claim, ids]) => ({ updateMany: { filter: { _id: { $in: ids }, claim, status: 'sending', handedAt: null } as never, update: { $set: { handedAt: now, handedBy: token } } } })),
    ];
    if (ops.length === 0) return new Set();
    if (ops.length > BULK_CHUNK || next.length > BULK_CHUNK) {
      if (items.length > 0) await this.finishMany(items);
      return this.handOver(next, now);
    }
    const r = await this.m.Delivery.collection.bulkWrite(ops as never[], { ordered: false });
    const handed = new Set<string>();
    if (next.length === 0) return handed;
    // Each outcome matches at most one delivery, each hand-over at most its own: the sum says all went through.
    if (r.matchedCount === items.length + next.length) for (const it of next) handed.add(it.id);
    else for (const d of await this.m.Delivery.find({ _id: { $in: next.map((it) => it.id) }, handedBy: token }, { _id: 1 }).lean()) handed.add(String(d._id));
    return handed;
  }

  async requeueExpired(now: Date): Promise<number> {
    // A handed-over one whose sender died may or may not have reached the provider: sent again
    // (at least once; the window is the sender's unrecorded sends, see the dispatcher).
    const r = await this.m.Delivery.collection.updateMany({ status: 'sending', leaseUntil: { $lte: now } } as never, { $set: { status: 'queued', claim: null, leaseUntil: null, handedAt: null, nextAttemptAt: now } });
    return r.modifiedCount;
  }

  async cancelQueued(escalationId: string, waitMs = 2500): Promise<number> {
    assertId(escalationId, 'escalation id');
    // Equality filters only (two updates rather than one `$or`): cheap on any server.
    const set = { $set: { status: 'cancelled', claim: null, leaseUntil: null, error: { code: 'ACKNOWLEDGED', message: 'the escalation stopped before it was handed to the provider' } } };
    const queued = await this.m.Delivery.collection.updateMany({ escalationId, status: 'queued' } as never, set);
    const claimed = await this.m.Delivery.collection.updateMany({ escalationId, status: 'sending', handedAt: null } as never, set);
    // Those handed over before the cancel are on their way: wait for their outcomes (a live
    // sender records within one provider round trip; a dead one's lease bounds the wait).
    const end = Date.now() + waitMs;
    for (;;) {
      const now = this.now().getTime();
      const sending = await this.m.Delivery.find({ escalationId, status: 'sending' }, { handedAt: 1, leaseUntil: 1 }).lean();
      const inFlight = sending.filter((d) => d.handedAt && d.leaseUntil && new Date(d.leaseUntil as Date).getTime() > now);
      if (inFlight.length === 0 || Date.now() >= end) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    return queued.modifiedCount + claimed.modifiedCount;
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
    return docs.map((d) => toDelivery(d)!);
  }

  async get(id: string) {
    assertId(id, 'delivery id');
    return toDelivery(await this.m.Delivery.findById(id).lean());
  }

  async byProviderId(providerId: string) {
    assertId(providerId, 'provider id');
    return toDelivery(await this.m.Delivery.findOne({ providerId }).lean());
  }

  async updateByProviderId(providerId: string, update: Partial<Delivery>) {
    assertId(providerId, 'provider id');
    return toDelivery(await this.m.Delivery.findOneAndUpdate({ providerId }, { $set: update }, { returnDocument: 'after' }).lean());
  }
}

/** A send's outcome: applied only while the claim that sent it still holds the delivery, which it releases. */
function outcomeOp(it: { id: string; claim: string; update: Partial<Delivery> }) {
  return { updateOne: { filter: { _id: it.id, claim: it.claim } as never, update: { $set: { ...it.update, claim: null, leaseUntil: null } } } };
}
