import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Agenda } from 'agenda';
import type { Job } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import type { Db } from 'mongodb';
import type { Logger } from '../../app/deps.js';
import type { Engine } from '../../engine/engine.js';
import { EngineLease } from '../mongo/engine-lease.js';
import { DbHealthLog, isDbUnreachable } from './db-health-log.js';

export interface RunnerOptions {
  /** Shortest pause between passes of a lane that found nothing to do, or was woken by a local write. */
  tickMs: number;
  /**
   * Longest pause of an idle lane (default 1000 ms): how soon work nobody told this process
   * about (written by another process) is found. Steps known to fall due sooner wake the step
   * lane at their time; local writes wake both lanes.
   */
  idleMs?: number;
  /** Engine lease (and Agenda lock) lifetime: a process that dies holds the engine at most this long. */
  leaseMs: number;
  log: Logger;
  /** Agenda's job collection. */
  collection?: string;
  /** Told after every pass (readiness heartbeat, metrics): when it started, how long it took, how late it was. */
  onPass?: (pass: { startedAt: Date; durationMs: number; lateMs: number; failed: boolean; error?: string }) => void;
}

/** What /healthz, /readyz and metrics may read about the engine (cheap, from memory). */
export interface EngineRunnerFacts {
  /** This process's id as a lease holder. */
  id: string;
  /** This process holds the engine lease now. */
  leaseHeld: boolean;
  /** The holder last seen in the lease document (this process or another), null if unknown. */
  leaseHolder: string | null;
  /** A pass is running now. */
  passing: boolean;
  /** When the last pass ended (ms since epoch), null before the first. */
  lastPassEndAt: number | null;
  /** How long the last pass took (ms). */
  lastPassMs: number | null;
  /** Passes run by this process. */
  passes: number;
  /** False while the engine finds the database unreachable. */
  dbReachable: boolean;
}

const JOB = 'esc-engine';
/** Step passes at once at most (a step due while one sends gets its own). */
const STEP_PASSES = 3;
const AGENDA_LOCK_LAPSED = /execution took more than|no lockedAt date found|got canceled already/;

/**
 * Agenda is the clock; an engine lease document is the leader election. One recurring Agenda
 * job runs the engine, but only in the process holding the lease (a conditional update in
 * `engine_lease`), for as long as it holds it, in two lanes: the step lane fires due steps and
 * sleeps until the next known due time; the module lane runs every other module, backing off
 * while idle. Local writes (`nudge`) wake both. While the loop runs, a timer renews the lease and touches the
 * Agenda lock every leaseMs/4, so a long pass never lets it lapse; if a renewal fails (another
 * process took it, or the database stayed away until the lease was nearly over), the pass is
 * aborted: it hands nothing more to a provider. Correctness does not depend on the lease
 * (every engine write is a compare-and-set); it keeps a second engine from doing the same
 * work beside the first.
 *
 * stop() aborts the pass the same way, waits for the sends in flight to be recorded, gives
 * the lease up and only then returns, so the database can be closed after it.
 */
