import type { TimelineEvent, TimelineRepository } from '../../app/ports/timeline.js';
import type { ReportFactsRepository } from '../../app/ports/report-facts.js';
import type { Models } from './models.js';
import { isDuplicateKey } from './models.js';
import { fromDoc, toDoc } from './mapping.js';
import { isFactEvent } from '../../domain/reports/facts.js';
import { changesTicketView } from '../../app/views/ticket-view.js';
import { assertId, assertIds, assertOptionalId } from './ids.js';

let last = 0;
/** Wall-clock microsecond order: events stamped with the same `at` keep the order they were written in. */
function writeOrder(): number {
  last = Math.max(last + 1, Date.now() * 1000);
  return last;
}

export class MongoTimelineRepository implements TimelineRepository {
  /** `reportDirty`: marks tickets whose report facts changed (issue 8 rollups); optional. */
  constructor(
    private readonly m: Models,
    private readonly reportDirty?: Pick<ReportFactsRepository, 'markDirty'>,
    /** `messagesStale`: marks tickets whose posted messages must be edited (issue 12); optional. */
    private readonly messagesStale?: { markStale(ticketIds: string[]): Promise<unknown> },
  ) {}

  async append(events: TimelineEvent[], opts: { repeated?: boolean } = {}): Promise<void> {
    if (events.length === 0) return;
    const dirty = this.reportDirty ? [...new Set(events.filter((e) => isFactEvent(e.type)).map((e) => e.ticketId))] : [];
    // A ticket's messages are posted after it opened: its opening event never makes one stale.
    const stale = this.messagesStale ? [...new Set(events.filter((e) => e.type !== 'ticket.opened' && changesTicketView(e.type)).map((e) => e.ticketId))] : [];
    // Marked before the insert too, so a crash right after the insert still leaves the ticket
    // marked (a mark without a new event only costs a recomputation of that ticket's facts);
    // the same before/after marking for the messages module (a mark is cleared only if
    // unchanged). Not needed when the caller repeats the append after a crash (issue 18: the
    // intake's groups, where the first mark was an insert plus an update of every ticket's mark).
    if (!opts.repeated) {
      if (dirty.length > 0) await this.reportDirty!.markDirty(dirty);
      if (stale.length > 0) await this.messagesStale!.markStale(stale);
    }
    try {
      await this.m.Timeline.collection.insertMany(events.map((e) => ({ ...toDoc(e), n: writeOrder() })) as never[], { ordered: false });
    } catch (e) {
      // Duplicate keys are replays of events already stored: that is the point of the key.
      if (!isDuplicateKey(e)) throw e;
    }
    // And after it, so the reports module (which clears a mark only if unchanged) always sees
    // these events even when it consumed the first mark while the insert was under way.
    if (dirty.length > 0) await this.reportDirty!.markDirty(dirty, { marked: !opts.repeated });
    if (stale.length > 0) await this.messagesStale!.markStale(stale);
  }

  async existingKeys(keys: string[]): Promise<Set<string>> {
    assertIds(keys, 'event keys');
    const out = new Set<string>();
    for (let i = 0; i < keys.length; i += 500) {
      const docs = await this.m.Timeline.find({ key: { $in: keys.slice(i, i + 500) } }, { key: 1 }).lean();
      for (const d of docs) out.add(String(d.key));
    }
    return out;
  }

  async forTicket(ticketId: string, limit = 5000): Promise<TimelineEvent[]> {
    assertId(ticketId, 'ticket id');
    const docs = await this.m.Timeline.find({ ticketId }).sort({ at: 1, n: 1 }).limit(limit).lean();
    return docs.map((d) => strip(fromDoc<TimelineEvent & { n?: number }>(d)!));
  }

  async pageForTicket(ticketId: string, after: string | null, limit: number): Promise<{ events: TimelineEvent[]; next: string | null }> {
    assertId(ticketId, 'ticket id');
    assertOptionalId(after, 'cursor');
    // The cursor is the (at, n) of the last event returned: the same order as forTicket.
    const c = after ? (JSON.parse(after) as { at: number; n: number }) : null;
    const filter = c ? { ticketId, $or: [{ at: { $gt: new Date(c.at) } }, { at: new Date(c.at), n: { $gt: c.n } }] } : { ticketId };
    const docs = await this.m.Timeline.find(filter).sort({ at: 1, n: 1 }).limit(limit).lean();
    const last = docs.at(-1) as { at?: Date; n?: number } | undefined;
    const next = docs.length === limit && last?.at ? JSON.stringify({ at: new Date(last.at).getTime(), n: Number(last.n ?? 0) }) : null;
    return { events: docs.map((d) => strip(fromDoc<TimelineEvent & { n?: number }>(d)!)), next };
  }

  async stepsAboveFrontLine(from: Date, to: Date): Promise<TimelineEvent[]> {
    const docs = await this.m.Timeline.find({ type: 'escalation.step_fired', at: { $gte: from, $lt: to }, 'data.targets.target': { $in: ['team_lead', 'manager', 'coordinators', 'person'] } })
      .sort({ at: 1, n: 1 })
      .lean();
    return docs.map((d) => strip(fromDoc<TimelineEvent & { n?: number }>(d)!));
  }

  async byTypes(types: string[], from: Date, to: Date): Promise<TimelineEvent[]> {
    const docs = await this.m.Timeline.find({ type: { $in: types }, at: { $gte: from, $lt: to } }).sort({ at: 1, n: 1 }).lean();
    return docs.map((d) => strip(fromDoc<TimelineEvent & { n?: number }>(d)!));
  }
}

function strip(e: TimelineEvent & { n?: number }): TimelineEvent {
  const { n: _n, ...rest } = e;
  return rest;
}
