import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { Logger } from '../../app/deps.js';

/** One engine pass as the runner reports it. */
export interface EnginePass {
  startedAt: Date;
  durationMs: number;
  /** How much later than planned the pass started (the loop's pause overran). */
  lateMs: number;
  failed: boolean;
  error?: string;
}

/** What /readyz and GET /api/engine show, read from the database (any process may hold the lease). */
export interface EngineStatus {
  /** The process that ran the last pass, e.g. host:pid:abcd. */
  holder: string | null;
  /** Agenda's lock on the engine job: set while some process holds the lease. */
  leaseLockedAt: Date | null;
  leaseHeld: boolean;
  lastPassEndedAt: Date | null;
  lastPassMs: number | null;
  lastPassLateMs: number | null;
  /** Successful passes the holder recorded since it took the lease. */
  passes: number;
  lastError: string | null;
  lastErrorAt: Date | null;
}

const STATUS_ID = 'engine';
const COLLECTION = 'esc_engine_status';

interface StatusDoc {
  _id: string;
  holder: string | null;
  lastPassEndedAt: Date | null;
  lastPassMs: number | null;
  lastPassLateMs: number | null;
  passes: number;
  lastError: string | null;
  lastErrorAt: Date | null;
}

/** This process's name in the lease: host, pid and a random suffix (two Esc in one process differ). */
export const processHolderId = () => `${hostname()}:${process.pid}:${randomUUID().slice(0, 4)}`;

/**
 * Records the engine's passes where every Esc process can read them (one small document),
 * at most once per `writeEveryMs`; logs at ERROR only when passes keep failing for a minute
 * (a person must act), at WARN before.
 */
export class EngineHeartbeat {
  private lastWrite = 0;
  private writing: Promise<void> | null = null;
  private released = false;
  private passes = 0;
  private failingSince: number | null = null;
  private errorLogged = false;
  last: EnginePass | null = null;
  /** Told when a pass record reached the database (readiness looks again at once while not ready). */
  onWritten: (() => void) | null = null;

  constructor(
    private readonly conn: Connection,
    readonly holder: string,
    private readonly log: Logger,
    private readonly writeEveryMs = 1000,
  ) {}

  /** Passed to the runner as `onPass`. Never throws; the write is fire-and-forget, bounded to one at a time. */
  record(pass: EnginePass): void {
    this.last = pass;
    const now = Date.now();
    if (pass.failed) {
      this.failingSince ??= now;
      if (!this.errorLogged && now - this.failingSince > 60_000) {
        this.errorLogged = true;
        this.log.error({ err: pass.error, failingForMs: now - this.failingSince }, 'engine passes have failed for over a minute: escalations are not advancing (is the database reachable?)');
      }
    } else {
      if (this.errorLogged) this.log.info('engine passes succeed again');
      this.failingSince = null;
      this.errorLogged = false;
      this.passes++;
    }
    if (this.released || this.writing || (now - this.lastWrite < this.writeEveryMs && !pass.failed)) return;
    this.lastWrite = now;
    const set: Partial<StatusDoc> = pass.failed
      ? { holder: this.holder, lastError: pass.error ?? 'failed', lastErrorAt: new Date(now) }
      : { holder: this.holder, lastPassEndedAt: new Date(pass.startedAt.getTime() + pass.durationMs), lastPassMs: pass.durationMs, lastPassLateMs: pass.lateMs, passes: this.passes };
    this.writing = this.collection()
      .updateOne({ _id: STATUS_ID }, { $set: set }, { upsert: true })
      .then(
        () => this.onWritten?.(),
        () => undefined,
      )
      .finally(() => {
        this.writing = null;
      });
  }

  /** On a clean stop: says no process runs passes from here (the lease itself is released by Agenda). */
  async release(): Promise<void> {
    this.released = true;
    await this.writing;
    await this.collection()
      .updateOne({ _id: STATUS_ID, holder: this.holder }, { $set: { holder: null } })
      .catch(() => undefined);
  }

  private collection() {
    return this.conn.collection<StatusDoc>(COLLECTION);
  }
}

/** Reads the engine's status: the Agenda lock of the engine job and the last recorded pass. */
export async function readEngineStatus(conn: Connection, leaseMs: number, now = new Date()): Promise<EngineStatus> {
  const [doc, job] = await Promise.all([
    conn.collection<StatusDoc>(COLLECTION).findOne({ _id: STATUS_ID }),
    conn.collection('agenda_jobs').findOne({ name: 'esc-engine' }, { projection: { lockedAt: 1 } }),
  ]);
  const lockedAt = job?.lockedAt instanceof Date ? job.lockedAt : null;
  return {
    holder: doc?.holder ?? null,
    leaseLockedAt: lockedAt,
    leaseHeld: !!lockedAt && now.getTime() - lockedAt.getTime() < leaseMs,
    lastPassEndedAt: doc?.lastPassEndedAt ?? null,
    lastPassMs: doc?.lastPassMs ?? null,
    lastPassLateMs: doc?.lastPassLateMs ?? null,
    passes: doc?.passes ?? 0,
    lastError: doc?.lastError ?? null,
    lastErrorAt: doc?.lastErrorAt ?? null,
  };
}
