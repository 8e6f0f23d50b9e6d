import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import type { Connection, Model } from 'mongoose';
import type { MessageWhere, NewTicketMessage, StaleMark, TicketMessage, TicketMessageRepository } from '../../app/ports/ticket-messages.js';
import { isDuplicateKey } from './models.js';

const { Schema } = mongoose;

/** `where` is kept as JSON text: Bot Framework references may hold keys FerretDB refuses ('.', '$'). */
interface MessageDoc {
  _id: string;
  ticketId: string;
  kind: TicketMessage['kind'];
  platform: MessageWhere['platform'];
  /** The message's identity on its platform (unique): slack:<channel>:<ts> or teams:<conversation>:<activity>. */
  wkey: string;
  where: string;
  recipientId: string | null;
  createdAt: Date;
  failures: number;
  goneAt: Date | null;
}

/** One per ticket that has messages: `v` bumped by every view-changing event, `stale` until the engine caught up. */
interface SyncDoc {
  _id: string;
  v: number;
  stale: boolean;
  retryAt: Date | null;
}

const opts = { versionKey: false, minimize: false } as const;
const messageSchema = new Schema<MessageDoc>(
  { _id: String, ticketId: String, kind: String, platform: String, wkey: String, where: String, recipientId: String, createdAt: Date, failures: Number, goneAt: Date },
  { ...opts, collection: 'ticket_messages' },
);
messageSchema.index({ wkey: 1 }, { unique: true });
messageSchema.index({ ticketId: 1, createdAt: 1 });
const syncSchema = new Schema<SyncDoc>({ _id: String, v: Number, stale: Boolean, retryAt: Date }, { ...opts, collection: 'ticket_message_sync' });
syncSchema.index({ stale: 1 });

export function whereKey(w: MessageWhere): string {
  return w.platform === 'slack' ? `slack:${w.channel}:${w.ts}` : `teams:${w.conversationId}:${w.activityId}`;
}

/**
 * The message registry on MongoDB (collections ticket_messages and ticket_message_sync).
 * Takes the connection or a getter for it: the chat notifiers are built before the database
 * opens and only record after it has.
 */
export class MongoTicketMessageRepository implements TicketMessageRepository {
  private models: { Message: Model<MessageDoc>; Sync: Model<SyncDoc> } | null = null;
  private indexed: Promise<unknown> | null = null;

  constructor(private readonly conn: Connection | (() => Connection)) {}

  private m() {
    if (!this.models) {
      const c = typeof this.conn === 'function' ? this.conn() : this.conn;
      this.models = {
        Message: (c.models.TicketMessage as Model<MessageDoc> | undefined) ?? c.model<MessageDoc>('TicketMessage', messageSchema),
        Sync: (c.models.TicketMessageSync as Model<SyncDoc> | undefined) ?? c.model<SyncDoc>('TicketMessageSync', syncSchema),
      };
    }
    return this.models;
  }

  /** Creates the indexes once (the app's autoIndex is off). */
  ensureIndexes(): Promise<unknown> {
    this.indexed ??= Promise.all([this.m().Message.createIndexes(), this.m().Sync.createIndexes()]);
    return this.indexed;
  }

  async record(msg: NewTicketMessage): Promise<void> {
    await this.recordMany([msg]);
  }

