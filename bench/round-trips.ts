// Round trips to the database, counted in a server process with the driver's command
// monitoring (`monitorCommands=true` in the URI, 'commandStarted' events). The bench process
// asks over IPC: 'rt:reset' clears the counts, 'rt:read' answers {rt: {"insert tickets": n, …}}.
import type { ChildProcess } from 'node:child_process';
import type { Connection } from 'mongoose';

/** Heartbeats and readiness pings are not work a request asked for. */
const IGNORED = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'buildInfo', 'endSessions']);

export function withCommandMonitoring(uri: string): string {
  const u = new URL(uri);
  u.searchParams.set('monitorCommands', 'true');
  return u.toString();
}

/** In the server: counts each command by name and collection, answers the bench over IPC. */
export function serveRoundTrips(conn: Connection): void {
  const counts: Record<string, number> = {};
  conn.getClient().on('commandStarted', (e: { commandName: string; command: Record<string, unknown> }) => {
    if (IGNORED.has(e.commandName)) return;
    const target = e.command[e.commandName];
    const key = `${e.commandName} ${typeof target === 'string' ? target : ''}`.trim();
    counts[key] = (counts[key] ?? 0) + 1;
  });
  // BENCH_RT_TRACE=1: the commands of each second after a reset, and their time in the database, on stderr.
  let since = 0;
  const perSec: Record<string, [number, number]>[] = [];
  const started = new Map<number, [string, number]>();
  if (process.env.BENCH_RT_TRACE) {
    const client = conn.getClient();
    client.on('commandStarted', (e: { requestId: number; commandName: string; command: Record<string, unknown> }) => {
      if (!since || IGNORED.has(e.commandName)) return;
      const target = e.command[e.commandName];
      started.set(e.requestId, [`${e.commandName} ${typeof target === 'string' ? target : ''}`.trim(), performance.now()]);
    });
    const done = (e: { requestId: number }) => {
      const s = started.get(e.requestId);
      if (!s) return;
      started.delete(e.requestId);
      const sec = Math.floor((s[1] - since) / 1000);
      const row = (perSec[sec] ??= {});
      const c = (row[s[0]] ??= [0, 0]);
      c[0] += 1;
      c[1] += performance.now() - s[1];
    };
    client.on('commandSucceeded', done);
    client.on('commandFailed', done);
    process.on('SIGTERM', () => {
      perSec.forEach((row, i) => process.stderr.write(`rt second ${i} (event loop ${elu[i] ?? '?'}): ${Object.entries(row).sort((a, b) => b[1][1] - a[1][1]).slice(0, 8).map(([k, [n, ms]]) => `${k} ${n} (${Math.round(ms)} ms)`).join(', ')}\n`));
    });
  }
  // Event-loop utilisation of each second (1 = this process never idle).
  const elu: string[] = [];
  let eluTimer: ReturnType<typeof setInterval> | undefined;
  process.on('message', (m) => {
    if (m === 'rt:reset' && process.env.BENCH_RT_TRACE) {
      let last = performance.eventLoopUtilization();
      clearInterval(eluTimer);
      eluTimer = setInterval(() => {
        const now = performance.eventLoopUtilization();
        elu.push(performance.eventLoopUtilization(now, last).utilization.toFixed(2));
        last = now;
      }, 1000);
      eluTimer.unref();
    }
    if (m === 'rt:reset') since = performance.now();
    if (m === 'rt:reset') for (const k of Object.keys(counts)) delete counts[k];
    if (m === 'rt:read') process.send?.({ rt: { ...counts } });
  });
}

/** In the bench: the counts of a server started with an IPC channel. */
export function readRoundTrips(child: ChildProcess): Promise<Record<string, number>> {
  return new Promise((resolve) => {
    const on = (m: unknown) => {
      const rt = (m as { rt?: Record<string, number> }).rt;
      if (!rt) return;
      child.off('message', on);
      resolve(rt);
    };
    child.on('message', on);
    child.send('rt:read');
  });
}

export const total = (rt: Record<string, number>) => Object.values(rt).reduce((a, b) => a + b, 0);
