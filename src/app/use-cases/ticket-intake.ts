import type { AppDeps } from '../deps.js';
import type { IntakeRecord, IntakeStore } from '../ports/intake.js';
import type { Opened } from './open-tickets.js';
import { afterOpenMany, insertTicketsGrouped } from './open-tickets.js';
import { WriteTurns } from '../../lib/write-turns.js';
import type { WriteTurn } from '../../lib/write-turns.js';

/** Groups whose follow-up (team post, plan on open, answers) may run while the next group is written. */
const FOLLOW_UPS = 2;
/**
 * Tickets opened in one group. Each of a group's writes is one turn an acknowledgement may
 * wait behind (WriteTurns): small enough to keep that wait short (issue 18: ack p99), large
 * enough that a group's handful of commands stay a small share of the database's time. When
 * requests wait to be opened (the database is slower than the requests come), groups grow
 * with the backlog, up to MAX_OPEN_GROUP: fewer commands per ticket, so it catches up.
 */
const OPEN_GROUP = 50;
const MAX_OPEN_GROUP = 400;
/**
 * Tickets per insert command (a ticket is the costliest document of a group to write): the
 * longest write an acknowledgement may wait behind. Slack bench, quiet machine, ack p99 against
 * the bare server's + 25 ms: 25 -> 37.0 (goal 33.3), 12 -> 31.6 (goal 32.8), 8 -> 34.9 (goal
 * 33.8); tickets per second and the drain (~370 ms) the same for all three.
 */
const INSERT_PART = 12;
/** A ticket insert of a group grown with the backlog: a quarter of it (fewer turns while behind). */
const partOf = (group: number) => Math.max(INSERT_PART, Math.ceil(group / 4));
/**
 * Requests waiting to be opened past which the opening is behind: its writes then go beside
 * the record writes instead of between them (WriteTurns `behind`), so it catches up.
 */
const BEHIND = 2 * OPEN_GROUP;
/** Records forgotten per delete command. */
const DONE_PART = 100;

/** A record opened in a group and what came of it; `answer` false: a late retry of a request already answered. */
export interface OpenedRecord {
  rec: IntakeRecord;
  result: Opened;
  answer: boolean;
}

/**
 * Ticket requests from a chat front end at the database's pace (issue 18). `submit` makes a
 * request durable (requests arriving together share one grouped write) and resolves: only
 * then does the front end acknowledge, so an acknowledged request is never lost. Behind
 * the acknowledgement the requests are opened in groups (insertTicketsGrouped: a block of
 * numbers, the tickets' inserts, their timeline writes), then forgotten. The record writes
 * go first at the database; the writes behind the ack take turns between them (WriteTurns),
 * so an ack waits behind at most one of those, a small one. Records left by a
 * process that died are opened at the next start (and by any process after `staleMs`); the
 * ticket id is the record id, so a record opened twice still makes one ticket.
 *
 * The record's write is also the retry dedupe of the request (the front end does no other
 * write before its ack): a copy whose record is already stored (a retry while the first copy
 * is on its way, here or in another process) is acknowledged and left to the holder or to
 * recovery; a copy that comes after its ticket was opened and the record forgotten is opened
 * again (the ticket exists: nothing new) and not answered a second time.
 */
export class TicketIntake {
  private toWrite: { rec: IntakeRecord; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private writing = false;
  /** `recovered`: left by a process that stopped; answered even when its ticket already exists (the stopped process may not have). */
  private toOpen: { rec: IntakeRecord; recovered: boolean }[] = [];
  private opening: Promise<void> | null = null;
  /**
   * Records this process holds (written or recovered, not yet forgotten), counted per id: one
   * id may be held twice (a retry stored again after its first record was forgotten, below).
   * Recovery leaves them alone.
   */
  private readonly mine = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: AppDeps,
    private readonly store: IntakeStore,
    /**
     * Called once per group after its tickets exist (or were refused): the front end answers
     * those marked `answer`, making its own writes through `later` (a background turn).
     */
    private readonly onOpened: (group: OpenedRecord[], later: WriteTurn) => void,
    private readonly opts: { maxGroup?: number; openGroup?: number; staleMs?: number; recoverEveryMs?: number } = {},
  ) {}

  /** The record writes (urgent: an acknowledgement waits) before the opening writes (background). */
  private readonly turns = new WriteTurns(1, () => this.toOpen.length >= BEHIND);
  private readonly later: WriteTurn = (write) => this.turns.later(write);

