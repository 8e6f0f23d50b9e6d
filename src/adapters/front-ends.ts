import type { Connection } from 'mongoose';
import type { AppDeps, Clock, Logger } from '../app/deps.js';
import type { Notifier } from '../app/ports/notifier.js';
import { buildChannelAdapters } from '../config/channels-env.js';
import { loadSlackConfig } from '../config/slack-env.js';
import type { HttpMount } from './http/server.js';
import { createSlackAdapter, createSlackChatNotifier } from './slack/slack-app.js';
import type { SlackAdapter } from './slack/slack-app.js';

export interface FrontEnds {
  notifiers: Notifier[];
  mounts: (deps: AppDeps) => HttpMount[];
  /** Channels and front ends left off, one line each with what would turn them on. */
  disabled: string[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds every configured chat front end and notification channel from the environment.
 * Throws a config error listing every problem when a variable is wrong.
 */
export function buildFrontEnds(env: NodeJS.ProcessEnv, ctx: { clock: Clock; log: Logger; connection: () => Connection }): FrontEnds {
  const channels = buildChannelAdapters(env, { clock: ctx.clock, connection: ctx.connection });
  const slackCfg = loadSlackConfig(env);
  const notifiers: Notifier[] = [...channels.notifiers];
  const disabled = [...channels.disabled];
  let slack: SlackAdapter | undefined;
  if (slackCfg) notifiers.push(createSlackChatNotifier(ctx.log, slackCfg));
  else disabled.push('Slack: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (or SLACK_APP_TOKEN for Socket Mode)');
  return {
    notifiers,
    disabled,
    mounts: (deps) => {
      const out = channels.mounts(deps);
      if (slackCfg) {
        slack = createSlackAdapter(deps, slackCfg);
        out.push(...slack.mounts);
      }
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
