import { expect } from 'chai';
import { api, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

describe('HTTP API: tickets', () => {
  let esc: TestEsc;
  before(async () => {
    esc = await startTestEsc();
  });
  after(async () => {
    await esc.stop();
  });

  it('opens a ticket and reads it back by key and number', async () => {
    const r = await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'Printer on fire', priority: 'P2', assigneeId: 'alice' });
    expect(r.status).to.equal(201);
    expect(r.body.key).to.match(/^ESC-\d+$/);
    expect(r.body.status).to.equal('assigned');
    const byKey = await api(esc.baseUrl, 'GET', `/api/tickets/${String(r.body.key)}`);
    expect(byKey.status).to.equal(200);
    expect(byKey.body.title).to.equal('Printer on fire');
    const byNum = await api(esc.baseUrl, 'GET', `/api/tickets/${String(r.body.number)}`);
    expect(byNum.body.id).to.equal(r.body.id);
  });

  it('answers /healthz with 200 while the database is up', async () => {
    const res = await fetch(`${esc.baseUrl}/healthz`);
    expect(res.status).to.equal(200);
  });

  it('50 parallel creations get 50 distinct numbers', async () => {
    const rs = await Promise.all(Array.from({ length: 50 }, (_, i) => api(esc.baseUrl, 'POST', '/api/tickets', { title: `parallel ${i}`, priority: 'P3' })));
    expect(rs.every((r) => r.status === 201)).to.equal(true);
    expect(new Set(rs.map((r) => r.body.number)).size).to.equal(50);
  });

  it('20 parallel copies of one alert give one ticket; a repeat adds to it; after resolve a new one opens', async () => {
    const alert = { dedupKey: `disk-full:${'x'.repeat(200)}`, title: 'Disk full on db01', priority: 'P1' };
    const rs = await Promise.all(Array.from({ length: 20 }, () => api(esc.baseUrl, 'POST', '/api/alerts', alert, 'demo-monitor-token')));
    expect(rs.map((r) => r.status).sort()).to.deep.equal([...Array(19).fill(200), 201].sort());
    expect(new Set(rs.map((r) => (r.body.ticket as { id: string }).id)).size).to.equal(1);
    const id = (rs[0]!.body.ticket as { id: string; key: string }).key;
    const t = await api(esc.baseUrl, 'GET', `/api/tickets/${id}`);
    expect(t.body.alertCount).to.equal(20);
    expect((await api(esc.baseUrl, 'POST', `/api/tickets/${id}/resolve`, {})).status).to.equal(200);
    // The storm goes on after the resolve: its next 20 alerts open one new ticket (in the grouped
    // opening, the key released by the first refused count) and all count on it.
    const again = await Promise.all(Array.from({ length: 20 }, () => api(esc.baseUrl, 'POST', '/api/alerts', alert, 'demo-monitor-token')));
    expect(again.map((r) => r.status).sort()).to.deep.equal([...Array(19).fill(200), 201].sort());
    const keys = new Set(again.map((r) => (r.body.ticket as { key: string }).key));
    expect(keys.size).to.equal(1);
    const next = [...keys][0]!;
    expect(next).to.not.equal(id);
    expect((await api(esc.baseUrl, 'GET', `/api/tickets/${next}`)).body.alertCount).to.equal(20);
    expect((await api(esc.baseUrl, 'GET', `/api/tickets/${id}`)).body.alertCount, 'the resolved ticket counts nothing more').to.equal(20);
  });

  it('refuses bad input with 4xx naming the field, and writes nothing', async () => {
    const before = await api(esc.baseUrl, 'GET', '/api/tickets?limit=500');
    const cases: [unknown, number, RegExp][] = [
      ['{"title": "x", ', 400, /not valid JSON/],
      [{ title: 'x', priority: 'P9' }, 400, /priority/],
      [{ title: 'x', priority: 'P1', colour: 'red' }, 400, /unknown field.*colour/],
      [{ title: 42, priority: 'P1' }, 400, /title/],
      [{ title: '', priority: 'P1' }, 400, /title/],
      [{ title: 'x', priority: 'P1', teamId: 'nope' }, 422, /team/],
      [{ title: 'x', priority: 'P1', assigneeId: 'nobody' }, 422, /person/],
      [{ title: 'x'.repeat(70_000), priority: 'P1' }, 413, /64 KB/],
    ];
    for (const [body, status, msg] of cases) {
      const r = await api(esc.baseUrl, 'POST', '/api/tickets', body);
      expect(r.status, JSON.stringify(r.body)).to.equal(status);
      expect(String(r.body.message)).to.match(msg);
    }
    const after = await api(esc.baseUrl, 'GET', '/api/tickets?limit=500');
    expect((after.body.tickets as unknown[]).length).to.equal((before.body.tickets as unknown[]).length);
  });

  it('401 without a valid token, 403 when the role may not', async () => {
    expect((await fetch(`${esc.baseUrl}/api/tickets`)).status).to.equal(401);
    expect((await api(esc.baseUrl, 'GET', '/api/tickets', undefined, 'not-a-real-token-at-all')).status).to.equal(401);
    expect((await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'x', priority: 'P1' }, 'demo-monitor-token')).status).to.equal(403);
  });

  it('walks a ticket through its life and refuses invalid transitions with a code', async () => {
    const { body: t } = await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'VPN flaky', priority: 'P3' });
    const key = String(t.key);
    const act = (action: string, extra: Record<string, unknown> = {}) => api(esc.baseUrl, 'POST', `/api/tickets/${key}/actions`, { action, ...extra });
    expect((await act('assign', { assigneeId: 'bob' })).body.ticket).to.include({ status: 'assigned' });
    expect((await api(esc.baseUrl, 'POST', `/api/tickets/${key}/acknowledge`, {})).status).to.equal(200);
    expect((await act('start')).body.ticket).to.include({ status: 'in_progress' });
    const pend = await act('pend', { reason: 'waiting on user' });
    expect((pend.body.ticket as { sla: { paused: boolean } }).sla.paused).to.equal(true);
    const bad = await act('close');
    expect(bad.status).to.equal(409);
    expect(bad.body.error).to.equal('INVALID_TRANSITION');
    expect((await act('resume')).body.ticket).to.include({ status: 'in_progress' });
    expect((await api(esc.baseUrl, 'POST', `/api/tickets/${key}/resolve`, { note: 'fixed' })).body.ticket).to.include({ status: 'resolved' });
    expect((await act('close')).body.ticket).to.include({ status: 'closed' });
    expect((await act('reopen')).body.ticket).to.include({ status: 'assigned' });
    const tl = await api(esc.baseUrl, 'GET', `/api/tickets/${key}/timeline`);
    const types = (tl.body.events as { type: string }[]).map((e) => e.type);
    expect(types).to.deep.equal(['ticket.opened', 'ticket.assigned', 'ticket.acknowledged', 'ticket.started', 'ticket.pending', 'ticket.resumed', 'ticket.resolved', 'ticket.closed', 'ticket.reopened']);
  });

  it('comments, lists with filters, and 404s unknown tickets', async () => {
    const { body: t } = await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'Filter me', priority: 'P4', teamId: 'infrastructure' });
    expect((await api(esc.baseUrl, 'POST', `/api/tickets/${String(t.key)}/comments`, { text: 'looking' })).status).to.equal(201);
    const list = await api(esc.baseUrl, 'GET', '/api/tickets?team=infrastructure&priority=P4');
    expect((list.body.tickets as { key: string }[]).map((x) => x.key)).to.include(t.key);
    expect((await api(esc.baseUrl, 'GET', '/api/tickets?status=bogus')).status).to.equal(400);
    expect((await api(esc.baseUrl, 'GET', '/api/tickets/ESC-999999')).status).to.equal(404);
    expect((await api(esc.baseUrl, 'GET', '/api/tickets/not-a-ticket')).status).to.equal(400);
  });
});
