/**
 * Tokens bound to a person act with that person's rights (issue 12): an agent token does
 * not make a technician a manager, and a reporter cannot open tickets in someone else's name.
 */
import { expect } from 'chai';
import { api, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import { PEOPLE_TOKENS, tok } from '../support/people-tokens.js';

describe('API: authorization inside the use cases', () => {
  let esc: TestEsc;
  let key = '';
  before(async () => {
    esc = await startTestEsc({ env: { ESC_API_TOKENS: `${PEOPLE_TOKENS},judy-reporter-0001:reporter:judy,anon-reporter-0001:reporter,anon-agent-00001:agent` } });
    const r = await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'VPN down', priority: 'P2', assigneeId: 'bob', requesterId: 'judy' }, tok('erin'));
    expect(r.status).to.equal(201);
    key = String(r.body.key);
  });
  after(async () => esc?.stop());

  const events = async () => (await esc.deps.timeline.forTicket((await esc.deps.tickets.getByNumber(Number(key.slice(4))))!.id)).map((e) => e.type);

  it("a technician's agent token may not elevate, move or notify management (403, who can, nothing written)", async () => {
    for (const [path, body] of [['elevate', { reason: 'x' }], ['move', { teamId: 'infrastructure' }], ['notify-management', { reason: 'x' }]] as const) {
      const r = await api(esc.baseUrl, 'POST', `/api/tickets/${key}/${path}`, body, tok('alice'));
      expect(r.status, `${path}: ${JSON.stringify(r.body)}`).to.equal(403);
      expect(String(r.body.message)).to.match(new RegExp(`^You can't (elevate|move|notify management about) ${key}: only managers, team leads`));
    }
    expect(await events()).to.deep.equal(['ticket.opened']);
    // Her lead may.
    expect((await api(esc.baseUrl, 'POST', `/api/tickets/${key}/elevate`, { reason: 'Dean' }, tok('carol'))).status).to.equal(200);
  });

  it("a reporter opens tickets in their own name only; a person-less reporter token in nobody else's", async () => {
    const other = await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'For Ken', priority: 'P3', requesterId: 'ken' }, 'judy-reporter-0001');
    expect(other.status).to.equal(403);
    expect(String(other.body.message)).to.match(/You can't open tickets in someone else's name/);
    const own = await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'Mine', priority: 'P3' }, 'judy-reporter-0001');
    expect(own.status).to.equal(201);
    expect((own.body.requester as { id: string }).id).to.equal('judy');
    expect((await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'For Ken', priority: 'P3', requesterId: 'ken' }, 'anon-reporter-0001')).status).to.equal(403);
    // A person-less agent token keeps its role: it may open for anyone and escalate.
    expect((await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'For Ken', priority: 'P3', requesterId: 'ken' }, 'anon-agent-00001')).status).to.equal(201);
  });

  it('escalate: a coordinator starts the plan, a manager makes a request (reason required), a technician is told who can', async () => {
    const t = await api(esc.baseUrl, 'POST', '/api/tickets', { title: 'Exam portal down', priority: 'P2', assigneeId: 'bob' }, tok('erin'));
    const k = String(t.body.key);
    const alice = await api(esc.baseUrl, 'POST', `/api/tickets/${k}/escalate`, { reason: 'please' }, tok('alice'));
    expect(alice.status).to.equal(403);
    expect(String(alice.body.message)).to.match(/only escalation coordinators, escalation managers or admins can\. Ask Carol Diaz, your lead, to request it\./);
    const noReason = await api(esc.baseUrl, 'POST', `/api/tickets/${k}/escalate`, {}, tok('dana'));
    expect(noReason.status).to.equal(400);
    expect(String(noReason.body.message)).to.match(/A reason is required/);
    const dana = await api(esc.baseUrl, 'POST', `/api/tickets/${k}/escalate`, { reason: 'The Dean is waiting' }, tok('dana'));
    expect(dana.status, JSON.stringify(dana.body)).to.be.lessThan(300);
    expect(String(dana.body.message)).to.match(/Escalation request on .* sent to the escalation coordinators/);
    const erin = await api(esc.baseUrl, 'POST', `/api/tickets/${k}/escalate`, { reason: 'Now' }, tok('erin'));
    expect(String(erin.body.message)).to.match(/escalated by Erin Park/);
  });
});
