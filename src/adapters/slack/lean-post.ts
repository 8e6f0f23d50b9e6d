import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface PostArgs {
  channel: string;
  text: string;
  blocks?: unknown[];
}
export interface Posted {
  channel?: string;
  ts?: string;
}
export type PostMessage = (args: PostArgs) => Promise<Posted>;

/** As the Web client reports them (web-client.ts sendFailure reads `code` and `data.error`). */
class SlackPostError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly data?: { ok: false; error: string },
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

const RETRIES = 2;
const TIMEOUT_MS = 10_000;

/**
 * chat.postMessage without the Web client, for the answers to opened tickets (one per ticket,
 * issue 18): a JSON POST on kept-alive connections. The Web client (p-queue, p-retry, fetch)
 * cost about 1.5 ms of CPU a message, a third of Esc's CPU in the slack bench. Same contract
 * as `client.chat.postMessage`: resolves with the channel and ts; rejects with a platform
 * error (`data.error`), a rate limit after two waits of Retry-After, or a transport error
 * after two quick retries.
 */
export function leanPostMessage(apiUrl: string, token: string): PostMessage {
  const url = new URL('chat.postMessage', apiUrl);
  const https = url.protocol === 'https:';
  const agent = https ? new HttpsAgent({ keepAlive: true, maxSockets: 16 }) : new HttpAgent({ keepAlive: true, maxSockets: 16 });
  const once = (body: string) =>
    new Promise<{ status: number; retryAfter: number; json: Record<string, unknown> | null }>((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(url, {
        method: 'POST',
        agent,
        timeout: TIMEOUT_MS,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) },
      });
      req.on('timeout', () => req.destroy(new Error('chat.postMessage timed out')));
      req.on('error', reject);
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          let json: Record<string, unknown> | null;
          try {
            json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          } catch {
            json = null;
          }
          resolve({ status: res.statusCode ?? 0, retryAfter: Number(res.headers['retry-after'] ?? 1) || 1, json });
        });
      });
      req.end(body);
    });
  return async (args) => {
    const body = JSON.stringify(args);
    for (let attempt = 0; ; attempt++) {
      let r: Awaited<ReturnType<typeof once>>;
      try {
        r = await once(body);
      } catch (e) {
        if (attempt < RETRIES) {
          await sleep(250 * 2 ** attempt);
          continue;
        }
        throw new SlackPostError(`A request error occurred: ${(e as Error).message}`, 'slack_webapi_request_error');
      }
      if (r.status === 429) {
        if (attempt < RETRIES) {
          await sleep(Math.min(r.retryAfter, 30) * 1000);
          continue;
        }
        throw new SlackPostError('A rate limit was exceeded', 'slack_webapi_rate_limited_error', undefined, r.retryAfter);
      }
      if (r.status >= 500 && attempt < RETRIES) {
        await sleep(250 * 2 ** attempt);
        continue;
      }
      if (r.status !== 200 || !r.json) throw new SlackPostError(`An HTTP protocol error occurred: statusCode = ${r.status}`, 'slack_webapi_http_error');
      if (r.json.ok !== true) {
        const error = typeof r.json.error === 'string' ? r.json.error : 'unknown';
        throw new SlackPostError(`An API error occurred: ${error}`, 'slack_webapi_platform_error', { ok: false, error });
      }
      return { channel: typeof r.json.channel === 'string' ? r.json.channel : undefined, ts: typeof r.json.ts === 'string' ? r.json.ts : undefined };
    }
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
