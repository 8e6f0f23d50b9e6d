// Issue 18: the grouped forms of per-ticket marks keep the meaning of the upserts they replace
// (real database): report_dirty marks are bumped (v + 1) or created (v 1); a ticket message's
// sync mark is created once and never reset.
import { expect } from 'chai';
import { startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

describe('issue 18: grouped report and message marks (real database)', () => {
  let esc: TestEsc;
  before(async () => {
    esc = await startTestEsc({});
  });
  after(async () => {
    await esc.stop();
  });

  it('markDirty: new marks start at 1, marked ones go up by one, a cleared mark starts again (as one $inc upsert each)', async () => {
    const r = esc.deps.reports;
    const v = async () => Object.fromEntries((await r.dirty(1000)).filter((m) => m.ticketId.startsWith('gm-')).map((m) => [m.ticketId, m.v]));
    await r.markDirty(['gm-a', 'gm-b']);
    expect(await v()).to.deep.equal({ 'gm-a': 1, 'gm-b': 1 });
    await r.markDirty(['gm-a', 'gm-c', 'gm-a']);
    expect(await v()).to.deep.equal({ 'gm-a': 2, 'gm-b': 1, 'gm-c': 1 });
    await r.clearDirty([{ ticketId: 'gm-a', v: 2 }]);
    await r.markDirty(['gm-a', 'gm-b']);
    expect(await v()).to.deep.equal({ 'gm-a': 1, 'gm-b': 2, 'gm-c': 1 });
  });

  it('markDirty after a mark (`marked`): one update bumps the marks still there; one cleared meanwhile is stored again', async () => {
    const r = esc.deps.reports;
    const v = async () => Object.fromEntries((await r.dirty(1000)).filter((m) => m.ticketId.startsWith('gmm-')).map((m) => [m.ticketId, m.v]));
    await r.markDirty(['gmm-a', 'gmm-b']);
    await r.markDirty(['gmm-a', 'gmm-b'], { marked: true });
    expect(await v()).to.deep.equal({ 'gmm-a': 2, 'gmm-b': 2 });
    // The reports module consumed one mark between the two.
    await r.clearDirty([{ ticketId: 'gmm-b', v: 2 }]);
    await r.markDirty(['gmm-a', 'gmm-b'], { marked: true });
    expect(await v()).to.deep.equal({ 'gmm-a': 3, 'gmm-b': 1 });
  });

  it('recordMany: one sync mark per ticket, an existing (stale) mark is left as it is; the same place twice is one message', async () => {
    const repo = esc.deps.ticketMessages!;
    const at = new Date();
    const msg = (ticketId: string, ts: string) => ({ ticketId, kind: 'channel_post' as const, where: { platform: 'slack' as const, channel: 'C1', ts }, recipientId: null, createdAt: at });
    await repo.recordMany([msg('gm-t1', '1.1')]);
    await repo.markStale(['gm-t1']);
    await repo.recordMany([msg('gm-t1', '1.2'), msg('gm-t2', '2.1'), msg('gm-t1', '1.2')]);
    const stale = (await repo.stale(new Date(at.getTime() + 1000), 100)).filter((m) => m.ticketId.startsWith('gm-'));
    expect(stale, 'gm-t1 keeps its stale mark (v 1); gm-t2 is not stale').to.deep.equal([{ ticketId: 'gm-t1', v: 1 }]);
    expect((await repo.forTicket('gm-t1')).map((m) => (m.where as { ts: string }).ts)).to.deep.equal(['1.1', '1.2']);
    expect(await repo.forTicket('gm-t2')).to.have.length(1);
  });
});
