/** Requests taken into one run at most (the rest go into the next). */
const MAX_BATCH = 1000;

interface Asked<T, R> {
  item: T;
  resolve(r: R): void;
  reject(e: unknown): void;
}

/**
 * Runs what is asked within one turn of the event loop as one call (one round trip for many
 * callers). `serial`: one run at a time, what is asked meanwhile waits for the next run (for
 * a write whose cost hardly grows with its size, e.g. one insertMany of timeline events).
 * Each caller gets the result at its own index, or the run's error.
 */
export class Coalescer<T, R> {
  private asked: Asked<T, R>[] = [];
  private scheduled = false;
  private running = false;

  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly serial = false,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.asked.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || (this.serial && this.running)) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.asked.splice(0, MAX_BATCH);
    if (batch.length === 0) return;
    if (this.asked.length > 0 && !this.serial) this.schedule();
    this.running = true;
    try {
      const out = await this.run(batch.map((a) => a.item));
      batch.forEach((a, i) => a.resolve(out[i]!));
    } catch (e) {
      batch.forEach((a) => a.reject(e));
    } finally {
      this.running = false;
      if (this.asked.length > 0) this.schedule();
    }
  }
}
