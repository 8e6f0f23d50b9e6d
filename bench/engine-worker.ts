// A bench child process: one Esc with the Agenda engine loop, whose chat notifier appends
// each send to a file (so the parent can count sends across a SIGKILL).
import { appendFileSync } from 'node:fs';
import type { Delivery } from '../src/app/ports/deliveries.js';
import type { Notifier, SendResult } from '../src/app/ports/notifier.js';
import { createEsc } from '../src/composition-root.js';
import { loadConfig } from '../src/config/env.js';
import { MemoryLogger } from '../test/support/harness.js';

const [uri, file, delayMs] = process.argv.slice(2);
class FileNotifier implements Notifier {
  readonly name = 'file';
  constructor(readonly channel: 'chat' | 'sms') {}
  async send(d: Delivery): Promise<SendResult> {
    await new Promise((r) => setTimeout(r, Number(delayMs ?? 0)));
    appendFileSync(file!, `${d.key}\n`);
    return { ok: true, status: 'sent' };
  }
}
const config = loadConfig({ LOG_LEVEL: 'silent', ESC_ENGINE_TICK_MS: '20', ESC_ENGINE_LEASE_MS: '10000' });
const esc = await createEsc({ config, mongoUri: uri!, log: new MemoryLogger(), notifiers: [new FileNotifier('chat'), new FileNotifier('sms')], runEngine: true });
process.stdout.write('ready\n');
process.on('SIGTERM', () => void esc.stop().then(() => process.exit(0)));
