import express from 'express';
import type { ErrorRequestHandler, Router } from 'express';
import type { Application } from '@microsoft/teams-ai';
import type { Activity } from 'botbuilder';
import type { Logger } from '../../app/deps.js';
import type { EscTeamsAdapter } from './teams-adapter.js';

/** Teams activities are small; cards sent back by Action.Submit stay far below this. */
const BODY_LIMIT = '256kb';

/** Dates arrive as strings; botbuilder expects Date objects (as its own express path does). */
function toActivity(body: Record<string, unknown>): Activity {
  const a = { ...body } as Record<string, unknown>;
  for (const [field, raw] of [['timestamp', 'rawTimestamp'], ['localTimestamp', 'rawLocalTimestamp'], ['expiration', 'rawExpiration']] as const) {
    if (typeof a[field] === 'string') {
      a[raw] = a[field];
      a[field] = new Date(a[field]);
    }
  }
  return a as unknown as Activity;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * POST /api/messages: the Bot Framework endpoint. Every request's JWT is verified by
 * botbuilder before the bot sees it; any refusal is a 401 (botbuilder itself answers 500
 * for a token signed with an unknown key). A bad body is a 400, never a 500.
 */
export function teamsRouter(args: { adapter: EscTeamsAdapter; app: Application; log: Logger }): Router {
  const { adapter, app, log } = args;
  const router = express.Router();
  router.post('/', express.json({ limit: BODY_LIMIT, strict: true, type: () => true }), (req, res) => {
    const body: unknown = req.body;
    if (!isRecord(body) || typeof body.type !== 'string' || body.type.length === 0) {
      res.status(400).json({ error: 'BAD_ACTIVITY', message: 'The body must be a Bot Framework activity (a JSON object with a "type").' });
      return;
    }
    const auth = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
    if (!/^Bearer \S+$/i.test(auth)) {
      res.status(401).json({ error: 'UNAUTHORIZED', message: 'A Bot Framework bearer token is required.' });
      return;
    }
    let ran = false;
    adapter
      .handle(auth, toActivity(body), async (context) => {
        ran = true;
        await app.run(context);
      })
      .then(
        (invoke) => {
          res.status(invoke?.status ?? 200);
          if (invoke?.body !== undefined) res.json(invoke.body);
          else res.end();
        },
        (err: unknown) => {
          const e = err as { message?: string; statusCode?: number; name?: string };
          if (!ran) {
            // Metadata we could not fetch is our outage, not the caller's fault.
            const outage = /Failed to load (openID config|Keys)/.test(e.message ?? '');
            log.warn({ reason: e.message, code: outage ? 'TEAMS_OPENID_UNAVAILABLE' : 'TEAMS_AUTH_REFUSED' }, outage ? 'teams: cannot load the token signing keys' : 'teams: request refused');
            res.status(outage ? 503 : 401).json(outage ? { error: 'UNAVAILABLE', message: 'Token signing keys could not be loaded; try again.' } : { error: 'UNAUTHORIZED', message: 'The token was refused.' });
            return;
          }
          log.error({ err: e.message, code: 'TEAMS_TURN_FAILED' }, 'teams: turn failed');
          if (!res.headersSent) res.status(500).json({ error: 'INTERNAL', message: 'The bot failed to handle this activity.' });
        },
      );
  });
  router.all('/', (_req, res) => {
    res.status(405).set('allow', 'POST').json({ error: 'METHOD_NOT_ALLOWED', message: 'POST Bot Framework activities here.' });
  });
  const bodyErrors: ErrorRequestHandler = (err, _req, res, next) => {
    const e = err as { type?: string };
    if (e?.type === 'entity.parse.failed') res.status(400).json({ error: 'MALFORMED_JSON', message: 'The body is not valid JSON.' });
    else if (e?.type === 'entity.too.large') res.status(413).json({ error: 'BODY_TOO_LARGE', message: `The body is larger than ${BODY_LIMIT}.` });
    else next(err);
  };
  router.use(bodyErrors);
  return router;
}
