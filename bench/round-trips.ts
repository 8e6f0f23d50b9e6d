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
  process.on('message', (m) => {
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
