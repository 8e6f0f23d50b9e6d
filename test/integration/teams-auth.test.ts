import { expect } from 'chai';
import { SigningKey, signToken } from '../far-side/fake-teams-auth.js';
import { AAD, APP_ID, activity, botMessages, startTeamsWorld } from './teams-setup.js';
import type { TeamsWorld } from './teams-setup.js';

describe('Teams: /api/messages authentication', () => {
  let w: TeamsWorld;
  before(async () => {
    w = await startTeamsWorld();
  });
  after(async () => {
    await w?.stop();
  });

  it('accepts a valid channel token and replies through the connector at the serviceUrl', async () => {
    const before = w.fake.activities().length;
    const r = await w.post(activity(w.fake, { aad: AAD.alice, text: 'help' }));
    expect(r.status).to.equal(200);
    const msgs = botMessages(w.fake, `a:dm-${AAD.alice}`, 0);
    expect(w.fake.activities().length).to.be.greaterThan(before);
    expect(msgs.at(-1)!.text).to.match(/Esc commands/);
    expect(w.fake.activities().at(-1)!.auth).to.equal('Bearer fake-outbound-token');
  });

  it('refuses every bad token with 401, never 500', async () => {
    const a = () => activity(w.fake, { aad: AAD.alice, text: 'help' });
    const other = new SigningKey();
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, { claims?: Record<string, unknown>; header?: string | null }][] = [
      ['missing', { header: null }],
      ['not a bearer', { header: 'Basic abc' }],
      ['garbage', { header: 'Bearer not.a.jwt' }],
      ['wrong audience', { claims: { aud: '00000000-1111-2222-3333-444444444444' } }],
      ['wrong serviceurl claim', { claims: { serviceurl: 'https://evil.example.com/' } }],
      ['wrong issuer', { claims: { iss: 'https://evil.example.com' } }],
      ['expired', { claims: { exp: now - 3600, nbf: now - 7200 } }],
      ['wrong signing key, same kid', { header: `Bearer ${signToken(other, { aud: APP_ID, serviceurl: w.fake.serviceUrl }, w.fake.key.kid)}` }],
      ['unknown kid', { header: `Bearer ${signToken(other, { aud: APP_ID, serviceurl: w.fake.serviceUrl })}` }],
    ];
    for (const [name, auth] of cases) {
      const r = await w.post(a(), auth);
      expect(r.status, name).to.equal(401);
    }
  });

  it('answers 400 to bodies that are not activities, whatever the token', async () => {
    const url = `${w.esc.baseUrl}/api/messages`;
    for (const body of ['{"type":', '[]', '"text"', '{}', '{"type": 42}']) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer x' }, body });
      expect(res.status, body).to.equal(400);
    }
    expect((await fetch(url)).status).to.equal(405);
  });
});
