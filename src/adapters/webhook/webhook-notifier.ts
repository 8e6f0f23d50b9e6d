import type { Delivery } from '../../app/ports/deliveries.js';
import type { Notifier, SendResult } from '../../app/ports/notifier.js';
import { signWebhook, webhookPayload } from './webhook-payload.js';

export interface WebhookOptions {
  /** Used when the delivery has no URL of its own (a person's webhook contact). */
  url: string;
  secret: string;
  timeoutMs: number;
  publicUrl: string;
  now: () => Date;
}

/** POSTs signed JSON (docs/webhook.md). 2xx delivered; 5xx, 429 and timeouts retry; other 4xx are permanent. */
export class WebhookNotifier implements Notifier {
  readonly channel = 'webhook' as const;
  readonly name = 'webhook';
  constructor(private readonly opts: WebhookOptions) {}

  async send(d: Delivery): Promise<SendResult> {
    const url = d.address && /^https?:\/\//.test(d.address) ? d.address : this.opts.url;
    const now = this.opts.now();
    const body = JSON.stringify(webhookPayload(d, this.opts.publicUrl, now));
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Esc-Webhook/1', 'x-esc-signature': signWebhook(this.opts.secret, body, Math.floor(now.getTime() / 1000)), 'idempotency-key': d.key },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
        redirect: 'manual',
      });
      await res.body?.cancel();
      if (res.status >= 200 && res.status < 300) return { ok: true, status: 'delivered' };
      const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
      const after = Number(res.headers.get('retry-after'));
      return { ok: false, retryable, code: `HTTP_${res.status}`, message: `webhook answered ${res.status}`, ...(retryable && after > 0 ? { retryAfterMs: after * 1000, rateLimited: res.status === 429 } : {}) };
    } catch (e) {
      const err = e as Error;
      const timeout = err.name === 'TimeoutError' || err.name === 'AbortError';
      return { ok: false, retryable: true, code: timeout ? 'TIMEOUT' : 'NETWORK', message: timeout ? `no answer within ${this.opts.timeoutMs} ms` : err.message };
    }
  }
}
