import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  /** Form fields, with `blocks`, `view`, `attachments` parsed from their JSON strings. */
  params: Record<string, unknown>;
  token: string | null;
}

type Fault = { status: number; body: Record<string, unknown>; headers?: Record<string, string>; times: number };

/**
 * A local Slack Web API: records every call, checks the bot token, answers the methods Esc
 * uses, and receives response_url POSTs at /response/<id>.
 */
export class FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly responses: { path: string; body: Record<string, unknown> }[] = [];
  private server: Server | null = null;
  private seq = 0;
  private readonly faults = new Map<string, Fault>();
  url = '';

  constructor(readonly botToken = 'xoxb-test-token', readonly users: Record<string, string> = {}) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void read(req).then((raw) => {
        const reply = this.handle(req, raw);
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return `${this.url}/api/`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** The next `times` calls of `method` fail this way (e.g. 429 with Retry-After). */
  fail(method: string, fault: Omit<Fault, 'times'> & { times?: number }): void {
    this.faults.set(method, { times: 1, ...fault });
  }

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Waits until `pred` holds over the calls (listeners run after the ack). */
  async waitFor<T>(pred: () => T | undefined | false | null, ms = 5000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = pred();
      if (v) return v;
      if (Date.now() > end) throw new Error(`fake Slack: condition not met in ${ms} ms; calls: ${this.calls.map((c) => c.method).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private handle(req: IncomingMessage, raw: string): { status: number; body: Record<string, unknown>; headers?: Record<string, string> } {
    const path = req.url ?? '/';
    if (path.startsWith('/response/')) {
      this.responses.push({ path, body: JSON.parse(raw || '{}') as Record<string, unknown> });
      return { status: 200, body: { ok: true } };
    }
    const method = path.replace(/^\/api\//, '').split('?')[0]!;
    const params: Record<string, unknown> = req.headers['content-type']?.startsWith('application/json') ? (JSON.parse(raw || '{}') as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(raw));
    for (const k of ['blocks', 'view', 'attachments']) if (typeof params[k] === 'string') params[k] = JSON.parse(params[k]);
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : typeof params.token === 'string' ? params.token : null;
    this.calls.push({ method, params, token });
    const fault = this.faults.get(method);
    if (fault && fault.times > 0) {
      fault.times -= 1;
      return fault;
    }
    if (token !== this.botToken) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
    const ts = () => `${1_700_000_000 + ++this.seq}.000${String(this.seq).padStart(3, '0')}`;
    switch (method) {
      case 'auth.test':
        return { status: 200, body: { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T0TEST', user: 'esc' } };
      case 'conversations.open':
        return { status: 200, body: { ok: true, channel: { id: `D${String(params.users)}` } } };
      case 'chat.postMessage':
        if (String(params.channel).startsWith('CMISSING')) return { status: 200, body: { ok: false, error: 'channel_not_found' } };
        return { status: 200, body: { ok: true, channel: params.channel, ts: ts() } };
      case 'chat.update':
        return { status: 200, body: { ok: true, channel: params.channel, ts: params.ts } };
      case 'views.open':
        return { status: 200, body: { ok: true, view: { id: `V${++this.seq}` } } };
      case 'users.lookupByEmail': {
        const id = this.users[String(params.email)];
        return { status: 200, body: id ? { ok: true, user: { id } } : { ok: false, error: 'users_not_found' } };
      }
      default:
        return { status: 200, body: { ok: false, error: 'unknown_method' } };
    }
  }
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
