/** The on-call messenger for Slack + Teams: the first that carries a message posts it; edits go to the platform that posted. */
import { expect } from 'chai';
import { OnCallMessengers } from '../../src/adapters/oncall-messengers.js';
import type { OnCallMessage, OnCallMessenger, PostedMessage } from '../../src/app/ports/oncall.js';

/** A platform that carries channels matching `owns` (a far-side stand-in for the port). */
function platform(name: string, owns: RegExp, opts: { fail?: boolean } = {}) {
  const posts: string[] = [];
  const edits: string[] = [];
  const m: OnCallMessenger = {
    async post(msg: OnCallMessage) {
      const to = 'channelId' in msg.to ? msg.to.channelId : msg.to.personId;
      if (!owns.test(to)) return { sent: false };
      if (opts.fail) throw new Error(`${name} is down`);
      posts.push(to);
      return { sent: true, posted: { platform: name, conversationId: to, messageId: `${posts.length}` } };
    },
    async update(p: PostedMessage, msg) {
      if (p.platform !== name) return false;
      edits.push(msg.text);
      return true;
    },
  };
  return { m, posts, edits };
}

describe('OnCallMessengers (Slack + Teams)', () => {
  const msg = (to: OnCallMessage['to']): OnCallMessage => ({ to, text: 'hello', key: 'k' });

  it('posts to the platform that owns the channel, and edits there', async () => {
    const slack = platform('slack', /^C/);
    const teams = platform('teams', /^19:/);
    const both = new OnCallMessengers([slack.m, teams.m]);
    const a = await both.post(msg({ channelId: 'C0DESK' }), undefined);
    const b = await both.post(msg({ channelId: '19:desk@thread.tacv2' }), undefined);
    expect([a.posted?.platform, b.posted?.platform]).to.deep.equal(['slack', 'teams']);
    expect(await both.update(b.posted!, { text: 'taken' })).to.equal(true);
    expect([slack.edits, teams.edits]).to.deep.equal([[], ['taken']]);
    expect(await both.post(msg({ channelId: 'X-unknown' }), undefined)).to.deep.equal({ sent: false });
  });

  it('a platform that fails is skipped for the next; the failure is thrown only when none sent', async () => {
    const down = platform('slack', /./, { fail: true });
    const teams = platform('teams', /^alice$/);
    const both = new OnCallMessengers([down.m, teams.m]);
    expect((await both.post(msg({ personId: 'alice' }), undefined)).sent).to.equal(true);
    let thrown: unknown = null;
    await both.post(msg({ personId: 'bob' }), undefined).catch((e: unknown) => (thrown = e));
    expect((thrown as Error).message).to.equal('slack is down');
  });
});
