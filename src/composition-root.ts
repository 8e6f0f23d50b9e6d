import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from 'mongoose';
import express from 'express';
import type { Express } from 'express';
import { createHash } from 'node:crypto';
import { Directory, EMPTY_OVERLAY } from './domain/directory.js';
import type { DirectoryOverlay } from './domain/directory.js';
import type { OnCallMessenger } from './app/ports/oncall.js';
import type { Actor } from './app/ports/timeline.js';
import { loadOverlay } from './app/use-cases/oncall/overlay.js';
import { MongoOnCallRepository, createOnCallModels } from './adapters/mongo/oncall-repo.js';
import type { Org } from './domain/directory.js';
import type { Channel } from './domain/plan.js';
import { CHANNELS } from './domain/plan.js';
import type { AppDeps, Clock, Logger } from './app/deps.js';
import { systemClock } from './app/deps.js';
import type { Notifier } from './app/ports/notifier.js';
import type { Config } from './config/env.js';
import { loadOrgFile, OrgFileError } from './config/org-schema.js';
import { orgProblems } from './domain/org-check.js';
import { MONGO_TIMEOUTS, connectMongo, createModels, ensureIndexes } from './adapters/mongo/models.js';
import { MongoClientWatchdog } from './adapters/mongo/client-watchdog.js';
import { MongoAlertKeyRepository, MongoTicketRepository } from './adapters/mongo/ticket-repo.js';
import { MongoTimelineRepository } from './adapters/mongo/timeline-repo.js';
import { MongoEscalationRepository } from './adapters/mongo/escalation-repo.js';
import { MongoDeliveryRepository } from './adapters/mongo/delivery-repo.js';
import { MongoOrgRepository, storedForm } from './adapters/mongo/org-repo.js';
import { icalKeySource } from './adapters/mongo/ical-key.js';
import { MongoReportFactsRepository } from './adapters/mongo/report-repo.js';
import { MongoHomeRegistry, withHomeMarks } from './adapters/mongo/home-registry.js';
import { MongoTicketMessageRepository } from './adapters/mongo/ticket-message-repo.js';
import type { TicketMessageUpdater } from './app/ports/ticket-messages.js';
import { createReportModels, ensureReportIndexes } from './adapters/mongo/report-models.js';
import { OutboxNotifier } from './adapters/outbox/outbox-notifier.js';
import { OutboxWarRoom } from './adapters/outbox/outbox-war-room.js';
import type { WarRoomPort } from './app/ports/war-room.js';
import { createMajorModels, ensureMajorIndexes } from './adapters/mongo/major-models.js';
import { MongoRequestRepository } from './adapters/mongo/request-repo.js';
import { MongoMajorRepository } from './adapters/mongo/major-repo.js';
import { MongoProblemRepository } from './adapters/mongo/problem-repo.js';
import { renderAarPdf } from './adapters/report/aar-pdf.js';
import { AgendaEngineRunner } from './adapters/agenda/engine-runner.js';
import { createHttpApp } from './adapters/http/server.js';
import type { HttpMount } from './adapters/http/server.js';
import { Dispatcher } from './engine/dispatcher.js';
import { Engine } from './engine/engine.js';
import { createLogger } from './logger.js';
import { EscMetrics, MeteredNotifier, meteredTimeline } from './adapters/ops/metrics.js';
import { EngineHeartbeat, processHolderId, readEngineStatus } from './adapters/ops/engine-status.js';
import { ReadinessMonitor } from './adapters/ops/readiness.js';
import { metricsOnlyApp } from './adapters/ops/ops-routes.js';
import { isDbUnreachable } from './adapters/agenda/db-health-log.js';

/** Opens the database: the first step of start-up (everything else is built on this connection). */
export const connectDatabase = (uri: string): Promise<Connection> => connectMongo(uri);

export interface EscOptions {
  config: Config;
  /** The open database (main.ts connects first); or `mongoUri` and createEsc connects. Esc.stop() closes it. */
  conn?: Connection;
  mongoUri?: string;
  /** How often /readyz's state is refreshed (default 1000 ms). */
  readinessIntervalMs?: number;
  clock?: Clock;
  log?: Logger;
  /** Real channels; channels without one go to the outbox, marked not sent. */
  notifiers?: Notifier[];
  /** Extra routes on the one server (Slack, Teams, Twilio). */
  mounts?: (deps: AppDeps) => HttpMount[];
  /** The org to load instead of config.ESC_ORG_FILE (tests). */
  org?: Org;
  /** Start the Agenda-driven engine loop (default: config.ESC_ENGINE). */
  runEngine?: boolean;
  /**
   * The war room of major escalations (Slack, Teams). Default: the outbox war room, which
   * records rooms and posts in the database and sends nothing.
   */
  warRoom?: (ctx: { conn: Connection; clock: Clock; log: Logger }) => WarRoomPort;
  /** Where cover requests and shift notices are posted (Slack). Default: kept in the outbox, not sent. */
  oncallMessenger?: OnCallMessenger;
  /** Edit posted ticket messages in place (Slack chat.update, Teams updateActivity); issue 12. */
  messageUpdaters?: TicketMessageUpdater[];
}

