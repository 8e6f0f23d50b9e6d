#!/usr/bin/env node
// `npm run bench -- NAME`: runs bench/NAME.ts against MONGODB_URI or a fresh local database.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startLocalDb } from './local-db.mjs';

const name = process.argv[2];
if (!name || !existsSync(`bench/${name}.ts`)) {
  process.stderr.write(`usage: npm run bench -- NAME   (NAME is a file in bench/, e.g. engine)\n`);
  process.exit(2);
}
const env = { ...process.env };
let stop = async () => {};
// `all` runs the other benches, each starting its own database.
if (!env.MONGODB_URI && name !== 'all') {
  const db = await startLocalDb();
  env.MONGODB_URI = db.uri;
  stop = db.stop;
}
const child = spawn(process.execPath, ['--import', 'tsx', `bench/${name}.ts`, ...process.argv.slice(3)], { stdio: 'inherit', env });
child.on('exit', async (code) => {
  await stop();
  process.exit(code ?? 1);
});
