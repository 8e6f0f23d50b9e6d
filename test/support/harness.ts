import { randomUUID } from 'node:crypto';
import type { Clock, Logger } from '../../src/app/deps.js';
import type { Notifier } from '../../src/app/ports/notifier.js';
import type { Connection } from 'mongoose';
import { connectDatabase, createEsc } from '../../src/composition-root.js';
import type { Esc, EscOptions } from '../../src/composition-root.js';
import { loadConfig } from '../../src/config/env.js';
import { loadOrgFile } from '../../src/config/org-schema.js';
import type { Org } from '../../src/domain/directory.js';

/** A clock tests move by hand: "fast-forward 30 minutes". */
export class TestClock implements Clock {
  constructor(private t: Date = new Date('2026-11-23T17:00:00Z')) {}
  now(): Date {
    return new Date(this.t);
  }
  set(d: Date | string): void {
    this.t = new Date(d);
  }
  advance(ms: number): Date {
    this.t = new Date(this.t.getTime() + ms);
    return this.now();
  }
  advanceMinutes(min: number): Date {
    return this.advance(min * 60_000);
  }
}

/** A logger that keeps lines for assertions and prints nothing (set ESC_TEST_LOG=1 to see them). */
export class MemoryLogger implements Logger {
  readonly lines: { level: string; obj: unknown; msg?: string }[] = [];
  private add(level: string, obj: object | string, msg?: string) {
    this.lines.push({ level, obj, msg: typeof obj === 'string' ? obj : msg });
    if (process.env.ESC_TEST_LOG) process.stderr.write(`[${level}] ${typeof obj === 'string' ? obj : `${msg ?? ''} ${JSON.stringify(obj)}`}\n`);
  }
  info(o: object | string, m?: string) {
    this.add('info', o, m);
  }
  warn(o: object | string, m?: string) {
    this.add('warn', o, m);
  }
  error(o: object | string, m?: string) {
    this.add('error', o, m);
  }
  debug(o: object | string, m?: string) {
    this.add('debug', o, m);
  }
  errors() {
    return this.lines.filter((l) => l.level === 'error');
  }
}

/** The database for tests: MONGODB_URI (set by scripts/with-db.mjs) with a fresh database name. */
export function freshDbUri(): string {
  const base = process.env.MONGODB_URI;
  if (!base) throw new Error('MONGODB_URI is not set: run tests with `npm test` (scripts/with-db.mjs starts the local database)');
  const u = new URL(base);
  u.pathname = `/t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  return u.toString();
}

export const demoOrg = (): Org => loadOrgFile('config/demo-org.yaml');

/** A fresh database opened first (start-up order: database, then channels, then Esc): pass it as startTestEsc({ db }). */
export interface TestDb {
  uri: string;
  conn: Connection;
  clock: TestClock;
}
export async function openTestDb(): Promise<TestDb> {
  const uri = freshDbUri();
  return { uri, conn: await connectDatabase(uri), clock: new TestClock() };
}

export interface TestEsc extends Esc {
  clock: TestClock;
  log: MemoryLogger;
  baseUrl: string;
  uri: string;
  /** Runs engine passes until nothing is left to do (bounded). */
  settle(maxPasses?: number): Promise<void>;
}

/**
 * A real Esc on a fresh database with a controllable clock. The Agenda loop is off by
 * default: tests drive the engine with `settle()` after moving the clock.
 */
export async function startTestEsc(
  opts: { env?: Record<string, string>; org?: Org; notifiers?: Notifier[]; mounts?: EscOptions['mounts']; warRoom?: EscOptions['warRoom']; messageUpdaters?: EscOptions['messageUpdaters']; runEngine?: boolean; clock?: TestClock; uri?: string; listen?: boolean; db?: TestDb; readinessIntervalMs?: number } = {},
): Promise<TestEsc> {
  const clock = opts.clock ?? opts.db?.clock ?? new TestClock();
  const log = new MemoryLogger();
  const uri = opts.uri ?? opts.db?.uri ?? freshDbUri();
  const config = loadConfig({ LOG_LEVEL: 'silent', ESC_ENGINE_TICK_MS: '20', ...opts.env });
  const esc = await createEsc({ config, conn: opts.db?.conn, mongoUri: uri, clock, log, notifiers: opts.notifiers, mounts: opts.mounts, warRoom: opts.warRoom, messageUpdaters: opts.messageUpdaters, org: opts.org ?? demoOrg(), runEngine: opts.runEngine ?? false, readinessIntervalMs: opts.readinessIntervalMs });
  const baseUrl = opts.listen === false ? '' : await esc.listen(0);
  return Object.assign(esc, {
    clock,
    log,
    baseUrl,
    uri,
    async settle(maxPasses = 50) {
      for (let i = 0; i < maxPasses; i++) if ((await esc.engine.runOnce()) === 0) return;
    },
  });
}

/** JSON over real HTTP with a bearer token. */
export async function api(baseUrl: string, method: string, path: string, body?: unknown, token = 'demo-admin-token'): Promise<{ status: number; body: Record<string, unknown> & { [k: string]: unknown } }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, body: parsed };
}
