import mongoose from 'mongoose';
import type { Connection, Model } from 'mongoose';
import type { ChangedTicket, HomeMark, HomeRegistry, HomeWhere } from '../../app/ports/homes.js';
import type { TimelineRepository } from '../../app/ports/timeline.js';
import { changesTicketView } from '../../app/views/ticket-view.js';
import { isDbUnreachable } from '../agenda/db-health-log.js';

interface HomeDoc {
  _id: string;
  slack: string | null;
  teams: { conversationId: string; activityId: string } | null;
  openedAt: Date;
  /** When the home is to be published again; null: up to date. */
  dueAt: Date | null;
  v: number;
}

interface ChangedDoc {
  _id: string;
  v: number;
}

/** How long "nobody has opened a home" is believed before asking the database again. */
const ANY_OPENED_TTL_MS = 30_000;

/**
 * Homes in MongoDB (issue 16): collection `homes` (one document per person who opened their
 * home: where, and when it is due again) and `home_changed_tickets` (tickets changed since the
 * engine last looked). A process that never saw a home opened checks at most every 30 s, so
 * the timeline pays nothing while the feature is unused.
 */
export class MongoHomeRegistry implements HomeRegistry {
  private models: { Home: Model<HomeDoc>; Changed: Model<ChangedDoc> } | null = null;
  private anyOpened: { value: boolean; at: number } | null = null;

  constructor(private readonly conn: Connection) {}

  private m() {
    const c = this.conn;
    if (!this.models) {
      const home = new mongoose.Schema<HomeDoc>({ _id: String, slack: String, teams: mongoose.Schema.Types.Mixed, openedAt: Date, dueAt: Date, v: Number }, { versionKey: false, collection: 'homes' });
      home.index({ dueAt: 1 });
      const changed = new mongoose.Schema<ChangedDoc>({ _id: String, v: Number }, { versionKey: false, collection: 'home_changed_tickets' });
      this.models = {
        Home: (c.models.EscHome as Model<HomeDoc> | undefined) ?? c.model<HomeDoc>('EscHome', home),
        Changed: (c.models.EscHomeChangedTicket as Model<ChangedDoc> | undefined) ?? c.model<ChangedDoc>('EscHomeChangedTicket', changed),
      };
    }
    return this.models;
  }

  async ensureIndexes(): Promise<void> {
    await this.m().Home.createIndexes();
  }

  async opened(personId: string, where: HomeWhere, now: Date): Promise<void> {
    const set = where.platform === 'slack' ? { slack: where.userId } : { teams: { conversationId: where.conversationId, activityId: where.activityId } };
    await this.m().Home.updateOne({ _id: String(personId) }, { $set: { ...set, openedAt: now }, $setOnInsert: { dueAt: null, v: 0, ...(where.platform === 'slack' ? { teams: null } : { slack: null }) } }, { upsert: true });
    this.anyOpened = { value: true, at: Date.now() };
  }

  inUse(): Promise<boolean> {
    return this.someoneOpened();
  }

  private async someoneOpened(): Promise<boolean> {
    if (this.anyOpened && (this.anyOpened.value || Date.now() - this.anyOpened.at < ANY_OPENED_TTL_MS)) return this.anyOpened.value;
    const value = (await this.m().Home.exists({})) !== null;
    this.anyOpened = { value, at: Date.now() };
    return value;
  }

  async ticketsChanged(ticketIds: string[]): Promise<void> {
    if (ticketIds.length === 0 || !(await this.someoneOpened())) return;
    await this.m().Changed.bulkWrite(ticketIds.map((id) => ({ updateOne: { filter: { _id: String(id) }, update: { $inc: { v: 1 } }, upsert: true } })), { ordered: false });
  }

  async changedTickets(limit: number): Promise<ChangedTicket[]> {
    const docs = await this.m().Changed.find({}).limit(limit).lean<ChangedDoc[]>();
    return docs.map((d) => ({ ticketId: d._id, v: d.v }));
  }

  async clearChangedTicket(mark: ChangedTicket): Promise<void> {
    await this.m().Changed.deleteOne({ _id: mark.ticketId, v: mark.v });
  }

  async markStale(personIds: string[], dueAt: Date): Promise<number> {
    if (personIds.length === 0) return 0;
    const ids = [...new Set(personIds.map(String))];
    const M = this.m().Home;
    // Waiting homes keep their time (debounce); each change still bumps `v`, so a publish that raced it is redone.
    const waiting = await M.updateMany({ _id: { $in: ids }, dueAt: { $ne: null } }, { $inc: { v: 1 } });
    const fresh = await M.updateMany({ _id: { $in: ids }, dueAt: null }, { $set: { dueAt }, $inc: { v: 1 } });
    return fresh.modifiedCount + waiting.modifiedCount;
  }

  async due(now: Date, limit: number): Promise<HomeMark[]> {
    const docs = await this.m().Home.find({ dueAt: { $ne: null, $lte: now } }).limit(limit).lean<HomeDoc[]>();
    return docs.map((d) => ({
      personId: d._id,
      v: d.v,
      where: [...(d.slack ? [{ platform: 'slack' as const, userId: d.slack }] : []), ...(d.teams ? [{ platform: 'teams' as const, ...d.teams }] : [])],
    }));
  }

  async published(mark: HomeMark): Promise<void> {
    await this.m().Home.updateOne({ _id: mark.personId, v: mark.v }, { $set: { dueAt: null } });
  }

  async retryAt(personId: string, at: Date): Promise<void> {
    await this.m().Home.updateOne({ _id: String(personId), dueAt: { $ne: null } }, { $set: { dueAt: at } });
  }

  async forget(personId: string, platform: HomeWhere['platform']): Promise<void> {
    await this.m().Home.updateOne({ _id: String(personId) }, { $set: { [platform]: null } });
  }
}

/** Events that can change someone's home: the ticket's own view, SLA breaches and warnings, pages to responders, major-escalation tasks. */
export function changesHome(type: string): boolean {
  return changesTicketView(type) || type.startsWith('sla.') || type.startsWith('responder.') || type.startsWith('major.task') || type.startsWith('request.');
}

/** The timeline, reporting the tickets whose events can change someone's home (after the events are stored). */
export function withHomeMarks(inner: TimelineRepository, homes: Pick<HomeRegistry, 'ticketsChanged'>, log: { warn(o: object, m: string): void; debug(o: object, m: string): void }): TimelineRepository {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop !== 'append') {
        const v: unknown = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      }
      return async (...[events, opts]: Parameters<TimelineRepository['append']>) => {
        await target.append(events, opts);
        const ids = [...new Set(events.filter((e) => changesHome(e.type)).map((e) => e.ticketId))];
        // A home a few seconds late is no reason to fail the change that was just stored. The
        // database gone in between is an outage, reported once by the engine (DbHealthLog), not here.
        if (ids.length > 0) {
          await homes.ticketsChanged(ids).catch((e: unknown) => (isDbUnreachable(e) ? log.debug : log.warn).call(log, { err: (e as Error).message, code: 'HOME_MARK_FAILED' }, 'homes: could not note changed tickets'));
        }
      };
    },
  });
}
