import type { Delivery } from '../../app/ports/deliveries.js';
import type { Notifier, SendResult } from '../../app/ports/notifier.js';
import type { Person } from '../../domain/directory.js';

export interface PushOptions {
  ntfy?: { url: string; token?: string };
  pushover?: { url: string; token: string };
  publicUrl: string;
  timeoutMs?: number;
}

/**
 * Push over plain fetch (the npm ntfy client needs Node 21+): ntfy POSTs the text to
 * {NTFY_URL}/{topic}; Pushover to {PUSHOVER_URL}/1/messages.json. The recipient's push
 * contact names the service; the topic or user key is the delivery's address.
 */
export class PushNotifier implements Notifier {
  readonly channel = 'push' as const;
  readonly name = 'push (ntfy/Pushover)';
  constructor(private readonly opts: PushOptions) {}

  async send(d: Delivery, recipient: Person | undefined): Promise<SendResult> {
    if (!d.address) return { ok: false, retryable: false, code: 'NO_PUSH_ADDRESS', message: `${d.recipient.name ?? 'recipient'} has no push topic or user key` };
    const contact = recipient?.contacts.find((c) => c.kind === 'push' && c.address === d.address);
    const service = contact?.service ?? (this.opts.ntfy ? 'ntfy' : 'pushover');
    const link = `${this.opts.publicUrl}/api/tickets/${d.notice.ticket.key}`;
    const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 5000);
    try {
      let res: Response;
      if (service === 'ntfy') {
        if (!this.opts.ntfy) return { ok: false, retryable: false, code: 'NTFY_DISABLED', message: 'NTFY_URL is not set' };
        res = await fetch(`${this.opts.ntfy.url.replace(/\/$/, '')}/${encodeURIComponent(d.address)}`, {
          method: 'POST',
          headers: {
            Title: asciiHeader(d.notice.title),
            Priority: d.urgent ? '5' : '3',
            Tags: d.urgent ? 'rotating_light' : 'bell',
            Click: link,
            ...(this.opts.ntfy.token ? { Authorization: `Bearer ${this.opts.ntfy.token}` } : {}),
          },
          body: d.notice.text,
          signal: timeout,
        });
      } else {
        if (!this.opts.pushover) return { ok: false, retryable: false, code: 'PUSHOVER_DISABLED', message: 'PUSHOVER_TOKEN is not set' };
        res = await fetch(`${this.opts.pushover.url.replace(/\/$/, '')}/1/messages.json`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token: this.opts.pushover.token, user: d.address, title: d.notice.title.slice(0, 250), message: d.notice.text.slice(0, 1024), priority: d.urgent ? '1' : '0', url: link }).toString(),
          signal: timeout,
        });
      }
      const text = await res.text();
      if (res.ok) return { ok: true, status: 'sent', providerId: providerId(text) };
      const retryable = res.status >= 500 || res.status === 429;
      return { ok: false, retryable, code: `${service.toUpperCase()}_${res.status}`, message: text.slice(0, 200) };
    } catch (e) {
      return { ok: false, retryable: true, code: `${service.toUpperCase()}_NETWORK`, message: (e as Error).message };
    }
  }
}

/** HTTP headers must be Latin-1; ntfy titles are best-effort. */
function asciiHeader(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
}

function providerId(text: string): string | undefined {
  try {
    const j = JSON.parse(text) as { id?: string; request?: string };
    return j.id ?? j.request;
  } catch {
    return undefined;
  }
}
