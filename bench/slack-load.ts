// Load-generator helpers for bench/slack.ts: the server processes and one signed POST.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { signSlackRequest } from '../src/adapters/slack/signature.js';
import { TEST_SIGNING_SECRET } from '../test/far-side/slack-requests.js';

export interface ServerProcess {
  url: string;
  /** The database of an Esc server (empty for the bare one). */
  uri: string;
  child: ChildProcess;
}

/** Starts a bench server script (it prints `{"url","uri"}` as its first line) in its own process: `esc` or `bare`. `profDir`: write a CPU profile there. */
export function startBenchServer(script: string, mode: 'esc' | 'bare', env: NodeJS.ProcessEnv, profDir?: string): Promise<ServerProcess> {
  const prof = profDir ? [`--cpu-prof`, `--cpu-prof-dir=${profDir}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', script, mode], { env, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (l) => {
      const m = JSON.parse(l) as { url: string; uri?: string };
      resolve({ url: m.url, uri: m.uri ?? '', child });
    });
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
}

/** Starts bench/slack-server.ts in its own process: `esc` or `bare`. */
export function startServer(mode: 'esc' | 'bare', env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  return startBenchServer('bench/slack-server.ts', mode, env, process.env.BENCH_SLACK_PROF);
}

const agent = new Agent({ keepAlive: true, maxSockets: 1024 });

export function closeAgent(): void {
  agent.destroy();
}

/** One signed POST to /slack/events; resolves with status and milliseconds (status 0 on a transport error). */
export function postSigned(base: string, body: string, retryNum?: number): Promise<{ status: number; ms: number }> {
  const ts = Math.floor(Date.now() / 1000);
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(`${base}/slack/events`, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': signSlackRequest(TEST_SIGNING_SECRET, ts, body),
        ...(retryNum ? { 'x-slack-retry-num': String(retryNum), 'x-slack-retry-reason': 'http_timeout' } : {}),
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(body);
  });
}
