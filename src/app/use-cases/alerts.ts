import { DomainError } from '../../domain/errors.js';
import type { Ticket } from '../../domain/ticket.js';
import { isOpen } from '../../domain/ticket.js';
import type { AppDeps } from '../deps.js';
import type { Actor, TimelineEvent } from '../ports/timeline.js';
import { Coalescer } from './alert-batches.js';
import { releaseAlertKey } from './alert-keys.js';
import type { AlertInput, AlertOutcome, OpenAsk, OpenResult, Waiter } from './alert-openings.js';
import { intakeOne, openGrouped, repeatEvent } from './alert-openings.js';

export type { AlertInput, AlertOutcome } from './alert-openings.js';

/**
 * Counting writes under way at once (all keys): the database does them one at a time anyway,
 * but a few in flight keep it busy while this process handles the answers. Alert storm bench
 * (quiet machine, two runs each, p99): 4 -> 106 and 173 ms, 8 -> 86 and 129 ms, 16 -> 171 ms
 * (the openings of new keys then wait behind more counts).
 */
const MAX_COUNT_WRITES = 8;
/**
 * Repeats are counted on the key (a small document) and folded into the ticket document about
 * this often per key (0.5-1.5 x, spread): in a storm one ticket update per key per interval
 * instead of one per repeat. Reads of the ticket add the key's count meanwhile, so nobody
 * sees the lag; the fold also refreshes the ticket this process answers with (its status, at
 * most 1.5 x this old).
 */
const FOLD_MS = 5_000;
/** Counts refused in a row (the key moved on between lookup and count) before the one-at-a-time path takes the key. */
const MAX_MISSES = 3;
/** Idle keys remembered at most (their open ticket); past it an idle key is forgotten (looked up again when it returns). */
const MAX_IDLE_KEYS = 10_000;

/**
 * Alert intake for monitoring systems. One open ticket per dedup key: a repeat while it is
 * open adds to it; a trigger after it resolved opens a new one. Safe under concurrent copies.
 *
 * Grouped per key (issue 18): each key has at most one write under way; the alerts that
 * arrive meanwhile are counted together by the next one (one atomic conditional `$inc` of
 * the count kept on the key's `alert_keys` document, folded into its ticket later), so a storm
 * costs about one small write per key per round trip, and no key waits for another key's write. Keys that need a ticket opened in the same turn are
 * opened together (one claim insert, one block of numbers, one insert of the tickets, one
 * timeline write), with every alert of the key that came meanwhile counted in the new
 * ticket. `alert.repeated` events of all keys go in one timeline insert at a time. Each caller
 * is answered only after its alert is counted and its event stored, so an answered alert is
 * never lost; a crash in the middle leaves the unanswered ones for the sender to retry.
 */
export function intakeAlert(deps: AppDeps, input: AlertInput, actor: Actor): Promise<AlertOutcome> {
  let q = intakes.get(deps);
  if (!q) intakes.set(deps, (q = new AlertIntake(deps)));
  return q.submit(input, actor);
}

const intakes = new WeakMap<AppDeps, AlertIntake>();

/**
 * One dedup key in this process: its open ticket as last seen (undefined: not looked up;
 * null: none known), the alerts waiting, whether a write is under way, and its count: the
 * last one counted on the key, and the last one folded into the ticket (with the fold timer).
 */
interface KeyLine {
  ticket: Ticket | null | undefined;
  queue: Waiter[];
  busy: boolean;
  counted: number;
  folded: number;
  fold?: ReturnType<typeof setTimeout>;
  /** Counts refused in a row for a ticket the lookup found open: past a few, the one-at-a-time path settles the key. */
  misses: number;
}

type Holder = { ticketId: string; state: 'creating' | 'open'; count: number | null } | undefined;

class AlertIntake {
  private readonly lines = new Map<string, KeyLine>();
  /** Counting writes under way, and the keys waiting for one. */
  private writing = 0;
  private readonly slotWaiters: (() => void)[] = [];
  private readonly holders: Coalescer<string, Holder>;
  private readonly opener: Coalescer<OpenAsk, OpenResult>;
  private readonly events: Coalescer<TimelineEvent, void>;

