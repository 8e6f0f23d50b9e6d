import { createRequire } from 'node:module';
import type nodemailer from 'nodemailer';
import type { Connection } from 'mongoose';
import type { AppDeps } from '../../app/deps.js';
import type { HttpMount } from '../http/server.js';
import { UsedTokenStore } from './action-token.js';
import { EmailNotifier } from './email-notifier.js';
import { emailRouter } from './email-router.js';

/** The email notifier and its link route, sharing one secret. */
export function emailAdapters(args: { smtpUrl: string; from: string; linkSecret: string; linkTtlMs: number; publicUrl: string; now: () => Date; connection: () => Connection }): {
  notifier: EmailNotifier;
  mount: (deps: AppDeps) => HttpMount;
} {
  // nodemailer (CommonJS) is loaded only when email is configured: a start without it never pays for it.
  const mailer = createRequire(import.meta.url)('nodemailer') as typeof nodemailer;
  const transport = mailer.createTransport(args.smtpUrl);
  const used = new UsedTokenStore(args.connection);
  return {
    notifier: new EmailNotifier({ transport, from: args.from, publicUrl: args.publicUrl, linkSecret: args.linkSecret, linkTtlMs: args.linkTtlMs, now: args.now }),
    mount: (deps) => ({ path: '/email', router: emailRouter(deps, { linkSecret: args.linkSecret, used }) }),
  };
}
