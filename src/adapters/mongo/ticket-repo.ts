import type { QueryFilter } from 'mongoose';
import type { Doc } from './models.js';
import type { Ticket } from '../../domain/ticket.js';
import { OPEN_STATUSES } from '../../domain/ticket.js';
import type { AlertKeyRepository, TicketFilter, TicketRepository } from '../../app/ports/tickets.js';
import type { Models } from './models.js';
import { isDuplicateKey } from './models.js';
import { fromDoc, toDoc } from './mapping.js';
import { assertId, assertIds, assertNumber, assertOptionalId } from './ids.js';

const FIRST_NUMBER = 1000;

/** True while the response SLA may still breach unhandled: the engine's breach scan looks only at these. */
function slaWatch(t: Ticket, breachHandled: boolean): boolean {
  return !breachHandled && !t.sla.respondedAt && !t.sla.pausedAt && OPEN_STATUSES.includes(t.status) && t.status !== 'pending';
}

/** Every id a filter carries must be text (a list filter holds texts). */
function assertFilter(f: TicketFilter): void {
  for (const k of ['assigneeId', 'requesterId'] as const) assertOptionalId(f[k], k);
  for (const k of ['status', 'teamId', 'priority'] as const) if (f[k] !== undefined) assertIds(f[k], k);
}

function query(f: TicketFilter): QueryFilter<Doc> {
  const q: QueryFilter<Doc> = {};
  if (f.status?.length) q.status = { $in: f.status };
  if (f.teamId?.length) q.teamId = { $in: f.teamId };
  if (f.priority?.length) q.priority = { $in: f.priority };
  if (f.assigneeId) q.assigneeId = f.assigneeId;
  if (f.requesterId) q.requesterId = f.requesterId;
  if (f.escalated !== undefined) q.escalated = f.escalated;
  if (f.elevated !== undefined) q.elevated = f.elevated;
  if (f.createdFrom || f.createdTo) q.createdAt = { ...(f.createdFrom ? { $gte: f.createdFrom } : {}), ...(f.createdTo ? { $lt: f.createdTo } : {}) };
  return q;
}

function newDoc(ticket: Ticket) {
  return { ...toDoc(ticket), breachHandled: false, slaWatch: slaWatch(ticket, false), timersStale: true, timersAt: null, timersDone: [] };
}

export class MongoTicketRepository implements TicketRepository {
  /** Tickets stored before timersStale existed may lack it: looked for until none is left (see timersToCompute). */
  private legacyTimers = true;

  constructor(private readonly m: Models) {}