  async recordMany(msgs: NewTicketMessage[]): Promise<void> {
    if (msgs.length === 0) return;
    await this.ensureIndexes();
    const { Message, Sync } = this.m();
    const docs = msgs.map((msg) => ({
      _id: randomUUID(),
      ticketId: msg.ticketId,
      kind: msg.kind,
      platform: msg.where.platform,
      wkey: whereKey(msg.where),
      where: JSON.stringify(msg.where),
      recipientId: msg.recipientId,
      createdAt: msg.createdAt,
      failures: 0,
      goneAt: null,
    }));
    try {
      // Unordered: a place recorded before (same wkey) is skipped, the others are stored.
      await Message.collection.insertMany(docs as never[], { ordered: false });
    } catch (e) {
      const errs = (e as { writeErrors?: unknown }).writeErrors;
      const list = (Array.isArray(errs) ? errs : errs ? [errs] : []) as unknown[];
      if (list.length === 0 || !list.every(isDuplicateKey)) throw e;
    }
    // A ticket's sync mark is created once, as it is: inserts (a mark already there is kept, as
    // $setOnInsert would), far cheaper than one upsert per ticket on FerretDB.
    const ids = [...new Set(msgs.map((m) => m.ticketId))];
    try {
      await Sync.collection.insertMany(ids.map((id) => ({ _id: id, v: 0, stale: false, retryAt: null })) as never[], { ordered: false });
    } catch (e) {
      const errs = (e as { writeErrors?: unknown }).writeErrors;
      const list = (Array.isArray(errs) ? errs : errs ? [errs] : []) as unknown[];
      if (list.length === 0 || !list.every(isDuplicateKey)) throw e;
    }
  }

  async ticketAt(where: { platform: 'slack'; channel: string; ts: string } | { platform: 'teams'; conversationId: string }): Promise<string | null> {
    if (where.platform === 'slack') {
      const d = await this.m().Message.findOne({ wkey: whereKey({ platform: 'slack', channel: String(where.channel), ts: String(where.ts) }) }).lean<MessageDoc>();
      return d?.ticketId ?? null;
    }
    // A prefix match on the unique key (an index range scan on MongoDB); shared cards only.
    const prefix = `teams:${String(where.conversationId)}:`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const d = await this.m().Message.findOne({ wkey: { $regex: `^${prefix}` }, recipientId: null }).sort({ createdAt: 1 }).lean<MessageDoc>();
    return d?.ticketId ?? null;
  }

  async forTicket(ticketId: string): Promise<TicketMessage[]> {
    const docs = await this.m().Message.find({ ticketId: String(ticketId), goneAt: null }).sort({ createdAt: 1 }).lean<MessageDoc[]>();
    return docs.map((d) => ({
      id: d._id,
      ticketId: d.ticketId,
      kind: d.kind,
      where: JSON.parse(d.where) as MessageWhere,
      recipientId: d.recipientId ?? null,
      createdAt: d.createdAt,
      failures: d.failures ?? 0,
      goneAt: d.goneAt ?? null,
    }));
  }

  async markStale(ticketIds: string[]): Promise<number> {
    if (ticketIds.length === 0) return 0;
    // No upsert: a ticket nobody posted about costs one no-op update.
    const r = await this.m().Sync.updateMany({ _id: { $in: ticketIds.map(String) } }, { $inc: { v: 1 }, $set: { stale: true, retryAt: null } });
    return r.modifiedCount;
  }

  async stale(now: Date, limit: number): Promise<StaleMark[]> {
    const docs = await this.m().Sync.find({ stale: true, $or: [{ retryAt: null }, { retryAt: { $lte: now } }] }).limit(limit).lean<SyncDoc[]>();
    return docs.map((d) => ({ ticketId: d._id, v: d.v }));
  }

  async clearStale(mark: StaleMark): Promise<boolean> {
    const r = await this.m().Sync.updateOne({ _id: mark.ticketId, v: mark.v, stale: true }, { $set: { stale: false, retryAt: null } });
    return r.matchedCount === 1;
  }

  async retryStaleAt(ticketId: string, at: Date): Promise<void> {
    await this.m().Sync.updateOne({ _id: ticketId, stale: true }, { $set: { retryAt: at } });
  }

  async noteResult(messageId: string, r: { ok: true } | { ok: false; gone: boolean }, now: Date): Promise<void> {
    const { Message } = this.m();
    if (r.ok) await Message.updateOne({ _id: messageId, failures: { $ne: 0 } }, { $set: { failures: 0 } });
    else if (r.gone) await Message.updateOne({ _id: messageId }, { $set: { goneAt: now } });
    else await Message.updateOne({ _id: messageId }, { $inc: { failures: 1 } });
  }
}
