import { expect } from 'chai';
import { WorkQueue } from '../../src/adapters/slack/work-queue.js';

describe('Slack: the work queue after the ack', () => {
  it('never runs more than its concurrency at once, and runs everything pushed', async () => {
    const q = new WorkQueue(3);
    let running = 0;
    let peak = 0;
    let done = 0;
    const task = async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, Math.random() * 5));
      running -= 1;
      done += 1;
    };
    for (let i = 0; i < 60; i++) q.push(task);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => q.run(async () => (await task(), i))));
    while (done < 80) await new Promise((r) => setTimeout(r, 5));
    expect(peak).to.equal(3);
    expect(results).to.deep.equal(Array.from({ length: 20 }, (_, i) => i));
  });

  it('reports a failed pushed task and keeps going', async () => {
    const errors: unknown[] = [];
    const q = new WorkQueue(1, 10, (e) => errors.push(e));
    q.push(async () => {
      throw new Error('boom');
    });
    expect(await q.run(async () => 'next')).to.equal('next');
    expect(errors.map((e) => (e as Error).message)).to.deep.equal(['boom']);
  });
});
