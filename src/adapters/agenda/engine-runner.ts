import { Agenda } from 'agenda';
import type { Job } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import type { Db } from 'mongodb';
import type { Logger } from '../../app/deps.js';
import type { Engine } from '../../engine/engine.js';

export interface RunnerOptions {
  /** Pause between engine passes when idle. */
  tickMs: number;
  /** Agenda lock lifetime: a process that dies holds the engine at most this long. */
  leaseMs: number;
  log: Logger;
  /** Agenda's job collection. */
  collection?: string;
  /** Told after every pass (readiness, GET /api/engine, metrics); must not throw. */
  onPass?: (pass: { startedAt: Date; durationMs: number; lateMs: number; failed: boolean; error?: string }) => void;
}

const JOB = 'esc-engine';

/**
 * Agenda is the clock and the leader election: one recurring job, locked by one process at
 * a time, runs the engine in a tight loop for half its lock lifetime, touching the lock as
 * it goes. If the process dies, the lock expires and another process (or the restarted
 * one) takes over within leaseMs + processEvery. Correctness does not depend on the lock:
 * every engine write is a compare-and-set, so two loops at once cannot send twice.
 */
export class AgendaEngineRunner {
  private agenda: Agenda | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  private loops = 0;

  constructor(
    private readonly db: Db,
    private readonly engine: Engine,
    private readonly opts: RunnerOptions,
  ) {}

  async start(): Promise<void> {
    const agenda = new Agenda({
      backend: new MongoBackend({ mongo: this.db, collection: this.opts.collection ?? 'agenda_jobs' }),
      processEvery: Math.max(100, Math.min(1000, this.opts.tickMs * 2)),
      defaultLockLifetime: this.opts.leaseMs,
    });
    agenda.define(JOB, (job: Job) => this.loop(job), { concurrency: 1, lockLifetime: this.opts.leaseMs });
    // A lost database shows on /readyz and, when it lasts, as one ERROR from the heartbeat.
    agenda.on('error', (err: Error) => this.opts.log.warn({ err: err.message }, 'agenda error'));
    await agenda.start();
    await agenda.every('1 second', JOB, {}, { skipImmediate: false });
    this.agenda = agenda;
  }

  /** Wakes the loop early (a user acted, a step falls due sooner). */
  nudge(): void {
    this.wake?.();
  }

  get running(): boolean {
    return this.loops > 0;
  }

  private async loop(job: Job): Promise<void> {
    this.loops++;
    const until = Date.now() + this.opts.leaseMs / 2;
    try {
      let plannedAt = Date.now();
      while (!this.stopping && Date.now() < until) {
        let work = 0;
        const startedAt = new Date();
        let error: string | undefined;
        try {
          work = await this.engine.runOnce();
        } catch (e) {
          error = (e as Error).message;
          if (!this.stopping) this.opts.log.warn({ err: error }, 'engine pass failed; retrying');
        }
        this.opts.onPass?.({ startedAt, durationMs: Date.now() - startedAt.getTime(), lateMs: Math.max(0, startedAt.getTime() - plannedAt), failed: error !== undefined, error });
        await job.touch();
        plannedAt = Date.now() + (work === 0 ? this.opts.tickMs : 0);
        if (work === 0) await this.sleep(this.opts.tickMs);
      }
    } finally {
      this.loops--;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    if (this.agenda) await this.agenda.stop();
    this.agenda = null;
  }
}