  constructor(private readonly deps: AppDeps) {
    this.holders = new Coalescer(async (keys) => {
      const found = await deps.alertKeys.getMany([...new Set(keys)]);
      return keys.map((k) => found.get(k));
    }, true);
    // One opening at a time: the keys that need a ticket meanwhile (a storm's first second) are opened together by the next.
    this.opener = new Coalescer((asks) => openGrouped(deps, asks), true);
    this.events = new Coalescer(async (evs) => {
      await deps.timeline.append(evs);
      return evs.map(() => undefined);
    }, true);
  }

  submit(input: AlertInput, actor: Actor): Promise<AlertOutcome> {
    return new Promise((resolve, reject) => {
      const key = input.dedupKey;
      let line = this.lines.get(key);
      if (!line) this.lines.set(key, (line = { ticket: undefined, queue: [], busy: false, counted: 0, folded: 0, misses: 0 }));
      line.queue.push({ input, actor, resolve, reject });
      if (!line.busy) void this.run(key, line);
    });
  }

  /** The key's alerts, a batch at a time: those that came while the previous batch was written form the next. */
  private async run(key: string, line: KeyLine): Promise<void> {
    line.busy = true;
    // One turn of the event loop, for the other alerts that arrived with this one.
    await new Promise((r) => setImmediate(r));
    while (line.queue.length > 0) await this.step(key, line);
    line.busy = false;
    if (this.lines.size > MAX_IDLE_KEYS && !line.fold) this.lines.delete(key);
  }

  /** Counts the waiting alerts on the key's open ticket, or opens one for them. */
  private async step(key: string, line: KeyLine): Promise<void> {
    const { deps } = this;
    let batch: Waiter[] = [];
    try {
      // Looked up once per key (one read for all the keys looked up in the same turn).
      if (line.ticket === undefined) {
        line.ticket = await this.lookup(key);
        // Counts are per ticket: the line starts over with the one it found.
        line.counted = line.folded = line.ticket?.alertCount ?? 0;
      }
      const ticket = line.ticket;
      if (ticket && line.misses < MAX_MISSES) {
        // A few counts at a time: when the database is slow, the alerts wait here and are counted together.
        await this.slot();
        batch = line.queue.splice(0);
        const now = deps.clock.now();
        const n = await deps.alertKeys.count(key, ticket.id, batch.length).finally(() => this.free());
        if (n !== null) {
          line.misses = 0;
          line.counted = n;
          this.foldLater(key, line);
          return this.answerAfterEvent({ ...ticket, alertCount: n }, batch, now);
        }
        // Not counted: the key was released (its ticket resolved), taken over, or is not open yet: looked up again.
        line.misses += 1;
        line.ticket = undefined;
        line.queue.unshift(...batch);
        batch = [];
        return;
      }
      batch = line.queue.splice(0);
      const out = ticket ? ({ kind: 'held' } as const) : await this.opener.add({ key, batch });
      if (out.kind === 'opened') {
        line.ticket = out.ticket;
        line.counted = line.folded = out.ticket.alertCount;
      } else if (out.kind === 'held') await this.oneKey(key, line, batch);
      line.misses = 0;
    } catch (e) {
      // Failed before it took its batch (the key's lookup): the waiting alerts get the error, not a retry loop.
      if (batch.length === 0) batch = line.queue.splice(0);
      line.ticket = undefined;
      batch.forEach((w) => w.reject(e));
    }
  }

  /**
   * The key's open ticket, or null (none: the batch opens one). A key that names a resolved or
   * closed ticket (its release did not happen: a crash) is released here, its count folded;
   * a key stored without its count (an older Esc) or left "creating" by a creator that died
   * after writing its ticket is marked open with the ticket's count.
   */
  private async lookup(key: string): Promise<Ticket | null> {
    const holder = await this.holders.add(key);
    if (!holder) return null;
    const t = await this.deps.tickets.get(holder.ticketId);
    // Not written yet (another process is creating it): the opening finds the key held and settles it one alert at a time.
    if (!t) return null;
    if (!isOpen(t)) {
      await releaseAlertKey(this.deps, key, t.id);
      return null;
    }
    if (holder.state !== 'open' || holder.count === null) await this.deps.alertKeys.markOpen(key, t.id, t.alertCount);
    return t;
  }

