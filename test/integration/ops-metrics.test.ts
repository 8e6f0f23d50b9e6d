import { expect } from 'chai';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { PromFamily } from 'parse-prometheus-text-format';
import { Writable } from 'node:stream';
import express from 'express';
import { api, demoOrg, freshDbUri, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import { recordingNotifiers } from '../support/counting-notifier.js';
import { createLogger } from '../../src/logger.js';
import { listTickets } from '../../src/app/use-cases/tickets.js';
import { createEsc } from '../../src/composition-root.js';
import { loadConfig } from '../../src/config/env.js';

type Scrape = Map<string, PromFamily> & { text: string };

/** Scrapes /metrics and parses it with a real Prometheus text-format parser. */
async function scrape(baseUrl: string, token = 'demo-admin-token'): Promise<Scrape> {
  const res = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).to.equal(200);
  expect(res.headers.get('content-type')).to.match(/text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return Object.assign(new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f])), { text });
}

/** A counter's or gauge's value for exactly these labels (0 when the series does not exist yet). */
function value(m: Scrape, name: string, labels: Record<string, string> = {}): number {
  const fam = m.get(name);
  if (!fam) return 0;
  expect(fam.type).to.be.oneOf(['COUNTER', 'GAUGE']);
  const s = fam.metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v));
  return s ? Number(s.value ?? 0) : 0;
}

/**
 * A histogram's sample count for these labels. The parser merges the series of a labelled
 * histogram into one (its known limitation), so it checks the type and this reads the
 * `_count` line of the same scrape.
 */
