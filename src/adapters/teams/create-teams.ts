import type { Connection } from 'mongoose';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import type { AppDeps, Clock, Logger } from '../../app/deps.js';
import type { ConversationRefRepository } from '../../app/ports/conversation-refs.js';
import type { TeamsConfig } from '../../config/teams-env.js';
import type { HttpMount } from '../http/server.js';
import { createTeamsAdapter } from './teams-adapter.js';
import { createTeamsApplication } from './teams-bot.js';
import { TeamsChatNotifier } from './teams-chat-notifier.js';
import { MongoConversationRefRepository } from './mongo-conversation-refs.js';
import { teamsRouter } from './teams-router.js';

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
}

/**
 * Builds the Teams front end in two phases, because createEsc wants the notifier before it
 * has opened the database: create → createEsc({ notifiers, mounts }) → bind(esc.conn).
 */
export function createTeamsFrontEnd(args: { config: TeamsConfig; log: Logger; clock: Clock; credentialsFactory?: ServiceClientCredentialsFactory }): TeamsFrontEnd {
  const adapter = createTeamsAdapter(args.config, args.credentialsFactory);
  let refs: MongoConversationRefRepository | null = null;
  const getRefs = () => refs;
  const notifier = new TeamsChatNotifier({ adapter, appId: args.config.appId, tenantId: args.config.tenantId, refs: getRefs, log: args.log, clock: args.clock });
  return {
    notifier,
    refs: getRefs,
    mounts(deps) {
      const app = createTeamsApplication({ deps, adapter, appId: args.config.appId, refs: getRefs });
      return [{ path: TEAMS_MESSAGES_PATH, router: teamsRouter({ adapter, app, log: deps.log }) }];
    },
    async bind(conn) {
      const repo = new MongoConversationRefRepository(conn);
      await repo.ensureIndexes();
      refs = repo;
    },
  };
}
