import type { DirtyMark, FactPrefilter, ReportDayFacts, ReportFactsRepository } from '../../app/ports/report-facts.js';
import type { FactEvent, TicketFact } from '../../domain/reports/facts.js';
import { isFactEvent } from '../../domain/reports/facts.js';
import { chunks } from '../../lib/chunks.js';
import { isDuplicateKey } from './models.js';
import type { ReportModels } from './report-models.js';
import { decodeDay, ticketTexts } from './report-codec.js';
import type { TicketTexts } from './report-codec-v2.js';
import { decodeDayV2, decodeTexts, encodeDayV2, encodeTexts, scanDayV2 } from './report-codec-v2.js';
import { localDay } from '../../domain/reports/periods.js';
import { assertIds } from './ids.js';

/** `$in` lists stay at or under this (the local server uses its index only up to 500 values). */
const IN_MAX = 500;
/** The fewest days per read of a report scan. */
const SCAN_MIN = 31;

/** A stored day bucket: format 2 (`r`) or format 1 (`dict`, `rows`, maybe `ids`). */
type DayDoc = { _id?: unknown; v?: unknown; r?: unknown; dict?: unknown; rows?: unknown; ids?: unknown };

/** The facts of a bucket of either format; `texts` gives format-2 rows their ticket id and title. */
function decodeStored(doc: DayDoc, out: TicketFact[], texts?: TicketTexts): TicketFact[] {
  if (typeof doc.r === 'string') return decodeDayV2(doc.r, out, texts);
  return decodeDay(doc, out);
}

/** Reports rollups on MongoDB: day buckets replaced by compare-and-set, dirty marks, the timeline read by ticket. */
export class MongoReportFactsRepository implements ReportFactsRepository {
  constructor(private readonly m: ReportModels) {}

  async factsForDays(days: string[]): Promise<TicketFact[]> {
    const unique = [...new Set(days)];
    // Two queries in flight: the server decodes one batch while this process decodes the other.
    const parts = chunks(unique, Math.min(IN_MAX, Math.max(1, Math.ceil(unique.length / 2))));
    const [docs, texts] = await Promise.all([
      Promise.all(parts.map((ids) => this.m.ReportDay.collection.find({ _id: { $in: ids } } as never, { projection: { r: 1, dict: 1, rows: 1, ids: 1 } }).toArray())),
      this.textsOfDays(unique),
    ]);
    const out: TicketFact[] = [];
    for (const batch of docs) for (const d of batch) decodeStored(d as DayDoc, out, texts.get(String(d._id)));
    return out;
  }

  /** Day → its tickets' ids and titles (format 2 buckets). */
  private async textsOfDays(days: string[]): Promise<Map<string, TicketTexts>> {
    const out = new Map<string, TicketTexts>();
    const docs = await Promise.all(chunks(days, IN_MAX).map((ids) => this.m.ReportDayText.collection.find({ _id: { $in: ids } } as never).toArray()));
    for (const batch of docs) for (const d of batch) out.set(String(d._id), decodeTexts(d.t));
    return out;
  }

  async scanDays(days: string[], onFact: (fact: TicketFact) => void, only?: FactPrefilter): Promise<void> {
    // Few large reads (each round trip waits for two processes to be scheduled on a busy machine),
    // two in flight so the server reads the next while this process decodes.
    const unique = [...new Set(days)];
    const parts = chunks(unique, Math.min(IN_MAX, Math.max(SCAN_MIN, Math.ceil(unique.length / 4))));
    // Format 2 buckets hold no ticket ids or titles (report_day_texts does); format 1's `ids` is not read.
    const load = (ids: string[]) => this.m.ReportDay.collection.find({ _id: { $in: ids } } as never, { projection: { r: 1, dict: 1, rows: 1 }, batchSize: IN_MAX }).toArray();
    // Two queries in flight: the server reads the next buckets while this process decodes these.
    let next = parts.length > 0 ? load(parts[0]!) : null;
    for (let i = 0; i < parts.length; i++) {
      const docs = await next!;
      next = i + 1 < parts.length ? load(parts[i + 1]!) : null;
      for (const d of docs) {
        if (typeof d.r === 'string') scanDayV2(d.r, onFact, undefined, true, only);
        else for (const f of decodeDay(d as DayDoc)) onFact(f);
      }
    }
  }