function histogramCount(m: Scrape, name: string, labels: Record<string, string>): number {
  expect(m.get(name)?.type).to.equal('HISTOGRAM');
  const want = Object.entries(labels);
  for (const line of m.text.split('\n')) {
    const hit = new RegExp(`^${name}_count(?:\\{(.*)\\})? (\\S+)$`).exec(line);
    if (!hit) continue;
    const got = Object.fromEntries([...(hit[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (want.every(([k, v]) => got[k] === v)) return Number(hit[2]);
  }
  return 0;
}

describe('ops: /metrics in Prometheus format', () => {
  let esc: TestEsc;
  const chans = recordingNotifiers();
  before(async () => {
    esc = await startTestEsc({ notifiers: Object.values(chans), env: { ESC_METRICS_TOKEN: 'prometheus-scrape-token-123' } });
  });
  after(async () => {
    await esc?.stop();
  });

  it('needs a token: the metrics token, or an admin or monitor API token', async () => {
    expect((await fetch(`${esc.baseUrl}/metrics`)).status).to.equal(401);
    expect((await fetch(`${esc.baseUrl}/metrics`, { headers: { authorization: 'Bearer demo-admin-token' } })).status).to.equal(401);
    expect((await fetch(`${esc.baseUrl}/metrics`, { headers: { authorization: 'Bearer prometheus-scrape-token-123' } })).status).to.equal(200);
  });

  it('has the named series, and they move after a page', async () => {
    const T = 'prometheus-scrape-token-123';
    const before = await scrape(esc.baseUrl, T);
    for (const name of ['esc_engine_pass_duration_seconds', 'esc_step_lateness_seconds', 'esc_deliveries_total', 'esc_delivery_retries_total', 'esc_provider_rate_limited_total', 'esc_active_escalations', 'esc_tickets_opened_total', 'esc_http_request_duration_seconds', 'esc_process_cpu_user_seconds_total', 'esc_nodejs_eventloop_lag_seconds', 'esc_process_resident_memory_bytes']) {
      expect(before.has(name), name).to.equal(true);
    }
    // A page: a P1 ticket, escalated at once; the first chat send is rate limited, then goes out.
    chans.chat.failures.push({ ok: false, retryable: true, code: 'RATE_LIMITED', message: 'HTTP 429 Too Many Requests', retryAfterMs: 1000 });
    const opened = await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'Email down for the Registrar office', priority: 'P1' }, 'demo-agent-token');
    expect(opened.status).to.equal(201);
    const esc1 = await api(esc.baseUrl, 'POST', `/api/tickets/${String(opened.body.key)}/escalate`, undefined, 'demo-agent-token');
    expect(esc1.status, JSON.stringify(esc1.body)).to.be.oneOf([200, 201, 202]);
    await esc.settle();
    esc.clock.advance(60_000);
    await esc.settle();
    expect(chans.chat.sent.length).to.be.greaterThan(0);
    await esc.readiness.refresh();
    const after = await scrape(esc.baseUrl, T);
    expect(value(after, 'esc_tickets_opened_total', { source: 'api' })).to.equal(value(before, 'esc_tickets_opened_total', { source: 'api' }) + 1);
    expect(value(after, 'esc_deliveries_total', { channel: 'chat', outcome: 'sent' })).to.be.greaterThan(value(before, 'esc_deliveries_total', { channel: 'chat', outcome: 'sent' }));
    expect(value(after, 'esc_deliveries_total', { channel: 'chat', outcome: 'retrying' })).to.equal(1);
    expect(value(after, 'esc_delivery_retries_total', { channel: 'chat' })).to.equal(1);
    expect(value(after, 'esc_provider_rate_limited_total', { channel: 'chat' })).to.equal(1);
    expect(histogramCount(after, 'esc_step_lateness_seconds', { channel: 'chat' })).to.equal(1);
    const posts = { front: 'api', method: 'POST', status: '201' };
    expect(histogramCount(after, 'esc_http_request_duration_seconds', posts)).to.be.greaterThan(histogramCount(before, 'esc_http_request_duration_seconds', posts));
    expect(histogramCount(after, 'esc_engine_pass_duration_seconds', {})).to.equal(0); // no Agenda loop in this test: settle() drives the engine
    expect(value(after, 'esc_process_cpu_user_seconds_total')).to.be.greaterThan(0);
    expect(value(after, 'esc_active_escalations')).to.equal(1);
  });
});

describe('ops: request ids in the logs', () => {
  it('each request line has a reqId, and use-case logs of that request carry it (across body parsing and database calls); keys stay out', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    });
    const log = createLogger('info', { pretty: false, destination: sink });
    const esc = await createEsc({
      config: loadConfig({ LOG_LEVEL: 'info' }),
      mongoUri: freshDbUri(),
      log,
      org: demoOrg(),
      runEngine: false,
      mounts: (deps) => [
        {
          path: '/probe',
          router: express.Router().post('/', express.json(), (req, res, next) => {
            listTickets(deps, {})
              .then((list) => {
                deps.log.info({ tickets: list.length, note: String((req.body as { note?: string }).note) }, 'probe: use case ran');
                res.json({ ok: true });
              })
              .catch(next);
          }),
        },
      ],
    });
    try {
      const base = await esc.listen(0);
      const r = await fetch(`${base}/probe`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'req-abc-123' }, body: JSON.stringify({ note: 'token was Bearer abcdefghijklmnop' }) });
      expect(r.status).to.equal(200);
      expect(r.headers.get('x-request-id')).to.equal('req-abc-123');
      const other = await fetch(`${base}/api/tickets`, { headers: { authorization: 'Bearer demo-admin-token' } });
      const otherId = other.headers.get('x-request-id');
      expect(otherId).to.match(/^[0-9a-f-]{36}$/);
      await new Promise((res) => setTimeout(res, 50));
      const probe = lines.find((l) => l.msg === 'probe: use case ran');
      expect(probe, JSON.stringify(lines)).to.include({ reqId: 'req-abc-123' });
      expect(String(probe!.note)).to.equal('token was Bearer [redacted]');
      const reqLines = lines.filter((l) => l.msg === 'request');
      expect(reqLines.map((l) => [l.reqId, l.path, l.status])).to.deep.include.members([
        ['req-abc-123', '/probe', 200],
        [otherId, '/api/tickets', 200],
      ]);
      expect(JSON.stringify(lines)).to.not.include('demo-admin-token');
    } finally {
      await esc.stop();
    }
  });
});
