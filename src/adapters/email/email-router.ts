import express from 'express';
import type { Request, Response, Router } from 'express';
import type { AppDeps } from '../../app/deps.js';
import { respondToNotification } from '../../app/use-cases/respond.js';
import { claimRequest } from '../../app/use-cases/coordination.js';
import { recordSatisfaction } from '../../app/use-cases/major.js';
import { isDomainError } from '../../domain/errors.js';
import { verifyAction } from './action-token.js';
import type { ActionClaims, UsedTokenStore } from './action-token.js';
import { confirmPage, resultPage } from './email-render.js';

const VERB: Record<ActionClaims['a'], string> = { acknowledge: 'Acknowledge', escalate: 'Escalate now', resolve: 'Resolve', claim: 'Claim this request', rate: 'Rate' };

/**
 * /email/act?token=…: a signed, expiring, single-use link. GET (and HEAD, which Express answers
 * from the GET route without a body) only shows a confirmation page with a form button: mail
 * scanners and link previews fetch links, and must neither act nor use the link up. The action
 * happens on POST, which is also the moment the single-use nonce is consumed.
 */
export function emailRouter(deps: AppDeps, opts: { linkSecret: string; used: UsedTokenStore }): Router {
  const r = express.Router();
  const page = (res: Response, status: number, title: string, msg: string) => void res.status(status).type('html').set('Cache-Control', 'no-store').send(resultPage(title, msg));
  /** The verified claims, or null after answering the refusal. */
  const verified = (res: Response, token: string): ActionClaims | null => {
    const v = verifyAction(opts.linkSecret, token, deps.clock.now());
    if (v.ok) return v.claims;
    if (v.reason === 'expired') page(res, 410, 'Link expired', 'This link has expired; nothing changed. Use the latest message, or act in Slack, Teams or the API.');
    else page(res, 403, 'Invalid link', 'This link is not valid; nothing changed. Copy the whole link from the email.');
    return null;
  };

  r.get('/act', (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const c = verified(res, token);
    if (!c) return;
    opts.used.isUsed(c.n).then(
      (used) => {
        if (used) return page(res, 409, 'Already used', 'This link was already used; nothing changed. Each link works once.');
        const what = c.a === 'rate' ? `Rate ${Number(c.s)} of 5` : VERB[c.a];
        res.status(200).type('html').set('Cache-Control', 'no-store').send(confirmPage(what, token));
      },
      (e: unknown) => {
        deps.log.error({ err: e }, 'email link check failed');
        page(res, 503, 'Try again', 'Esc could not check this link just now; try again in a minute.');
      },
    );
  });

  r.post('/act', express.urlencoded({ extended: false, limit: '8kb' }), (req: Request, res: Response) => {
    const body = req.body as Record<string, unknown> | undefined;
    const token = typeof body?.token === 'string' ? body.token : typeof req.query.token === 'string' ? req.query.token : '';
    const c = verified(res, token);
    if (!c) return;
    const now = deps.clock.now();
    const work = async (): Promise<void> => {
      if (!(await opts.used.use(c.n, now))) return page(res, 409, 'Already used', 'This link was already used; nothing changed. Each link works once.');
      try {
        const actor = { personId: c.p, via: 'email' };
        const r2 =
          c.a === 'claim'
            ? await claimRequest(deps, { ticket: c.t, actor })
            : c.a === 'rate'
              ? await recordSatisfaction(deps, { ticket: c.t, score: Number(c.s), actor })
              : await respondToNotification(deps, { ticket: c.t, reply: c.a, actor });
        page(res, 200, r2.changed ? 'Done' : 'Nothing to do', r2.message);
      } catch (e) {
        await opts.used.release(c.n);
        if (isDomainError(e)) return page(res, 409, 'Not possible', `${e.message} Nothing changed.`);
        throw e;
      }
    };
    work().catch((e: unknown) => {
      deps.log.error({ err: e }, 'email link failed');
      if (!res.headersSent) page(res, 500, 'Something went wrong', 'Esc could not act on this link; try again in a minute.');
    });
  });
  return r;
}
