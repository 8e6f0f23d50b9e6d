import { expect } from 'chai';
import { AAD, APP_ID, activity, botMessages, startTeamsWorld } from './teams-setup.js';
import type { TeamsWorld } from './teams-setup.js';

/** Issue 13: a personal install sends conversationUpdate and installationUpdate; Esc greets once. */
describe('Teams: one greeting per install', () => {
  let w: TeamsWorld;
  before(async () => {
    w = await startTeamsWorld();
  });
  after(async () => {
    await w?.stop();
  });
  const greetings = (conversationId: string) => botMessages(w.fake, conversationId).filter((m) => /Hi, I am Esc/.test(m.text)).length;

  it('conversationUpdate then installationUpdate (and the reverse, and a replay) greet once per conversation', async () => {
    const dmBob = `a:dm-${AAD.bob}`;
    await w.post(activity(w.fake, { aad: AAD.bob, type: 'conversationUpdate', extra: { membersAdded: [{ id: `28:${APP_ID}` }] } }));
    await w.post(activity(w.fake, { aad: AAD.bob, type: 'installationUpdate', extra: { action: 'add' } }));
    await w.post(activity(w.fake, { aad: AAD.bob, type: 'installationUpdate', extra: { action: 'add' } }));
    expect(greetings(dmBob)).to.equal(1);

    const dmErin = `a:dm-${AAD.erin}`;
    await Promise.all([
      w.post(activity(w.fake, { aad: AAD.erin, type: 'installationUpdate', extra: { action: 'add' } })),
      w.post(activity(w.fake, { aad: AAD.erin, type: 'conversationUpdate', extra: { membersAdded: [{ id: `28:${APP_ID}` }] } })),
    ]);
    expect(greetings(dmErin)).to.equal(1);
    expect(w.esc.log.errors()).to.deep.equal([]);
  });

  it('a reinstall after the window greets again', async () => {
    const dm = `a:dm-${AAD.alice}`;
    await w.post(activity(w.fake, { aad: AAD.alice, type: 'installationUpdate', extra: { action: 'add' } }));
    w.esc.clock.advanceMinutes(11);
    await w.post(activity(w.fake, { aad: AAD.alice, type: 'installationUpdate', extra: { action: 'add' } }));
    expect(greetings(dm)).to.equal(2);
  });
});
