import mongoose from 'mongoose';
import type { Connection } from 'mongoose';
import type { Actor } from '../../domain/timeline.js';
import type { CoverRequest, OnCallEvent, OnCallMessage, OnCallRepository, PersonSettings, PostedMessage, StoredOverride } from '../../app/ports/oncall.js';

const { Schema } = mongoose;
const opts = { versionKey: false, minimize: false, strict: false } as const;

const overrideSchema = new Schema({ _id: String, rotationId: String, to: Date, cancelledAt: Date, createdAt: Date }, opts);
overrideSchema.index({ to: 1 });
const coverSchema = new Schema({ _id: String, status: String, to: Date, createdAt: Date }, opts);
coverSchema.index({ status: 1, to: 1 });
const eventSchema = new Schema({ _id: String, subject: String, at: Date }, opts);
eventSchema.index({ subject: 1, at: 1 });
const settingsSchema = new Schema({ _id: String }, opts);
const noticeSchema = new Schema({ _id: String, at: Date }, opts);
const messageSchema = new Schema({ _id: String, at: Date }, opts);
messageSchema.index({ at: 1 });
messageSchema.index({ 'take.coverId': 1 });

/** The on-call collections (overrides, covers, the on-call audit timeline, person settings, shift notices). */
export function createOnCallModels(conn: Connection) {
  return {
    Override: conn.model('OnCallOverride', overrideSchema, 'oncall_overrides'),
    Cover: conn.model('OnCallCover', coverSchema, 'oncall_covers'),
    Event: conn.model('OnCallEvent', eventSchema, 'oncall_events'),
    Settings: conn.model('PersonSettings', settingsSchema, 'person_settings'),
    Notice: conn.model('ShiftNotice', noticeSchema, 'shift_notices'),
    Message: conn.model('OnCallMessage', messageSchema, 'oncall_messages'),
  };
}
type M = ReturnType<typeof createOnCallModels>;

const out = <T>(d: unknown): T => {
  const { _id, ...rest } = d as { _id: string } & Record<string, unknown>;
  return { id: _id, ...rest } as T;
};

export class MongoOnCallRepository implements OnCallRepository {
  constructor(private readonly m: M) {}

  async addOverride(o: StoredOverride): Promise<void> {
    const { id, ...rest } = o;
    await this.m.Override.collection.updateOne({ _id: id } as never, { $setOnInsert: rest }, { upsert: true });
  }
  async activeOverrides(after: Date): Promise<StoredOverride[]> {
    const docs = await this.m.Override.find({ to: { $gt: after }, cancelledAt: null }).sort({ createdAt: -1 }).lean();
    return docs.map((d) => out<StoredOverride>(d));
  }
  async getOverride(id: string): Promise<StoredOverride | null> {
    const d = await this.m.Override.findById(id).lean();
    return d ? out<StoredOverride>(d) : null;
  }
  async cancelOverride(id: string, by: Actor, now: Date): Promise<StoredOverride | null> {
    const d = await this.m.Override.findOneAndUpdate({ _id: id, cancelledAt: null }, { $set: { cancelledAt: now, cancelledBy: by } }, { returnDocument: 'after' }).lean();
    return d ? out<StoredOverride>(d) : null;
  }
  async addCover(c: CoverRequest): Promise<void> {
    const { id, ...rest } = c;
    await this.m.Cover.collection.updateOne({ _id: id } as never, { $setOnInsert: rest }, { upsert: true });
  }
  async getCover(id: string): Promise<CoverRequest | null> {
    const d = await this.m.Cover.findById(id).lean();
    return d ? out<CoverRequest>(d) : null;
  }
  async takeCover(id: string, personId: string, overrideId: string, now: Date): Promise<CoverRequest | null> {
    const d = await this.m.Cover.findOneAndUpdate({ _id: id, status: 'open' }, { $set: { status: 'taken', takenBy: personId, takenAt: now, overrideId } }, { returnDocument: 'after' }).lean();
    return d ? out<CoverRequest>(d) : null;
  }
  async cancelCover(id: string, by: Actor, now: Date): Promise<CoverRequest | null> {
    const d = await this.m.Cover.findOneAndUpdate({ _id: id, status: 'open' }, { $set: { status: 'cancelled', cancelledAt: now, cancelledBy: by } }, { returnDocument: 'after' }).lean();
    return d ? out<CoverRequest>(d) : null;
  }
  async openCovers(now: Date): Promise<CoverRequest[]> {
    const docs = await this.m.Cover.find({ status: 'open', to: { $gt: now } }).sort({ createdAt: -1 }).lean();
    return docs.map((d) => out<CoverRequest>(d));
  }
  async record(e: OnCallEvent): Promise<void> {
    const { id, ...rest } = e;
    await this.m.Event.collection.updateOne({ _id: id } as never, { $setOnInsert: rest }, { upsert: true });
  }
  async events(subject: string, limit = 200): Promise<OnCallEvent[]> {
    const docs = await this.m.Event.find({ subject }).sort({ at: 1 }).limit(limit).lean();
    return docs.map((d) => out<OnCallEvent>(d));
  }
  async saveSettings(personId: string, patch: Omit<PersonSettings, 'personId' | 'updatedAt'>, now: Date): Promise<void> {
    const set: Record<string, unknown> = { updatedAt: now };
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) set[k] = v;
    await this.m.Settings.collection.updateOne({ _id: personId } as never, { $set: set }, { upsert: true });
  }
  async allSettings(): Promise<PersonSettings[]> {
    const docs = await this.m.Settings.find({}).lean();
    return docs.map((d) => {
      const { _id, ...rest } = d as unknown as { _id: string } & Omit<PersonSettings, 'personId'>;
      return { personId: _id, ...rest };
    });
  }
  async claimNotice(key: string, now: Date): Promise<boolean> {
    try {
      await this.m.Notice.collection.insertOne({ _id: key, at: now } as never);
      return true;
    } catch (e) {
      if ((e as { code?: number }).code === 11000) return false;
      throw e;
    }
  }
  async keepMessage(m: OnCallMessage, sent: boolean, now: Date, posted?: PostedMessage): Promise<void> {
    const { key, ...rest } = m;
    await this.m.Message.collection.updateOne({ _id: key } as never, { $setOnInsert: { ...rest, sent, at: now, ...(posted ? { posted } : {}) } }, { upsert: true });
  }
  async coverPosts(coverId: string): Promise<PostedMessage[]> {
    const docs = await this.m.Message.find({ 'take.coverId': coverId, posted: { $exists: true } }).lean();
    return docs.map((d) => (d as unknown as { posted: PostedMessage }).posted);
  }
  async messages(limit = 500): Promise<(OnCallMessage & { sent: boolean; at: Date })[]> {
    const docs = await this.m.Message.find({}).sort({ at: 1, _id: 1 }).limit(limit).lean();
    return docs.map((d) => {
      const { _id, ...rest } = d as unknown as { _id: string } & Omit<OnCallMessage, 'key'> & { sent: boolean; at: Date };
      return { key: _id, ...rest };
    });
  }
}
