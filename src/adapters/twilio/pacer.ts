/** A safety margin on top of the provider's interval, for timer and clock jitter (ms). */
export function defaultGuardMs(intervalMs: number): number {
  return Math.min(25, Math.round(intervalMs * 0.025));
}

/**
 * A pace kept in the database, so every Esc process sending from one number shares it
 * (src/adapters/mongo/pace-slots.ts). Times are wall-clock ms.
 */
export interface SharedPace {
  /** Takes the next slot if it is free at `now` (and books the one after it `spacingMs` later): 0, else the ms until it frees. */
  take(now: number, spacingMs: number): Promise<number>;
  /** No slot starts before `at` (the previous answer + interval − the fastest round trip). */
  notBefore(at: number): Promise<void>;
}

/** Round trips seen before the fastest one is trusted; until then the next send waits for a whole interval after the previous answer. */
const RTT_SAMPLES = 3;
/**
 * Callers sent away are asked back spread out: each one moves the "come back" horizon by this
 * share of a spacing. Below 1 the line is overbooked (about 2 come back per slot), so the pace
 * never idles for want of a caller while a retry's jitter scatters them; the extra ones are
 * sent away again, to the end.
 */
const ASK_BACK_SHARE = 0.5;
/**
 * The furthest a caller is asked back (ms). Without a cap the horizon runs away: callers asked
 * back early (retry jitter) are sent away again, each moving it further, until nobody is left
 * to take the free slots. Capped, the whole backlog cycles within about this long.
 */
const MAX_ASK_BACK_MS = 60_000;

/**
 * Spaces calls to a provider so they ARRIVE at least `intervalMs` apart (Twilio: one message
 * per second per long code, answered with 429/20429 when faster). Callers go one at a time,
 * in arrival order. For a call made through `paced()`, the next one starts no sooner than
 *
 *   - the previous start + interval + guard (a late timer never shortens the next gap), and
 *   - the previous answer + interval − the fastest round trip seen + guard.
 *
 * The second rule is what keeps arrivals apart when a request is slowed on its way out (a
 * cold connection, a busy event loop, a GC pause): the answer is late by as much as the
 * arrival was, so the next request is held back too. Until a few round trips are known it
 * waits a whole interval after the answer. With a steady round trip the pace stays close to
 * one per interval + guard; the provider's processing time is its margin.
 *
 * A caller that would wait longer than `maxWaitMs` takes no slot and is told when to come back
 * (askBack), so the dispatcher can retry later rather than hold its claim. With a long line
 * (1,000 pages at once) the answers are spread over the time the line needs, so each engine
 * pass gets back a handful of deliveries, not the whole backlog every few seconds. One still in line after
 * maxWaitMs + one spacing (a slow answer ahead of it) gives up the same way. So a send starts
 * within ~maxWaitMs + spacing of being handed over: with Twilio's 10 s request timeout that is
 * under the 20 s delivery lease (a send that outlived its claim could be sent twice).
 */
export class Pacer {
  private lastAt = Number.NEGATIVE_INFINITY;
  /** The previous paced call, while it is in flight. */
  private inFlight: Promise<void> | null = null;
  private release: () => void = () => undefined;
  private answerAt = Number.NEGATIVE_INFINITY;
  private lastRtt = 0;
  private minRtt = Number.POSITIVE_INFINITY;
  private samples = 0;
  private waiting = 0;
  private tail: Promise<void> = Promise.resolve();
  /** The latest "come back at" handed out. */
  private horizon = Number.NEGATIVE_INFINITY;
  private readonly spacing: number;

  constructor(
    private readonly intervalMs: number,
    private readonly maxWaitMs = 5000,
    private readonly wallNow: () => number = Date.now,
    guardMs = defaultGuardMs(intervalMs),
    /** Shared with other processes sending from the same number; none = this process only. */
    private readonly shared?: SharedPace,
  ) {
    this.spacing = intervalMs + guardMs;
  }

  /** The longest a caller is kept waiting (ms); beyond it it is answered with the wait instead. */
  get maxWait(): number {
    return this.maxWaitMs;
  }

  /** How long a caller arriving now would wait for its slot (an estimate while a call is in flight). */
  pending(): number {
    if (this.intervalMs <= 0) return 0;
    const per = Math.max(this.spacing, this.lastRtt + this.spacing - this.trustedRtt());
    const next = Math.max(this.lastAt + this.spacing, this.inFlight ? this.lastAt + per : this.answerAt + this.spacing - this.trustedRtt());
    return Math.max(0, next - this.wallNow()) + this.waiting * per;
  }

