import type { Connection } from 'mongoose';
import type { EngineStatus } from './engine-status.js';
import { readEngineStatus } from './engine-status.js';
import type { EscMetrics } from './metrics.js';

export interface Readiness {
  ready: boolean;
  /** Why not, one line each; empty when ready. */
  reasons: string[];
  checkedAt: Date | null;
  database: 'up' | 'down' | 'unknown';
  organisation: string | null;
  engine: (EngineStatus & { lastPassAgeMs: number | null; staleAfterMs: number }) | null;
}

export interface ReadinessOptions {
  conn: Connection;
  /** The loaded organisation's name; null before it is loaded. */
  orgName: () => string | null;
  engineTickMs: number;
  engineLeaseMs: number;
  metrics?: EscMetrics;
  /** How often the state is refreshed (default 1 s). Probes answer from the last result. */
  intervalMs?: number;
  /** Per database call (default 800 ms): a database that does not answer in time is down. */
  timeoutMs?: number;
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });

/**
 * Keeps /readyz's answer up to date in the background so probes answer at once, even when
 * the database hangs. Ready = the database answers, the organisation is loaded, and some
 * process holds the engine and finished a pass within the last 3 passes.
 */
export class ReadinessMonitor {
  private state: Readiness = { ready: false, reasons: ['starting: not checked yet'], checkedAt: null, database: 'unknown', organisation: null, engine: null };
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private again = false;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly opts: ReadinessOptions) {
    this.intervalMs = opts.intervalMs ?? 1000;
    this.timeoutMs = opts.timeoutMs ?? 800;
  }

  /** How old the last successful pass may be: 3 passes (each at least a heartbeat, 1 s) and one heartbeat of slack. */
  staleAfterMs(lastPassMs: number | null): number {
    return 3 * Math.max(this.opts.engineTickMs + (lastPassMs ?? 0), 1000) + 1000;
  }

  start(): void {
    if (this.timer) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The cached state; stale when the checks themselves stopped. */
  current(now = Date.now()): Readiness {
    const s = this.state;
    if (s.checkedAt && now - s.checkedAt.getTime() > 3 * this.intervalMs + this.timeoutMs * 2) {
      return { ...s, ready: false, reasons: [...s.reasons, `readiness not checked for ${Math.round((now - s.checkedAt.getTime()) / 1000)} s`] };
    }
    return s;
  }

  /** Runs one check now (one at a time); resolves when it is done. */
  refresh(): Promise<void> {
    this.checking ??= this.check().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  /**
   * Something a check reads changed (this process's engine recorded a pass): while not ready,
   * check again now rather than at the next interval, and once more after a check already
   * running (it may have read before the change). Ready answers wait for the interval.
   */
  changed(): void {
    if (!this.timer || this.state.ready) return;
    if (this.checking) {
      if (this.again) return;
      this.again = true;
      void this.checking.then(() => {
        this.again = false;
        if (this.timer && !this.state.ready) void this.refresh();
      });
    } else void this.refresh();
  }

  private async check(): Promise<void> {
    const reasons: string[] = [];
    const { conn } = this.opts;
    let database: Readiness['database'] = 'down';
    let engine: Readiness['engine'] = null;
    const organisation = this.opts.orgName();
    if (!organisation) reasons.push('organisation: not loaded');
    try {
      const db = conn.db;
      if (!db || conn.readyState !== 1) throw new Error('not connected');
      await withTimeout(db.admin().ping(), this.timeoutMs, 'ping');
      database = 'up';
    } catch (e) {
      reasons.push(`database: ${(e as Error).message}`);
    }
    if (database === 'up') {
      try {
        const now = new Date();
        const st = await withTimeout(readEngineStatus(conn, this.opts.engineLeaseMs, now), this.timeoutMs, 'engine status');
        const age = st.lastPassEndedAt ? now.getTime() - st.lastPassEndedAt.getTime() : null;
        const staleAfterMs = this.staleAfterMs(st.lastPassMs);
        engine = { ...st, lastPassAgeMs: age, staleAfterMs };
        if (!st.holder) reasons.push('engine: no process holds the engine lease (is ESC_ENGINE=true anywhere?)');
        else if (age === null) reasons.push(`engine: ${st.holder} has not finished a pass yet`);
        else if (age > staleAfterMs) reasons.push(`engine: last pass ended ${(age / 1000).toFixed(1)} s ago (more than 3 passes; limit ${(staleAfterMs / 1000).toFixed(1)} s)`);
        if (this.opts.metrics) {
          const n = await withTimeout(conn.collection('escalations').countDocuments({ status: 'active' }), this.timeoutMs, 'count');
          this.opts.metrics.activeEscalations.set(n);
        }
      } catch (e) {
        reasons.push(`engine: status unreadable (${(e as Error).message})`);
      }
    }
    this.state = { ready: reasons.length === 0, reasons, checkedAt: new Date(), database, organisation, engine };
    this.opts.metrics?.ready.set(this.state.ready ? 1 : 0);
  }
}