export class AgendaEngineRunner {
  private agenda: Agenda | null = null;
  private stopping = false;
  /** Wakes the step lane and the module lane out of their sleep. */
  private readonly steps = new Waker();
  private readonly modules = new Waker();
  /** Lanes in a pass now. */
  private inPass = 0;
  private current: Promise<void> | null = null;
  private abort: AbortController | null = null;
  private readonly lease: EngineLease;
  private readonly health: DbHealthLog;
  private leaseUntil = 0;
  private lastHolder: string | null = null;
  private passStartedAt: number | null = null;
  private lastPassEndAt: number | null = null;
  private lastPassMs: number | null = null;
  private passes = 0;
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly db: Db,
    private readonly engine: Engine,
    private readonly opts: RunnerOptions,
  ) {
    this.lease = new EngineLease(db, this.id, opts.leaseMs);
    this.health = new DbHealthLog(opts.log, 'engine');
  }

  async start(): Promise<void> {
    const agenda = new Agenda({
      backend: new MongoBackend({ mongo: this.db, collection: this.opts.collection ?? 'agenda_jobs' }),
      // The engine loop runs as long as this process holds the lease, so Agenda's polling only
      // decides how soon a stopped or dead holder is replaced: a second is plenty beside the lease.
      processEvery: Math.max(100, Math.min(1000, this.opts.leaseMs / 4)),
      defaultLockLifetime: this.opts.leaseMs,
    });
    agenda.define(JOB, (job: Job) => this.loop(job), { concurrency: 1, lockLifetime: this.opts.leaseMs });
    agenda.on('error', (err: Error) => {
      // The renewal timer touches the Agenda lock every leaseMs/4: Agenda finds it expired only
      // when those writes did not get through, i.e. the database is away or not answering.
      if (this.stopping) this.opts.log.debug({ err: err.message }, 'agenda error while stopping');
      else if (isDbUnreachable(err) || AGENDA_LOCK_LAPSED.test(err.message)) this.health.down(err);
      else this.opts.log.error({ err: err.message }, 'agenda error');
    });
    // The job is saved before the processor starts: its first look (at start()) then finds it
    // due, instead of the next one a processEvery later (1 s on every fresh database).
    await agenda.every('1 second', JOB, {}, { skipImmediate: false });
    await agenda.start();
    this.agenda = agenda;
  }

  /** Wakes the loop early (a user acted, a step falls due sooner). */
  nudge(): void {
    this.steps.poke();
    this.modules.poke();
  }

  private get idleMs(): number {
    return Math.max(this.opts.tickMs, this.opts.idleMs ?? 1000);
  }

  get running(): boolean {
    return this.passStartedAt !== null;
  }

  /** The engine's state for health checks and metrics (no I/O). */
  facts(): EngineRunnerFacts {
    return {
      id: this.id,
      leaseHeld: this.leaseUntil > Date.now(),
      leaseHolder: this.lastHolder,
      passing: this.passStartedAt !== null,
      lastPassEndAt: this.lastPassEndAt,
      lastPassMs: this.lastPassMs,
      passes: this.passes,
      dbReachable: !this.health.isDown,
    };
  }

  private loop(job: Job): Promise<void> {
    if (this.stopping || this.current) return Promise.resolve();
    const run = this.run(job).finally(() => {
      this.current = null;
    });
    this.current = run;
    return run;
  }

  private async run(job: Job): Promise<void> {
    const ctl = new AbortController();
    this.abort = ctl;
    if (!(await this.acquire())) return;
    // Renew while passes run, however long one takes; a failed renewal aborts the pass.
    const every = Math.max(50, Math.floor(this.opts.leaseMs / 4));
    const timer = setInterval(() => void this.renew(ctl, job), every);
    try {
      // Two lanes while the lease is held (until stopping or the lease is lost): steps fire on
      // their own timer, never behind the other modules' work.
      await Promise.all([this.stepLane(ctl.signal), this.moduleLane(ctl.signal)]);
    } finally {
      clearInterval(timer);
      this.abort = null;
    }
  }

  /** Runs one pass of a lane, with the bookkeeping every pass shares (facts, onPass, health). */
  private async pass<T>(plannedAt: number, fn: () => Promise<T>): Promise<T | undefined> {
    let out: T | undefined;
    let error: string | undefined;
    const startedAt = Date.now();
    this.inPass++;
    this.passStartedAt ??= startedAt;
    try {
      out = await fn();
      this.health.up(startedAt);
    } catch (e) {
      error = (e as Error).message;
      if (isDbUnreachable(e)) this.health.down(e);
      else this.opts.log.error({ err: error }, 'engine pass failed; retrying');
    } finally {
      const end = Date.now();
      this.lastPassMs = end - startedAt;
      this.lastPassEndAt = end;
      if (--this.inPass === 0) this.passStartedAt = null;
      this.passes++;
    }
    this.opts.onPass?.({ startedAt: new Date(startedAt), durationMs: this.lastPassMs ?? 0, lateMs: Math.max(0, startedAt - plannedAt), failed: error !== undefined, ...(error !== undefined ? { error } : {}) });
    return out;
  }

  /** While the database is away, try again about once a second, not every tick. */
  private get downPause(): number {
    return Math.max(1000, this.opts.tickMs);
  }

  /**
   * The step lane: fires due steps, then sleeps until the next step it knows of falls due.
   * Every `idleMs` (or when woken by a local write) it reads the coming due times again, so
   * steps written by another process are found within that time. A step that falls due while
   * a pass is still sending the previous ones gets a pass of its own at once (at most
   * STEP_PASSES at a time); a burst (more due than one pass takes) is worked through one pass
   * after another.
   */
  private async stepLane(signal: AbortSignal): Promise<void> {
    const { tickMs } = this.opts;
    const idleMs = this.idleMs;
    const running = new Set<Promise<void>>();
    let lastScan = -Infinity;
    let lastStart = -Infinity;
    let again = true;
    // A running pass claimed a full batch (a burst): the next may claim while it sends.
    let claimedFull = false;
    let wakeOnClaim: (() => void) | null = null;
    let plannedAt = Date.now();
    while (!this.stopping && !signal.aborted) {
      if (!again && !claimedFull && !this.steps.poked) {
        // When to start the next pass: now if a known step fell due since the last escalation
        // query began; else at the next known due time, a tick after the last pass while the
        // due times are unknown (a burst), and at the latest when the next scan is due.
        const now = Date.now();
        const next = this.engine.nextStepInMs();
        let at = lastScan + idleMs;
        if (this.engine.knownDueSinceLastQuery()) at = now;
        else if (next === 0) at = Math.min(at, lastStart + tickMs);
        else if (next !== null) at = Math.min(at, now + next);
        if (this.health.isDown) at = lastStart + this.downPause;
        if (at > now) {
          plannedAt = at;
          // Woken early (a pass ended, a local write): look again.
          await this.steps.sleep(at - now);
          continue;
        }
      }
      // A local write wakes the lane early, but passes stay at least a tick apart.
      if (this.steps.poked) await sleepMs(lastStart + tickMs - Date.now());
      if (this.stopping || signal.aborted) break;
      const overlap = claimedFull && running.size < STEP_PASSES;
      if (!overlap && running.size > 0 && (running.size >= STEP_PASSES || again || !this.engine.knownDueSinceLastQuery())) {
        // Nothing a running pass will not see (or a burst): wait for one to end, or to claim a full batch, then look again.
        await Promise.race([...running, new Promise<void>((r) => (wakeOnClaim = r))]);
        wakeOnClaim = null;
        continue;
      }
      // Behind a full pass (a burst), more is due for sure: no due-time scan (during a burst of
      // thousands it would read up to DUE_TIMES_LIMIT escalations just to learn that again).
      const burst = again || overlap;
      again = false;
      claimedFull = false;
      const startedAt = (lastStart = Date.now());
      const poked = this.steps.takePoke();
      const scan = !burst && (poked || startedAt - lastScan >= idleMs);
      if (scan) lastScan = startedAt;
      const p: Promise<void> = this.pass(plannedAt, () => this.engine.stepPass(signal, { scan, lookaheadMs: idleMs + 1000, onFullClaim: () => {
        claimedFull = true;
        wakeOnClaim?.();
        this.steps.wakeUp();
      } })).then((r) => {
        running.delete(p);
        // A full batch: more are due, go on at once.
        if (r?.busy && !this.health.isDown) again = true;
        this.steps.wakeUp();
      });
      running.add(p);
    }
    await Promise.all(running);
  }

  /** The module lane: runs back to back while there is work, then backs off from a tick to `idleMs` while idle; a local write wakes it. */
  private async moduleLane(signal: AbortSignal): Promise<void> {
    const { tickMs } = this.opts;
    let pause = tickMs;
    let plannedAt = Date.now();
    while (!this.stopping && !signal.aborted) {
      const startedAt = Date.now();
      this.modules.takePoke();
      const work = await this.pass(plannedAt, () => this.engine.modulesPass(signal));
      if (work === undefined || work === 0 || this.health.isDown) {
        const wait = this.health.isDown ? this.downPause : pause;
        pause = Math.min(this.idleMs, pause * 2);
        plannedAt = Date.now() + wait;
        await this.modules.sleep(wait);
        if (this.modules.poked) {
          pause = tickMs;
          await sleepMs(Math.max(0, startedAt + tickMs - Date.now()));
        }
      } else {
        pause = tickMs;
        plannedAt = Date.now();
      }
    }
  }

  private async acquire(): Promise<boolean> {
    const startedAt = Date.now();
    try {
      const r = await this.lease.acquire();
      this.lastHolder = r.holder;
      if (r.held) this.leaseUntil = r.until;
      this.health.up(startedAt);
      return r.held;
    } catch (e) {
      if (isDbUnreachable(e)) this.health.down(e);
      else this.opts.log.error({ err: (e as Error).message }, 'engine lease could not be read');
      return false;
    }
  }

  private async renew(ctl: AbortController, job: Job): Promise<void> {
    if (ctl.signal.aborted) return;
    try {
      const until = await this.lease.renew();
      if (until === null) {
        this.leaseUntil = 0;
        this.opts.log.warn({ id: this.id }, 'engine lease taken over by another process; this pass stops sending');
        ctl.abort(new Error('engine lease lost'));
        return;
      }
      this.leaseUntil = until;
      await job.touch().catch(() => undefined);
    } catch (e) {
      if (isDbUnreachable(e)) this.health.down(e);
      // Cannot renew: keep sending only while the lease we hold surely has time left.
      if (Date.now() > this.leaseUntil - Math.min(this.opts.leaseMs / 4, 5000)) ctl.abort(new Error('engine lease could not be renewed'));
    }
  }

  /**
   * Stops cleanly: the current pass hands nothing new over, its sends in flight finish and
   * are recorded, claimed-but-unsent deliveries go back to the queue, the lease is given up
   * (so another process, or this one restarted, takes over at once). Then Agenda stops.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort?.abort(new Error('stopping'));
    this.nudge();
    await this.current?.catch(() => undefined);
    if (this.leaseUntil > 0) await this.lease.release().catch(() => undefined);
    this.leaseUntil = 0;
    if (this.agenda) await this.agenda.stop().catch(() => undefined);
    this.agenda = null;
  }
}

const sleepMs = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

/** A sleep that a poke (a local write) or wakeUp (a pass ended) ends early. */
class Waker {
  /** Poked since the last takePoke: a local write happened. */
  poked = false;
  private wake: (() => void) | null = null;

  poke(): void {
    this.poked = true;
    this.wakeUp();
  }

  /** Ends the current sleep without marking a poke. */
  wakeUp(): void {
    this.wake?.();
  }

  /** True (and cleared) if poked since the last call. */
  takePoke(): boolean {
    const p = this.poked;
    this.poked = false;
    return p;
  }

  /** Sleeps `ms`, or less if woken; at once if poked already. */
  sleep(ms: number): Promise<void> {
    if (this.poked || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
