import mongoose from 'mongoose';
import type { Connection } from 'mongoose';
import type { DocModel } from './models.js';

const { Schema } = mongoose;
const opts = { versionKey: false, minimize: false, strict: false } as const;

/** One organisation-local opening day's facts (see report-codec-v2.ts for the format). `v` is the compare-and-set version. */
const reportDaySchema = new Schema({ _id: String, v: Number, n: Number, r: String }, opts);

/** The ticket ids and titles of a day bucket's facts, by ticket number (report-codec-v2.ts). */
const reportDayTextSchema = new Schema({ _id: String, v: Number, t: String }, opts);

/** A ticket whose facts must be recomputed: `_id` ticket id, `v` bumped on every fact-relevant append. */
const reportDirtySchema = new Schema({ _id: String, v: Number }, opts);

/** Settings of the rollups: `{ _id: 'buckets', timeZone }`. */
const reportMetaSchema = new Schema({ _id: String, timeZone: String }, opts);

export interface ReportModels {
  ReportDay: DocModel;
  ReportDayText: DocModel;
  ReportDirty: DocModel;
  ReportMeta: DocModel;
  /** The timeline collection (read-only here: events to fold). */
  Timeline: DocModel;
}

/** Registers the report models on a connection (alongside createModels' models). */
export function createReportModels(conn: Connection, timeline: DocModel): ReportModels {
  const m = (name: string, schema: mongoose.Schema, collection: string) => (conn.models[name] ?? conn.model(name, schema, collection)) as unknown as DocModel;
  return {
    ReportDay: m('ReportDay', reportDaySchema, 'report_days'),
    ReportDayText: m('ReportDayText', reportDayTextSchema, 'report_day_texts'),
    ReportDirty: m('ReportDirty', reportDirtySchema, 'report_dirty'),
    ReportMeta: m('ReportMeta', reportMetaSchema, 'report_meta'),
    Timeline: timeline,
  };
}

/** Creates the report collections' indexes (only `_id` is queried, so this just makes the collections exist). */
export async function ensureReportIndexes(models: ReportModels): Promise<void> {
  await Promise.all([models.ReportDay, models.ReportDayText, models.ReportDirty, models.ReportMeta].map((model) => model.createCollection().catch(() => undefined)));
}
