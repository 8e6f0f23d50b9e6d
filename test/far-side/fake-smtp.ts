import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import type { ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A local SMTP server that keeps every message, parsed. `rejectNext(code)` refuses the next one. */
export class FakeSmtp {
  readonly mails: ParsedMail[] = [];
  private server: SMTPServer;
  private rejections: number[] = [];
  url = '';

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, cb) => {
        const code = this.rejections.shift();
        simpleParser(stream)
          .then((m) => {
            if (code) return cb(Object.assign(new Error(`fake refusal ${code}`), { responseCode: code }));
            this.mails.push(m);
            cb();
          })
          .catch((e: Error) => cb(e));
      },
    });
  }

  rejectNext(code: number): void {
    this.rejections.push(code);
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
