import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of the test database, to stage an outage: `cut()` drops every
 * connection and refuses new ones (as a dead server or a network partition would), `restore()`
 * lets them through again. The database itself keeps running for the other tests.
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private down = false;
  port = 0;

  constructor(
    private readonly host: string,
    private readonly targetPort: number,
  ) {}

  /** A proxy in front of MONGODB_URI's server; returns it and the URI of `db` through it. */
  static async forMongo(db: string): Promise<{ proxy: TcpProxy; uri: string }> {
    const base = new URL(process.env.MONGODB_URI!);
    const proxy = new TcpProxy(base.hostname, Number(base.port || 27017));
    await proxy.start();
    const u = new URL(base.toString());
    u.host = `127.0.0.1:${proxy.port}`;
    u.pathname = `/${db}`;
    return { proxy, uri: u.toString() };
  }

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (this.down) return void client.destroy();
      const upstream = createConnection(this.targetPort, this.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as AddressInfo).port;
  }

  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.down = false;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
