import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { HTTPResponseAck } from './bolt.js';
import type { Logger as BoltLogger } from '@slack/bolt';
import type { RequestHandler } from 'express';
import type { ExpiringKeys } from '../mongo/expiring-keys.js';
import { verifySlackSignature } from './signature.js';

const BODY_LIMIT = 1024 * 1024;
/** Retry dedupe memory: about 200 bytes an identity. */
const MAX_REMEMBERED = 200_000;

/** The dedupe key of a request: retries of the same interaction share it. */
export function requestIdentity(body: Record<string, unknown>): string | null {
  const view = body.view as { id?: string; state?: unknown } | undefined;
  // The same view may be submitted again after validation errors, with other values.
  if (body.type === 'view_submission' && view?.id) return `view:${view.id}:${createHash('sha1').update(JSON.stringify(view.state ?? null)).digest('base64')}`;
  if (typeof body.trigger_id === 'string') return `trigger:${body.trigger_id}`;
  if (typeof body.event_id === 'string') return `event:${body.event_id}`;
  return null;
}

/** Parses a verified body the way Slack sends it: form fields (with `payload` JSON) or JSON. */
export function parseSlackBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.startsWith('application/json')) return objectOrThrow(JSON.parse(raw));
  const params = Object.fromEntries(new URLSearchParams(raw));
  if (typeof params.payload === 'string') return objectOrThrow(JSON.parse(params.payload));
  return params;
}

/** Slack always sends a JSON object: `null`, an array or a bare value is a malformed body. */
function objectOrThrow(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('the body is not a JSON object');
  return v as Record<string, unknown>;
}

/**
 * A Bolt receiver that is an express handler on Esc's one server. Transport only: it
 * checks the signature (both directions of the 300 s window), drops retried deliveries it
 * has already seen, and hands the event to Bolt; acknowledgement timing is Bolt's own.
 */
export class SlackHttpReceiver implements Receiver {
  private app: App | null = null;
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly opts: {
      signingSecret: string;
      logger: BoltLogger;
      /** Real time for the replay window (never a test clock of the domain). */
      nowMs?: () => number;
      /** How long a request identity is remembered for retry dedupe. */
      dedupeMs?: number;
      /**
       * Where request identities are remembered: MongoDB (shared by every Esc process, so a
       * retry that reaches another replica is still dropped). Unset: this process's memory.
       */
      seen?: ExpiringKeys;
      /**
       * Requests answered here without Bolt (the ticket form's submissions, issue 18): returns
       * null for a request it does not take, else the ack's body (undefined: an empty 200). It
       * dedupes them itself with the write it makes before the ack (the intake record, keyed
       * by the view): no separate dedupe write for them.
       */
      direct?: (body: Record<string, unknown>) => Promise<object | undefined> | null;
    },
  ) {}

  init(app: App): void {
    this.app = app;
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  /** The express handler to mount at /slack/events. */
  readonly handler: RequestHandler = (req, res) => {
    this.handle(req, res).catch((err: unknown) => {
      // Nothing may escape as an unhandled rejection; the sender gets an answer.
      this.opts.logger.error('slack: request handling failed', err);
      end(res, 500, 'Esc could not handle this request.');
    });
  };

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    if (raw === 'large') return end(res, 413, `request body over ${BODY_LIMIT / 1024 / 1024} MB`, true);
    if (raw === 'busy') {
      res.setHeader('retry-after', '1');
      return end(res, 429, 'Esc is reading too many large requests at once; retry shortly.', true);
    }
    const header = (n: string) => (typeof req.headers[n] === 'string' ? (req.headers[n] as string) : undefined);
    const check = verifySlackSignature({
      signingSecret: this.opts.signingSecret,
      body: raw,
      timestamp: header('x-slack-request-timestamp'),
      signature: header('x-slack-signature'),
      nowMs: (this.opts.nowMs ?? Date.now)(),
    });
    if (!check.ok) {
      this.opts.logger.warn(`slack: refused a request (${check.reason} signature)`);
      return end(res, 401, 'invalid signature');
    }
    let body: Record<string, unknown>;
    try {
      body = parseSlackBody(raw, header('content-type'));
    } catch {
      return end(res, 400, 'malformed body');
    }
    if (body.ssl_check) return end(res, 200, '');
    if (body.type === 'url_verification') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ challenge: body.challenge }));
      return;
    }
    const direct = this.opts.direct?.(body);
    if (direct) return this.answer(res, direct);
    const retryNum = header('x-slack-retry-num');
    const id = requestIdentity(body);
    if (id && (await this.seenBefore(id))) {
      // A retry (Slack's, after a slow or lost answer, or a proxy's): the first copy is handled.
      res.setHeader('x-slack-no-retry', '1');
      return end(res, 200, '');
    }
    const ack = new HTTPResponseAck({
      logger: this.opts.logger,
      processBeforeResponse: false,
      httpRequest: req,
      httpRequestBody: body,
      httpResponse: res,
      unhandledRequestHandler: ({ response }) => {
        if (!response.headersSent) end(response, 200, '');
      },
    });
    const event: ReceiverEvent = { body, ack: ack.bind(), retryNum: retryNum ? Number(retryNum) : undefined, retryReason: header('x-slack-retry-reason') };
    try {
      await this.app!.processEvent(event);
    } catch (err) {
      this.opts.logger.error('slack: a listener failed', err);
      // Slack shows a 5xx as "dispatch_failed"; a person gets a plain answer instead.
      if (!res.headersSent) end(res, 200, 'Sorry, that did not work. Try again, or /esc help.');
    }
  }

  /** Acknowledges a request answered without Bolt as Bolt would: 200, with the JSON body if any. */
  private async answer(res: ServerResponse, pending: Promise<object | undefined>): Promise<void> {
    let body: object | undefined;
    try {
      body = await pending;
    } catch (err) {
      this.opts.logger.error('slack: a listener failed', err);
      return end(res, 200, 'Sorry, that did not work. Try again, or /esc help.');
    }
    if (res.headersSent || res.writableEnded) return;
    if (body === undefined) return void res.writeHead(200).end();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  /** Records the identity; true when it was seen before (within the window), by any process sharing the store. */
  private async seenBefore(id: string): Promise<boolean> {
    if (!this.opts.seen) return this.remember(id);
    try {
      return !(await this.opts.seen.claim(id, new Date((this.opts.nowMs ?? Date.now)()), this.opts.dedupeMs ?? 10 * 60_000));
    } catch (err) {
      // The database is unreachable: handle the request (tickets from modals are idempotent anyway).
      this.opts.logger.warn('slack: retry dedupe unavailable, handling the request', err);
      return this.remember(id);
    }
  }

  /** Records the identity in this process; true when it was seen before (within the window). */
  private remember(id: string): boolean {
    const now = Date.now();
    const ttl = this.opts.dedupeMs ?? 10 * 60_000;
    // The map is in time order (an entry is re-inserted when seen again): expired and
    // over-the-cap entries are at the front, so this stops at the first live one instead of
    // scanning every identity on every request.
    for (const [k, at] of this.seen) {
      if (now - at <= ttl && this.seen.size < MAX_REMEMBERED) break;
      this.seen.delete(k);
    }
    const at = this.seen.get(id);
    this.seen.delete(id);
    this.seen.set(id, now);
    return at !== undefined && now - at <= ttl;
  }
}

