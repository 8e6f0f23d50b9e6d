// A server for bench/alerts.ts, in its own process: `esc` (a real Esc with its HTTP API, the
// real alert route POST /api/alerts) or `bare` (node:http that parses the JSON body and does
// one equivalent database write: insertOne of the alert, then answers). Prints {"url","uri"}.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MongoClient } from 'mongodb';
import { connectDatabase } from '../src/composition-root.js';
import { TestClock, freshDbUri, startTestEsc } from '../test/support/harness.js';
import { serveRoundTrips, withCommandMonitoring } from './round-trips.js';

async function bare(): Promise<string> {
  const client = new MongoClient(freshDbUri());
  await client.connect();
  const col = client.db().collection('bare_alerts');
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return void res.writeHead(400).end();
      }
      col.insertOne({ ...body, at: new Date() }).then(
        (r) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: String(r.insertedId) })),
        () => res.writeHead(500).end(),
      );
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

async function esc(): Promise<string> {
  const uri = withCommandMonitoring(freshDbUri());
  const conn = await connectDatabase(uri);
  serveRoundTrips(conn);
  const e = await startTestEsc({ db: { uri, conn, clock: new TestClock() } });
  return JSON.stringify({ url: e.baseUrl, uri: e.uri });
}

const line = process.argv[2] === 'bare' ? await bare() : await esc();
process.stdout.write(`${line}\n`);
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
process.on('SIGTERM', () => {
  if (process.env.BENCH_PROF) process.stderr.write(`${process.argv[2]} event loop delay: p50 ${(loop.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms; rss ${Math.round(process.memoryUsage().rss / 1e6)} MB\n`);
  process.exit(0);
});
