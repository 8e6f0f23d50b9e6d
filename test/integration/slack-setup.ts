import { createSlackAdapter, createSlackChatNotifier } from '../../src/adapters/slack/slack-app.js';
import { loadSlackConfig } from '../../src/config/slack-env.js';
import { FakeSlack } from '../far-side/fake-slack.js';
import { TEST_SIGNING_SECRET } from '../far-side/slack-requests.js';
import { MemoryLogger, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

/** A real Esc with the Slack adapter mounted, talking to a fake Slack Web API. */
export async function startSlackEsc(): Promise<{ esc: TestEsc; fake: FakeSlack; responseUrl: (id?: string) => string }> {
  const fake = new FakeSlack('xoxb-test-token', { 'nobody-with-slack@demo.example.edu': 'U0LOOKED' });
  const apiUrl = await fake.start();
  const config = loadSlackConfig({ SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: apiUrl })!;
  const notifier = createSlackChatNotifier(new MemoryLogger(), config);
  // A second adapter at /slack/events2 plays a second Esc process sharing the database.
  const esc = await startTestEsc({
    notifiers: [notifier],
    mounts: (deps) => [...createSlackAdapter(deps, config, { connection: () => esc.conn }).mounts, ...createSlackAdapter(deps, config, { connection: () => esc.conn }).mounts.map((m) => ({ ...m, path: '/slack/events2' }))],
  });
  let n = 0;
  return { esc, fake, responseUrl: (id) => `${fake.url}/response/${id ?? `r${++n}`}` };
}
