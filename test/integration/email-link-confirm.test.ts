import { expect } from 'chai';
import { respondToNotification } from '../../src/app/use-cases/respond.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import { buildChannelAdapters } from '../../src/config/channels-env.js';
import { FakeSmtp } from '../far-side/fake-smtp.js';
import { openTestDb, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

const PUBLIC = 'https://esc.example.test';
const ERIN = { personId: 'erin', via: 'api' } as const;

/** Issue 13: a mail scanner that opens (GET) or probes (HEAD) a link must not act nor use it up. */
describe('email links: GET and HEAD only show a confirmation, POST acts', () => {
  let esc: TestEsc;
  let smtp: FakeSmtp;
  before(async () => {
    smtp = new FakeSmtp();
    const smtpUrl = await smtp.start();
    const db = await openTestDb();
    const ch = buildChannelAdapters(
      { ESC_PUBLIC_URL: PUBLIC, SMTP_URL: smtpUrl, EMAIL_FROM: 'Esc <esc@demo.example.edu>', ESC_LINK_SECRET: 'a-long-test-link-secret-0123456789' },
      { clock: db.clock, conn: db.conn },
    );
    esc = await startTestEsc({ db, notifiers: ch.notifiers, mounts: ch.mounts });
  });
  after(async () => {
    await esc?.stop();
    await smtp.stop();
  });

  it('GET shows a form, HEAD answers without a body; neither acknowledges nor uses the link; the POST acknowledges once', async () => {
    esc.clock.advanceMinutes(2);
    const t = await openTicket(esc.deps, { title: 'Printer on fire', priority: 'P4', source: 'api', assigneeId: 'alice' }, ERIN);
    const started = await respondToNotification(esc.deps, { ticket: t.number, reply: 'escalate', actor: ERIN });
    const before = smtp.mails.length;
    await esc.settle();
    const mail = smtp.mails.slice(before)[0]!;
    const ack = /Acknowledge: (\S+)/.exec(mail.text ?? '')![1]!.replace(PUBLIC, esc.baseUrl);
    const events = (await esc.deps.timeline.forTicket(t.id)).length;

    for (let i = 0; i < 3; i++) {
      const got = await fetch(ack);
      expect(got.status).to.equal(200);
      const html = await got.text();
      expect(html).to.match(/Nothing has changed yet/);
      expect(html).to.match(/<form method="post" action="act">/);
      const head = await fetch(ack, { method: 'HEAD' });
      expect(head.status).to.equal(200);
      expect(await head.text()).to.equal('');
    }
    expect((await esc.deps.escalations.get(started.escalation!.id))!.status).to.not.equal('acknowledged');
    expect((await esc.deps.timeline.forTicket(t.id)).length, 'no timeline event from GET/HEAD').to.equal(events);

    const token = new URL(ack).searchParams.get('token')!;
    const post = () => fetch(`${esc.baseUrl}/email/act`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }) });
    const first = await post();
    expect(first.status).to.equal(200);
    expect(await first.text()).to.match(/acknowledged by Carol Diaz/);
    expect((await esc.deps.escalations.get(started.escalation!.id))!.status).to.equal('acknowledged');
    expect((await post()).status).to.equal(409);
    const reopened = await fetch(ack);
    expect(reopened.status).to.equal(409);
    expect(await reopened.text()).to.match(/already used/);
  });

  it('a POST without a token or with a tampered one is refused with 403', async () => {
    const none = await fetch(`${esc.baseUrl}/email/act`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(none.status).to.equal(403);
    const bad = await fetch(`${esc.baseUrl}/email/act`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=abc.def&token=x' });
    expect(bad.status).to.equal(403);
  });
});