  /**
   * 0 when a caller arriving now would get a slot within maxWait; otherwise the ms after which
   * it should come back, booked behind those already sent away (so takes no slot now).
   */
  askBack(maxWaitMs = this.maxWaitMs): number {
    const wait = this.pending();
    return wait > maxWaitMs ? this.sendAway(wait, maxWaitMs) : 0;
  }

  /** Waits for a slot and returns 0, or returns the wait in ms (> 0) without taking one. Prefer paced(). */
  async slot(): Promise<number> {
    if (this.intervalMs <= 0) return 0;
    const back = this.askBack();
    if (back > 0) return back;
    return (await this.enqueue(false, this.maxWaitMs)) ? 0 : this.sendAway(this.pending(), this.maxWaitMs);
  }

  /**
   * Runs `send` in the next slot and times its answer; `{ waitMs }` (no call made) when the slot
   * is more than `maxWaitMs` away, or was not reached within it (a slow answer ahead in line).
   */
  async paced<T>(send: () => Promise<T>, maxWaitMs = this.maxWaitMs): Promise<{ value: T } | { waitMs: number }> {
    if (this.intervalMs <= 0) return { value: await send() };
    const back = this.askBack(maxWaitMs);
    if (back > 0) return { waitMs: back };
    if (!(await this.enqueue(true, maxWaitMs))) return { waitMs: this.sendAway(this.pending(), maxWaitMs) };
    try {
      return { value: await send() };
    } finally {
      this.answered();
    }
  }

  /** The provider said "too fast" (HTTP 429): nothing more goes out for a full spacing from now. */
  backOff(): void {
    this.lastAt = Math.max(this.lastAt, this.wallNow());
  }

  /** Books a later turn: at the horizon (or when the line frees), asked back a little early. */
  private sendAway(wait: number, maxWaitMs: number): number {
    const now = this.wallNow();
    const at = Math.min(Math.max(this.horizon, now + wait), now + Math.max(wait, MAX_ASK_BACK_MS));
    this.horizon = at + this.spacing * ASK_BACK_SHARE;
    return Math.max(1, Math.ceil(at - now - Math.max(0, maxWaitMs) / 2));
  }

  private trustedRtt(): number {
    return this.samples >= RTT_SAMPLES ? this.minRtt : 0;
  }

  /** Joins the line; false when the slot was not reached within maxWaitMs (+ one spacing of slack). */
  private enqueue(tracked: boolean, maxWaitMs: number): Promise<boolean> {
    this.waiting++;
    const deadline = this.wallNow() + maxWaitMs + this.spacing;
    const turn = this.tail.then(() => this.take(tracked, deadline));
    this.tail = turn.then(() => undefined);
    return turn;
  }

  /** The tracked call in flight got its answer (or failed): time it and let the next one go. */
  private answered(): void {
    this.answerAt = this.wallNow();
    this.lastRtt = this.answerAt - this.lastAt;
    this.minRtt = Math.min(this.minRtt, this.lastRtt);
    this.samples++;
    this.inFlight = null;
    this.release();
    // Best effort: the start-based slot is already booked in the database.
    void this.shared?.notBefore(this.answerAt + this.spacing - this.trustedRtt()).catch(() => undefined);
  }

  /** True once the shared slot is ours; false when it would come after `deadline` (or the database is away: better wait than send unpaced). */
  private async takeShared(deadline: number): Promise<boolean> {
    try {
      for (;;) {
        const wait = await this.shared!.take(this.wallNow(), this.spacing);
        if (wait === 0) return true;
        if (this.wallNow() + wait > deadline) return false;
        await new Promise((r) => setTimeout(r, wait));
      }
    } catch {
      return false;
    }
  }

  private async take(tracked: boolean, deadline: number): Promise<boolean> {
    try {
      if (this.inFlight) await this.inFlight;
      // Waited too long (a slow answer ahead): give the slot up rather than outlive the caller's claim.
      if (this.wallNow() > deadline) return false;
      // A loop, not one timer: timers may fire a millisecond early, and backOff() may move lastAt.
      const next = () => Math.max(this.lastAt + this.spacing, this.answerAt + this.spacing - this.trustedRtt());
      for (let left = next() - this.wallNow(); left > 0; left = next() - this.wallNow()) await new Promise((r) => setTimeout(r, left));
      // Then the slot shared with other processes: wait for it while the deadline allows.
      if (this.shared && !(await this.takeShared(deadline))) return false;
      this.lastAt = this.wallNow();
      // Set here, in the same turn as the slot, so the next caller in line always sees it.
      if (tracked) this.inFlight = new Promise<void>((r) => (this.release = r));
      return true;
    } finally {
      this.waiting--;
    }
  }
}
