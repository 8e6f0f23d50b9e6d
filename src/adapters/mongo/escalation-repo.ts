import { randomUUID } from 'node:crypto';
import type { EscalationState, StepFiring } from '../../domain/escalation.js';
import type { EscalationRepository, StoredEscalation } from '../../app/ports/escalations.js';
import type { Models } from './models.js';
import { isDuplicateKey } from './models.js';
import { fromDoc, jsonText, toDoc } from './mapping.js';
import { chunks } from '../../lib/chunks.js';
import { assertId, assertIds } from './ids.js';

/** Whether a status stops the escalation's sends; a Record, so a new status must be classified here. */
const STOPS: Record<EscalationState['status'], boolean> = { active: false, exhausted: false, acknowledged: true, resolved: true, cancelled: true };
const statusesWhere = (stops: boolean) => (Object.keys(STOPS) as EscalationState['status'][]).filter((s) => STOPS[s] === stops);
const LIVE = statusesWhere(false);
/** The statuses after which an escalation sends nothing more. */
const STOPPED = statusesWhere(true);

/** One-second buckets of due times: equality on a bucket is an index lookup on any server. */
export function slotOf(d: Date | string | null | undefined): string | null {
  return d ? String(Math.floor(new Date(d).getTime() / 1000)) : null;
}

/** Incremental scans look at most this far back; longer gaps fall back to a full scan. */
const MAX_SLOTS = 300;

function slotsBetween(fromMs: number, to: Date): string[] | null {
  const a = Math.floor(fromMs / 1000);
  const b = Math.floor(to.getTime() / 1000);
  if (b - a + 1 > MAX_SLOTS || b < a) return null;
  return Array.from({ length: b - a + 1 }, (_, i) => String(a + i));
}

function liveKey(e: Pick<EscalationState, 'id' | 'ticketId' | 'status'>): string {
  return LIVE.includes(e.status) ? e.ticketId : e.id;
}

/**
 * The frozen plan and the latest claim's firings are stored as JSON text: nobody queries inside
 * them, and a server that converts every field of a document on each write (the FerretDB
 * stand-in) then updates an escalation about a third faster. Older documents hold objects.
 */
function encodeNested(set: Record<string, unknown>): Record<string, unknown> {
  const out = { ...set };
  if (out.plan !== undefined && typeof out.plan !== 'string') out.plan = jsonText.write(out.plan);
  if (Array.isArray(out.pending)) out.pending = jsonText.write(out.pending);
  return out;
}

function decodeNested(e: StoredEscalation): void {
  e.plan = jsonText.read<StoredEscalation['plan']>(e.plan, (p) => ({ ...p, frozenAt: new Date(p.frozenAt) }));
  if (e.pending !== undefined) e.pending = jsonText.read<StepFiring[]>(e.pending, (fs) => fs.map((f) => ({ ...f, dueAt: new Date(f.dueAt) })));
}

export class MongoEscalationRepository implements EscalationRepository {
  constructor(private readonly m: Models) {}

  private map(d: Record<string, unknown> | null): StoredEscalation | null {
    const e = fromDoc<StoredEscalation & { liveKey?: string; dueSlot?: string; pendingSlot?: string }>(d);
    if (!e) return null;
    delete e.liveKey;
    delete e.dueSlot;
    delete e.pendingSlot;
    delete (e as { claimToken?: string }).claimToken;
    decodeNested(e);
    return { ...e, pending: e.pending ?? [], pendingAt: e.pendingAt ?? null };
  }

