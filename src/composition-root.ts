import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from 'mongoose';
import type { Express } from 'express';
import { Directory } from './domain/directory.js';
import type { Org } from './domain/directory.js';
import type { Channel } from './domain/plan.js';
import { CHANNELS } from './domain/plan.js';
import type { AppDeps, Clock, Logger } from './app/deps.js';
import { systemClock } from './app/deps.js';
import type { Notifier } from './app/ports/notifier.js';
import type { Config } from './config/env.js';
import { loadOrgFile } from './config/org-schema.js';
import { connectMongo, createModels, ensureIndexes } from './adapters/mongo/models.js';
import { MongoAlertKeyRepository, MongoTicketRepository } from './adapters/mongo/ticket-repo.js';
import { MongoTimelineRepository } from './adapters/mongo/timeline-repo.js';
import { MongoEscalationRepository } from './adapters/mongo/escalation-repo.js';
import { MongoDeliveryRepository } from './adapters/mongo/delivery-repo.js';
import { MongoOrgRepository } from './adapters/mongo/org-repo.js';
import { MongoReportFactsRepository } from './adapters/mongo/report-repo.js';
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

export interface EscOptions {
  config: Config;
  mongoUri: string;
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
  /** Starts listening on config.PORT (0 = any free port). Returns the base URL. */
  listen(port?: number): Promise<string>;
  /** Reloads the org file into the database and memory. */
  reloadOrg(org?: Org): Promise<void>;
  stop(): Promise<void>;
}

/** The one place that creates adapters and wires them to ports. */
export async function createEsc(opts: EscOptions): Promise<Esc> {
  const { config } = opts;
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const conn = await connectMongo(opts.mongoUri);
  const models = createModels(conn);
  await ensureIndexes(models);
  const majorModels = createMajorModels(conn);
  await ensureMajorIndexes(majorModels);
  const reportModels = createReportModels(conn, models.Timeline);
  await ensureReportIndexes(reportModels);
  const reports = new MongoReportFactsRepository(reportModels);
  const orgRepo = new MongoOrgRepository(models);
  const clock = opts.clock ?? systemClock;
  let directory: Directory;

  const reloadOrg = async (org?: Org) => {
    const fresh = org ?? loadOrgFile(config.ESC_ORG_FILE);
    const { changed } = await orgRepo.save(fresh, clock.now());
    directory = new Directory((await orgRepo.load()) ?? fresh);
    log.info({ org: fresh.name, changed, people: fresh.people.length, teams: fresh.teams.length, plans: fresh.plans.length }, 'organisation loaded');
  };
  await reloadOrg(opts.org);

  let runner: AgendaEngineRunner | null = null;
  const ticketMessages = new MongoTicketMessageRepository(conn);
  await ticketMessages.ensureIndexes();
  // A change to a ticket with messages wakes the engine, so they are edited within about a second.
  const messagesStale = { markStale: async (ids: string[]) => ((await ticketMessages.markStale(ids)) > 0 ? runner?.nudge() : undefined) };
  const deps: AppDeps = {
    tickets: new MongoTicketRepository(models),
    alertKeys: new MongoAlertKeyRepository(models),
    timeline: new MongoTimelineRepository(models, reports, messagesStale),
    escalations: new MongoEscalationRepository(models),
    deliveries: new MongoDeliveryRepository(models, () => clock.now()),
    orgRepo,
    reports,
    directory: () => directory,
    clock,
    newId: randomUUID,
    log,
    nudge: () => runner?.nudge(),
    requests: new MongoRequestRepository(majorModels),
    majors: new MongoMajorRepository(majorModels),
    problems: new MongoProblemRepository(majorModels),
    warRoom: opts.warRoom?.({ conn, clock, log }) ?? new OutboxWarRoom(() => conn, () => clock.now(), log),
    renderAarPdf,
    ticketMessages,
    messageUpdaters: opts.messageUpdaters ?? [],
  };

  const notifiers = new Map<Channel, Notifier>();
  for (const n of opts.notifiers ?? []) notifiers.set(n.channel, n);
  const missing = CHANNELS.filter((c) => !notifiers.has(c));
  if (missing.length > 0) log.info({ channels: missing }, `not configured, written to the outbox and NOT sent: ${missing.join(', ')}`);
  const dispatcher = new Dispatcher(deps, notifiers, new OutboxNotifier('chat', log), { batch: 500, concurrency: 16, leaseMs: config.ESC_DELIVERY_LEASE_MS, maxAttempts: config.ESC_DELIVERY_MAX_ATTEMPTS, backoffMs: 2000 });
  const engine = new Engine(deps, dispatcher, { batch: 500, concurrency: 16, pendingStaleMs: 5000, auditGraceMs: config.ESC_AUDIT_GRACE_MS, auditEveryMs: 10_000 });
  if (opts.runEngine ?? config.ESC_ENGINE) {
    runner = new AgendaEngineRunner(conn.db as never, engine, { tickMs: config.ESC_ENGINE_TICK_MS, leaseMs: config.ESC_ENGINE_LEASE_MS, log });
    await runner.start();
  }

  const ping = async () => {
    try {
      await conn.db!.admin().ping();
      return true;
    } catch {
      return false;
    }
  };
  const app = createHttpApp({ deps, tokens: config.apiTokens, ping, mounts: opts.mounts?.(deps) });
  let server: Server | null = null;

  return {
    deps,
    app,
    engine,
    dispatcher,
    runner,
    conn,
    notifiers,
    reloadOrg,
    async listen(port = config.PORT) {
      server = await new Promise<Server>((resolve, reject) => {
        // Express 5 passes a listen error to the callback.
        const s = app.listen(port, config.HOST, (err?: Error) => (err ? reject(err) : resolve(s)));
      });
      server.keepAliveTimeout = 65_000;
      const addr = server.address() as AddressInfo;
      return `http://${addr.address === '0.0.0.0' || addr.address === '::' ? '127.0.0.1' : addr.address}:${addr.port}`;
    },
    async stop() {
      await runner?.stop();
      if (server) await new Promise<void>((r) => server!.close(() => r()));
      server?.closeAllConnections?.();
      await conn.close();
    },
  };
}
