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

/**
 * A local stand-in for Twilio's REST API: records Messages.json and Calls.json creations
 * and answers with SIDs, checking Basic auth. `failNext(status)` makes the next creation fail.
 */
export class FakeTwilio {
  readonly created: TwilioCreation[] = [];
  private server: Server | null = null;
  private n = 0;
  private failures: number[] = [];
  url = '';

  constructor(
    readonly accountSid: string,
    private readonly authToken: string,
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

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', (): void => {
        const send = (status: number, obj: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(obj));
        const auth = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
        if (auth !== `${this.accountSid}:${this.authToken}`) return send(401, { code: 20003, message: 'Authenticate', status: 401 });
        const m = /^\/2010-04-01\/Accounts\/(AC\w+)\/(Messages|Calls)\.json$/.exec(req.url ?? '');
        if (req.method !== 'POST' || !m) return send(404, { code: 20404, message: 'not found', status: 404 });
        const fail = this.failures.shift();
        if (fail) return send(fail, { code: fail === 400 ? 21211 : 20500, message: `fake failure ${fail}`, status: fail });
        const params = Object.fromEntries(new URLSearchParams(body));
        const kind = m[2] === 'Messages' ? 'message' : 'call';
        const sid = `${kind === 'message' ? 'SM' : 'CA'}${String(++this.n).padStart(32, '0')}`;
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
