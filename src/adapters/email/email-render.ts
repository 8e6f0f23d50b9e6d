import type { Notice, NoticeAction } from '../../domain/notice.js';
import { escalationLabel } from '../../domain/notice.js';

export interface EmailLink {
  action: NoticeAction;
  url: string;
  /** rate links: the score this link records (1–5). */
  score?: number;
}

const LABEL: Record<NoticeAction, string> = { acknowledge: 'Acknowledge', escalate: 'Escalate now', resolve: 'Resolve', claim: 'Claim this request', rate: 'Rate' };
const label = (l: EmailLink) => (l.action === 'rate' && l.score ? `Rate ${l.score} of 5` : LABEL[l.action]);

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Subject, plain text and HTML of a notice, with one-click action links. */
export function renderEmail(notice: Notice, links: EmailLink[], expiresText: string): { subject: string; text: string; html: string } {
  const flag = escalationLabel(notice.ticket);
  const facts = [...(flag ? [`Status: ${flag}`] : []), ...notice.facts.map((f) => `${f.label}: ${f.value}`)].join('\n');
  const linkText = links.map((l) => `${label(l)}: ${l.url}`).join('\n');
  const text = `${notice.text}\n\n${facts}\n\n${linkText}\n\nEach link works once and expires ${expiresText}.\n`;
  const html = `<!doctype html><html><body style="font-family:sans-serif">
<h2 style="margin:0 0 8px">${esc(notice.title)}</h2>
${flag ? `<p><strong style="color:#b91c1c">${esc(flag)}</strong></p>` : ''}<p>${esc(notice.text)}</p>
<table cellpadding="4">${notice.facts.map((f) => `<tr><th align="left">${esc(f.label)}</th><td>${esc(f.value)}</td></tr>`).join('')}</table>
<p>${links.map((l) => `<a href="${esc(l.url)}" style="display:inline-block;padding:8px 14px;margin-right:8px;background:#1d4ed8;color:#fff;text-decoration:none;border-radius:4px">${esc(label(l))}</a>`).join('')}</p>
<p style="color:#666;font-size:12px">Each link works once and expires ${esc(expiresText)}.</p>
</body></html>`;
  return { subject: `${notice.urgent ? '[URGENT] ' : ''}${notice.title}`, text, html };
}

/** A small HTML page for the answer to a link click. */
export function resultPage(title: string, message: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>${esc(title)}</h1><p>${esc(message)}</p></body></html>`;
}

/**
 * The page a link opens: nothing has happened yet; the button POSTs the token back. Scanners
 * that fetch the link see only this page.
 */
export function confirmPage(what: string, token: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>${esc(what)}?</title></head><body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>${esc(what)}?</h1><p>Nothing has changed yet. Press the button to confirm.</p><form method="post" action="act"><input type="hidden" name="token" value="${esc(token)}"><button type="submit" style="padding:8px 14px;background:#1d4ed8;color:#fff;border:0;border-radius:4px">${esc(what)}</button></form></body></html>`;
}
