import type { Connection } from 'mongoose';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import type { AppDeps, Clock, Logger } from '../../app/deps.js';
import type { ConversationRefRepository } from '../../app/ports/conversation-refs.js';
import type { TeamsConfig } from '../../config/teams-env.js';
import type { HttpMount } from '../http/server.js';
import { createTeamsAdapter } from './teams-adapter.js';
import { createTeamsApplication, GREETING_WINDOW_MS } from './teams-bot.js';
import { ExpiringKeys } from '../mongo/expiring-keys.js';
import { TeamsChatNotifier } from './teams-chat-notifier.js';
import { MongoConversationRefRepository } from './mongo-conversation-refs.js';
import { teamsRouter } from './teams-router.js';
import { TeamsMessageUpdater } from './teams-message-updater.js';
import { MongoTicketMessageRepository } from '../mongo/ticket-message-repo.js';
import { GraphClient } from './graph-client.js';
import { BotFrameworkWarRoomPoster, GraphWarRoom } from './graph-war-room.js';
import { MongoWarRoomFiles, WAR_ROOM_FILES_PATH } from './major-files.js';
import { MongoThreadRate } from './thread-rate.js';
import { TeamsOnCallMessenger } from './teams-oncall-messenger.js';

/** The Bot Framework endpoint path, as registered on the Azure Bot resource. */
export const TEAMS_MESSAGES_PATH = '/api/messages';

export interface TeamsFrontEnd {
  /** The 'chat' notifier: pass it in createEsc's `notifiers`. */
  notifier: TeamsChatNotifier;
  /** The HTTP endpoint: pass it in createEsc's `mounts`. */
  mounts(deps: AppDeps): HttpMount[];
  /** Gives the adapter the database (createEsc's `conn`) for conversation references. Call before traffic arrives. */
  bind(conn: Connection): Promise<void>;
  /** The stored references (null before bind). */
  refs(): ConversationRefRepository | null;
  /** Major-escalation war rooms through Microsoft Graph; null when config.warRoom is unset. */
  warRoom: GraphWarRoom | null;
  /** Edits Esc's Teams messages when their ticket changes: pass it in createEsc's `messageUpdaters` (issue 12). */
  updater: TeamsMessageUpdater;
  /** Cover requests with Take, shift notices, hand-off posts (issue 15): pass it in createEsc's `oncallMessenger`. */
  oncallMessenger: TeamsOnCallMessenger;
}

/**
 * Builds the Teams front end in two phases, because createEsc wants the notifier before it
 * has opened the database: create → createEsc({ notifiers, mounts }) → bind(esc.conn).
 */
export function createTeamsFrontEnd(args: { config: TeamsConfig; log: Logger; clock: Clock; credentialsFactory?: ServiceClientCredentialsFactory; publicUrl?: string; serviceUrl?: string }): TeamsFrontEnd {
  const adapter = createTeamsAdapter(args.config, args.credentialsFactory);
  let refs: MongoConversationRefRepository | null = null;
  let db: Connection | null = null;
  // Per-conversation send limit in MongoDB once bound: every Esc process counts the same sends.
  const rate = new MongoThreadRate(() => db);
  const greetings = new ExpiringKeys(() => db!, 'teams_greetings');
  const getRefs = () => refs;
  // Posted escalation cards are recorded here once bound, so they follow their ticket (issue 12).
  let messages: MongoTicketMessageRepository | null = null;
  const notifier = new TeamsChatNotifier({ adapter, appId: args.config.appId, tenantId: args.config.tenantId, refs: getRefs, log: args.log, clock: args.clock, messages: () => messages, rate });
  const updater = new TeamsMessageUpdater({ adapter, appId: args.config.appId, refs: getRefs });
  const wr = args.config.warRoom ?? null;
  let files: MongoWarRoomFiles | null = null;
  let filesRouter: ReturnType<MongoWarRoomFiles['router']> | null = null;
  // The organisation's zone for war-room cards, known once mounts() is given the deps.
  let timeZone: (() => string) | null = null;
  const warRoom =
    wr && args.config.tenantId && args.config.appPassword
      ? new GraphWarRoom({
          graph: new GraphClient({ baseUrl: wr.graphBaseUrl, authorityHost: wr.authorityHost, tenantId: args.config.tenantId, clientId: args.config.appId, clientSecret: args.config.appPassword }),
          poster: new BotFrameworkWarRoomPoster({ adapter, appId: args.config.appId, tenantId: args.config.tenantId, refs: getRefs, serviceUrl: args.serviceUrl, rate }),
          teamId: wr.teamId,
          appCatalogId: wr.appCatalogId,
          files: () => files,
          log: args.log,
          timeZone: () => timeZone?.() ?? 'UTC',
        })
      : null;
  return {
    notifier,
    refs: getRefs,
    warRoom,
    updater,
    oncallMessenger: new TeamsOnCallMessenger({ notifier, adapter, appId: args.config.appId, refs: getRefs }),
    mounts(deps) {
      timeZone = () => deps.directory().org.timeZone;
      const firstGreeting = async (conversationId: string) => (db ? greetings.claim(`greet:${conversationId}`, deps.clock.now(), GREETING_WINDOW_MS).catch(() => true) : true);
      const app = createTeamsApplication({ deps, adapter, appId: args.config.appId, refs: getRefs, firstGreeting });
      const out: HttpMount[] = [{ path: TEAMS_MESSAGES_PATH, router: teamsRouter({ adapter, app, log: deps.log }) }];
      // War-room files: the router looks the store up per request, so it can be mounted before bind().
      if (warRoom) out.push({ path: WAR_ROOM_FILES_PATH, router: (req, res, next) => (filesRouter ? filesRouter(req, res, next) : res.status(503).json({ error: 'UNAVAILABLE', message: 'Starting up; try again.' })) });
      return out;
    },
    async bind(conn) {
      const repo = new MongoConversationRefRepository(conn);
      db = conn;
      await repo.ensureIndexes();
      refs = repo;
      messages = new MongoTicketMessageRepository(conn);
      if (wr) {
        const store = new MongoWarRoomFiles(conn, { publicUrl: args.publicUrl ?? 'http://localhost:3000', ttlMs: wr.fileLinkTtlHours * 3_600_000, clock: args.clock });
        await store.ensureIndexes();
        files = store;
        filesRouter = store.router();
      }
    },
  };
}
