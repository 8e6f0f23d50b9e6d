#!/usr/bin/env node
// `npm start`: runs the compiled Esc (dist/main.js), building it first when dist/ is missing or
// older than src/. With MONGODB_URI unset (environment or .env) it first installs (once) and
// starts the local MongoDB-compatible server, keeping its data in .esc-data/ beside the project.
// SIGTERM / SIGINT: Esc stops cleanly (within 10 s), then the local database; a second signal
// ends both at once.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { readFileSync } from 'node:fs';
import { startLocalDb } from './local-db.mjs';
import { build, buildIsStale } from './build.mjs';

const say = (m) => process.stderr.write(`[start] ${m}\n`);
const env = { ...process.env };
// .env: read here too, so MONGODB_URI set there means "no local database". The environment wins.
if (existsSync('.env')) for (const [k, v] of Object.entries(parseEnv(readFileSync('.env', 'utf8')))) env[k] ??= v;

let signals = 0;
let child = null;
let db = null;
const onSignal = (s) => {
  signals++;
  if (signals > 1) {
    say(`${s} again: stopping at once`);
    child?.kill('SIGKILL');
    db?.kill();
    process.exit(130);
  }
  if (child) child.kill(s);
  else {
    db?.kill();
    process.exit(130);
  }
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

if (buildIsStale()) {
  say('dist/ is missing or older than src/: building (npm run build)');
  build();
}
if (!env.MONGODB_URI) {
  const dataDir = env.ESC_LOCAL_DB_DIR || join(process.cwd(), '.esc-data');
  say(`MONGODB_URI is not set: starting the local database (FerretDB, data in ${dataDir})`);
  db = await startLocalDb({ dataDir });
  env.MONGODB_URI = db.uri;
}
if (signals > 0) {
  await db?.stop();
  process.exit(130);
}
child = spawn(process.execPath, ['--enable-source-maps', 'dist/main.js'], { stdio: 'inherit', env });
child.on('exit', async (code, signal) => {
  if (db) {
    const t0 = Date.now();
    await db.stop();
    if (signals > 0) say(`local database stopped (${Date.now() - t0} ms)`);
  }
  process.exit(code ?? (signal ? 1 : 0));
});
