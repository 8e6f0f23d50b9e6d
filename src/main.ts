// First: V8 memory settings, before other modules allocate (see memory-settings.ts).
import './memory-settings.js';
import { ConfigError, loadConfig } from './config/env.js';
import type { Config } from './config/env.js';
import { loadDotEnv } from './config/dotenv.js';
import { OrgFileError } from './config/org-schema.js';
import { connectDatabase, createEsc } from './composition-root.js';
import type { Esc } from './composition-root.js';
import { buildFrontEnds, checkFrontEndEnv } from './adapters/front-ends.js';
import type { FrontEnds } from './adapters/front-ends.js';
import { systemClock } from './app/deps.js';
import type { Logger } from './app/deps.js';
import { captureConsole, createLogger } from './logger.js';
import { startBanner } from './banner.js';

/** A clean stop must be over within this; past it the process exits anyway. */
const STOP_DEADLINE_MS = 9_000;

const refuse = (msg: string): never => {
  process.stderr.write(`${msg}\n`);
  process.exit(2);
};

/**
 * Starts Esc in one pass: configuration, database, stores and engine (createEsc) with the
 * channels and front ends, then HTTP. `npm start` runs this (compiled) through
 * scripts/start.mjs, which provides a database when MONGODB_URI is unset.
 */
async function main(): Promise<void> {
  loadDotEnv();
  let config: Config;
  try {
    config = loadConfig(process.env);
    checkFrontEndEnv(process.env);
  } catch (e) {
    if (e instanceof ConfigError) return refuse(e.message);
    return refuse(`Esc cannot start: ${(e as Error).message}\nSee .env.example for every variable.`);
  }
  const log = createLogger(config.LOG_LEVEL);
  captureConsole(log);
  if (!config.mongoUri) return refuse('MONGODB_URI is not set. Run `npm start` (it starts a local database), or set MONGODB_URI to your MongoDB 6+.');

  // Signals during start-up: stop at once (nothing is acknowledged yet).
  let stopping: ((sig: string) => void) | null = null;
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1 || !stopping) {
      process.stderr.write(`${sig} again: exiting now\n`);
      process.exit(130);
    }
    stopping(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const conn = await connectDatabase(config.mongoUri.reveal()).catch((e: unknown) => refuse(`Esc cannot reach the database: ${(e as Error).message}\nCheck MONGODB_URI.`));
  let frontEnds: FrontEnds;
  try {
    frontEnds = await buildFrontEnds(process.env, { clock: systemClock, log, conn });
  } catch (e) {
    await conn.close();
    return refuse(`Esc cannot start: ${(e as Error).message}\nSee .env.example for every variable.`);
  }
  for (const line of frontEnds.disabled) log.info(`disabled: ${line}`);
  let esc: Esc;
  try {
    esc = await createEsc({ config, conn, log, notifiers: frontEnds.notifiers, mounts: frontEnds.mounts, warRoom: frontEnds.warRoom, messageUpdaters: frontEnds.messageUpdaters, oncallMessenger: frontEnds.oncallMessenger });
  } catch (e) {
    await conn.close();
    if (e instanceof OrgFileError) return refuse(`Esc cannot start: the organisation file is not valid.\n${e.message}`);
    throw e;
  }
  const url = await esc.listen();
  await frontEnds.start();
  stopping = (sig) => void shutdown(sig, esc, frontEnds, log);
  // SIGHUP reloads the organisation file with zero downtime; an invalid file is refused and the running one stays.
  process.on('SIGHUP', () => {
    esc.reloadOrg(undefined, { personId: null, via: 'system', name: 'SIGHUP' }).then(
      (r) => log.info({ hash: r.hash.slice(0, 12), changed: r.changed }, 'SIGHUP: organisation reloaded'),
      (e: unknown) => log.error({ code: 'ORG_RELOAD_REFUSED', problems: (e as { problems?: string[] }).problems ?? [(e as Error).message] }, 'SIGHUP: the organisation file is not valid; the running organisation stays'),
    );
  });
  if (config.loopbackOnly) log.warn('ESC_API_TOKENS is not set: the demo tokens are in use, so Esc listens on 127.0.0.1 only. Set ESC_API_TOKENS before exposing it.');
  process.stdout.write(startBanner({ url, org: esc.deps.directory().org, usingDemoTokens: config.usingDemoTokens, loopbackOnly: config.loopbackOnly, metricsPort: config.ESC_METRICS_PORT }));
}

/**
 * Clean stop: no new requests, finish the Slack work already acknowledged, stop the engine
 * (its lease is released), close the database, all within STOP_DEADLINE_MS.
 */
async function shutdown(sig: string, esc: Esc, frontEnds: FrontEnds, log: Logger): Promise<void> {
  const t0 = Date.now();
  log.info({ sig }, 'stopping: no new requests; finishing acknowledged work');
  const deadline = setTimeout(() => {
    log.warn({ afterMs: Date.now() - t0 }, 'stop took too long: exiting without finishing');
    process.exit(1);
  }, STOP_DEADLINE_MS);
  deadline.unref();
  try {
    await esc.closeServer();
    await frontEnds.stop();
    await esc.stop();
    log.info({ ms: Date.now() - t0 }, 'stopped');
    process.exitCode = 0;
  } catch (e) {
    log.warn({ err: (e as Error).message }, 'stop: a step failed; exiting anyway');
    process.exitCode = 1;
  }
  // pino may still flush; leave promptly either way.
  setTimeout(() => process.exit(), 50).unref();
}

process.on('unhandledRejection', (e) => {
  process.stderr.write(`unhandled rejection: ${(e as Error)?.stack ?? String(e)}\n`);
});

main().catch((e: unknown) => {
  process.stderr.write(`Esc failed to start: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