  async ticketTexts(refs: { number: number; openedAt: number }[]): Promise<Map<number, { ticketId: string; title: string }>> {
    const out = new Map<number, { ticketId: string; title: string }>();
    if (refs.length === 0) return out;
    const timeZone = (await this.bucketTimeZone()) ?? 'UTC';
    const days = [...new Set(refs.map((r) => localDay(r.openedAt, timeZone)))];
    const numbers = new Set(refs.map((r) => r.number));
    for (const texts of (await this.textsOfDays(days)).values()) {
      for (const n of numbers) {
        const t = texts.get(n);
        if (t) out.set(n, t);
      }
    }
    // Format 1 buckets (not rewritten since) keep the text in the day document's `ids`.
    const left = refs.filter((r) => !out.has(r.number));
    if (left.length === 0) return out;
    for (const part of chunks([...new Set(left.map((r) => localDay(r.openedAt, timeZone)))], IN_MAX)) {
      const docs = await this.m.ReportDay.collection.find({ _id: { $in: part } } as never, { projection: { ids: 1 } }).toArray();
      for (const d of docs) ticketTexts(d as { ids?: unknown }, numbers, out);
    }
    return out;
  }

  async markDirty(ticketIds: string[], opts: { marked?: boolean } = {}): Promise<void> {
    assertIds(ticketIds, 'ticket ids');
    // Same effect as one `$inc v` upsert per ticket, in grouped writes (issue 18: upserts cost
    // FerretDB about 17 times an insert, and every opened ticket is marked twice): new marks are
    // inserted (v 1), existing ones bumped with one update; one upsert each only for marks
    // deleted in between (the reports module cleared them).
    const col = this.m.ReportDirty.collection;
    for (let part of chunks([...new Set(ticketIds)], 500)) {
      if (opts.marked) {
        // Marked moments ago: one update bumps them all (the insert below would first fail on
        // every one of them). Those the reports module cleared meanwhile are stored again below.
        const r = await col.updateMany({ _id: { $in: part } } as never, { $inc: { v: 1 } });
        if (r.modifiedCount === part.length) continue;
        const there = new Set((await col.find({ _id: { $in: part } } as never, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)));
        part = part.filter((id) => !there.has(id));
        if (part.length === 0) continue;
      }
      let held: string[] = [];
      try {
        await col.insertMany(part.map((id) => ({ _id: id, v: 1 })) as never[], { ordered: false });
      } catch (e) {
        const errs = (e as { writeErrors?: unknown }).writeErrors;
        const list = (Array.isArray(errs) ? errs : errs ? [errs] : []) as { code?: number; index?: number }[];
        if (list.length === 0 || list.some((w) => w.code !== 11000 || typeof w.index !== 'number')) throw e;
        held = list.map((w) => part[w.index!]!);
      }
      if (held.length === 0) continue;
      const r = await col.updateMany({ _id: { $in: held } } as never, { $inc: { v: 1 } });
      if (r.modifiedCount === held.length) continue;
      for (const few of chunks(held, 50)) await col.bulkWrite(few.map((id) => ({ updateOne: { filter: { _id: id } as never, update: { $inc: { v: 1 } }, upsert: true } })), { ordered: false });
    }
  }

  async dirty(limit: number): Promise<DirtyMark[]> {
    const docs = await this.m.ReportDirty.collection.find({}, { limit }).toArray();
    return docs.map((d) => ({ ticketId: String(d._id), v: Number(d.v ?? 0) }));
  }

  async clearDirty(marks: DirtyMark[]): Promise<number> {
    let n = 0;
    for (const part of chunks(marks, 50)) {
      const r = await this.m.ReportDirty.collection.bulkWrite(
        part.map((mk) => ({ deleteOne: { filter: { _id: mk.ticketId, v: mk.v } as never } })),
        { ordered: false },
      );
      n += r.deletedCount;
    }
    return n;
  }

  async eventsFor(ticketIds: string[]): Promise<Map<string, FactEvent[]>> {
    assertIds(ticketIds, 'ticket ids');
    const out = new Map<string, (FactEvent & { n: number })[]>();
    // Two queries in flight: the server reads one chunk while this process decodes the other.
    const parts = chunks([...new Set(ticketIds)], IN_MAX);
    // Only `ticketId $in`: the local server uses the index for that alone (measured: adding a
    // `type` condition made it scan the whole timeline, 8 s instead of 1 s per 500 tickets at 1M events).
    const load = (ids: string[]) => this.m.Timeline.collection.find({ ticketId: { $in: ids } } as never, { projection: { ticketId: 1, at: 1, n: 1, type: 1, actor: 1, data: 1 } }).toArray();
    for (let i = 0; i < parts.length; i += 2) {
      const docs = (await Promise.all(parts.slice(i, i + 2).map(load))).flat();
      for (const d of docs) {
        // Only the types the fold reads (deliveries and comments are most of a timeline).
        if (!isFactEvent(String(d.type))) continue;
        const e = { id: String(d._id), ticketId: String(d.ticketId), at: d.at as Date, type: String(d.type), actor: (d.actor ?? null) as FactEvent['actor'], data: (d.data ?? {}) as Record<string, unknown>, n: Number(d.n ?? 0) };
        const list = out.get(e.ticketId);
        if (list) list.push(e);
        else out.set(e.ticketId, [e]);
      }
    }
    // Oldest first; within one instant, the order they were written in.
    for (const list of out.values()) list.sort((a, b) => a.at.getTime() - b.at.getTime() || a.n - b.n);
    return out;
  }

