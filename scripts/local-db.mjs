#!/usr/bin/env node
// The local MongoDB-compatible server for `npm test` and `npm start` when MONGODB_URI is unset.
// No MongoDB server package can be installed on these machines, so we build FerretDB 1.24
// (pure Go, SQLite backend) from the Go module proxy once, cache the binary, and start it.
// Used as a module (ensureLocalDb) by start.mjs / with-db.mjs, or directly: `npm run db`.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, cpSync, writeFileSync, readFileSync, chmodSync, rmSync, mkdtempSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const FERRET_MODULE = 'github.com/FerretDB/FerretDB';
const FERRET_VERSION = 'v1.24.2';
const cacheDir = process.env.ESC_CACHE_DIR ?? join(homedir(), '.cache', 'esc');
// The `-atomic` build carries the patch below; bump it when the patch changes.
const binary = join(cacheDir, `ferretdb-${FERRET_VERSION}-esc5`);

function say(msg) {
  process.stderr.write(`[local-db] ${msg}\n`);
}

/** Builds the FerretDB binary into the cache unless it is already there. */
export function installFerretDb() {
  if (existsSync(binary)) return binary;
  mkdirSync(cacheDir, { recursive: true });
  say(`installing FerretDB ${FERRET_VERSION} (once; cached in ${cacheDir}); this takes a minute or two`);
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
  } catch {
    throw new Error('Go is needed to build the local FerretDB server. Install Go, or set MONGODB_URI to a running MongoDB 6+.');
  }
  const work = mkdtempSync(join(tmpdir(), 'esc-ferretdb-'));
  try {
    const env = { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'on' };
    // `go mod download` fetches the exact tagged module; `latest` is not served here.
    const info = JSON.parse(
      execFileSync('go', ['mod', 'download', '-json', `${FERRET_MODULE}@${FERRET_VERSION}`], { cwd: work, env, encoding: 'utf8' }),
    );
    const src = join(work, 'src');
    cpSync(info.Dir, src, { recursive: true });
    execFileSync('chmod', ['-R', 'u+w', src]);
    // A module-cache copy lacks the generated version file FerretDB panics without.
    writeFileSync(join(src, 'build', 'version', 'version.txt'), `${FERRET_VERSION}\n`);
    makeWritesAtomic(join(src, 'internal', 'handler'));
    pushDownEquality(join(src, 'internal', 'backends', 'sqlite'));
    execFileSync('go', ['build', '-o', `${binary}.tmp`, './cmd/ferretdb'], { cwd: src, env, stdio: ['ignore', 'inherit', 'inherit'] });
    chmodSync(`${binary}.tmp`, 0o755);
    execFileSync('mv', [`${binary}.tmp`, binary]);
    say(`installed ${binary}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return binary;
}

/**
 * FerretDB 1.x applies an update as "read the matching documents, change them in Go,
 * write them back" in separate steps, so two concurrent conditional updates can both
 * succeed (measured: 4 of 50 compare-and-sets on one version won; $inc lost updates).
 * MongoDB makes every single-document write atomic, and Esc relies on that (DESIGN.md §2).
 * This serialises FerretDB's write commands behind one mutex so the stand-in keeps
 * MongoDB's guarantee. Esc's code does not change; only the local test server does.
 */
function makeWritesAtomic(handlerDir) {
  writeFileSync(
    join(handlerDir, 'esc_atomic.go'),
    'package handler\n\nimport "sync"\n\n// escWriteMu serialises write commands: see Esc scripts/local-db.mjs.\nvar escWriteMu sync.Mutex\n',
  );
  const targets = {
    'msg_update.go': 'MsgUpdate',
    'msg_findandmodify.go': 'MsgFindAndModify',
    'msg_delete.go': 'MsgDelete',
    'msg_insert.go': 'MsgInsert',
  };
  for (const [file, fn] of Object.entries(targets)) {
    const path = join(handlerDir, file);
    const text = readFileSync(path, 'utf8');
    const sig = `func (h *Handler) ${fn}(connCtx context.Context, msg *wire.OpMsg) (*wire.OpMsg, error) {`;
    if (!text.includes(sig)) throw new Error(`cannot patch ${file}: FerretDB's source changed`);
    writeFileSync(path, text.replace(sig, `${sig}\n\tescWriteMu.Lock()\n\tdefer escWriteMu.Unlock()\n`));
  }
}

/** Adds equality pushdown to the SQLite backend (see ferretdb-patches/esc_pushdown.go.txt). */
function pushDownEquality(sqliteDir) {
  const here = new URL('.', import.meta.url).pathname;
  writeFileSync(join(sqliteDir, 'esc_pushdown.go'), readFileSync(join(here, 'ferretdb-patches', 'esc_pushdown.go.txt'), 'utf8'));
  const path = join(sqliteDir, 'collection.go');
  const text = readFileSync(path, 'utf8');
  const anchor = '\n\tq += whereClause\n';
  if (text.split(anchor).length !== 2) throw new Error("cannot patch collection.go: FerretDB's source changed");
  let patched = text.replace(anchor, '\n\tif w, a := escWhere(params.Filter); w != "" {\n\t\twhereClause, args = w, a\n\t}\n\tq += whereClause\n');
  // explain() shows the same pushed-down query plan (SQLite's, naming the index it uses).
  const explainAnchor = '\n\torderByClause := prepareOrderByClause(params.Sort)\n';
  if (patched.split(explainAnchor).length !== 2) throw new Error("cannot patch collection.go (Explain): FerretDB's source changed");
  patched = patched.replace(explainAnchor, '\n\tif w, a := escWhere(params.Filter); w != "" {\n\t\twhereClause, args, filterPushdown = w, a, true\n\t}\n' + explainAnchor);
  writeFileSync(path, patched);
  // Updates and deletes find rows by _id through an expression the _id index does not
  // match, so each one scanned the table; use the index's own expression.
  const metaPath = join(sqliteDir, 'metadata', 'metadata.go');
  const meta = readFileSync(metaPath, 'utf8');
  const idExpr = `IDColumn = DefaultColumn + "->'$._id'"`;
  if (!meta.includes(idExpr)) throw new Error("cannot patch metadata.go: FerretDB's source changed");
  writeFileSync(metaPath, meta.replace(idExpr, 'IDColumn = DefaultColumn + `->"_id"`'));
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const s = createConnection({ port, host: '127.0.0.1' });
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`FerretDB did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

/**
 * Starts FerretDB on a free loopback port with its data in `dataDir`.
 * Returns { uri, stop }. The child dies with this process.
 */
export async function startLocalDb({ dataDir, port } = {}) {
  const bin = installFerretDb();
  // A directory made here is this server's alone: removed when it stops (or this process exits).
  const owned = !dataDir;
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'esc-db-'));
  mkdirSync(dir, { recursive: true });
  const p = port ?? (await freePort());
  const child = spawn(
    bin,
    [
      '--handler=sqlite',
      // WAL with synchronous=NORMAL: no fsync per commit (a local test and try-out server).
      `--sqlite-url=file:${dir}/?_pragma=synchronous(NORMAL)`,
      `--listen-addr=127.0.0.1:${p}`,
      `--state-dir=${dir}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=error',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  let exited = false;
  const gone = new Promise((resolve) => child.on('exit', () => { exited = true; resolve(); }));
  const removeDir = () => { if (owned) rmSync(dir, { recursive: true, force: true }); };
  const kill = () => { if (!exited) child.kill('SIGKILL'); };
  /** Stops the server and resolves once it has exited (SIGKILL after 5 s); a directory made here is removed. */
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(kill, 5000);
      await gone;
      clearTimeout(t);
    }
    removeDir();
  };
  process.on('exit', () => {
    kill();
    try {
      removeDir();
    } catch {
      // best effort: the server may still hold a file for a moment
    }
  });
  await waitForPort(p, 15000);
  return { uri: `mongodb://127.0.0.1:${p}/esc`, stop, kill, dataDir: dir, pid: child.pid, port: p };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dataDir = process.argv[2] ?? join(cacheDir, 'data');
  const { uri } = await startLocalDb({ dataDir, port: Number(process.env.ESC_DB_PORT ?? 27017) });
  say(`FerretDB (MongoDB-compatible) listening: ${uri}  data: ${dataDir}  (Ctrl-C stops it)`);
  process.on('SIGINT', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  setInterval(() => {}, 1 << 30);
}
