import mongoose from 'mongoose';
import type { Connection, Model } from 'mongoose';

const { Schema } = mongoose;
const Mixed = Schema.Types.Mixed;

/**
 * Schemas keep the fields we query on typed and indexed; nested domain values (SLA clock,
 * plan snapshot, notice) are stored as they are. Ids are strings (UUIDs) we choose, so
 * idempotent inserts can use deterministic ids.
 */
const opts = { versionKey: false, minimize: false, strict: false } as const;

const ticketSchema = new Schema(
  {
    _id: String,
    number: { type: Number, required: true },
    title: String,
    status: { type: String, required: true },
    priority: String,
    teamId: String,
    assigneeId: String,
    requesterId: String,
    escalated: Boolean,
    elevated: Boolean,
    createdAt: Date,
    updatedAt: Date,
    version: { type: Number, required: true },
    breachHandled: { type: Boolean, default: false },
    sla: Mixed,
    timersStale: Boolean,
    timersAt: Date,
  },
  opts,
);
ticketSchema.index({ number: 1 }, { unique: true });
ticketSchema.index({ status: 1, 'sla.responseDueAt': 1 });
ticketSchema.index({ slaWatch: 1 });
ticketSchema.index({ reactAt: 1 });
ticketSchema.index({ timersStale: 1 });
ticketSchema.index({ timersAt: 1 });
ticketSchema.index({ teamId: 1, status: 1, createdAt: -1 });
ticketSchema.index({ assigneeId: 1, status: 1 });
ticketSchema.index({ createdAt: -1 });

const counterSchema = new Schema({ _id: String, seq: Number }, opts);

const timelineSchema = new Schema(
  { _id: String, key: { type: String, required: true }, ticketId: { type: String, required: true }, at: Date, type: String, actor: Mixed, data: Mixed },
  opts,
);
timelineSchema.index({ key: 1 }, { unique: true });
timelineSchema.index({ ticketId: 1, at: 1, n: 1 });
timelineSchema.index({ type: 1, at: 1 });

const escalationSchema = new Schema(
  {
    _id: String,
    ticketId: String,
    kind: String,
    status: String,
    /** ticketId while live, else the escalation id: one live escalation per ticket, without partial indexes. */
    liveKey: String,
    nextDueAt: Date,
    version: Number,
    pending: Mixed,
    pendingAt: Date,
    plan: Mixed,
  },
  opts,
);
escalationSchema.index({ liveKey: 1 }, { unique: true });
escalationSchema.index({ status: 1, nextDueAt: 1 });
escalationSchema.index({ dueSlot: 1 });
escalationSchema.index({ pendingSlot: 1 });
escalationSchema.index({ ticketId: 1 });
escalationSchema.index({ pendingAt: 1 });

const deliverySchema = new Schema(
  {
    _id: String,
    key: String,
    ticketId: String,
    escalationId: String,
    status: String,
    nextAttemptAt: Date,
    leaseUntil: Date,
    claim: String,
    providerId: String,
    channel: String,
    notice: Mixed,
  },
  opts,
);
deliverySchema.index({ key: 1 }, { unique: true });
deliverySchema.index({ status: 1, nextAttemptAt: 1 });
deliverySchema.index({ ticketId: 1, queuedAt: 1 });
deliverySchema.index({ escalationId: 1, status: 1 });
deliverySchema.index({ providerId: 1 });

const alertKeySchema = new Schema({ _id: String, ticketId: String, state: String, at: Date, n: Number }, opts);

const orgItemSchema = new Schema({ _id: String, kind: String, hash: String, doc: Mixed, updatedAt: Date }, opts);
orgItemSchema.index({ kind: 1 });

/** Documents are loosely typed here; repositories map them to domain types. */
export type Doc = { _id: string } & Record<string, unknown>;
export type DocModel = Model<Doc>;
export interface Models {
  Ticket: DocModel;
  Counter: DocModel;
  Timeline: DocModel;
  Escalation: DocModel;
  Delivery: DocModel;
  AlertKey: DocModel;
  OrgItem: DocModel;
}

/** Registers the models on a connection (one connection per process or test). */
export function createModels(conn: Connection): Models {
  const m = (name: string, schema: mongoose.Schema, collection: string) => (conn.models[name] ?? conn.model(name, schema, collection)) as unknown as DocModel;
  return {
    Ticket: m('Ticket', ticketSchema, 'tickets'),
    Counter: m('Counter', counterSchema, 'counters'),
    Timeline: m('TimelineEvent', timelineSchema, 'timeline'),
    Escalation: m('Escalation', escalationSchema, 'escalations'),
    Delivery: m('Delivery', deliverySchema, 'deliveries'),
    AlertKey: m('AlertKey', alertKeySchema, 'alert_keys'),
    OrgItem: m('OrgItem', orgItemSchema, 'org'),
  };
}

/** Creates every index (idempotent). Run at start-up before serving. */
/**
 * Indexes earlier versions created and no query needs any more: every write paid for them
 * (a claim token changes on every claim). Dropped at start; absent ones are ignored.
 */
const OBSOLETE_INDEXES: Partial<Record<keyof Models, string[]>> = { Escalation: ['claimToken_1'], Delivery: ['claim_1'] };

export async function ensureIndexes(models: Models): Promise<void> {
  // All at once: one round trip of waiting instead of one per collection (start-up time).
  await Promise.all([
    ...Object.values(models).map((model) => model.createIndexes()),
    ...Object.entries(OBSOLETE_INDEXES).flatMap(([k, names]) => names.map((n) => models[k as keyof Models].collection.dropIndex(n).catch(() => undefined))),
  ]);
}

export function isDuplicateKey(e: unknown): boolean {
  const err = e as { code?: number; writeErrors?: { code?: number }[] } | null;
  return !!err && (err.code === 11000 || (Array.isArray(err.writeErrors) && err.writeErrors.every((w) => w.code === 11000)));
}

/** Driver timeouts Esc sets (the client watchdog reads them). */
export const MONGO_TIMEOUTS = { connectTimeoutMS: 10_000, heartbeatFrequencyMS: 10_000 } as const;

export async function connectMongo(uri: string): Promise<Connection> {
  // autoIndex off: indexes are created once, explicitly, by ensureIndexes.
  const conn = mongoose.createConnection(uri, { autoIndex: false, serverSelectionTimeoutMS: 10_000, maxPoolSize: 50, ...MONGO_TIMEOUTS });
  await conn.asPromise();
  return conn;
}