  async putFacts(entries: { day: string; fact: TicketFact }[]): Promise<void> {
    const byDay = new Map<string, TicketFact[]>();
    for (const e of entries) {
      const list = byDay.get(e.day);
      if (list) list.push(e.fact);
      else byDay.set(e.day, [e.fact]);
    }
    const days = [...byDay.keys()].sort();
    // A few days at a time: each is a read, a merge and a conditional write.
    for (const part of chunks(days, 8)) await Promise.all(part.map((day) => this.putDay(day, byDay.get(day)!)));
  }

  /**
   * Merges facts into one day bucket with compare-and-set on `v` (another process may be writing
   * the same day). The texts (ids and titles) are written first and only ever gain entries, so a
   * stored row always has its text, whatever a concurrent writer or a crash in between does.
   */
  private async putDay(day: string, facts: TicketFact[]): Promise<void> {
    const insert = async (model: ReportModels['ReportDay'], doc: object): Promise<boolean> => {
      try {
        await model.collection.insertOne(doc as never);
        return true;
      } catch (e) {
        if (isDuplicateKey(e)) return false;
        throw e;
      }
    };
    for (let attempt = 0; attempt < 50; attempt++) {
      const [doc, textDoc] = await Promise.all([this.m.ReportDay.collection.findOne({ _id: day } as never), this.m.ReportDayText.collection.findOne({ _id: day } as never)]);
      const texts = decodeTexts(textDoc?.t);
      const merged = new Map<string, TicketFact>();
      if (doc) for (const f of decodeStored(doc as DayDoc, [], texts)) merged.set(f.ticketId || `#${f.number}`, f);
      for (const f of facts) merged.set(f.ticketId, f);
      const all = [...merged.values()];
      for (const f of all) if (f.ticketId !== '') texts.set(f.number, { ticketId: f.ticketId, title: f.title });
      const t = encodeTexts(texts);
      if (!textDoc) {
        if (!(await insert(this.m.ReportDayText, { _id: day, v: 1, t }))) continue;
      } else if (textDoc.t !== t) {
        const r = await this.m.ReportDayText.collection.updateOne({ _id: day, v: textDoc.v } as never, { $set: { t }, $inc: { v: 1 } });
        if (r.matchedCount !== 1) continue;
      }
      const enc = encodeDayV2(all);
      if (!doc) {
        if (await insert(this.m.ReportDay, { _id: day, v: 1, n: enc.n, r: enc.r })) return;
        continue;
      }
      const r = await this.m.ReportDay.collection.updateOne({ _id: day, v: doc.v } as never, { $set: { n: enc.n, r: enc.r }, $unset: { dict: '', rows: '', ids: '' }, $inc: { v: 1 } });
      if (r.matchedCount === 1) return;
    }
    throw new Error(`report day ${day}: too many concurrent writers`);
  }

  async *allDays(): AsyncIterable<ReportDayFacts> {
    const ids = (await this.m.ReportDay.collection.find({}, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)).sort();
    for (const part of chunks(ids, 60)) {
      const [docs, texts] = await Promise.all([this.m.ReportDay.collection.find({ _id: { $in: part } } as never).toArray(), this.textsOfDays(part)]);
      docs.sort((a, b) => (String(a._id) < String(b._id) ? -1 : 1));
      for (const d of docs) yield { day: String(d._id), facts: decodeStored(d as DayDoc, [], texts.get(String(d._id))) };
    }
  }

  async allTicketIds(): Promise<string[]> {
    const docs = await this.m.Timeline.collection.find({ type: 'ticket.opened' }, { projection: { ticketId: 1 } }).toArray();
    return [...new Set(docs.map((d) => String(d.ticketId)))];
  }

  async bucketTimeZone(): Promise<string | null> {
    const d = await this.m.ReportMeta.collection.findOne({ _id: 'buckets' } as never);
    return d ? String(d.timeZone) : null;
  }

  async resetBuckets(timeZone: string): Promise<void> {
    await this.m.ReportDay.collection.deleteMany({});
    await this.m.ReportDayText.collection.deleteMany({});
    await this.m.ReportMeta.collection.updateOne({ _id: 'buckets' } as never, { $set: { timeZone } }, { upsert: true });
  }
}
