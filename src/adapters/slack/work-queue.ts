/**
 * Bounds the slow part of Slack requests (database reads and writes, Web API calls after
 * the ack). Acks and this work share one event loop: every task that runs at once costs CPU
 * the next ack waits for. Measured with bench/slack.ts (500 ticket submissions/s, local
 * FerretDB, 2 cores): 8 at once open ~270 tickets/s with an ack p99 of ~60 ms, 4 ~210/s at
 * ~18 ms, 2 ~150/s at ~20-30 ms. So few run at once, each starts on a fresh turn of the event
 * loop (after the requests that arrived meanwhile are read and acked), and a queued task is
 * a small closure, not a whole Bolt request: listeners ack, `push` and return. A
 * response_url stays valid for 30 minutes, so answers may queue. When the event loop lags
 * anyway (a busy or shared machine), only one task runs until it catches up. Past `maxQueued`, callers
 * refuse work at once (`hasRoom`).
 */
const PROBE_MS = 10;
/** Event-loop lag (ms) above which work runs one task at a time. */
const LAGGING_MS = 15;

export class WorkQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Smoothed event-loop lag (ms): when acks are already waiting, only one task runs. */
  private lagMs = 0;
  private probe: NodeJS.Timeout | null = null;

  constructor(
    private readonly concurrency = 4,
    private readonly maxQueued = 50_000,
    /** Where a failed `push` task is reported (its own error handling should catch first). */
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** How many tasks wait for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** True when there is room; callers answer "busy" otherwise. */
  hasRoom(): boolean {
    return this.waiting.length < this.maxQueued;
  }

  /** Runs `task` when a slot is free and resolves with its result. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    this.watchLag();
    if (this.running >= this.limit() || this.waiting.length > 0) {
      // `pump` counts the slot before it wakes this task.
      await new Promise<void>((r) => this.waiting.push(r));
    } else {
      this.running += 1;
      // Start on a fresh turn of the event loop, after the requests that arrived meanwhile.
      await new Promise<void>((r) => setImmediate(r));
    }
    try {
      return await task();
    } finally {
      this.running -= 1;
      this.pump();
    }
  }

  /** Resolves once no task runs or waits (a clean stop finishes what Slack was already told). */
  async idle(): Promise<void> {
    while (this.running > 0 || this.waiting.length > 0) await new Promise((r) => setTimeout(r, 20));
  }

  /** Fire and forget: the caller (a listener that has acked) returns at once. */
  push(task: () => Promise<unknown>): void {
    this.run(task).catch(this.onError);
  }

  private limit(): number {
    return this.lagMs > LAGGING_MS ? 1 : this.concurrency;
  }

  private pump(): void {
    while (this.waiting.length > 0 && this.running < this.limit()) {
      this.running += 1;
      setImmediate(this.waiting.shift()!);
    }
  }

  /** A 10 ms timer measures how late it fires while there is work; stops when idle. */
  private watchLag(): void {
    if (this.probe) return;
    let last = performance.now();
    this.probe = setInterval(() => {
      const now = performance.now();
      this.lagMs = this.lagMs * 0.7 + Math.max(0, now - last - PROBE_MS) * 0.3;
      last = now;
      this.pump();
      if (this.running === 0 && this.waiting.length === 0) {
        clearInterval(this.probe!);
        this.probe = null;
        this.lagMs = 0;
      }
    }, PROBE_MS);
    this.probe.unref();
  }
}