  /**
   * Folds the key's count into its ticket about once per FOLD_MS (the ticket shows it at
   * once anyway: reads add the key's count). The fold also refreshes this process's copy of the
   * ticket (its status in the answers), and releases the key of a ticket resolved meanwhile
   * whose release did not happen.
   */
  private foldLater(key: string, line: KeyLine): void {
    if (line.fold) return;
    // Spread over half the interval either way: the keys of a storm start together, and their
    // folds at one moment (100 ticket updates at once) stalled the counts behind them.
    line.fold = setTimeout(() => void this.fold(key, line), FOLD_MS * (0.5 + Math.random()));
    line.fold.unref?.();
  }

  private async fold(key: string, line: KeyLine): Promise<void> {
    const { deps } = this;
    const ticket = line.ticket;
    const n = line.counted;
    try {
      if (!ticket || n <= line.folded) return;
      // In turn with the counts (a fold is a write like them).
      await this.slot();
      const t = await deps.tickets.foldAlertCount(ticket.id, n).finally(() => this.free());
      line.folded = Math.max(line.folded, n);
      if (line.ticket?.id === ticket.id) line.ticket = t && isOpen(t) ? t : undefined;
      if (t && !isOpen(t)) await releaseAlertKey(deps, key, t.id);
    } catch (err) {
      // Nothing is lost: the count stays on the key, folded by the next fold or the release.
      deps.log.warn({ err, dedupKey: key }, 'could not fold alert repeats into their ticket; retried with the next repeat');
    } finally {
      line.fold = undefined;
      if (line.counted > line.folded && line.ticket) this.foldLater(key, line);
    }
  }

  private slot(): Promise<void> {
    if (this.writing < MAX_COUNT_WRITES) {
      this.writing += 1;
      return Promise.resolve();
    }
    return new Promise((r) => this.slotWaiters.push(r));
  }

  private free(): void {
    const next = this.slotWaiters.shift();
    if (next) next();
    else this.writing -= 1;
  }

  /** Answers the batch once its `alert.repeated` event is stored (not awaited: the key's next batch goes on meanwhile). */
  private answerAfterEvent(saved: Ticket, ws: Waiter[], now: Date): void {
    this.events.add(repeatEvent(this.deps, saved, ws, now)).then(
      () => ws.forEach((w) => w.resolve({ ticket: saved, created: false })),
      (e: unknown) => ws.forEach((w) => w.reject(e)),
    );
  }

  /** The key is held by a ticket we cannot count on yet: the first alert settles it one step at a time, the others count on its ticket. */
  private async oneKey(key: string, line: KeyLine, ws: Waiter[]): Promise<void> {
    let out: AlertOutcome | null = null;
    while (!out && ws.length > 0) {
      const w = ws.shift()!;
      try {
        out = await intakeOne(this.deps, w.input, w.actor);
        w.resolve(out);
      } catch (e) {
        w.reject(e);
        // A refused alert (unknown team…) answers only for itself; anything else for all.
        if (!(e instanceof DomainError)) throw e;
      }
    }
    line.ticket = out?.ticket ?? null;
    // A ticket it opened is stored with its count; one it counted on has the count on the key.
    line.counted = out?.ticket.alertCount ?? 0;
    line.folded = out?.created ? line.counted : 0;
    if (out && !out.created) this.foldLater(key, line);
    if (!out || ws.length === 0) return;
    const now = this.deps.clock.now();
    const n = await this.deps.alertKeys.count(key, out.ticket.id, ws.length);
    if (n !== null) {
      line.counted = n;
      this.foldLater(key, line);
      return this.answerAfterEvent({ ...out.ticket, alertCount: n }, ws, now);
    }
    line.ticket = undefined;
    for (const w of ws) await intakeOne(this.deps, w.input, w.actor).then(w.resolve, w.reject);
  }
}
