#!/usr/bin/env node
// Runs a command with MONGODB_URI pointing at a database: the one given, or a fresh local FerretDB.
// Usage: node scripts/with-db.mjs <command> [args...]   (the command is resolved from node_modules/.bin)
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startLocalDb } from './local-db.mjs';

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  process.stderr.write('usage: with-db.mjs <command> [args...]\n');
  process.exit(2);
}
let stop = async () => {};
const env = { ...process.env };
if (!env.MONGODB_URI) {
  const db = await startLocalDb();
  env.MONGODB_URI = db.uri;
  env.ESC_LOCAL_DB_DATA = db.dataDir;
  stop = db.stop;
}
const bin = join(process.cwd(), 'node_modules', '.bin');
const child = spawn(cmd, args, { stdio: 'inherit', env: { ...env, PATH: `${bin}:${env.PATH}` } });
child.on('exit', async (code, signal) => {
  await stop();
  process.exit(code ?? (signal ? 1 : 0));
});
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
