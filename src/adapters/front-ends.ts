import type { Connection } from 'mongoose';
import type { AppDeps, Clock, Logger } from '../app/deps.js';
import type { Notifier } from '../app/ports/notifier.js';
import { buildChannelAdapters } from '../config/channels-env.js';
import { loadSlackConfig } from '../config/slack-env.js';
import type { HttpMount } from './http/server.js';
import type { SlackAdapter } from './slack/slack-app.js';
import { MongoTicketMessageRepository } from './mongo/ticket-message-repo.js';
import type { TicketMessageUpdater } from '../app/ports/ticket-messages.js';
import type { EscOptions } from '../composition-root.js';
import { loadTeamsConfig } from '../config/teams-env.js';
import { ChatRouter, reachesOnSlack, reachesOnTeams } from './chat-router.js';
import type { RoutedChat } from './chat-router.js';
import { OnCallMessengers } from './oncall-messengers.js';

/** The Slack modules (Bolt: about 0.6 s of start-up and 35 MB), loaded only when Slack is configured. */
async function loadSlack() {
  const [app, warRoom, updater, threads, oncall] = await Promise.all([import('./slack/slack-app.js'), import('./slack/slack-war-room.js'), import('./slack/slack-message-updater.js'), import('./slack/mongo-thread-store.js'), import('./slack/slack-oncall-messenger.js')]);
  return { ...app, ...warRoom, ...updater, ...threads, ...oncall };
}

export interface FrontEnds {
  notifiers: Notifier[];
  mounts: (deps: AppDeps) => HttpMount[];
  /** Channels and front ends left off, one line each with what would turn them on. */
  disabled: string[];
  /** Edit posted ticket messages in place (issue 12): pass them in createEsc's `messageUpdaters`. */
  messageUpdaters: TicketMessageUpdater[];
  /** The war room of major escalations (issue 7); unset: the outbox war room. */
  warRoom?: EscOptions['warRoom'];
  /** Where cover requests, shift notices and hand-off posts go (Slack and/or Teams). */
  oncallMessenger?: EscOptions['oncallMessenger'];
  /** Once Esc listens: starts what connects outwards (Slack Socket Mode). */
  start(): Promise<void>;
  /** Stops taking Slack work and finishes the work already acknowledged to Slack. */
  stop(): Promise<void>;
}

/** Bad front-end or channel variables: the message lists every problem. */
export class FrontEndConfigError extends Error {
  override name = 'FrontEndConfigError';
}

/** Reads and checks every front-end and channel variable; throws FrontEndConfigError. Before the database is opened. */
export function checkFrontEndEnv(env: NodeJS.ProcessEnv): void {
  try {
    loadSlackConfig(env);
    loadTeamsConfig(env);
  } catch (e) {
    throw new FrontEndConfigError((e as Error).message);
  }
}

/**
 * Builds every configured chat front end and notification channel from the environment, on
 * the open database (start-up order: database, stores, channels and front ends, engine, HTTP).
 * Throws a config error listing every problem when a variable is wrong.
 */
export async function buildFrontEnds(env: NodeJS.ProcessEnv, ctx: { clock: Clock; log: Logger; conn: Connection }): Promise<FrontEnds> {
  const channels = buildChannelAdapters(env, { clock: ctx.clock, conn: ctx.conn });
  const slackCfg = loadSlackConfig(env);
  const teamsCfg = loadTeamsConfig(env);
  const notifiers: Notifier[] = [...channels.notifiers];
  const disabled = [...channels.disabled];
  let slack: SlackAdapter | undefined;
  const chats: RoutedChat[] = [];
  const messageUpdaters: TicketMessageUpdater[] = [];
  // Slack's posts are recorded once the database is open (the repository resolves the connection on first use).
  const slackMessages = new MongoTicketMessageRepository(() => ctx.conn);
  const sl = slackCfg ? await loadSlack() : null;
  if (slackCfg && sl) chats.push({ notifier: sl.createSlackChatNotifier(ctx.log, slackCfg, new sl.MongoThreadStore(() => ctx.conn), () => slackMessages), reaches: reachesOnSlack });
  if (slackCfg && sl) messageUpdaters.push(sl.createSlackMessageUpdater(ctx.log, slackCfg));
  else disabled.push('Slack: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (or SLACK_APP_TOKEN for Socket Mode)');
  // Teams (botbuilder, teams-ai, Graph: about 100 MB and a second of start-up) is loaded only when configured.
  const teams = teamsCfg ? (await import('./teams/create-teams.js')).createTeamsFrontEnd({ config: teamsCfg, log: ctx.log, clock: ctx.clock, publicUrl: env.ESC_PUBLIC_URL || undefined }) : null;
  if (teams) {
    await teams.bind(ctx.conn);
    chats.push({ notifier: teams.notifier, reaches: reachesOnTeams });
    messageUpdaters.push(teams.updater);
  } else disabled.push('Teams: set TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID');
  if (chats.length === 1) notifiers.push(chats[0]!.notifier);
  if (chats.length > 1) notifiers.push(new ChatRouter(chats));
  // War rooms: Slack channels when Slack is configured.
  const warRoom: FrontEnds['warRoom'] = slackCfg && sl ? ({ log }) => sl.createSlackWarRoom(log, slackCfg) : undefined;
  // …else Teams: a channel in TEAMS_WAR_ROOM_TEAM_ID or a group chat, through Microsoft Graph.
  const teamsWarRoom = !slackCfg ? (teams?.warRoom ?? null) : null;
  if (teams && !slackCfg && !teamsWarRoom) disabled.push('Teams war rooms (major escalations are recorded, no room is opened): set TEAMS_WAR_ROOM_TEAM_ID (a channel per escalation) or TEAMS_APP_CATALOG_ID (a group chat); see README, Microsoft Teams');
  return {
    notifiers,
    messageUpdaters,
    disabled,
    warRoom: warRoom ?? (teamsWarRoom ? () => teamsWarRoom : undefined),
    ...(slackCfg || teams ? { oncallMessenger: new OnCallMessengers([...(slackCfg && sl ? [sl.createSlackOnCallMessenger(ctx.log, slackCfg)] : []), ...(teams ? [teams.oncallMessenger] : [])]) } : {}),
    mounts: (deps) => {
      const out = channels.mounts(deps);
      if (slackCfg && sl) {
        slack = sl.createSlackAdapter(deps, slackCfg, { connection: () => ctx.conn });
        out.push(...slack.mounts);
      }
      if (teams) out.push(...teams.mounts(deps));
      return out;
    },
    start: async () => {
      await slack?.start();
    },
    stop: async () => {
      await slack?.stop();
    },
  };
}
