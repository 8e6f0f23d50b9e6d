/**
 * Teams lets a bot post about 7 messages per second into one conversation (thread) before it
 * answers 429. This keeps us under it within one process: a send over the limit is handed
 * back to the dispatcher as retryable with the wait, instead of spending a 429.
 */
export class ThreadRate {
  private readonly sent = new Map<string, number[]>();

  constructor(
    private readonly perSecond = 7,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a slot for `conversationId`; returns 0 when taken, else the ms to wait. */
  take(conversationId: string): number {
    const t = this.now();
    const recent = (this.sent.get(conversationId) ?? []).filter((x) => t - x < 1000);
    if (recent.length >= this.perSecond) {
      this.sent.set(conversationId, recent);
      return 1000 - (t - recent[0]!);
    }
    recent.push(t);
    this.sent.set(conversationId, recent);
    if (this.sent.size > 10_000) for (const [k, v] of this.sent) if (t - v[v.length - 1]! >= 1000) this.sent.delete(k);
    return 0;
  }
}
