import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import { WebhookNotifier } from '../../src/adapters/webhook/webhook-notifier.js';
import type { WebhookPayloadV1 } from '../../src/adapters/webhook/webhook-payload.js';
import type { Delivery } from '../../src/app/ports/deliveries.js';
import { respondToNotification } from '../../src/app/use-cases/respond.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import { buildChannelAdapters } from '../../src/config/channels-env.js';
import { FakeHttpReceiver } from '../far-side/fake-http-receiver.js';
import { demoOrg, openTestDb, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

const PUBLIC = 'https://esc.example.test';
const SECRET = 'webhook-secret-0123456789';
const ERIN = { personId: 'erin', via: 'api' } as const;

/** The demo org plus a plan for P2 Infrastructure tickets: webhook, then an urgent push. */
function orgWithHooks() {
  const org = demoOrg();
  org.people = org.people.map((p) =>
    p.id === 'henry' ? { ...p, contacts: [...p.contacts, { kind: 'push' as const, address: 'henry-pager', service: 'ntfy' as const }] } : p.id === 'ivan' ? { ...p, contacts: [...p.contacts, { kind: 'push' as const, address: 'uIvanUserKey', service: 'pushover' as const }] } : p,
  );
  org.plans = [
    ...org.plans,
    {
      id: 'hooks',
      name: 'P2 infra: webhook then push',
      match: { priorities: ['P2'], teams: ['infrastructure'] },
      steps: [
        { delayMinutes: 0, channel: 'webhook', targets: [{ type: 'assignee' }] },
        { delayMinutes: 5, channel: 'push', targets: [{ type: 'person', id: 'henry' }, { type: 'person', id: 'ivan' }], urgent: true },
      ],
    },
  ];
  return org;
}

describe('channels: webhook and push', () => {
  let esc: TestEsc;
  let hook: FakeHttpReceiver;
  let ntfy: FakeHttpReceiver;
  let pushover: FakeHttpReceiver;
  before(async () => {
    hook = new FakeHttpReceiver();
    ntfy = new FakeHttpReceiver(() => ({ id: 'ntfy-msg-1' }));
    pushover = new FakeHttpReceiver(() => ({ status: 1, request: 'po-req-1' }));
    await Promise.all([hook.start(), ntfy.start(), pushover.start()]);
    const db = await openTestDb();
    const ch = buildChannelAdapters(
      { ESC_PUBLIC_URL: PUBLIC, WEBHOOK_URL: `${hook.url}/esc-hook`, WEBHOOK_SECRET: SECRET, NTFY_URL: ntfy.url, PUSHOVER_TOKEN: 'po-app-token', PUSHOVER_URL: pushover.url },
      { clock: db.clock, conn: db.conn },
    );
    esc = await startTestEsc({ db, org: orgWithHooks(), notifiers: ch.notifiers, mounts: ch.mounts });
  });
  after(async () => {
    await esc?.stop();
    await Promise.all([hook.stop(), ntfy.stop(), pushover.stop()]);
  });

  it('posts a signed, versioned JSON payload, then pushes urgently through ntfy and Pushover', async () => {
    const t = await openTicket(esc.deps, { title: 'SAN latency', priority: 'P2', source: 'api', teamId: 'infrastructure', assigneeId: 'henry' }, ERIN);
    await respondToNotification(esc.deps, { ticket: t.number, reply: 'escalate', actor: ERIN });
    await esc.settle();
    expect(hook.received).to.have.length(1);
    const req = hook.received[0]!;
    expect(req.path).to.equal('/esc-hook');
    const [, ts, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req.headers['x-esc-signature']))!;
    expect(v1).to.equal(createHmac('sha256', SECRET).update(`${ts}.${req.body}`).digest('hex'));
    expect(Number(ts)).to.equal(Math.floor(esc.clock.now().getTime() / 1000));
    const p = JSON.parse(req.body) as WebhookPayloadV1;
    expect(p).to.include({ version: 1, event: 'escalation_step' });
    expect(p.ticket).to.include({ key: `ESC-${t.number}`, title: 'SAN latency', priority: 'P2' });
    expect(p.escalation).to.include({ step: 1, steps: 2 });
    expect(p.step).to.include({ number: 1 });
    expect(p.links.ticket).to.equal(`${PUBLIC}/api/tickets/ESC-${t.number}`);
    expect(req.headers['idempotency-key']).to.equal(p.id);
    const [wd] = await esc.deps.deliveries.list({ ticketId: t.id, channel: ['webhook'] }, 5);
    expect(wd!.status).to.equal('delivered');

    esc.clock.advanceMinutes(5);
    await esc.settle();
    expect(ntfy.received.map((r) => [r.path, r.headers.priority])).to.deep.equal([['/henry-pager', '5']]);
    expect(ntfy.received[0]!.headers.title).to.match(/SAN latency/);
    expect(pushover.received).to.have.length(1);
    const form = new URLSearchParams(pushover.received[0]!.body);
    expect(pushover.received[0]!.path).to.equal('/1/messages.json');
    expect([form.get('token'), form.get('user'), form.get('priority')]).to.deep.equal(['po-app-token', 'uIvanUserKey', '1']);
  });

  describe('webhook answers', () => {
    const delivery = (): Delivery => ({
      id: 'd1', key: 'k1', ticketId: 't1', escalationId: null, seq: null, stepIndex: 0, channel: 'webhook',
      recipient: { personId: null, channelId: null, name: null }, address: null, urgent: false, dueAt: new Date(), status: 'sending', attempts: 0, nextAttemptAt: new Date(),
      leaseUntil: null, claim: null, providerId: null, error: null, queuedAt: new Date(), sentAt: null, deliveredAt: null, lateMs: null, fallbackIndex: 0,
      notice: { kind: 'info', title: 'x', text: 'y', ticket: { id: 't1', key: 'ESC-1', number: 1, title: 'x', priority: 'P3', impact: 'low', status: 'new', team: 'T', assignee: null, openedAt: new Date(), elevated: false, escalated: false }, escalation: null, facts: [], actions: [], urgent: false },
    });
    const cases: [string, number | 'hang', { ok: boolean; retryable?: boolean; code?: string }][] = [
      ['204 is delivered', 204, { ok: true }],
      ['503 retries', 503, { ok: false, retryable: true, code: 'HTTP_503' }],
      ['429 retries', 429, { ok: false, retryable: true, code: 'HTTP_429' }],
      ['410 is permanent', 410, { ok: false, retryable: false, code: 'HTTP_410' }],
      ['no answer in time retries', 'hang', { ok: false, retryable: true, code: 'TIMEOUT' }],
    ];
    for (const [name, answer, want] of cases) {
      it(name, async () => {
        const n = new WebhookNotifier({ url: `${hook.url}/x`, secret: SECRET, timeoutMs: 300, publicUrl: PUBLIC, now: () => new Date() });
        hook.next(answer);
        const r = await n.send(delivery());
        expect(r).to.include(want);
      });
    }
  });
});
