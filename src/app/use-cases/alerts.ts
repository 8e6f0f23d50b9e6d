import { randomUUID } from 'node:crypto';
import { DomainError } from '../../domain/errors.js';
import type { Impact, Priority, Ticket } from '../../domain/ticket.js';
import { isOpen } from '../../domain/ticket.js';
import type { AppDeps } from '../deps.js';
import type { Actor, TimelineEvent } from '../ports/timeline.js';
import { Coalescer } from './alert-batches.js';
import { releaseAlertKey } from './alert-keys.js';
import type { CheckedOpen } from './tickets.js';
import { buildTicket, checkOpen, event, openTicket, openedEvent, withOpeningOwed } from './tickets.js';

export interface AlertInput {
  dedupKey: string;
  title: string;
  description?: string;
  priority: Priority;
  impact?: Impact;
  teamId?: string;
  source?: string;
}

export interface AlertOutcome {
  ticket: Ticket;
  created: boolean;
}

/** A ticket being created by another request gets this long before we take its key over. */
const CREATOR_GRACE_MS = 30_000;
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
 * arrive meanwhile are counted together by the next one (one atomic conditional `$inc` on
 * the key's open ticket), so a storm costs about one write per key per round trip, and no
 * key waits for another key's write. Keys that need a ticket opened in the same turn are
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

interface Waiter {
  input: AlertInput;
  actor: Actor;
  resolve(v: AlertOutcome): void;
  reject(e: unknown): void;
}

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
interface OpenAsk {
  key: string;
  batch: Waiter[];
}
/** opened: the key's new ticket (every waiter answered); held: another ticket holds the key; refused: every waiter refused. */
type OpenResult = { kind: 'opened'; ticket: Ticket } | { kind: 'held' } | { kind: 'refused' };

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

/** One `alert.repeated` event per key per batch: the count it reached, how many repeats the batch added, and the last one's text. */
function repeatEvent(deps: AppDeps, saved: Ticket, ws: Waiter[], now: Date): TimelineEvent {
  const last = ws.at(-1)!;
  return event(deps, saved.id, 'alert.repeated', now, last.actor, { count: saved.alertCount, repeats: ws.length, title: last.input.title, description: last.input.description ?? null });
}

const openInput = (input: AlertInput, id?: string) => ({ ...input, id, source: 'alert' as const, alertKey: input.dedupKey, requesterId: null });

/**
 * Opens a ticket for each asking key, grouped: per key the first alert that may open one
 * (those refused before it are answered with their error) opens it, counting all the key's
 * alerts of the batch. One insert claims the keys (a key another ticket holds is left to the
 * one-at-a-time path), one `$inc` takes a block of numbers, one insert writes the tickets,
 * one timeline write their events. A crash before the tickets are written leaves keys
 * claimed for a ticket that does not exist: taken over after CREATOR_GRACE_MS, as before.
 */
async function openGrouped(deps: AppDeps, asks: OpenAsk[]): Promise<OpenResult[]> {
  const out: OpenResult[] = asks.map(() => ({ kind: 'refused' }));
  const opening: { i: number; id: string; opener: Waiter; checked: CheckedOpen; count: Waiter[] }[] = [];
  asks.forEach((a, i) => {
    while (a.batch.length > 0) {
      const w = a.batch[0]!;
      try {
        const checked = checkOpen(deps, openInput(w.input), w.actor);
        opening.push({ i, id: randomUUID(), opener: w, checked, count: a.batch });
        return;
      } catch (e) {
        a.batch.shift();
        w.reject(e);
      }
    }
  });
  if (opening.length === 0) return out;
  const now = deps.clock.now();
  const won = await deps.alertKeys.claimMany(opening.map((o) => ({ key: asks[o.i]!.key, ticketId: o.id, count: o.count.length })), now);
  for (const o of opening) if (!won.has(asks[o.i]!.key)) out[o.i] = { kind: 'held' };
  const mine = opening.filter((o) => won.has(asks[o.i]!.key));
  if (mine.length === 0) return out;
  let tickets: Ticket[];
  try {
    const first = await deps.tickets.nextNumbers(mine.length);
    tickets = mine.map((o, k) => {
      const t = buildTicket(openInput(o.opener.input, o.id), o.opener.actor, o.checked, first + k, now);
      return withOpeningOwed(deps, { ...t, alertCount: o.count.length }, o.opener.actor);
    });
    // Fresh ids: nobody else can have stored them.
    await deps.tickets.insertMany(tickets);
  } catch (e) {
    // Free the keys at once, so the next alert opens instead of waiting out the grace period.
    await deps.alertKeys.releaseMany(mine.map((o) => ({ key: asks[o.i]!.key, ticketId: o.id }))).catch((err: unknown) => deps.log.warn({ err }, 'could not release alert keys'));
    throw e;
  }
  const events = mine.flatMap((o, k) => {
    const t = tickets[k]!;
    const rest = o.count.slice(1);
    return [openedEvent(deps, t, o.opener.actor), ...(rest.length > 0 ? [repeatEvent(deps, t, rest, now)] : [])];
  });
  await Promise.all([deps.timeline.append(events), deps.alertKeys.markOpenMany(mine.map((o) => ({ key: asks[o.i]!.key, ticketId: o.id })))]);
  deps.nudge?.();
  mine.forEach((o, k) => {
    const ticket = tickets[k]!;
    o.count.forEach((w) => w.resolve({ ticket, created: w === o.opener }));
    out[o.i] = { kind: 'opened', ticket };
  });
  return out;
}

/** One alert on its own: claims the key (or finds its holder), opens or counts. */
async function intakeOne(deps: AppDeps, input: AlertInput, actor: Actor): Promise<AlertOutcome> {
  const key = input.dedupKey;
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = randomUUID();
    const now = deps.clock.now();
    const claim = await deps.alertKeys.claim(key, candidate, now, 1);
    if (claim.owner) return openClaimed(deps, input, actor, candidate);
    const existing = await deps.tickets.get(claim.ticketId);
    if (!existing) {
      // Its creator is still writing it, or died before it could: past the grace period the
      // key is taken over for our candidate, which we then open (else it would stay held by a
      // ticket nobody writes).
      if (now.getTime() - new Date(claim.at).getTime() > CREATOR_GRACE_MS && (await deps.alertKeys.takeOver(key, claim.ticketId, candidate, now))) {
        return openClaimed(deps, input, actor, candidate);
      }
      await new Promise((r) => setTimeout(r, 20 + attempt * 10));
      continue;
    }
    // Resolved (or closed): the key is free for a new ticket.
    if (!isOpen(existing)) {
      await releaseAlertKey(deps, key, existing.id);
      continue;
    }
    // Written but not marked open (its creator died in between), or stored without a count (an older Esc).
    if (claim.state !== 'open' || attempt > 0) await deps.alertKeys.markOpen(key, existing.id, existing.alertCount);
    const n = await deps.alertKeys.count(key, existing.id, 1);
    if (n === null) continue;
    await deps.timeline.append([event(deps, existing.id, 'alert.repeated', now, actor, { count: n, title: input.title, description: input.description ?? null })]);
    return { ticket: { ...existing, alertCount: n }, created: false };
  }
  // Another process holds the key for a ticket it is still writing (or it died and the grace
  // period has not run out): a retryable refusal (503 + Retry-After), never a 500.
  throw new DomainError('BUSY', `Alert key "${key}" is being opened by another Esc process; retry in a few seconds.`, { retryAfterSeconds: 5 });
}

/** Opens the ticket of a key this caller holds for `candidate`. */
async function openClaimed(deps: AppDeps, input: AlertInput, actor: Actor, candidate: string): Promise<AlertOutcome> {
  let ticket: Ticket;
  try {
    ticket = await openTicket(deps, openInput(input, candidate), actor);
  } catch (e) {
    // Refused (unknown team, bad input) or failed: free the key at once, so the next valid
    // alert with it opens a ticket instead of waiting out the creator's grace period.
    await deps.alertKeys.release(input.dedupKey, candidate).catch((err: unknown) => deps.log.warn({ err, dedupKey: input.dedupKey }, 'could not release an alert key'));
    throw e;
  }
  await deps.alertKeys.markOpen(input.dedupKey, candidate);
  return { ticket, created: true };
}
