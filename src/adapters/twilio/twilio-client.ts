import twilio from 'twilio';
import type { Twilio } from 'twilio';
import type BaseRequestClient from 'twilio/lib/base/RequestClient.js';

/**
 * A RequestClient that sends every API call to `baseUrl` instead of *.twilio.com. Twilio's
 * `edge`/`region` cannot name localhost, so this is how tests (and a proxy) point the SDK at
 * a local server. Path and query are kept; only scheme, host and port change.
 */
export class RewritingRequestClient extends twilio.RequestClient {
  private readonly base: URL;
  constructor(baseUrl: string, opts: ConstructorParameters<typeof twilio.RequestClient>[0] = {}) {
    super(opts);
    this.base = new URL(baseUrl);
  }

  override request<TData>(opts: BaseRequestClient.RequestOptions<TData>) {
    const u = new URL(opts.uri);
    u.protocol = this.base.protocol;
    u.host = this.base.host;
    return super.request<TData>({ ...opts, uri: u.toString() });
  }
}

/** A Twilio REST client; `apiUrl` (e.g. http://127.0.0.1:4010) replaces api.twilio.com. */
export function createTwilioClient(args: { accountSid: string; authToken: string; apiUrl?: string; timeoutMs?: number }): Twilio {
  if (!args.accountSid.startsWith('AC')) throw new Error('TWILIO_ACCOUNT_SID must start with AC (find it on the Twilio console home page)');
  const timeout = args.timeoutMs ?? 10_000;
  return twilio(args.accountSid, args.authToken, {
    timeout,
    httpClient: args.apiUrl ? new RewritingRequestClient(args.apiUrl, { timeout }) : undefined,
  });
}

/** Maps a Twilio SDK error to a send result: 429 and 5xx retry, other 4xx are permanent. */
export function twilioFailure(e: unknown): { ok: false; retryable: boolean; code: string; message: string; rateLimited?: boolean; retryAfterMs?: number } {
  const err = e as { status?: number; code?: number | string; message?: string };
  const status = typeof err.status === 'number' ? err.status : 0;
  const retryable = status === 0 || status === 429 || status >= 500;
  // 429 (20429, too many requests): wait about a second, without using up an attempt.
  return { ok: false, retryable, code: `TWILIO_${err.code ?? (status || 'NETWORK')}`, message: err.message ?? String(e), ...(status === 429 ? { rateLimited: true, retryAfterMs: 1000 } : {}) };
}
