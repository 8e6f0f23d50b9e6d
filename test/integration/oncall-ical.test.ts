/** The iCal feeds of a rotation and of a person, parsed back by a calendar library (ical.js, Mozilla's). */
import { expect } from 'chai';
import ICAL from 'ical.js';
import { api, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import { PEOPLE_TOKENS, tok } from '../support/people-tokens.js';

describe('iCal feeds of rotations and people (token in the URL)', function () {
  this.timeout(30_000);
  let esc: TestEsc;
  before(async () => {
    esc = await startTestEsc({ env: { ESC_API_TOKENS: PEOPLE_TOKENS } });
  });
  after(async () => esc?.stop());

  const events = (ics: string) => new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));

  it('a rotation feed: every shift with its person, parsed by ical.js; an override shows; a bad token is refused', async () => {
    // Bob covers Tuesday 10:00-14:00 (an override by the lead).
    const o = await api(esc.baseUrl, 'POST', '/api/overrides', { team: 'service-desk', person: 'bob', from: '2026-11-24T10:00:00-08:00', to: '2026-11-24T14:00:00-08:00', reason: 'dentist' }, tok('carol'));
    expect(o.status).to.equal(201);
    const link = await api(esc.baseUrl, 'GET', '/api/rotations/service-desk-oncall/ical-url', undefined, tok('alice'));
    const url = String(link.body.url);
    const res = await fetch(`${esc.baseUrl}${url}`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/calendar/);
    const ics = await res.text();
    const cal = new ICAL.Component(ICAL.parse(ics));
    expect(cal.getFirstPropertyValue('x-wr-calname')).to.equal('Service Desk on call');
    const evs = events(ics);
    const shown = evs.slice(0, 5).map((e) => `${e.startDate.toJSDate().toISOString()} → ${e.endDate.toJSDate().toISOString()}  ${e.summary}`);
    console.log(`      ical.js read ${evs.length} events; the first:\n${shown.map((l) => `        ${l}`).join('\n')}`);
    const at = (iso: string) => evs.find((e) => e.startDate.toJSDate().getTime() <= Date.parse(iso) && Date.parse(iso) < e.endDate.toJSDate().getTime());
    expect(at('2026-11-23T18:00:00Z')?.summary).to.equal('Alice Ng on call (primary)');
    expect(at('2026-11-24T19:00:00Z')?.summary).to.equal('Bob Okafor on call (primary)');
    expect(at('2026-11-24T19:00:00Z')?.description).to.include('override');
    expect(at('2026-12-01T18:00:00Z')?.summary).to.equal('Bob Okafor on call (primary)');
    expect(new Set(evs.map((e) => e.uid)).size).to.equal(evs.length);
    const bad = await fetch(`${esc.baseUrl}/api/rotations/service-desk-oncall.ics?token=nope`);
    expect(bad.status).to.equal(403);
    const other = await fetch(`${esc.baseUrl}/api/rotations/infra-oncall.ics?${url.split('?')[1]}`);
    expect(other.status).to.equal(403);
  });

  it("a person's feed: only their shifts", async () => {
    const link = await api(esc.baseUrl, 'GET', '/api/people/bob/ical-url', undefined, tok('bob'));
    const ics = await (await fetch(`${esc.baseUrl}${String(link.body.url)}`)).text();
    const evs = events(ics);
    expect(evs.length).to.be.greaterThan(3);
    for (const e of evs) expect(e.summary).to.equal('On call: Service Desk (primary)');
  });

  it('the link key is its own: rotating ESC_API_TOKENS keeps links working; ESC_ICAL_SECRET set (or changed) invalidates them', async () => {
    const link = String((await api(esc.baseUrl, 'GET', '/api/rotations/service-desk-oncall/ical-url', undefined, tok('alice'))).body.url);
    // Another Esc on the same database with other API tokens (a rotation): the same link, still served.
    const rotated = await startTestEsc({ uri: esc.uri, env: { ESC_API_TOKENS: 'brand-new-admin-token:admin:erin' } });
    try {
      expect((await fetch(`${rotated.baseUrl}${link}`)).status).to.equal(200);
      const again = String((await api(rotated.baseUrl, 'GET', '/api/rotations/service-desk-oncall/ical-url', undefined, 'brand-new-admin-token')).body.url);
      expect(again).to.equal(link);
    } finally {
      await rotated.stop();
    }
    // An operator sets ESC_ICAL_SECRET: the stored random key is no longer used, old links get 403 with what to do.
    const secret = await startTestEsc({ uri: esc.uri, env: { ESC_API_TOKENS: PEOPLE_TOKENS, ESC_ICAL_SECRET: 'a-calendar-secret-of-32-characters!' } });
    try {
      const old = await fetch(`${secret.baseUrl}${link}`);
      expect(old.status).to.equal(403);
      expect(((await old.json()) as { message: string }).message).to.include('ask Esc for a new one');
      const fresh = String((await api(secret.baseUrl, 'GET', '/api/rotations/service-desk-oncall/ical-url', undefined, tok('alice'))).body.url);
      expect(fresh).to.not.equal(link);
      expect((await fetch(`${secret.baseUrl}${fresh}`)).status).to.equal(200);
    } finally {
      await secret.stop();
    }
    // The key is not derived from the API tokens: the stored key is one random document.
    const doc = await esc.conn.collection('esc_secrets').findOne({ _id: 'ical-feed-key' } as never);
    expect(Buffer.from(String(doc?.key), 'base64')).to.have.length(32);
  });
});
