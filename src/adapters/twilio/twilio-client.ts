import type twilio from 'twilio';
import type { Twilio } from 'twilio';
import { twilioSdk } from './twilio-sdk.js';
import type BaseRequestClient from 'twilio/lib/base/RequestClient.js';

/**
 * A RequestClient that sends every API call to `baseUrl` instead of *.twilio.com. Twilio's
 * `edge`/`region` cannot name localhost, so this is how tests (and a proxy) point the SDK at
 * a local server. Path and query are kept; only scheme, host and port change. (A function: the
 * class extends the SDK's, which is loaded only when Twilio is used.)
 */
export function rewritingRequestClient(baseUrl: string, opts: ConstructorParameters<typeof twilio.RequestClient>[0] = {}): InstanceType<typeof twilio.RequestClient> {
  class RewritingRequestClient extends twilioSdk().RequestClient {
    private readonly base = new URL(baseUrl);
    override request<TData>(o: BaseRequestClient.RequestOptions<TData>) {
      const u = new URL(o.uri);
      u.protocol = this.base.protocol;
      u.host = this.base.host;
      return super.request<TData>({ ...o, uri: u.toString() });
    }
  }
  return new RewritingRequestClient(opts);
}

/** A Twilio REST client; `apiUrl` (e.g. http://127.0.0.1:4010) replaces api.twilio.com. */
export function createTwilioClient(args: { accountSid: string; authToken: string; apiUrl?: string; timeoutMs?: number }): Twilio {
  if (!args.accountSid.startsWith('AC')) throw new Error('TWILIO_ACCOUNT_SID must start with AC (find it on the Twilio console home page)');
  const timeout = args.timeoutMs ?? 10_000;
  return twilioSdk()(args.accountSid, args.authToken, {
    timeout,
    httpClient: args.apiUrl ? rewritingRequestClient(args.apiUrl, { timeout }) : undefined,
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
