import { ConfigError, loadConfig } from './config/env.js';
import { OrgFileError } from './config/org-schema.js';
import { createEsc } from './composition-root.js';
import type { Esc } from './composition-root.js';
import { buildFrontEnds } from './adapters/front-ends.js';
import { systemClock } from './app/deps.js';
import { createLogger } from './logger.js';

/** Starts Esc. `npm start` runs this through scripts/start.mjs, which provides a database when MONGODB_URI is unset. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const log = createLogger(config.LOG_LEVEL);
  if (!config.mongoUri) {
    process.stderr.write('MONGODB_URI is not set. Run `npm start` (it starts a local database), or set MONGODB_URI to your MongoDB 6+.\n');
    process.exit(2);
  }
  let esc: Esc | undefined;
  let frontEnds;
  try {
    frontEnds = buildFrontEnds(process.env, {
      clock: systemClock,
      log,
      connection: () => {
        if (!esc) throw new Error('the database is not connected yet');
        return esc.conn;
      },
    });
  } catch (e) {
    process.stderr.write(`Esc cannot start: ${(e as Error).message}\nSee .env.example for every variable.\n`);
    process.exit(2);
  }
  for (const line of frontEnds.disabled) log.info(`disabled: ${line}`);
  try {
    esc = await createEsc({ config, mongoUri: config.mongoUri.reveal(), log, notifiers: frontEnds.notifiers, mounts: frontEnds.mounts, warRoom: frontEnds.warRoom, messageUpdaters: frontEnds.messageUpdaters });
  } catch (e) {
    if (e instanceof OrgFileError) {
      process.stderr.write(`Esc cannot start: the organisation file is not valid.\n${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const running = esc;
  await frontEnds.start(running.conn);
  const url = await running.listen();
  if (config.usingDemoTokens) log.warn('ESC_API_TOKENS is not set: the demo tokens are in use. Set your own before exposing Esc.');
  const token = config.usingDemoTokens ? 'demo-agent-token' : '<your token>';
  process.stdout.write(
    [
      '',
      `Esc is running at ${url} (organisation: ${running.deps.directory().org.name})`,
      `  health:   curl ${url}/healthz`,
      `  API docs: ${url}/openapi.json`,
      '',
      'Open a ticket:',
      `  curl -s -X POST ${url}/api/tickets -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' \\`,
      `    -d '{"title":"Email down for the Registrar office","priority":"P1"}'`,
      'Then watch it escalate (P1: 30 minutes without an acknowledgement), or escalate it at once:',
      `  curl -s -X POST ${url}/api/tickets/ESC-1000/escalate -H 'Authorization: Bearer ${token}'`,
      `  curl -s ${url}/api/outbox -H 'Authorization: Bearer ${token}'    # messages; "outboxed" = not sent, no channel configured`,
      '',
    ].join('\n'),
  );
  const shutdown = (sig: string) => {
    log.info({ sig }, 'stopping');
    frontEnds
      .stop()
      .then(() => running.stop())
      .then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

process.on('unhandledRejection', (e) => {
  process.stderr.write(`unhandled rejection: ${(e as Error)?.stack ?? String(e)}\n`);
});

main().catch((e: unknown) => {
  process.stderr.write(`Esc failed to start: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
