import type { Secret } from '../../config/env.js';

/** What the Graph client needs: where Graph and Entra ID are, and the app registration's credentials. */
export interface GraphClientOptions {
  /** e.g. https://graph.microsoft.com/v1.0 (no trailing slash needed). */
  baseUrl: string;
  /** e.g. https://login.microsoftonline.com; the token endpoint is {host}/{tenant}/oauth2/v2.0/token. */
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: Secret;
  /** Per request; Graph answers in well under a second, a hung call must not hold an escalation. */
  timeoutMs?: number;
  now?: () => number;
}

/**
 * A failed Graph or token call. `status` is null for network failures and timeouts;
 * `retryable` is true for those, 429 and 5xx; `retryAfterMs` comes from Retry-After.
 */
export class GraphError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string,
    readonly retryable: boolean,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

export interface GraphResponse<T> {
  status: number;
  body: T | null;
  headers: Headers;
}

const RETRYABLE = (s: number) => s === 429 || s >= 500;

/** The public Graph scope for app-only (client-credentials) tokens. */
export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

/**
 * A small Microsoft Graph client over fetch: app-only tokens by the OAuth2 client-credentials
 * grant (cached until five minutes before they expire), JSON in and out, Graph's error body
 * turned into a GraphError. It does not retry: the war-room use cases own retries, and a
 * WarRoomError says whether one is worth it.
 */
export class GraphClient {
  private token: { value: string; until: number } | null = null;
  private pending: Promise<string> | null = null;
  private readonly base: string;
  private readonly now: () => number;

  constructor(private readonly opts: GraphClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.now = opts.now ?? Date.now;
  }

  /** The base URL, for `@odata.bind` references (Graph expects its own URLs there). */
  get baseUrl(): string {
    return this.base;
  }

  /** Calls Graph; `path` starts with '/'. Throws GraphError for any status ≥ 400 or a network failure. */
  async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<GraphResponse<T>> {
    const first = await this.once<T>(method, path, body, await this.accessToken());
    if (first.status !== 401) return this.check(method, path, first);
    // A token revoked or rotated early: fetch a new one once.
    this.token = null;
    return this.check(method, path, await this.once<T>(method, path, body, await this.accessToken()));
  }

  private async once<T>(method: string, path: string, body: unknown, token: string): Promise<GraphResponse<T> & { error?: { code?: string; message?: string } }> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000),
      });
    } catch (e) {
      throw new GraphError(`Microsoft Graph could not be reached (${method} ${path.split('?')[0]}): ${(e as Error).message}`, null, 'GRAPH_NETWORK', true);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    const err = res.status >= 400 ? ((parsed as { error?: { code?: string; message?: string } } | null)?.error ?? {}) : undefined;
    return { status: res.status, body: res.status >= 400 ? null : (parsed as T | null), headers: res.headers, ...(err ? { error: err } : {}) };
  }

  private check<T>(method: string, path: string, r: GraphResponse<T> & { error?: { code?: string; message?: string } }): GraphResponse<T> {
    if (r.status < 400) return r;
    const after = Number(r.headers.get('retry-after'));
    const code = r.error?.code ?? `HTTP_${r.status}`;
    throw new GraphError(`Graph ${method} ${path.split('?')[0]} answered ${r.status} ${code}: ${(r.error?.message ?? '').slice(0, 300)}`, r.status, code, RETRYABLE(r.status), Number.isFinite(after) && after > 0 ? after * 1000 : null);
  }

  /** An app-only access token for Graph, from the cache or the token endpoint (one request at a time). */
  async accessToken(): Promise<string> {
    if (this.token && this.token.until > this.now()) return this.token.value;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async fetchToken(): Promise<string> {
    const url = `${this.opts.authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(this.opts.tenantId)}/oauth2/v2.0/token`;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.opts.clientId, client_secret: this.opts.clientSecret.reveal(), scope: GRAPH_SCOPE });
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000) });
    } catch (e) {
      throw new GraphError(`The Entra ID token endpoint could not be reached: ${(e as Error).message}`, null, 'GRAPH_TOKEN_NETWORK', true);
    }
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
    if (!res.ok || !body.access_token) {
      // AADSTS codes name the cause (wrong secret, unknown tenant, consent missing): keep the first line.
      const why = (body.error_description ?? body.error ?? `HTTP ${res.status}`).split('\n')[0]!.slice(0, 300);
      throw new GraphError(`Esc could not get a Microsoft Graph token for app ${this.opts.clientId} in tenant ${this.opts.tenantId}: ${why}`, res.status, 'GRAPH_TOKEN_REFUSED', RETRYABLE(res.status));
    }
    const life = Math.max(60, Number(body.expires_in ?? 3600)) * 1000;
    this.token = { value: body.access_token, until: this.now() + life - Math.min(300_000, life / 2) };
    return body.access_token;
  }
}

/** A string literal for an OData $filter: single quotes doubled. */
export function odataString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