  /** Resolves once the request is stored; rejects when the database refused it (do not acknowledge then). */
  submit(rec: IntakeRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.toWrite.push({ rec, resolve, reject });
      if (this.writing) return;
      this.writing = true;
      setImmediate(() => void this.write());
    });
  }

  /** Opens what a stopped process left, now and then every `recoverEveryMs`. */
  start(): void {
    void this.recover(new Date(8.64e15));
    const every = this.opts.recoverEveryMs ?? 30_000;
    this.timer = setInterval(() => void this.recover(new Date(Date.now() - (this.opts.staleMs ?? 60_000))), every);
    this.timer.unref();
  }

  /** Stops recovering and waits until every stored request is opened. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    while (this.writing || this.opening || this.toOpen.length > 0) await (this.opening ?? new Promise((r) => setTimeout(r, 20)));
  }

  private async write(): Promise<void> {
    while (this.toWrite.length > 0) {
      const group = this.toWrite.splice(0, this.opts.maxGroup ?? 500);
      let stored: Set<string>;
      try {
        stored = await this.turns.now(() => this.store.putMany(group.map((g) => g.rec)));
      } catch (e) {
        group.forEach((g) => g.reject(e));
        continue;
      }
      const seen = new Set<string>();
      for (const g of group) {
        // Stored before: a retry of a request already on its way (its holder, or recovery, opens it).
        // Twice in this write: the first copy's record is the one stored.
        if (!stored.has(g.rec.id) || seen.has(g.rec.id)) continue;
        seen.add(g.rec.id);
        // Stored now while this process still holds the id: a retry that came after its first
        // record was forgotten (the group's later deletes still running). Its new record is
        // opened too (the ticket exists: nothing new, no second answer) and forgotten, never
        // left for recovery to find a minute later and answer again.
        this.hold(g.rec.id);
        this.toOpen.push({ rec: g.rec, recovered: false });
      }
      group.forEach((g) => g.resolve());
      this.kick();
    }
    this.writing = false;
  }

  private kick(): void {
    if (this.opening || this.toOpen.length === 0) return;
    this.opening = this.open().finally(() => {
      this.opening = null;
      this.kick();
    });
  }

  private async open(): Promise<void> {
    const follow: Promise<void>[] = [];
    while (this.toOpen.length > 0) {
      const min = this.opts.openGroup ?? OPEN_GROUP;
      const group = this.toOpen.splice(0, Math.min(Math.max(min, MAX_OPEN_GROUP), Math.max(min, Math.ceil(this.toOpen.length / 4))));
      let results: Opened[];
      try {
        results = await insertTicketsGrouped(
          this.deps,
          group.map(({ rec: r }) => ({ input: { ...r.input, id: r.id, requesterId: r.actor.personId, source: sourceOf(r) }, actor: r.actor })),
          // The records stay stored until the group is done: a crash repeats the group.
          { repeated: true, turn: this.later, insertPart: partOf(group.length) },
        );
      } catch (e) {
        this.giveBack(group, e);
        continue;
      }
      // The tickets exist; what follows them runs beside the next group's writes. The records
      // are forgotten only after it, so a crash before repeats it (keyed: it happens once).
      const f = this.followUp(group, results);
      follow.push(f);
      void f.finally(() => follow.splice(follow.indexOf(f), 1));
      if (follow.length >= FOLLOW_UPS) await Promise.race(follow);
    }
    await Promise.all(follow);
  }

  private async followUp(group: { rec: IntakeRecord; recovered: boolean }[], results: Opened[]): Promise<void> {
    try {
      await afterOpenMany(this.deps, results);
      const ids = group.map((g) => g.rec.id);
      const part = Math.max(DONE_PART, 2 * partOf(ids.length));
      for (let k = 0; k < ids.length; k += part) await this.later(() => this.store.doneMany(ids.slice(k, k + part)));
    } catch (e) {
      this.giveBack(group, e);
      return;
    }
    group.forEach((g) => this.release(g.rec.id));
    try {
      // A fresh record whose ticket already existed is a retry that came after its answer.
      this.onOpened(group.map((g, i) => ({ rec: g.rec, result: results[i]!, answer: g.recovered || !results[i]!.ok || results[i]!.created })), this.later);
    } catch (e) {
      this.deps.log.warn({ err: (e as Error).message }, 'intake: answering opened tickets failed');
    }
  }

  /** Still stored: recovery opens them later (any process, after staleMs). */
  private giveBack(group: { rec: IntakeRecord }[], e: unknown): void {
    this.deps.log.warn({ err: (e as Error).message, n: group.length }, 'intake: a group of tickets could not be opened now; they stay stored and are retried');
    group.forEach((g) => this.release(g.rec.id));
  }

  private hold(id: string): void {
    this.mine.set(id, (this.mine.get(id) ?? 0) + 1);
  }

  private release(id: string): void {
    const n = (this.mine.get(id) ?? 0) - 1;
    if (n > 0) this.mine.set(id, n);
    else this.mine.delete(id);
  }

  private async recover(before: Date): Promise<void> {
    try {
      const left = (await this.store.leftBefore(before, 5000)).filter((r) => !this.mine.has(r.id));
      if (left.length === 0) return;
      this.deps.log.info({ n: left.length }, 'intake: opening ticket requests left by a stopped process');
      for (const r of left) {
        this.hold(r.id);
        this.toOpen.push({ rec: r, recovered: true });
      }
      this.kick();
    } catch (e) {
      this.deps.log.warn({ err: (e as Error).message }, 'intake: could not look for requests left by a stopped process');
    }
  }
}

const sourceOf = (r: IntakeRecord) => (r.actor.via === 'teams' ? 'teams' : r.actor.via === 'slack' ? 'slack' : 'api');
