import express from 'express';
import type { Express, Router } from 'express';
import type { AppDeps } from '../../app/deps.js';
import type { ApiToken } from '../../config/env.js';
import { apiRouter } from './api-router.js';
import { icalRouter } from './ical-router.js';
import { errorHandler } from './errors.js';
import { openApiDocument } from './openapi.js';
import type { OpsHttp } from '../ops/ops-routes.js';
import { mountOps, requestMiddleware } from '../ops/ops-routes.js';

export interface HttpMount {
  /** Path prefix, e.g. /slack/events. */
  path: string;
  /** Mounted before the JSON body parser: the adapter reads its own raw body (signature checks). */
  router: Router | express.RequestHandler;
}

/**
 * One HTTP server, one port. The API, health and readiness, metrics and the OpenAPI document
 * live here; Slack, Teams and Twilio mount their routers on the same app.
 */
export function createHttpApp(args: { deps: AppDeps; tokens: ApiToken[]; ops: OpsHttp; mounts?: HttpMount[] }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.use(...requestMiddleware(args.deps.log, args.ops.metrics));
  mountOps(app, args.ops, args.tokens);
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  for (const m of args.mounts ?? []) app.use(m.path, m.router);
  app.use('/api', icalRouter(args.deps)); // calendar feeds: the token is in the URL (issue 15)
  app.use('/api', express.json({ limit: '64kb', strict: true, type: ['application/json', 'application/*+json'] }), apiRouter(args.deps, args.tokens));
  app.use((_req, res) => {
    res.status(404).json({ error: 'NOT_FOUND', message: 'Nothing here. Try GET /healthz, GET /readyz or GET /openapi.json.' });
  });
  app.use(errorHandler(args.deps.log));
  return app;
}
