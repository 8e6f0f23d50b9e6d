/**
 * Bounds the slow part of Slack requests (database reads, Web API calls after the ack).
 * Without it, a burst of commands floods the database, the process starves for CPU and
 * even the 3-second acks go late; with it, acks stay fast and answers queue up (a
 * response_url stays valid for 30 minutes). Past `maxQueued`, work is refused at once.
 */
export class WorkQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency = 8,
    private readonly maxQueued = 5000,
  ) {}

  /** How many tasks wait for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** True when there is room; callers answer "busy" otherwise. */
  hasRoom(): boolean {
    return this.waiting.length < this.maxQueued;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((r) => this.waiting.push(r));
    this.running += 1;
    try {
      return await task();
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }
}