/** Past this much a too-large body is no longer drained: the connection is cut. */
const DRAIN_LIMIT = 16 * BODY_LIMIT;
/**
 * Bytes of Slack bodies held while being read, over all requests of this process. Real Slack
 * requests are a few KB, so they fit; many large or slow bodies at once (hostile, or a broken
 * proxy) would otherwise hold BODY_LIMIT each (measured: 48 at once of 1000 KB took Esc's RSS
 * past 450 MB). A request that would pass it gets 429 (retry shortly).
 */
const IN_FLIGHT_LIMIT = 16 * BODY_LIMIT;
let inFlight = 0;

/**
 * The body as text; 'large' when it is over BODY_LIMIT, 'busy' when IN_FLIGHT_LIMIT is used up.
 * A refused body is read to its end and dropped (up to DRAIN_LIMIT), so the sender gets the
 * answer instead of a reset connection.
 */
function readBody(req: IncomingMessage): Promise<string | 'large' | 'busy'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const chunks: Buffer[] = [];
    let size = 0;
    let held = 0;
    let refused: 'large' | 'busy' | null = declared > BODY_LIMIT ? 'large' : null;
    const release = () => {
      inFlight -= held;
      held = 0;
      chunks.length = 0;
    };
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (!refused && size > BODY_LIMIT) refused = 'large';
      if (!refused && inFlight + c.length > IN_FLIGHT_LIMIT) refused = 'busy';
      if (!refused) {
        chunks.push(c);
        held += c.length;
        inFlight += c.length;
        return;
      }
      release();
      if (size > DRAIN_LIMIT) {
        resolve(refused);
        req.destroy();
      }
    });
    req.on('end', () => {
      const text = refused ? null : Buffer.concat(chunks).toString('utf8');
      release();
      resolve(text ?? refused!);
    });
    req.on('error', (e) => {
      release();
      reject(e);
    });
    req.on('close', release);
  });
}

function end(res: ServerResponse, status: number, text: string, close = false): void {
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...(close ? { connection: 'close' } : {}) });
  res.end(text);
}
