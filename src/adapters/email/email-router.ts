import express from 'express';
import type { Router } from 'express';
import type { AppDeps } from '../../app/deps.js';
import { respondToNotification } from '../../app/use-cases/respond.js';
import { claimRequest } from '../../app/use-cases/coordination.js';
import { recordSatisfaction } from '../../app/use-cases/major.js';
import { isDomainError } from '../../domain/errors.js';
import { verifyAction } from './action-token.js';
import type { UsedTokenStore } from './action-token.js';
import { resultPage } from './email-render.js';

/**
 * GET /email/act?token=…: a signed, expiring, single-use link acts through the one reply use
 * case. Note: some mail scanners fetch links; a confirm page with a POST button would be
 * safer against that (see the report), at the cost of a second click.
 */
export function emailRouter(deps: AppDeps, opts: { linkSecret: string; used: UsedTokenStore }): Router {
  const r = express.Router();
  r.get('/act', (req, res) => {
    const page = (status: number, title: string, msg: string) => res.status(status).type('html').send(resultPage(title, msg));
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const now = deps.clock.now();
    const v = verifyAction(opts.linkSecret, token, now);
    if (!v.ok) {
      if (v.reason === 'expired') return void page(410, 'Link expired', 'This link has expired; nothing changed. Use the latest message, or act in Slack, Teams or the API.');
      return void page(403, 'Invalid link', 'This link is not valid; nothing changed. Copy the whole link from the email.');
    }
    const c = v.claims;
    const work = async (): Promise<void> => {
      if (!(await opts.used.use(c.n, now))) return void page(409, 'Already used', 'This link was already used; nothing changed. Each link works once.');
      try {
        const actor = { personId: c.p, via: 'email' };
        const r2 =
          c.a === 'claim'
            ? await claimRequest(deps, { ticket: c.t, actor })
            : c.a === 'rate'
              ? await recordSatisfaction(deps, { ticket: c.t, score: Number(c.s), actor })
              : await respondToNotification(deps, { ticket: c.t, reply: c.a, actor });
        page(200, r2.changed ? 'Done' : 'Nothing to do', r2.message);
      } catch (e) {
        await opts.used.release(c.n);
        if (isDomainError(e)) return void page(409, 'Not possible', `${e.message} Nothing changed.`);
        throw e;
      }
    };
    work().catch((e: unknown) => {
      deps.log.error({ err: e }, 'email link failed');
      if (!res.headersSent) page(500, 'Something went wrong', 'Esc could not act on this link; try again in a minute.');
    });
  });
  return r;
}
