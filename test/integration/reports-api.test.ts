import { expect } from 'chai';
import { REPORT_CSV_COLUMNS } from '../../src/domain/reports/report.js';
import { api, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

const TOKENS = 'demo-admin-token:admin:erin,demo-agent-token:agent:alice,demo-monitor-token:monitor,viewer-token-0123456789:viewer';

async function raw(esc: TestEsc, path: string, token = 'demo-admin-token'): Promise<{ status: number; type: string; disposition: string; bytes: Buffer }> {
  const res = await fetch(`${esc.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', disposition: res.headers.get('content-disposition') ?? '', bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('Reports over the API', () => {
  let esc: TestEsc;
  before(async function () {
    this.timeout(30_000);
    esc = await startTestEsc({ env: { ESC_API_TOKENS: TOKENS } });
    // Three tickets: one acknowledged in time, one left to breach, one with a comma and quotes in its title.
    const open = async (title: string, priority: string) => {
      const r = await api(esc.baseUrl, 'POST', '/api/tickets', { title, priority, teamId: 'service-desk', assigneeId: 'alice' });
      expect(r.status).to.equal(201);
      return String(r.body.key);
    };
    const a = await open('Printer jammed', 'P1');
    await open('VPN down', 'P1');
    await open('Exam portal: "down", again', 'P2');
    esc.clock.advanceMinutes(10);
    expect((await api(esc.baseUrl, 'POST', `/api/tickets/${a}/acknowledge`, {}, 'demo-agent-token')).status).to.equal(200);
    esc.clock.advanceMinutes(30);
    await esc.settle();
  });
  after(async () => {
    await esc?.stop();
  });

  it('GET /api/reports: the report as JSON', async () => {
    const r = await api(esc.baseUrl, 'GET', '/api/reports?period=7d&team=service-desk');
    expect(r.status).to.equal(200);
    const figures = r.body.figures as { tickets: number; responseBreaches: number; timeToAcknowledge: { count: number } };
    expect(figures.tickets).to.equal(3);
    expect(figures.timeToAcknowledge.count).to.be.at.least(1);
    expect(figures.responseBreaches).to.be.at.least(1);
    expect(r.body.query).to.deep.include({ period: '7d', teamId: 'service-desk' });
    expect(r.body.daily).to.be.an('array').with.length(7);
    expect(r.body).to.have.keys('query', 'timeZone', 'period', 'previous', 'figures', 'previousFigures', 'daily', 'generatedAt');
    const p1 = await api(esc.baseUrl, 'GET', '/api/reports?period=30d&priority=P1');
    expect((p1.body.figures as { tickets: number }).tickets).to.equal(2);
    const custom = await api(esc.baseUrl, 'GET', `/api/reports?period=custom&from=2026-11-01&to=2026-11-30`);
    expect(custom.status).to.equal(200);
  });

  it('GET /api/reports.csv: an attachment with the documented columns, one row per ticket, quoted titles', async () => {
    const r = await raw(esc, '/api/reports.csv?period=7d');
    expect(r.status).to.equal(200);
    expect(r.type).to.match(/^text\/csv/);
    expect(r.disposition).to.match(/^attachment; filename="?esc-report-7d-\d{4}-\d{2}-\d{2}\.csv"?$/);
    const text = r.bytes.toString('utf8');
    const lines = text.split('\r\n').filter(Boolean);
    expect(lines[0]).to.equal(REPORT_CSV_COLUMNS.join(','));
    expect(lines).to.have.length(4);
    expect(text).to.include('"Exam portal: ""down"", again"');
    expect(text).to.match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/);
  });

  it('GET /api/reports/chart.png: an 800×400 PNG', async () => {
    const r = await raw(esc, '/api/reports/chart.png?period=30d&team=service-desk');
    expect(r.status).to.equal(200);
    expect(r.type).to.equal('image/png');
    expect(r.bytes.subarray(1, 4).toString('latin1')).to.equal('PNG');
    expect(r.bytes.subarray(12, 16).toString('latin1')).to.equal('IHDR');
    expect([r.bytes.readUInt32BE(16), r.bytes.readUInt32BE(20)]).to.deep.equal([800, 400]);
  });

  it('400 naming the field for a bad query; 403 for a token without reports:read', async () => {
    const bad = async (qs: string, field: string) => {
      for (const path of ['/api/reports', '/api/reports.csv', '/api/reports/chart.png']) {
        const r = await api(esc.baseUrl, 'GET', `${path}?${qs}`);
        expect(r.status, `${path}?${qs}`).to.equal(400);
        expect(r.body.field, qs).to.equal(field);
        expect(String(r.body.message), qs).to.include(field);
      }
    };
    await bad('period=year', 'period');
    await bad('priority=P9', 'priority');
    await bad('kind=urgent', 'kind');
    await bad('channel=fax', 'channel');
    await bad('team=nope', 'team');
    await bad('plan=nope', 'plan');
    await bad('period=custom&from=2026-11-30&to=2026-11-01', 'to');
    await bad('period=custom&from=2026-02-30&to=2026-03-01', 'from');
    await bad('period=custom', 'from');
    await bad('colour=red', 'colour');
    expect((await api(esc.baseUrl, 'GET', '/api/reports?team=a&team=b')).status).to.equal(400);
    // Monitor tokens are for alert intake only (README); viewers may read reports.
    expect((await api(esc.baseUrl, 'GET', '/api/reports', undefined, 'demo-monitor-token')).status).to.equal(403);
    expect((await api(esc.baseUrl, 'GET', '/api/reports', undefined, 'viewer-token-0123456789')).status).to.equal(200);
    expect((await raw(esc, '/api/reports.csv', 'demo-monitor-token')).status).to.equal(403);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${esc.baseUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    for (const p of ['/api/reports', '/api/reports.csv', '/api/reports/chart.png', '/api/tickets/{ref}/history']) expect(doc.paths).to.have.property(p);
  });
});
