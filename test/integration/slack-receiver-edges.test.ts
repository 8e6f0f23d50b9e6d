import { expect } from 'chai';
import { request } from 'node:http';
import type { ClientRequest } from 'node:http';
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

  it('many large bodies at once: past 16 MB being read, a large one gets 429 (not 5xx); small requests still pass, and all is free again after', async () => {
    const url = new URL(`${esc.baseUrl}/slack/events`);
    const part = Buffer.alloc(1_000_000, 'a');
    const open = (declared: number) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(declared) } });
      const status = new Promise<number>((resolve) => {
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', () => resolve(0));
      });
      return { req, status };
    };
    // 16 bodies of 1,000,000 bytes held open (each declares a little more and never finishes).
    const held: ClientRequest[] = [];
    for (let i = 0; i < 16; i++) {
      const h = open(part.length + 10);
      h.req.write(part);
      held.push(h.req);
    }
    await new Promise((r) => setTimeout(r, 500));
    // A small signed request still fits.
    expect((await postSlack(esc.baseUrl, 'payload=null')).status).to.equal(400);
    // One more large body does not: it is read to its end and refused with 429.
    const extra = open(part.length);
    extra.req.end(part);
    expect(await extra.status).to.equal(429);
    for (const h of held) h.destroy();
    await new Promise((r) => setTimeout(r, 300));
    // Freed: a large body is read again (and refused for its signature, not for room).
    const again = open(part.length);
    again.req.end(part);
    expect(await again.status).to.equal(401);
  });
});
