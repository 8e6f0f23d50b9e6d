import { expect } from 'chai';
import { api, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

/** Issue 13: a refused alert frees its dedup key; dedup keys must be well-formed Unicode. */
describe('alerts: refused alerts and malformed dedup keys', () => {
  let esc: TestEsc;
  before(async () => {
    esc = await startTestEsc();
  });
  after(async () => {
    await esc.stop();
  });
  const post = (body: unknown) => api(esc.baseUrl, 'POST', '/api/alerts', body, 'demo-monitor-token');

  it('after a 422 (unknown team) the next valid alert with that key opens a ticket at once', async () => {
    const key = 'db01:disk-full';
    const refused = await post({ dedupKey: key, title: 'Disk full on db01', priority: 'P2', teamId: 'no-such-team' });
    expect(refused.status).to.equal(422);
    const t0 = Date.now();
    const ok = await post({ dedupKey: key, title: 'Disk full on db01', priority: 'P2' });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
    expect(Date.now() - t0, 'no wait on a stale claim').to.be.below(2000);
    const repeat = await post({ dedupKey: key, title: 'Disk full on db01', priority: 'P2' });
    expect(repeat.status).to.equal(200);
    expect((repeat.body.ticket as { id: string }).id).to.equal((ok.body.ticket as { id: string }).id);
  });

  it('refuses lone surrogates in dedupKey with a 400 naming the field; distinct keys never collide', async () => {
    for (const bad of ['\ud800', '\udc00', 'x\udbffy', '\udc00\ud800']) {
      const r = await post({ dedupKey: bad, title: 'Broken key', priority: 'P3' });
      expect(r.status, JSON.stringify(bad)).to.equal(400);
      expect(String(r.body.message)).to.match(/dedupKey/).and.match(/Unicode/);
    }
    // A proper pair (an emoji) is fine, and differs from another one.
    const a = await post({ dedupKey: 'k-\ud83d\ude00', title: 'Emoji A', priority: 'P3' });
    const b = await post({ dedupKey: 'k-\ud83d\ude01', title: 'Emoji B', priority: 'P3' });
    expect([a.status, b.status]).to.deep.equal([201, 201]);
    expect((a.body.ticket as { id: string }).id).to.not.equal((b.body.ticket as { id: string }).id);
  });
});
