import { App, WebClient } from './bolt.js';
import type { Connection } from 'mongoose';
import { ExpiringKeys } from '../mongo/expiring-keys.js';
import type { AppDeps, Logger } from '../../app/deps.js';
import type { SlackConfig } from '../../config/slack-env.js';
import type { HttpMount } from '../http/server.js';
import { SlackChatNotifier } from './slack-chat-notifier.js';
import type { ThreadStore } from './slack-chat-notifier.js';
import type { TicketMessageRepository } from '../../app/ports/ticket-messages.js';
import { answerOpened, registerSlackShell, ticketFormSubmission } from './slack-shell.js';
import type { TicketFormBody } from './slack-shell.js';
import { TicketIntake } from '../../app/use-cases/ticket-intake.js';
import { MongoIntakeStore } from '../mongo/intake-repo.js';
import { registerSlackThreadNotes } from './slack-events.js';
import { SlackHttpReceiver } from './slack-receiver.js';
import { WorkQueue } from './work-queue.js';
import { TICKET_MODAL } from './views.js';
import { leanPostMessage } from './lean-post.js';
import { boltLogger, webClientOptions } from './web-client.js';

export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackAdapter {
  app: App;
  /** Empty in Socket Mode: nothing to mount. */
  mounts: HttpMount[];
  /** Starts the Socket Mode connection (no-op over HTTP). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The Slack front end: /esc, buttons and modals, on Esc's own HTTP server at
 * /slack/events, or over Socket Mode when an app token is configured.
 */
export function createSlackAdapter(deps: AppDeps, config: SlackConfig, opts: { nowMs?: () => number; workConcurrency?: number; connection?: () => Connection } = {}): SlackAdapter {
  const work = new WorkQueue(opts.workConcurrency ?? 4, undefined, (err) => deps.log.error({ err: err instanceof Error ? err.message : String(err), code: 'SLACK_WORK_FAILED' }, 'slack: work after the ack failed'));
  const logger = boltLogger(deps.log);
  const clientOptions = webClientOptions(config.apiUrl, logger, false);
  if (config.appToken) {
    const app = new App({ token: config.botToken.reveal(), appToken: config.appToken.reveal(), socketMode: true, logger, clientOptions, convoStore: false });
    registerSlackShell(app, deps, work);
    registerSlackThreadNotes(app, deps);
    return { app, mounts: [], start: async () => void (await app.start()), stop: async () => {
      await app.stop();
      await work.idle();
    } };
  }
  // Retry dedupe in MongoDB when there is a database: replicas behind one URL act as one.
  const seen = opts.connection ? new ExpiringKeys(opts.connection, 'slack_seen_requests', (err) => deps.log.warn({ err }, 'slack: sweeping old request ids failed')) : undefined;
  const post = leanPostMessage(config.apiUrl, config.botToken.reveal());
  // With a database, tickets from the form are stored before the ack and opened in groups (issue 18).
  const intake = opts.connection ? new TicketIntake(deps, new MongoIntakeStore(opts.connection), (group, later) => answerOpened(deps, post, work, group, later)) : undefined;
  // The ticket form's submissions are answered without Bolt and deduped by their intake record (one write before the ack).
  const submit = intake ? ticketFormSubmission(deps, intake) : null;
  const direct = submit ? (b: Record<string, unknown>) => (isTicketSubmission(b) ? submit(b) : null) : undefined;
  const receiver = new SlackHttpReceiver({ signingSecret: config.signingSecret.reveal(), logger, nowMs: opts.nowMs, seen, direct });
  const app = new App({ token: config.botToken.reveal(), receiver, logger, clientOptions, convoStore: false });
  intake?.start();
  registerSlackShell(app, deps, work, intake);
  registerSlackThreadNotes(app, deps);
  // HTTP mode: the server stops taking requests first; then the acknowledged work finishes.
  return { app, mounts: [{ path: SLACK_EVENTS_PATH, router: receiver.handler }], start: async () => {}, stop: async () => {
    await intake?.stop();
    await work.idle();
  } };
}

/** A submission of the ticket form with what its handling reads (else Bolt takes it and answers as for any malformed request). */
function isTicketSubmission(b: Record<string, unknown>): b is Record<string, unknown> & TicketFormBody {
  const view = b.view as { callback_id?: unknown; id?: unknown; private_metadata?: unknown } | undefined;
  const user = b.user as { id?: unknown } | undefined;
  return b.type === 'view_submission' && view?.callback_id === TICKET_MODAL && typeof view.id === 'string' && typeof user?.id === 'string' && (view.private_metadata === undefined || typeof view.private_metadata === 'string');
}

/** The notifier for the 'chat' channel. Rate limits come back to the dispatcher as retryable. */
export function createSlackChatNotifier(log: Logger, config: SlackConfig, threads?: ThreadStore, messages?: () => TicketMessageRepository | null): SlackChatNotifier {
  const client = new WebClient(config.botToken.reveal(), webClientOptions(config.apiUrl, boltLogger(log), true));
  return new SlackChatNotifier(client, threads, messages, log);
}
