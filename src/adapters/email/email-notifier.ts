import type { Transporter } from 'nodemailer';
import type { Delivery } from '../../app/ports/deliveries.js';
import type { Notifier, SendResult } from '../../app/ports/notifier.js';
import { signAction } from './action-token.js';
import type { ActionClaims } from './action-token.js';
import { renderEmail } from './email-render.js';
import type { EmailLink } from './email-render.js';

export interface EmailNotifierOptions {
  transport: Transporter;
  from: string;
  publicUrl: string;
  linkSecret: string;
  linkTtlMs: number;
  now: () => Date;
}

/** Sends notices by SMTP, text and HTML, with signed single-use action links to /email/act. */
export class EmailNotifier implements Notifier {
  readonly channel = 'email' as const;
  readonly name = 'email (SMTP)';
  constructor(private readonly opts: EmailNotifierOptions) {}

  async send(d: Delivery): Promise<SendResult> {
    if (!d.address) return { ok: false, retryable: false, code: 'NO_EMAIL', message: `${d.recipient.name ?? 'recipient'} has no email address` };
    const { opts } = this;
    const now = opts.now();
    const exp = Math.floor((now.getTime() + opts.linkTtlMs) / 1000);
    const link = (action: EmailLink['action'], score?: number) => ({
      action,
      ...(score ? { score } : {}),
      url: `${opts.publicUrl}/email/act?token=${signAction(opts.linkSecret, { t: d.ticketId, a: action as ActionClaims['a'], p: d.recipient.personId, d: d.id, exp, ...(score ? { s: score } : {}) })}`,
    });
    // A satisfaction check carries one link per score (1–5); the comment is given in chat or the API.
    const links = d.notice.actions.filter((a) => a !== 'resolve').flatMap((action) => (action === 'rate' ? [1, 2, 3, 4, 5].map((n) => link(action, n)) : [link(action)]));
    const hours = Math.round(opts.linkTtlMs / 3_600_000);
    const mail = renderEmail(d.notice, links, `in ${hours} hour${hours === 1 ? '' : 's'}`);
    try {
      const info = (await opts.transport.sendMail({
        from: opts.from,
        to: d.recipient.name ? { name: d.recipient.name, address: d.address } : d.address,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        // The same id on every retry of this delivery: mail systems can spot the duplicate.
        messageId: `<${d.id}@esc>`,
        headers: { 'X-Esc-Ticket': d.notice.ticket.key, 'X-Esc-Delivery': d.key },
        priority: d.urgent ? 'high' : 'normal',
        // The after-action report PDF and the like: attached as they are.
        ...(d.notice.attachments?.length ? { attachments: d.notice.attachments.map((a) => ({ filename: a.name, contentType: a.contentType, content: Buffer.from(a.base64, 'base64') })) } : {}),
      })) as { messageId?: string };
      return { ok: true, status: 'sent', providerId: info.messageId ?? `<${d.id}@esc>` };
    } catch (e) {
      const err = e as { responseCode?: number; code?: string; message?: string };
      // SMTP 5xx is a permanent refusal (bad address, policy); 4xx and network errors may pass later.
      const permanent = typeof err.responseCode === 'number' && err.responseCode >= 500;
      return { ok: false, retryable: !permanent, code: `SMTP_${err.responseCode ?? err.code ?? 'ERROR'}`, message: err.message ?? String(e) };
    }
  }
}
