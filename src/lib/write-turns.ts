/**
 * Turns at a database that runs one write at a time (issue 18: the local FerretDB holds one
 * write lock; a MongoDB primary under load queues writes much the same). Writes someone waits
 * for (`now`: the intake record written before an acknowledgement) start at once; background
 * writes (`later`: opening tickets behind the acknowledgement, recording the answers) run at
 * most `background` at a time and start only while no urgent write is in flight. So an urgent
 * write waits at the database behind at most `background` background writes, never behind a
 * queue of them; and a background write gets its turn each time an urgent one ends, so a steady
 * stream of urgent writes (one at a time) never starves the background. While `behind()` says
 * the background has fallen behind, a background write may start beside an urgent one (still
 * at most `background` of them): it queues at the database behind that urgent write, so the
 * background keeps the database busy instead of waiting for each urgent write's answer.
 */
/** Runs a write when its turn comes (WriteTurns `later`, or at once). */
export type WriteTurn = <T>(write: () => Promise<T>) => Promise<T>;

export class WriteTurns {
  private urgent = 0;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly background = 1,
    private readonly behind: () => boolean = () => false,
  ) {}

  /** An urgent write: starts at once. */
  async now<T>(fn: () => Promise<T>): Promise<T> {
    this.urgent += 1;
    try {
      return await fn();
    } finally {
      this.urgent -= 1;
      this.pump();
    }
  }

  /** A background write: waits for its turn. */
  async later<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running < this.background && this.waiting.length === 0 && (this.urgent === 0 || this.behind())) this.running += 1;
    else await new Promise<void>((r) => this.waiting.push(r));
    try {
      return await fn();
    } finally {
      this.running -= 1;
      this.pump();
    }
  }

  /** Background writes waiting for a turn (diagnostics, tests). */
  get queued(): number {
    return this.waiting.length;
  }

  private pump(): void {
    while (this.running < this.background && this.waiting.length > 0 && (this.urgent === 0 || this.behind())) {
      this.running += 1;
      this.waiting.shift()!();
    }
  }
}
