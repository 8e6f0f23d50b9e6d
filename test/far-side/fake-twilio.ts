import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

export interface TwilioCreation {
  kind: 'message' | 'call';
  sid: string;
  accountSid: string;
  params: Record<string, string>;
}

/** One Messages.json creation as it arrived: when (ms, sub-ms precision), for whom, and the answer. */
export interface TwilioMessageAttempt {
  at: number;
  from: string;
  to: string;
  status: number;
  sid: string | null;
}

export interface FakeTwilioOptions {
  /**
   * Enforce a long code's pace the way Twilio does: a message creation for a From number less
   * than this many ms after the last accepted one from that number gets HTTP 429, code 20429.
   */
  perFromIntervalMs?: number;
}

/**
 * A local stand-in for Twilio's REST API: records Messages.json and Calls.json creations
 * and answers with SIDs, checking Basic auth. `failNext(status)` makes the next creation fail.
 * Every Messages.json creation attempt is kept in `attempts` with its arrival time.
 */
export class FakeTwilio {
  readonly created: TwilioCreation[] = [];
  readonly attempts: TwilioMessageAttempt[] = [];
  private lastAccepted = new Map<string, number>();
  private server: Server | null = null;
  private n = 0;
  private failures: number[] = [];
  url = '';

  constructor(
    readonly accountSid: string,
    private readonly authToken: string,
    private readonly opts: FakeTwilioOptions = {},
  ) {}

  messages(): TwilioCreation[] {
    return this.created.filter((c) => c.kind === 'message');
  }
  calls(): TwilioCreation[] {
    return this.created.filter((c) => c.kind === 'call');
  }
  failNext(status: number): void {
    this.failures.push(status);
  }
  /** Numbers that replied STOP at the carrier: a message to one gets 400, code 21610, as Twilio answers. */
  readonly optedOut = new Set<string>();

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      // Arrival = when the request's headers were parsed, before its body is read.
      const at = performance.timeOrigin + performance.now();
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', (): void => {
        const send = (status: number, obj: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(obj));
        const auth = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
        if (auth !== `${this.accountSid}:${this.authToken}`) return send(401, { code: 20003, message: 'Authenticate', status: 401 });
        const m = /^\/2010-04-01\/Accounts\/(AC\w+)\/(Messages|Calls)\.json$/.exec(req.url ?? '');
        if (req.method !== 'POST' || !m) return send(404, { code: 20404, message: 'not found', status: 404 });
        const params = Object.fromEntries(new URLSearchParams(body));
        const kind = m[2] === 'Messages' ? 'message' : 'call';
        const attempt = { at, from: params.From ?? '', to: params.To ?? '', status: 201, sid: null as string | null };
        if (kind === 'message') this.attempts.push(attempt);
        if (kind === 'message' && this.optedOut.has(params.To ?? '')) {
          attempt.status = 400;
          return send(400, { code: 21610, message: 'Attempt to send to unsubscribed recipient', more_info: 'https://www.twilio.com/docs/errors/21610', status: 400 });
        }
        const fail = this.failures.shift();
        if (fail) {
          attempt.status = fail;
          return send(fail, { code: fail === 400 ? 21211 : fail === 429 ? 20429 : 20500, message: `fake failure ${fail}`, status: fail });
        }
        const interval = this.opts.perFromIntervalMs ?? 0;
        if (kind === 'message' && interval > 0) {
          const last = this.lastAccepted.get(attempt.from);
          if (last !== undefined && at - last < interval) {
            attempt.status = 429;
            return send(429, { code: 20429, message: 'Too Many Requests', more_info: 'https://www.twilio.com/docs/errors/20429', status: 429 });
          }
          this.lastAccepted.set(attempt.from, at);
        }
        const sid = `${kind === 'message' ? 'SM' : 'CA'}${String(++this.n).padStart(32, '0')}`;
        attempt.sid = sid;
        this.created.push({ kind, sid, accountSid: m[1]!, params });
        send(201, { sid, account_sid: m[1], to: params.To, from: params.From, status: 'queued', body: params.Body ?? null });
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/**
 * Posts a webhook to Esc the way Twilio does: form-encoded, signed over the PUBLIC url
 * (what Twilio was told) while actually sent to the local server.
 */
export async function postTwilioWebhook(args: { baseUrl: string; publicUrl: string; path: string; params: Record<string, string>; authToken: string; badSignature?: boolean }): Promise<{ status: number; text: string }> {
  const sig = twilio.getExpectedTwilioSignature(args.authToken, `${args.publicUrl}${args.path}`, args.params);
  const res = await fetch(`${args.baseUrl}${args.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': args.badSignature ? `x${sig.slice(1)}` : sig },
    body: new URLSearchParams(args.params).toString(),
  });
  return { status: res.status, text: await res.text() };
}
