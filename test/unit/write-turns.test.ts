import { expect } from 'chai';
import { WriteTurns } from '../../src/lib/write-turns.js';

/** A write that ends when `done()` is called; `started` says whether it began. */
function gate() {
  let done!: () => void;
  const p = new Promise<void>((r) => (done = r));
  const g = { started: false, done: () => done(), run: () => ((g.started = true), p) };
  return g;
}
const tick = () => new Promise((r) => setImmediate(r));

describe('WriteTurns (issue 18: an acknowledgement waits behind at most one background write)', () => {
  it('an urgent write starts at once, even while a background write runs', async () => {
    const t = new WriteTurns();
    const bg = gate();
    const urgent = gate();
    const b = t.later(bg.run);
    await tick();
    const u = t.now(urgent.run);
    await tick();
    expect(bg.started && urgent.started).to.equal(true);
    urgent.done();
    bg.done();
    await Promise.all([b, u]);
  });

  it('background writes run one at a time, and not while an urgent write is in flight', async () => {
    const t = new WriteTurns();
    const urgent = gate();
    const u = t.now(urgent.run);
    const a = gate();
    const b = gate();
    const pa = t.later(a.run);
    const pb = t.later(b.run);
    await tick();
    expect([a.started, b.started, t.queued]).to.deep.equal([false, false, 2]);
    urgent.done();
    await u;
    await tick();
    expect([a.started, b.started]).to.deep.equal([true, false]);
    a.done();
    await pa;
    await tick();
    expect(b.started).to.equal(true);
    b.done();
    await pb;
  });

  it('a steady stream of urgent writes (one at a time) does not starve the background: it gets a turn after each', async () => {
    const t = new WriteTurns();
    const order: string[] = [];
    const bgDone = Array.from({ length: 3 }, (_, i) => t.later(async () => void order.push(`bg${i}`)));
    // Urgent writes back to back, as the intake's write loop does.
    for (let i = 0; i < 3; i++) {
      await t.now(async () => {
        order.push(`u${i}`);
        await tick();
      });
    }
    await Promise.all(bgDone);
    expect(order.filter((o) => o.startsWith('bg'))).to.have.length(3);
    // The first background write ran before the second urgent one began.
    expect(order.indexOf('bg0')).to.be.lessThan(order.indexOf('u1'));
  });

  it('while the background is behind, a background write starts beside an urgent one (still one at a time)', async () => {
    let behind = false;
    const t = new WriteTurns(1, () => behind);
    const urgent = gate();
    const u = t.now(urgent.run);
    const a = gate();
    const b = gate();
    const pa = t.later(a.run);
    await tick();
    expect(a.started).to.equal(false);
    behind = true;
    const pb = t.later(b.run);
    await tick();
    // `a` was queued first: it goes when the background may (the next turn), `b` after it.
    a.done();
    urgent.done();
    await Promise.all([u, pa]);
    await tick();
    expect(b.started).to.equal(true);
    const c = gate();
    const u2 = t.now(c.run);
    const d = gate();
    b.done();
    await pb;
    const pd = t.later(d.run);
    await tick();
    expect(d.started).to.equal(true);
    c.done();
    d.done();
    await Promise.all([u2, pd]);
  });

  it('a failing write releases its turn', async () => {
    const t = new WriteTurns();
    await t.later(() => Promise.reject(new Error('refused'))).catch(() => undefined);
    await t.now(() => Promise.reject(new Error('refused'))).catch(() => undefined);
    expect(await t.later(async () => 'ran')).to.equal('ran');
  });
});
