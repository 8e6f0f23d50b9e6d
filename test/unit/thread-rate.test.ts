import { expect } from 'chai';
import { ThreadRate } from '../../src/adapters/teams/thread-rate.js';

describe('Teams per-conversation rate (7 per second)', () => {
  it('lets 7 through in a second, holds the 8th back for the rest of the window, per conversation', () => {
    let t = 1_000_000;
    const r = new ThreadRate(7, () => t);
    for (let i = 0; i < 7; i++) expect(r.take('a')).to.equal(0);
    t += 400;
    expect(r.take('a')).to.equal(600);
    expect(r.take('b')).to.equal(0);
    t += 600;
    expect(r.take('a')).to.equal(0);
  });
});