  async nextNumber(): Promise<number> {
    // $inc on one counter document is atomic: concurrent callers get distinct numbers.
    const doc = await this.m.Counter.findOneAndUpdate({ _id: 'ticket' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' }).lean();
    return FIRST_NUMBER + Number(doc?.seq) - 1;
  }

  async nextNumbers(n: number): Promise<number> {
    if (!Number.isInteger(n) || n < 1) throw new Error(`nextNumbers: ${n} is not a positive whole number`);
    const doc = await this.m.Counter.findOneAndUpdate({ _id: 'ticket' }, { $inc: { seq: n } }, { upsert: true, returnDocument: 'after' }).lean();
    return FIRST_NUMBER + Number(doc?.seq) - n;
  }

  async insert(ticket: Ticket): Promise<void> {
    await this.m.Ticket.collection.insertOne(newDoc(ticket) as never);
  }

  async insertMany(tickets: Ticket[]): Promise<string[]> {
    if (tickets.length === 0) return [];
    try {
      await this.m.Ticket.collection.insertMany(tickets.map(newDoc) as never[], { ordered: false });
      return [];
    } catch (e) {
      // Unordered: every other ticket of the group is stored; a duplicate id was stored before.
      const errs = (e as { writeErrors?: { code?: number; index: number }[] | { code?: number; index: number } }).writeErrors;
      const list = Array.isArray(errs) ? errs : errs ? [errs] : [];
      if (list.length === 0 || list.some((w) => w.code !== 11000)) throw e;
      return list.map((w) => tickets[w.index]!.id);
    }
  }

  async foldAlertCount(id: string, count: number): Promise<Ticket | null> {
    assertId(id, 'ticket id');
    // $max: a fold repeated, or overtaken by a later one, never lowers nor doubles the count.
    // Not an update of the ticket (updatedAt, version): a repeat is no sign of life from the
    // people on it (the ack-timeout chase counts from their last update).
    const doc = await this.m.Ticket.collection.findOneAndUpdate({ _id: id } as never, { $max: { alertCount: count } }, { returnDocument: 'after' });
    return fromDoc<Ticket>(doc as never);
  }

  /** An open alert ticket's count includes the repeats counted on its key and not folded yet. */
  private async withLiveCounts(tickets: Ticket[]): Promise<Ticket[]> {
    const counted = tickets.filter((t) => t.alertKey && OPEN_STATUSES.includes(t.status));
    if (counted.length === 0) return tickets;
    const keys = (await this.m.AlertKey.find({ _id: { $in: [...new Set(counted.map((t) => t.alertKey!))] } }).lean()) as unknown as { ticketId: string; n?: number }[];
    const live = new Map(keys.map((k) => [k.ticketId, k.n ?? 0]));
    return tickets.map((t) => ((live.get(t.id) ?? 0) > t.alertCount ? { ...t, alertCount: live.get(t.id)! } : t));
  }

  private async one(t: Ticket | null): Promise<Ticket | null> {
    return t ? (await this.withLiveCounts([t]))[0]! : null;
  }

  async get(id: string): Promise<Ticket | null> {
    assertId(id, 'ticket id');
    return this.one(fromDoc<Ticket>(await this.m.Ticket.findById(id).lean()));
  }

  async getByNumber(number: number): Promise<Ticket | null> {
    assertNumber(number, 'ticket number');
    return this.one(fromDoc<Ticket>(await this.m.Ticket.findOne({ number }).lean()));
  }

  async getMany(ids: string[]): Promise<Map<string, Ticket>> {
    assertIds(ids, 'ticket ids');
    const docs = await this.m.Ticket.find({ _id: { $in: ids } }).lean();
    return new Map((await this.withLiveCounts(docs.map((d) => fromDoc<Ticket>(d)!))).map((t) => [t.id, t]));
  }

  async save(ticket: Ticket, extra: { breachHandled?: boolean } = {}): Promise<Ticket | null> {
    // timersDone is the engine's, added to in place, and alertCount only grows (foldAlertCount):
    // a save never writes back an older copy of either.
    const { _id, timersDone: _done, alertCount: _count, ...rest } = toDoc(ticket);
    // Every change may move a warning, a breach or an ack timeout: the timers module recomputes them.
    const next: Record<string, unknown> = { ...rest, ...extra, version: ticket.version + 1, timersStale: true };
    // An unanswered open ticket stays watched; the breach scan also checks breachHandled, so a
    // ticket already escalated costs a look, never a second escalation.
    next.slaWatch = slaWatch(ticket, extra.breachHandled ?? false);
    const r = await this.m.Ticket.collection.updateOne({ _id, version: ticket.version } as never, { $set: next });
    return r.matchedCount === 1 ? { ...ticket, version: ticket.version + 1 } : null;
  }

  async list(filter: TicketFilter, limit: number, skip = 0): Promise<Ticket[]> {
    assertFilter(filter);
    const docs = await this.m.Ticket.find(query(filter)).sort({ createdAt: -1, number: -1 }).skip(skip).limit(limit).lean();
    return this.withLiveCounts(docs.map((d) => fromDoc<Ticket>(d)!));
  }

  async count(filter: TicketFilter): Promise<number> {
    assertFilter(filter);
    return this.m.Ticket.countDocuments(query(filter));
  }

  async dueForBreach(now: Date, limit: number): Promise<Ticket[]> {
    const docs = await this.m.Ticket.find({
      slaWatch: true,
      status: { $in: OPEN_STATUSES.filter((s) => s !== 'pending') },
      'sla.responseDueAt': { $lte: now },
      'sla.respondedAt': null,
      breachHandled: { $ne: true },
    })
      .sort({ 'sla.responseDueAt': 1 })
      .limit(limit)
      .lean();
    return docs.map((d) => fromDoc<Ticket>(d)!);
  }

  async markBreachHandled(id: string): Promise<boolean> {
    assertId(id, 'ticket id');
    const r = await this.m.Ticket.updateOne({ _id: id, breachHandled: { $ne: true } }, { $set: { breachHandled: true, slaWatch: false } });
    return r.modifiedCount === 1;
  }

  async timersToCompute(limit: number): Promise<Ticket[]> {
    // Every write sets timersStale (true or false): an equality is an index lookup on any server.
    // Until one pass found fewer than `limit`, also look for tickets stored without the field.
    const q = this.legacyTimers ? { timersStale: { $ne: false } } : { timersStale: true };
    const docs = await this.m.Ticket.find(q).limit(limit).lean();
    if (docs.length < limit) this.legacyTimers = false;
    return docs.map((d) => fromDoc<Ticket>(d)!);
  }

  async setTimers(id: string, version: number, at: Date | null): Promise<boolean> {
    const r = await this.m.Ticket.updateOne({ _id: id, version }, { $set: { timersAt: at, timersStale: false } });
    return r.matchedCount === 1;
  }

  async markTimersStale(): Promise<number> {
    const r = await this.m.Ticket.updateMany({ status: { $in: OPEN_STATUSES }, timersStale: { $ne: true } }, { $set: { timersStale: true } });
    return r.modifiedCount;
  }

  async timersDue(now: Date, limit: number): Promise<Ticket[]> {
    const docs = await this.m.Ticket.find({ timersAt: { $lte: now } }).sort({ timersAt: 1 }).limit(limit).lean();
    return docs.map((d) => fromDoc<Ticket>(d)!);
  }

  async markTimerDone(id: string, key: string): Promise<void> {
    await this.m.Ticket.updateOne({ _id: id }, { $addToSet: { timersDone: key }, $set: { timersStale: true, timersAt: null } });
  }

  async reactionsDue(now: Date, limit: number): Promise<Ticket[]> {
    const docs = await this.m.Ticket.find({ reactAt: { $lte: now } }).sort({ reactAt: 1 }).limit(limit).lean();
    return docs.map((d) => fromDoc<Ticket>(d)!);
  }
}

type AlertKeyDoc = { _id: string; ticketId: string; state: 'creating' | 'open'; at: Date; n?: number };

/**
 * alert_keys: one small document per dedup key with an open (or opening) ticket. `n` is the
 * ticket's alert count, counted here while the key names the ticket (issue 18: an update of
 * this document is about half the database work of one of the ticket) and folded into the
 * ticket's alertCount later and at release. A key stored without `n` (by an Esc before it)
 * takes the ticket's count at markOpen.
 */
export class MongoAlertKeyRepository implements AlertKeyRepository {
  constructor(private readonly m: Models) {}

  async claim(key: string, ticketId: string, now: Date, count = 1): ReturnType<AlertKeyRepository['claim']> {
    assertId(key, 'dedup key');
    assertId(ticketId, 'ticket id');
    try {
      await this.m.AlertKey.collection.insertOne({ _id: key, ticketId, state: 'creating', at: now, n: count } as never);
      return { owner: true, ticketId, state: 'creating' as const, at: now };
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      const doc = (await this.m.AlertKey.findById(key).lean()) as unknown as AlertKeyDoc | null;
      if (!doc) return this.claim(key, ticketId, now, count); // released in between: try again
      return { owner: false, ticketId: doc.ticketId, state: doc.state, at: doc.at };
    }
  }

  async claimMany(items: { key: string; ticketId: string; count: number }[], now: Date): Promise<Set<string>> {
    for (const i of items) {
      assertId(i.key, 'dedup key');
      assertId(i.ticketId, 'ticket id');
    }
    const won = new Set(items.map((i) => i.key));
    if (items.length === 0) return won;
    try {
      await this.m.AlertKey.collection.insertMany(items.map((i) => ({ _id: i.key, ticketId: i.ticketId, state: 'creating', at: now, n: i.count })) as never[], { ordered: false });
    } catch (e) {
      // Unordered: every key not reported is claimed; a duplicate is a key another ticket holds.
      if (!isDuplicateKey(e)) throw e;
      const errs = (e as { writeErrors?: { index: number }[] | { index: number } }).writeErrors;
      for (const w of Array.isArray(errs) ? errs : errs ? [errs] : []) won.delete(items[w.index]!.key);
    }
    return won;
  }

  async count(key: string, ticketId: string, count: number): Promise<number | null> {
    assertId(key, 'dedup key');
    assertId(ticketId, 'ticket id');
    const doc = (await this.m.AlertKey.collection.findOneAndUpdate({ _id: key, ticketId, state: 'open', n: { $exists: true } } as never, { $inc: { n: count } }, { returnDocument: 'after' })) as unknown as AlertKeyDoc | null;
    return doc?.n ?? null;
  }

  async markOpenMany(items: { key: string; ticketId: string }[]): Promise<void> {
    if (items.length === 0) return;
    assertIds(items.map((i) => i.key), 'dedup keys');
    assertIds(items.map((i) => i.ticketId), 'ticket ids');
    // Ticket ids are fresh per claim, so a key can only match its own.
    await this.m.AlertKey.updateMany({ _id: { $in: items.map((i) => i.key) }, ticketId: { $in: items.map((i) => i.ticketId) } }, { $set: { state: 'open' } });
  }

  async releaseMany(items: { key: string; ticketId: string }[]): Promise<void> {
    if (items.length === 0) return;
    assertIds(items.map((i) => i.key), 'dedup keys');
    assertIds(items.map((i) => i.ticketId), 'ticket ids');
    await this.m.AlertKey.deleteMany({ _id: { $in: items.map((i) => i.key) }, ticketId: { $in: items.map((i) => i.ticketId) } });
  }

  async getMany(keys: string[]): ReturnType<AlertKeyRepository['getMany']> {
    assertIds(keys, 'dedup keys');
    const docs = (await this.m.AlertKey.find({ _id: { $in: keys } }).lean()) as unknown as AlertKeyDoc[];
    return new Map(docs.map((d) => [String(d._id), { ticketId: d.ticketId, state: d.state, at: d.at, count: d.n ?? null }]));
  }

  async markOpen(key: string, ticketId: string, count?: number): Promise<void> {
    assertId(key, 'dedup key');
    assertId(ticketId, 'ticket id');
    // A key stored without its count (an older Esc) takes the ticket's.
    if (count !== undefined) await this.m.AlertKey.updateOne({ _id: key, ticketId, n: { $exists: false } }, { $set: { state: 'open', n: count } });
    await this.m.AlertKey.updateOne({ _id: key, ticketId, state: 'creating' }, { $set: { state: 'open' } });
  }

  async release(key: string, ticketId: string): Promise<void> {
    assertId(key, 'dedup key');
    assertId(ticketId, 'ticket id');
    await this.m.AlertKey.deleteOne({ _id: key, ticketId });
  }

  async releaseCounted(key: string, ticketId: string, count: number | null): Promise<boolean> {
    assertId(key, 'dedup key');
    assertId(ticketId, 'ticket id');
    const r = await this.m.AlertKey.deleteOne({ _id: key, ticketId, n: count === null ? { $exists: false } : count });
    if (r.deletedCount === 1) return true;
    const doc = (await this.m.AlertKey.findById(key).lean()) as unknown as AlertKeyDoc | null;
    return doc?.ticketId !== ticketId;
  }

  async takeOver(key: string, staleTicketId: string, newTicketId: string, now: Date): Promise<boolean> {
    assertId(key, 'dedup key');
    assertId(staleTicketId, 'ticket id');
    // The new ticket opens with its first alert counted.
    const r = await this.m.AlertKey.updateOne({ _id: key, ticketId: staleTicketId, state: 'creating' }, { $set: { ticketId: newTicketId, at: now, n: 1 } });
    return r.modifiedCount === 1;
  }
}
