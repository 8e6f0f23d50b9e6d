/**
 * Spaces calls to a provider at least `intervalMs` apart in this process (Twilio: about one
 * message per second per number). A caller that would wait longer than `maxWaitMs` is told
 * how long instead, so the dispatcher can retry later rather than hold its lease.
 */
export class Pacer {
  private nextAt = 0;
  constructor(
    private readonly intervalMs: number,
    private readonly maxWaitMs = 5000,
    private readonly wallNow: () => number = Date.now,
  ) {}

  /** Waits for a slot and returns 0, or returns the wait in ms (> 0) without taking one. */
  async slot(): Promise<number> {
    if (this.intervalMs <= 0) return 0;
    const now = this.wallNow();
    const at = Math.max(now, this.nextAt);
    const wait = at - now;
    if (wait > this.maxWaitMs) return wait;
    this.nextAt = at + this.intervalMs;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    return 0;
  }
}
