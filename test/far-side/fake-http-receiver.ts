import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A local HTTP endpoint playing a webhook receiver, ntfy or Pushover: records requests and
 * answers with the next scripted status (default 200), or never answers (`'hang'`).
 */
export class FakeHttpReceiver {
  readonly received: Received[] = [];
  private script: (number | 'hang')[] = [];
  private server: Server | null = null;
  url = '';

  constructor(private readonly answer: (r: Received) => unknown = () => ({ ok: true })) {}

  next(...statuses: (number | 'hang')[]): void {
    this.script.push(...statuses);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const r = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
        this.received.push(r);
        const s = this.script.shift() ?? 200;
        if (s === 'hang') return;
        res.writeHead(s, { 'content-type': 'application/json' }).end(JSON.stringify(this.answer(r)));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
