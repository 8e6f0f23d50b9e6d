#!/usr/bin/env node
// `npm start`: runs Esc. With MONGODB_URI unset it first installs (once) and starts the
// local MongoDB-compatible server, keeping its data in .esc-data/ beside the project.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startLocalDb } from './local-db.mjs';

const env = { ...process.env };
let stop = () => {};
if (!env.MONGODB_URI) {
  process.stderr.write('[start] MONGODB_URI is not set: starting the local database (FerretDB, data in .esc-data/)\n');
  const db = await startLocalDb({ dataDir: join(process.cwd(), '.esc-data') });
  env.MONGODB_URI = db.uri;
  stop = db.stop;
}
const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { stdio: 'inherit', env });
const forward = (s) => child.kill(s);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
child.on('exit', (code, signal) => {
  stop();
  process.exit(code ?? (signal ? 1 : 0));
});
