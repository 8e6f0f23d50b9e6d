import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Delivery } from '../../src/app/ports/deliveries.js';
import type { Notifier, SendResult } from '../../src/app/ports/notifier.js';

/** One message as it arrived at the provider. */
export interface Arrival {
  key: string;
  escalationId: string | null;
  channel: string;
  /** Arrival time (ms since epoch), taken when the request's body had arrived. */
  at: number;
  /** Which Esc process sent it (the notifier's `origin`). */
  origin: string;
}

/**
 * A generic provider on the far side of the network: records when each message ARRIVED
 * (so races are measured where the person is) and answers after `delayMs` (a provider's
 * round trip, which makes a burst of sends take a while).
 */
export class FakeProvider {
  readonly arrivals: Arrival[] = [];
  private server: Server | null = null;
  url = '';
  constructor(public delayMs = 0) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const at = Date.now();
        // Our HttpNotifier's body, or Esc's webhook payload (id = the delivery key).
        const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as Partial<Arrival> & { id?: string; escalation?: { id: string } | null; event?: string };
        this.arrivals.push({ key: body.key ?? body.id ?? '', escalationId: body.escalationId ?? body.escalation?.id ?? null, channel: body.channel ?? 'webhook', origin: body.origin ?? 'esc', at });
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(`{"id":"m${this.arrivals.length}"}`), this.delayMs);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/send`;
    return this.url;
  }

  keys(): string[] {
    return this.arrivals.map((a) => a.key);
  }

  /** Keys that arrived more than once. */
  duplicates(): number {
    return this.arrivals.length - new Set(this.keys()).size;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** A notifier whose provider is a FakeProvider, over real HTTP. */
export class HttpNotifier implements Notifier {
  readonly name = 'far side';
  constructor(
    readonly channel: Delivery['channel'],
    private readonly url: string,
    private readonly origin = 'esc',
  ) {}
  async send(d: Delivery): Promise<SendResult> {
    try {
      const res = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: d.key, escalationId: d.escalationId, channel: d.channel, origin: this.origin }) });
      const body = (await res.json()) as { id?: string };
      return res.ok ? { ok: true, status: 'sent', providerId: body.id } : { ok: false, retryable: true, code: `HTTP_${res.status}`, message: 'the provider refused' };
    } catch (e) {
      return { ok: false, retryable: true, code: 'UNREACHABLE', message: (e as Error).message };
    }
  }
}