  async insert(e: EscalationState): Promise<boolean> {
    try {
      await this.m.Escalation.collection.insertOne(encodeNested({ ...toDoc(e), liveKey: liveKey(e), dueSlot: slotOf(e.nextDueAt), pending: [], pendingAt: null, pendingSlot: null }) as never);
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async get(id: string) {
    assertId(id, 'escalation id');
    return this.map(await this.m.Escalation.findById(id).lean());
  }

  async liveForTicket(ticketId: string) {
    assertId(ticketId, 'ticket id');
    return this.map(await this.m.Escalation.findOne({ liveKey: ticketId }).lean());
  }

  async forTicket(ticketId: string) {
    assertId(ticketId, 'ticket id');
    const docs = await this.m.Escalation.find({ ticketId }).sort({ startedAt: 1 }).lean();
    return docs.map((d) => this.map(d)!);
  }

  async due(now: Date, limit: number, sinceMs?: number) {
    const slots = sinceMs === undefined ? null : slotsBetween(sinceMs, now);
    // dueSlot is set exactly while an escalation is active (nextDueAt non-null), so the slot
    // lookup alone selects active ones; the status is checked again below.
    if (slots) {
      // No server-side sort here: the slots come from the dueSlot index in time order already,
      // and a sort would make a server without a matching sort index (the FerretDB stand-in)
      // read every due escalation of a big burst on every pass, not just `limit` of them.
      const docs = await this.m.Escalation.find({ dueSlot: { $in: slots }, nextDueAt: { $lte: now } }).limit(limit).lean();
      return docs.map((d) => this.map(d)!).filter((e) => e.status === 'active').sort((a, b) => new Date(a.nextDueAt!).getTime() - new Date(b.nextDueAt!).getTime());
    }
    const docs = await this.m.Escalation.find({ status: 'active', nextDueAt: { $lte: now } }).sort({ nextDueAt: 1 }).limit(limit).lean();
    return docs.map((d) => this.map(d)!).filter((e) => e.status === 'active');
  }

  async dueTimes(sinceMs: number, until: Date, limit: number): Promise<number[] | null> {
    const slots = slotsBetween(sinceMs, until);
    if (!slots) return null;
    const docs = await this.m.Escalation.find({ dueSlot: { $in: slots } }, { _id: 0, nextDueAt: 1, status: 1 }).limit(limit).lean();
    return docs.filter((d) => d.status === 'active' && d.nextDueAt).map((d) => new Date(d.nextDueAt as Date).getTime());
  }

  async claimMany(items: { next: EscalationState; expectedVersion: number; firings: StepFiring[]; prev?: EscalationState }[], now: Date): Promise<Set<string>> {
    const token = randomUUID();
    const won = new Set<string>();
    for (const part of chunks(items)) {
      const r = await this.m.Escalation.collection.bulkWrite(
        part.map((it) => {
          const u = this.claimUpdate(it.next, it.expectedVersion, it.firings, now, it.prev);
          (u.update.$set as Record<string, unknown>).claimToken = token;
          return { updateOne: { filter: u.filter as never, update: u.update as never } };
        }),
        { ordered: false },
      );
      // Each filter names one escalation at one version: all matched means all won, the usual
      // case, and saves reading them back.
      if (r.matchedCount === part.length) {
        for (const it of part) won.add(it.next.id);
        continue;
      }
      // A bulk result only counts matches: the token says which of ours won.
      const docs = await this.m.Escalation.find({ claimToken: token, _id: { $in: part.map((it) => it.next.id) } }, { _id: 1 }).lean();
      for (const d of docs) won.add(String(d._id));
    }
    return won;
  }

  /**
   * The compare-and-set of a claim. Given the state read at `expectedVersion` (`prev`), only the
   * fields that changed are set: the version filter guarantees the rest is stored as read, and
   * a server that rewrites the whole document per update (the FerretDB stand-in) pays for every
   * field set, the frozen plan included. A field holding the same object as read (the plan,
   * usually) is not even serialised to compare.
   */
  private claimUpdate(next: EscalationState, expectedVersion: number, firings: StepFiring[], now: Date, prev?: EscalationState) {
    const { _id, pending: _p, pendingAt: _pa, ...all } = toDoc(next as StoredEscalation);
    const before = prev ? (toDoc(prev as StoredEscalation) as Record<string, unknown>) : null;
    const rest = before ? Object.fromEntries(Object.entries(all).filter(([k, v]) => v !== before[k] && JSON.stringify(v) !== JSON.stringify(before[k]))) : all;
    const set: Record<string, unknown> = { ...rest, liveKey: liveKey(next), dueSlot: slotOf(next.nextDueAt), version: expectedVersion + 1 };
    const update: Record<string, unknown> = { $set: set };
    if (firings.length > 0) {
      // Replaces the previous claim's firings: the engine checks those were stored before claiming again.
      set.pending = firings;
      set.pendingAt = now;
      set.pendingSlot = slotOf(now);
    }
    update.$set = encodeNested(set);
    return { filter: { _id, version: expectedVersion }, update };
  }

  async claim(next: EscalationState, expectedVersion: number, firings: StepFiring[], now: Date): Promise<boolean> {
    const u = this.claimUpdate(next, expectedVersion, firings, now);
    const r = await this.m.Escalation.collection.updateOne(u.filter as never, u.update as never);
    return r.matchedCount === 1;
  }

  async claimedBetween(before: Date, limit: number, sinceMs?: number) {
    const slots = sinceMs === undefined ? null : slotsBetween(sinceMs, before);
    const q: Record<string, unknown> = slots ? { pendingSlot: { $in: slots } } : { pendingAt: { $gte: new Date(before.getTime() - 86_400_000), $lte: before } };
    const docs = await this.m.Escalation.find(q).limit(limit).lean();
    return docs.map((d) => this.map(d)!).filter((e) => e.pendingAt && new Date(e.pendingAt).getTime() <= before.getTime());
  }

  async transition(id: string, from: EscalationState['status'][], next: Partial<EscalationState>) {
    assertId(id, 'escalation id');
    const set: Record<string, unknown> = { ...next };
    if ('nextDueAt' in next) set.dueSlot = slotOf(next.nextDueAt);
    if (next.status) set.liveKey = LIVE.includes(next.status) ? (await this.m.Escalation.findById(id, { ticketId: 1 }).lean())?.ticketId : id;
    const doc = await this.m.Escalation.findOneAndUpdate({ _id: id, status: { $in: from } }, { $set: set, $inc: { version: 1 } }, { returnDocument: 'after' }).lean();
    return this.map(doc);
  }

  async overdue(before: Date, limit: number, sinceMs?: number) {
    const slots = sinceMs === undefined ? null : slotsBetween(sinceMs, before);
    const q: Record<string, unknown> = slots ? { dueSlot: { $in: slots }, nextDueAt: { $lte: before } } : { status: 'active', nextDueAt: { $lte: before } };
    const docs = (await this.m.Escalation.find(q).sort({ nextDueAt: 1 }).limit(limit).lean()).filter((d) => d.status === 'active');
    return docs.map((d) => this.map(d)!);
  }

  async stoppedAmong(ids: string[]) {
    assertIds(ids, 'escalation ids');
    // Both conditions are equality lists: the database narrows by them before reading a document.
    const docs = await this.m.Escalation.find({ _id: { $in: ids }, status: { $in: STOPPED } }, { status: 1 }).lean();
    return new Map(docs.map((d) => [String(d._id), d.status as EscalationState['status']]));
  }

  async statuses(ids: string[]) {
    assertIds(ids, 'escalation ids');
    const docs = await this.m.Escalation.find({ _id: { $in: ids } }, { status: 1 }).lean();
    return new Map(docs.map((d) => [String(d._id), d.status as EscalationState['status']]));
  }
}
