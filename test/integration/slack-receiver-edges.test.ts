import { expect } from 'chai';
import { signSlackRequest } from '../../src/adapters/slack/signature.js';
import { TEST_SIGNING_SECRET, postSlack } from '../far-side/slack-requests.js';
import { startSlackEsc } from './slack-setup.js';
import type { FakeSlack } from '../far-side/fake-slack.js';
import type { TestEsc } from '../support/harness.js';

/** Issue 12 item 6: signed bodies that are not objects, and bodies over 1 MB. */
describe('Slack receiver: null bodies get 400, oversized bodies 413', () => {
  let esc: TestEsc;
  let fake: FakeSlack;
  const rejections: unknown[] = [];
  const onRejection = (r: unknown) => rejections.push(r);
  before(async () => {
    ({ esc, fake } = await startSlackEsc());
    process.on('unhandledRejection', onRejection);
  });
  after(async () => {
    process.off('unhandledRejection', onRejection);
    await esc?.stop();
    await fake?.stop();
  });

  const postJson = async (body: string) => {
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(`${esc.baseUrl}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signSlackRequest(TEST_SIGNING_SECRET, ts, body) },
      body,
      signal: AbortSignal.timeout(5000),
    });
    return { status: res.status, text: await res.text() };
  };

  it('a signed payload=null, payload=[], payload=1 or JSON null/[]/"x" gets 400, no unhandled rejection', async () => {
    for (const body of ['payload=null', 'payload=%5B%5D', 'payload=1', 'payload=%22x%22']) {
      const r = await postSlack(esc.baseUrl, body);
      expect(r.status, body).to.equal(400);
      expect(r.text).to.match(/malformed/);
    }
    for (const body of ['null', '[]', '"x"', '42']) {
      const r = await postJson(body);
      expect(r.status, body).to.equal(400);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(rejections, 'unhandled rejections').to.have.length(0);
  });

  it('a body over 1 MB gets 413 (not a reset connection); the server still answers afterwards', async () => {
    const big = `payload=${'x'.repeat(1024 * 1024 + 10)}`;
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(`${esc.baseUrl}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signSlackRequest(TEST_SIGNING_SECRET, ts, big) },
      body: big,
    });
    expect(res.status).to.equal(413);
    expect(await res.text()).to.match(/over 1 MB/);
    // A chunked body (no Content-Length) over the limit too.
    const chunks = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 20; i++) c.enqueue(new TextEncoder().encode('y'.repeat(64 * 1024)));
        c.close();
      },
    });
    const res2 = await fetch(`${esc.baseUrl}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: chunks, duplex: 'half' } as RequestInit);
    expect(res2.status).to.equal(413);
    expect((await postSlack(esc.baseUrl, 'payload=null')).status).to.equal(400);
  });
});
