import { expect } from 'chai';
import { respondToNotification } from '../../src/app/use-cases/respond.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import { buildChannelAdapters } from '../../src/config/channels-env.js';
import { pressEmailLink } from '../support/email-link.js';
import { FakeSmtp } from '../far-side/fake-smtp.js';
import { openTestDb, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

const PUBLIC = 'https://esc.example.test';
const ERIN = { personId: 'erin', via: 'api' } as const;

describe('channels: email with one-click links', () => {
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

  /** A P4 whose plan ("low") emails the manager at once. Returns the links of that email. */
  async function emailed(title: string) {
    esc.clock.advanceMinutes(2); // one email per address per minute
    const t = await openTicket(esc.deps, { title, priority: 'P4', source: 'api', assigneeId: 'alice' }, ERIN);
    const started = await respondToNotification(esc.deps, { ticket: t.number, reply: 'escalate', actor: ERIN });
    const before = smtp.mails.length;
    await esc.settle();
    const mails = smtp.mails.slice(before);
    expect(mails, 'one email').to.have.length(1);
    const mail = mails[0]!;
    const link = (verb: string) => {
      const m = new RegExp(`${verb}: (\\S+)`).exec(mail.text ?? '');
      return m![1]!.replace(PUBLIC, esc.baseUrl);
    };
    return { t, escalationId: started.escalation!.id, mail, ack: link('Acknowledge'), escalate: link('Escalate now') };
  }

  it('sends text and HTML with signed links; the acknowledge link works once, the second click says already used', async () => {
    const { t, escalationId, mail, ack } = await emailed('Lab PCs need reimaging');
    expect(mail.subject).to.match(/P4 ESC-\d+: Lab PCs need reimaging/);
    expect((mail.to as { text: string }).text).to.match(/carol@demo.example.edu/);
    expect(mail.html).to.be.a('string').and.match(/<a href="https:\/\/esc.example.test\/email\/act\?token=/);
    expect(mail.text).to.match(/Each link works once/);

    const first = await pressEmailLink(ack);
    expect(first.status).to.equal(200);
    expect(await first.text()).to.match(/acknowledged by Carol Diaz/);
    expect((await esc.deps.escalations.get(escalationId))!.status).to.equal('acknowledged');
    const events = (await esc.deps.timeline.forTicket(t.id)).length;
    const second = await pressEmailLink(ack);
    expect(second.status).to.equal(409);
    expect(await second.text()).to.match(/already used; nothing changed/);
    expect((await esc.deps.timeline.forTicket(t.id)).length).to.equal(events);
    const via = (await esc.deps.timeline.forTicket(t.id)).filter((e) => e.type === 'escalation.acknowledged').map((e) => e.actor);
    expect(via).to.deep.equal([{ personId: 'carol', via: 'email' }]);
  });

  it('a tampered link gets 403 and an expired one 410; neither changes anything', async () => {
    const { escalationId, escalate } = await emailed('Shared drive slow');
    const tampered = escalate.replace(/token=(.)/, (_m, c: string) => `token=${c === 'A' ? 'B' : 'A'}`);
    const bad = await fetch(tampered);
    expect(bad.status).to.equal(403);
    esc.clock.advanceMinutes(25 * 60);
    const old = await fetch(escalate);
    expect(old.status).to.equal(410);
    expect(await old.text()).to.match(/expired; nothing changed/);
    expect((await esc.deps.escalations.get(escalationId))!.status).to.not.equal('acknowledged');
  });

  it('an SMTP 5xx refusal is a permanent failure: recorded once, not retried', async () => {
    const t = await openTicket(esc.deps, { title: 'Mailbox full', priority: 'P4', source: 'api', assigneeId: 'bob' }, ERIN);
    await respondToNotification(esc.deps, { ticket: t.number, reply: 'escalate', actor: ERIN });
    esc.clock.advanceMinutes(2);
    smtp.rejectNext(550);
    await esc.settle();
    const [d] = await esc.deps.deliveries.list({ ticketId: t.id, channel: ['email'] }, 10);
    expect(d!.status).to.equal('failed');
    expect(d!.attempts).to.equal(1);
    expect(d!.error!.code).to.equal('SMTP_550');
  });
});
