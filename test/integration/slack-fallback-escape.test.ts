import { expect } from 'chai';
import { TICKET_MODAL } from '../../src/adapters/slack/views.js';
import { createSlackChatNotifier } from '../../src/adapters/slack/slack-app.js';
import { loadSlackConfig } from '../../src/config/slack-env.js';
import type { FakeSlack } from '../far-side/fake-slack.js';
import { postSlack, TEST_SIGNING_SECRET, viewSubmission } from '../far-side/slack-requests.js';
import { MemoryLogger } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import { startSlackEsc } from './slack-setup.js';

const HOSTILE = '<!channel> lunch & <https://evil.example|click>';

/** Issue 12 item 6: user text in the fallback `text` of Slack posts is escaped like the blocks. */
describe('Slack fallback text escapes &, < and >', () => {
  let esc: TestEsc;
  let fake: FakeSlack;
  before(async () => {
    ({ esc, fake } = await startSlackEsc());
  });
  after(async () => {
    await esc?.stop();
    await fake?.stop();
  });

  it('a ticket opened from the modal with a title "<!channel> lunch" is posted with the title escaped in text', async () => {
    const values = {
      title: { v: { type: 'plain_text_input', value: HOSTILE } },
      priority: { v: { type: 'static_select', selected_option: { value: 'P3' } } },
      impact: { v: { type: 'static_select', selected_option: { value: 'medium' } } },
      team: { v: { type: 'static_select', selected_option: { value: 'service-desk' } } },
    };
    const r = await postSlack(esc.baseUrl, viewSubmission({ userId: 'U0BOB', callbackId: TICKET_MODAL, viewId: 'V0ESCAPE', values, privateMetadata: JSON.stringify({ c: 'C0HELPDESK' }) }));
    expect(r.status).to.equal(200);
    const post = await fake.waitFor(() => fake.callsOf('chat.postMessage').find((c) => String(c.params.text).includes('lunch')));
    expect(String(post.params.text)).to.include('&lt;!channel&gt; lunch &amp; &lt;https://evil.example|click&gt;');
    expect(String(post.params.text)).to.not.include('<!channel>');
    expect(String(post.params.blocks)).to.not.include('<!channel>');
  });

  it('a notice posted to a channel (and a DM) escapes the title and text in its fallback', async () => {
    const config = loadSlackConfig({ SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: `${fake.url}/api/` })!;
    const notifier = createSlackChatNotifier(new MemoryLogger(), config);
    const now = new Date();
    const notice = { kind: 'info', title: `P3 ESC-1: ${HOSTILE}`, text: 'Team <@U0BOB> & co', escalation: null, facts: [], actions: [], urgent: false, ticket: { id: 't', key: 'ESC-1', number: 1, title: HOSTILE, priority: 'P3', impact: 'low', status: 'new', team: 'SD', assignee: null, openedAt: now, elevated: false, escalated: false } };
    const d = (recipient: object) => ({ id: 'd', key: 'k', ticketId: 't', escalationId: null, seq: null, stepIndex: null, channel: 'chat', recipient, address: null, notice, urgent: false, dueAt: now, status: 'sending', attempts: 0, nextAttemptAt: now, leaseUntil: null, claim: 'c', providerId: null, error: null, queuedAt: now, sentAt: null, deliveredAt: null, lateMs: null, fallbackIndex: 0 }) as never;
    const before = fake.callsOf('chat.postMessage').length;
    const r1 = await notifier.send(d({ personId: null, channelId: 'C0HELPDESK', name: null }), undefined);
    expect(r1, JSON.stringify(r1)).to.deep.include({ ok: true });
    expect((await notifier.send(d({ personId: 'alice', channelId: null, name: 'Alice' }), esc.deps.directory().person('alice'))).ok).to.equal(true);
    const posts = fake.callsOf('chat.postMessage').slice(before);
    expect(posts).to.have.length(2);
    for (const p of posts) {
      expect(String(p.params.text)).to.equal('P3 ESC-1: &lt;!channel&gt; lunch &amp; &lt;https://evil.example|click&gt;: Team &lt;@U0BOB&gt; &amp; co');
    }
  });
});
