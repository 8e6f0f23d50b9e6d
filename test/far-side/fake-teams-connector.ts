import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SigningKey } from './fake-teams-auth.js';

/** One call the bot made to the connector. */
export interface ConnectorCall {
  method: string;
  path: string;
  auth: string;
  /** Conversation id from the path, if any. */
  conversationId: string | null;
  body: Record<string, unknown>;
}

/**
 * A local stand-in for Microsoft's side of a Teams bot: the OpenID metadata and signing keys
 * channel tokens are checked against, and the Bot Connector (`{serviceUrl}v3/conversations/...`)
 * that receives replies, card updates and proactive messages.
 */
export class FakeTeamsConnector {
  readonly key = new SigningKey();
  readonly calls: ConnectorCall[] = [];
  /** Members answered for GET .../members/{id}: id → member. */
  readonly members = new Map<string, Record<string, unknown>>();
  private failures: { status: number; headers?: Record<string, string> }[] = [];
  private server: Server | null = null;
  private seq = 0;
  url = '';

  /** Where activities say replies go (Teams' serviceUrl ends in a slash). */
  get serviceUrl(): string {
    return `${this.url}/teams/`;
  }
  get openIdUrl(): string {
    return `${this.url}/openid/.well-known/openidconfiguration`;
  }

  /** The next connector calls (not metadata) fail with these statuses. */
  failNext(...f: { status: number; headers?: Record<string, string> }[]): void {
    this.failures.push(...f);
  }

  /** Calls that posted or updated an activity, optionally in one conversation. */
  activities(conversationId?: string): ConnectorCall[] {
    return this.calls.filter((c) => c.path.includes('/activities') && (!conversationId || c.conversationId === conversationId));
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const path = (req.url ?? '').split('?')[0]!;
        const json = (status: number, body: unknown, headers: Record<string, string> = {}) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
        if (path.startsWith('/openid/')) return json(200, { issuer: 'https://api.botframework.com', jwks_uri: `${this.url}/keys` });
        if (path === '/keys') return json(200, { keys: [this.key.jwk()] });
        const m = /^\/teams\/v3\/conversations(?:\/([^/]+))?(\/.*)?$/.exec(path);
        if (!m) return json(404, { error: { code: 'NotFound', message: path } });
        let body: Record<string, unknown>;
        try {
          body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
        } catch {
          return json(400, { error: { code: 'BadSyntax' } });
        }
        const conversationId = m[1] ? decodeURIComponent(m[1]) : null;
        this.calls.push({ method: req.method ?? '', path, auth: String(req.headers.authorization ?? ''), conversationId, body });
        const fail = this.failures.shift();
        if (fail) return json(fail.status, { error: { code: 'Fake', message: `scripted ${fail.status}` } }, fail.headers);
        const rest = m[2] ?? '';
        const member = /^\/members\/([^/]+)$/.exec(rest);
        if (member) {
          const found = this.members.get(decodeURIComponent(member[1]!));
          return found ? json(200, found) : json(404, { error: { code: 'MemberNotFound' } });
        }
        if (!conversationId && req.method === 'POST') return json(201, { id: `a:fake-dm-${++this.seq}`, activityId: `act-${++this.seq}` });
        return json(req.method === 'PUT' ? 200 : 201, { id: `act-${++this.seq}` });
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
  }
}
