import { randomUUID } from 'node:crypto';
import express from 'express';
import type { Express, RequestHandler, Router } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger as PinoLogger } from 'pino';
import type { Logger } from '../../app/deps.js';
import type { ApiToken, Secret } from '../../config/env.js';
import { allow, authenticate } from '../http/auth.js';
import { HttpError } from '../http/errors.js';
import { withRequestContext } from './request-context.js';
import type { EscMetrics } from './metrics.js';
import { latencyMiddleware } from './metrics.js';
import type { ReadinessMonitor } from './readiness.js';

/** Process-level wiring of the HTTP app: health, readiness, metrics, the engine view. */
export interface OpsHttp {
  readiness: ReadinessMonitor;
  metrics: EscMetrics;
  /** Bearer token for /metrics; null: admin or monitor API tokens. */
  metricsToken: Secret | null;
  /** True when /metrics is served on its own port instead (ESC_METRICS_PORT). */
  metricsElsewhere: boolean;
  /** GET /api/engine (admin). */
  engineView: () => Promise<object>;
}

const PROBE_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
const GOOD_ID = /^[\w.:-]{1,64}$/;

const isPino = (log: Logger): log is Logger & PinoLogger => typeof (log as Partial<PinoLogger>).child === 'function' && typeof (log as Partial<PinoLogger>).levels === 'object';

/**
 * First middleware: a request id (X-Request-Id when the caller sent a sane one), carried in
 * the async context so use-case logs of this request show it; pino-http request logs (not
 * for probes; 5xx at ERROR, the rest at INFO); latency by front end.
 */
export function requestMiddleware(log: Logger, metrics: EscMetrics | undefined): RequestHandler[] {
  const out: RequestHandler[] = [
    (req, res, next) => {
      const given = req.header('x-request-id');
      const reqId = given && GOOD_ID.test(given) ? given : randomUUID();
      (req as { id?: string }).id = reqId;
      res.setHeader('x-request-id', reqId);
      withRequestContext({ reqId }, next);
    },
  ];
  if (metrics) out.push(latencyMiddleware(metrics));
  if (isPino(log)) {
    out.push(
      pinoHttp({
        logger: log,
        genReqId: (req) => (req as { id?: string }).id ?? randomUUID(),
        autoLogging: { ignore: (req) => PROBE_PATHS.has((req.url ?? '').split('?')[0]!) },
        customLogLevel: (_req, res, err) => (res.statusCode >= 500 || err ? 'error' : 'info'),
        // One flat line per request; the reqId comes from the logger's mixin (the async context).
        customSuccessObject: (req, res, val: { responseTime?: number }) => requestLine(req, res, val),
        customErrorObject: (req, res, err, val: { responseTime?: number }) => ({ ...requestLine(req, res, val), err: err.message }),
        customSuccessMessage: () => 'request',
        customErrorMessage: () => 'request failed',
        customAttributeKeys: { reqId: 'reqId' },
        quietReqLogger: false,
        quietResLogger: true,
        wrapSerializers: false,
        serializers: { req: () => undefined, res: () => undefined },
      }) as unknown as RequestHandler,
    );
  }
  return out;
}

const requestLine = (req: { method?: string; url?: string }, res: { statusCode: number }, val: { responseTime?: number }) => ({
  method: req.method,
  path: ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0],
  status: res.statusCode,
  ms: val.responseTime,
});

export function metricsHandler(ops: OpsHttp): RequestHandler {
  return (_req, res, next) => {
    ops.metrics.text().then(
      (text) => res.type(ops.metrics.contentType).send(text),
      (e: unknown) => next(e),
    );
  };
}

function metricsAuth(ops: OpsHttp, tokens: ApiToken[]): RequestHandler[] {
  if (!ops.metricsToken) {
    return [
      authenticate(tokens),
      (req, _res, next) => (req.apiToken && (req.apiToken.role === 'admin' || req.apiToken.role === 'monitor') ? next() : next(new HttpError(403, 'FORBIDDEN', 'Metrics need an admin or monitor token (or set ESC_METRICS_TOKEN).'))),
    ];
  }
  const want = `Bearer ${ops.metricsToken.reveal()}`;
  return [(req, _res, next) => (req.header('authorization') === want ? next() : next(new HttpError(401, 'UNAUTHENTICATED', 'Send "Authorization: Bearer <ESC_METRICS_TOKEN>".')))];
}

/** /healthz, /readyz, /metrics and GET /api/engine on the main app. */
export function mountOps(app: Express, ops: OpsHttp, tokens: ApiToken[]): void {
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, uptimeS: Math.round(process.uptime()) });
  });
  app.get('/readyz', (_req, res) => {
    const r = ops.readiness.current();
    res.status(r.ready ? 200 : 503).json({ ...r, reason: r.reasons.join('; ') || undefined });
  });
  if (!ops.metricsElsewhere) app.get('/metrics', ...metricsAuth(ops, tokens), metricsHandler(ops));
  app.get('/api/engine', authenticate(tokens), allow('admin'), (_req, res, next) => {
    ops.engineView().then((v) => res.json(v), next);
  });
}

/** The separate scrape port (ESC_METRICS_PORT): /metrics only, no token. */
export function metricsOnlyApp(ops: OpsHttp): Router {
  const r = express.Router();
  r.get('/metrics', metricsHandler(ops));
  return r;
}