export interface Esc {
  deps: AppDeps;
  app: Express;
  engine: Engine;
  dispatcher: Dispatcher;
  runner: AgendaEngineRunner | null;
  conn: Connection;
  notifiers: Map<Channel, Notifier>;
  metrics: EscMetrics;
  readiness: ReadinessMonitor;
  /** GET /api/engine's answer: the lease holder, the last pass, its duration and lateness. */
  engineView(): Promise<object>;
  /** Stops accepting connections (in-flight requests finish); stop() does it too. */
  closeServer(): Promise<void>;
  /** Starts listening on config.PORT (0 = any free port). Returns the base URL. */
  listen(port?: number): Promise<string>;
  /** Reloads the org file (or the given snapshot) into the database and memory; an invalid one is refused and the running org stays. */
  reloadOrg(org?: Org, by?: Actor): Promise<{ hash: string; changed: boolean }>;
  stop(): Promise<void>;
}

/** The one place that creates adapters and wires them to ports. */
export async function createEsc(opts: EscOptions): Promise<Esc> {
  const { config } = opts;
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  if (!opts.conn && !opts.mongoUri) throw new Error('createEsc needs conn or mongoUri');
  const conn = opts.conn ?? (await connectMongo(opts.mongoUri!));
  // The driver can lose a server check for good after a dropped connection: revive the client then.
  const client = conn.getClient();
  const watchdog = new MongoClientWatchdog(client, { log, connectTimeoutMS: client.options.connectTimeoutMS ?? MONGO_TIMEOUTS.connectTimeoutMS, heartbeatFrequencyMS: client.options.heartbeatFrequencyMS ?? MONGO_TIMEOUTS.heartbeatFrequencyMS });
  watchdog.start();
  const metrics = new EscMetrics();
  const models = createModels(conn);
  const majorModels = createMajorModels(conn);
  const reportModels = createReportModels(conn, models.Timeline);
  // Indexes of every collection at once (start-up: waits overlap instead of adding up).
  await Promise.all([ensureIndexes(models), ensureMajorIndexes(majorModels), ensureReportIndexes(reportModels)]);
  const reports = new MongoReportFactsRepository(reportModels);
  const orgRepo = new MongoOrgRepository(models);
  const tickets = new MongoTicketRepository(models);
  const clock = opts.clock ?? systemClock;
  const oncall = new MongoOnCallRepository(createOnCallModels(conn));
  let org: Org;
  let overlay: DirectoryOverlay = EMPTY_OVERLAY;
  let directory: Directory;
  // Overrides and self-service settings live in MongoDB: re-read after every change here, and
  // at most every few seconds when asked (another Esc process may have changed them).
  let overlaySeq = 0;
  let overlayReadAt = 0;
  const refreshDirectory = async () => {
    const seq = ++overlaySeq;
    overlayReadAt = Date.now();
    const next = await loadOverlay(oncall, clock.now(), org.timeZone);
    if (seq !== overlaySeq) return; // a newer read started: it wins
    overlay = next;
    directory = new Directory(org, overlay);
  };
  const currentDirectory = () => {
    // The database gone is an outage, reported once by the engine (DbHealthLog), not every 5 s here.
    if (Date.now() - overlayReadAt > 5000) refreshDirectory().catch((err: unknown) => (isDbUnreachable(err) ? log.debug : log.warn).call(log, { err: (err as Error).message, code: 'OVERLAY_READ_FAILED' }, 'on-call: could not re-read overrides'));
    return directory;
  };

  let started = false;
  const reloadOrg = async (given?: Org, by?: Actor) => {
    const actor = by ?? { personId: null, via: 'system' as const, name: 'start-up' };
    // Build and check everything first: an invalid file or snapshot changes nothing, neither
    // the stored copy nor the running organisation (no half-applied reload).
    let candidate: Org;
    let nextOverlay: DirectoryOverlay;
    let next: Directory;
    try {
      const fresh = given ?? loadOrgFile(config.ESC_ORG_FILE);
      candidate = storedForm(fresh);
      nextOverlay = await loadOverlay(oncall, clock.now(), candidate.timeZone);
      next = new Directory(candidate, nextOverlay);
      const problems = orgProblems(next, clock.now());
      if (problems.length > 0) throw new OrgFileError(given ? 'the organisation' : config.ESC_ORG_FILE, problems);
    } catch (e) {
      // Refusals from chat and the API are recorded by their use case (it reads the file itself); a SIGHUP's here.
      if (started && !given && e instanceof OrgFileError) {
        const now = clock.now();
        await oncall.record({ id: `org.refused:${now.getTime()}:${randomUUID()}`, subject: 'org', type: 'org.reload_refused', at: now, actor, data: { problems: e.problems } }).catch(() => undefined);
      }
      throw e;
    }
    const hash = createHash('sha256').update(JSON.stringify(candidate)).digest('hex');
    // A failed save throws here, before the swap: the running organisation stays (the next reload rewrites the stored copy).
    const { changed } = await orgRepo.save(candidate, clock.now());
    org = candidate;
    overlay = nextOverlay;
    overlaySeq++;
    overlayReadAt = Date.now();
    directory = next;
    started = true;
    // Stored SLA warnings, ack timeouts and resolution breaches follow the new policies and plans (issue 14).
    const retimed = changed ? await tickets.markTimersStale() : 0;
    const now = clock.now();
    await oncall.record({ id: `org.reloaded:${now.getTime()}:${hash.slice(0, 12)}`, subject: 'org', type: 'org.reloaded', at: now, actor, data: { hash, changed, people: candidate.people.length, teams: candidate.teams.length, plans: candidate.plans.length } });
    log.info({ org: candidate.name, changed, hash: hash.slice(0, 12), people: candidate.people.length, teams: candidate.teams.length, plans: candidate.plans.length }, 'organisation loaded');
    if (retimed > 0) log.info({ tickets: retimed }, 'organisation changed: the timers of open tickets are recomputed');
    return { hash, changed };
  };
  await reloadOrg(opts.org);

  let runner: AgendaEngineRunner | null = null;
  const ticketMessages = new MongoTicketMessageRepository(conn);
  await ticketMessages.ensureIndexes();
  // A change to a ticket with messages wakes the engine, so they are edited within about a second.
  const homes = new MongoHomeRegistry(conn); // issue 16: homes republished when their content changes
  await homes.ensureIndexes();
  const messagesStale = { markStale: async (ids: string[]) => ((await ticketMessages.markStale(ids)) > 0 ? runner?.nudge() : undefined) };
  const deps: AppDeps = {
    tickets,
    alertKeys: new MongoAlertKeyRepository(models),
    timeline: meteredTimeline(withHomeMarks(new MongoTimelineRepository(models, reports, messagesStale), homes, log), metrics),
    escalations: new MongoEscalationRepository(models),
    deliveries: new MongoDeliveryRepository(models, () => clock.now()),
    orgRepo,
    reports,
    directory: currentDirectory,
    clock,
    newId: randomUUID,
    log,
    nudge: () => runner?.nudge(),
    requests: new MongoRequestRepository(majorModels),
    majors: new MongoMajorRepository(majorModels),
    problems: new MongoProblemRepository(majorModels),
    warRoom: opts.warRoom?.({ conn, clock, log }) ?? new OutboxWarRoom(() => conn, () => clock.now(), log),
    renderAarPdf,
    oncall,
    oncallMessenger: opts.oncallMessenger ?? { post: async () => ({ sent: false }) },
    icalKey: icalKeySource(config.icalSecret, conn),
    refreshDirectory,
    reloadOrg,
    readOrgFile: () => loadOrgFile(config.ESC_ORG_FILE),
    ticketMessages,
    messageUpdaters: opts.messageUpdaters ?? [],
    homes,
  };

  const notifiers = new Map<Channel, Notifier>();
  for (const n of opts.notifiers ?? []) notifiers.set(n.channel, new MeteredNotifier(n, metrics));
  const missing = CHANNELS.filter((c) => !notifiers.has(c));
  if (missing.length > 0) log.info({ channels: missing }, `not configured, written to the outbox and NOT sent: ${missing.join(', ')}`);
  const dispatcher = new Dispatcher(deps, notifiers, new OutboxNotifier('chat', log), { batch: 500, concurrency: 16, leaseMs: config.ESC_DELIVERY_LEASE_MS, maxAttempts: config.ESC_DELIVERY_MAX_ATTEMPTS, backoffMs: 2000 });
  // Step passes of 100: a burst's first messages leave after one small claim instead of 500
  // claims, and the runner's overlapping passes (up to 3) keep sending while the next claims
  // are written. 1,000 steps due at once: 2.1-2.3 s against 2.4-2.9 s with 500 (issue 18).
  const engine = new Engine(deps, dispatcher, { batch: 100, concurrency: 16, pendingStaleMs: config.ESC_DELIVERY_LEASE_MS, auditGraceMs: config.ESC_AUDIT_GRACE_MS, auditEveryMs: 10_000, recoverEveryMs: 1000 });
  const heartbeat = new EngineHeartbeat(conn, processHolderId(), log);
  if (opts.runEngine ?? config.ESC_ENGINE) {
    const onPass: NonNullable<ConstructorParameters<typeof AgendaEngineRunner>[2]['onPass']> = (p) => {
      heartbeat.record(p);
      metrics.enginePass.observe(p.durationMs / 1000);
      if (p.failed) metrics.enginePassFailures.inc();
    };
    runner = new AgendaEngineRunner(conn.db as never, engine, { tickMs: config.ESC_ENGINE_TICK_MS, idleMs: config.ESC_ENGINE_IDLE_MS, leaseMs: config.ESC_ENGINE_LEASE_MS, log, onPass });
    await runner.start();
  }

  const readiness = new ReadinessMonitor({ conn, orgName: () => directory?.org.name ?? null, engineTickMs: Math.max(config.ESC_ENGINE_TICK_MS, config.ESC_ENGINE_IDLE_MS), engineLeaseMs: config.ESC_ENGINE_LEASE_MS, metrics, intervalMs: opts.readinessIntervalMs });
  // The first pass recorded makes /readyz ready at once, not at the next refresh (start-up).
  heartbeat.onWritten = () => readiness.changed();
  const engineView = async () => {
    const now = new Date();
    const st = await readEngineStatus(conn, config.ESC_ENGINE_LEASE_MS, now);
    const age = st.lastPassEndedAt ? now.getTime() - st.lastPassEndedAt.getTime() : null;
    const staleAfterMs = readiness.staleAfterMs(st.lastPassMs);
    return {
      holder: st.holder,
      thisProcess: { holderId: heartbeat.holder, runsEngine: runner !== null, holdsLease: st.holder === heartbeat.holder },
      lease: { lockedAt: st.leaseLockedAt, held: st.leaseHeld || (age !== null && age <= staleAfterMs && st.holder !== null), leaseMs: config.ESC_ENGINE_LEASE_MS },
      lastPass: { endedAt: st.lastPassEndedAt, ageMs: age, durationMs: st.lastPassMs, latenessMs: st.lastPassLateMs, passes: st.passes },
      lastError: st.lastError ? { message: st.lastError, at: st.lastErrorAt } : null,
      tickMs: config.ESC_ENGINE_TICK_MS,
      staleAfterMs,
      healthy: st.holder !== null && age !== null && age <= staleAfterMs,
    };
  };
  const metricsElsewhere = config.ESC_METRICS_PORT !== undefined;
  const ops = { readiness, metrics, metricsToken: config.metricsToken, metricsElsewhere, engineView };
  const app = createHttpApp({ deps, tokens: config.apiTokens, ops, mounts: opts.mounts?.(deps) });
  let server: Server | null = null;
  let metricsServer: Server | null = null;
  const listenOn = (a: Express, port: number) =>
    new Promise<Server>((resolve, reject) => {
      // Express 5 passes a listen error to the callback.
      const s = a.listen(port, config.HOST, (err?: Error) => (err ? reject(err) : resolve(s)));
    });
  const close = async (s: Server | null) => {
    if (!s) return;
    const closed = new Promise<void>((r) => s.close(() => r()));
    s.closeIdleConnections?.();
    // Requests still running get a moment to finish, then their connections are cut.
    const t = setTimeout(() => s.closeAllConnections?.(), 3000);
    await closed;
    clearTimeout(t);
  };
  let stopped = false;
  const closeServer = async () => {
    await Promise.all([close(server), close(metricsServer)]);
    server = null;
    metricsServer = null;
  };

  return {
    deps,
    app,
    engine,
    dispatcher,
    runner,
    conn,
    notifiers,
    metrics,
    readiness,
    engineView,
    reloadOrg,
    async listen(port = config.PORT) {
      server = await listenOn(app, port);
      server.keepAliveTimeout = 65_000;
      if (metricsElsewhere && !metricsServer) {
        const m = express();
        m.use(metricsOnlyApp(ops));
        metricsServer = await listenOn(m, config.ESC_METRICS_PORT!);
      }
      readiness.start();
      const addr = server.address() as AddressInfo;
      return `http://${addr.address === '0.0.0.0' || addr.address === '::' ? '127.0.0.1' : addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;
    },
    closeServer,
    async stop() {
      if (stopped) return;
      stopped = true;
      readiness.stop();
      await closeServer();
      // Agenda unlocks the engine job (the lease) when it stops; the heartbeat says no one passes.
      await runner?.stop();
      if (runner) await heartbeat.release();
      await watchdog.stop();
      await conn.close();
    },
  };
}
