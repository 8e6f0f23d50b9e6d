import mongoose from 'mongoose';
import type { Connection } from 'mongoose';
import type { DocModel } from './models.js';

const { Schema } = mongoose;
const Mixed = Schema.Types.Mixed;
const opts = { versionKey: false, minimize: false, strict: false } as const;

/**
 * Issue 7's collections: manager escalation requests, major escalations, problem records.
 * Queried fields are top-level and compared by equality (`liveKey`, `dueWatch`, `pendingWatch`, `wakeWatch`),
 * so every query is an index lookup on the local stand-in as on real MongoDB.
 */
const requestSchema = new Schema(
  { _id: String, ticketId: String, status: String, liveKey: String, dueWatch: Boolean, nextDueAt: Date, pendingWatch: Boolean, pendingDueAt: Date, requestedAt: Date, version: Number, steps: Mixed, eta: Mixed, pending: Mixed },
  opts,
);
/** ticketId while open or claimed, else the request id: one live request per ticket without partial indexes. */
requestSchema.index({ liveKey: 1 }, { unique: true });
requestSchema.index({ ticketId: 1, requestedAt: -1 });
requestSchema.index({ dueWatch: 1 });
/** A checklist action's notices / events left unsent (a crash between the write and the sending). */
requestSchema.index({ pendingWatch: 1 });

const majorSchema = new Schema(
  { _id: String, ticketId: String, status: String, wakeWatch: Boolean, nextWakeAt: Date, relatedTicketIds: [String], version: Number, members: Mixed, tasks: Mixed, updates: Mixed, warRoom: Mixed },
  opts,
);
majorSchema.index({ ticketId: 1 }, { unique: true });
majorSchema.index({ wakeWatch: 1 });
majorSchema.index({ warRoomId: 1 });
/**
 * ticket id → the major escalation it is linked to (a recurrence or the same incident). A
 * collection of its own: looking a ticket up is an `_id` lookup, where an array-element
 * match would not be one on every server (the local stand-in does not match array elements).
 */
const linkSchema = new Schema({ _id: String, majorId: String }, opts);

const problemSchema = new Schema({ _id: String, number: Number, title: String, ticketIds: [String], status: String, createdAt: Date }, opts);
problemSchema.index({ number: 1 }, { unique: true });

export interface MajorModels {
  Request: DocModel;
  Major: DocModel;
  Problem: DocModel;
  Counter: DocModel;
  Link: DocModel;
}

export function createMajorModels(conn: Connection): MajorModels {
  const m = (name: string, schema: mongoose.Schema, collection: string) => (conn.models[name] ?? conn.model(name, schema, collection)) as unknown as DocModel;
  return {
    Request: m('EscalationRequest', requestSchema, 'escalation_requests'),
    Major: m('MajorEscalation', majorSchema, 'major_escalations'),
    Problem: m('ProblemRecord', problemSchema, 'problems'),
    Link: m('MajorLink', linkSchema, 'major_links'),
    // The same `counters` collection the ticket numbers use (its own document, _id 'problem').
    Counter: m('MajorCounter', new Schema({ _id: String, seq: Number }, opts), 'counters'),
  };
}

export async function ensureMajorIndexes(m: MajorModels): Promise<void> {
  await Promise.all([m.Request, m.Major, m.Problem].map((model) => model.createIndexes()));
}
