import { expect } from 'chai';
import { createSlackAdapter } from '../../src/adapters/slack/slack-app.js';
import { checkText } from '../../src/app/chatops/catalog.js';
import { loadSlackConfig } from '../../src/config/slack-env.js';
import type { TestEsc } from '../support/harness.js';
import { startTestEsc } from '../support/harness.js';

describe('Slack: configuration and command parsing', () => {
  it('is off (null) when no SLACK_* variable is set', () => {
    expect(loadSlackConfig({})).to.equal(null);
    expect(loadSlackConfig({ SLACK_BOT_TOKEN: '' })).to.equal(null);
  });

  it('reports every bad variable at once, by name, and never prints a secret', () => {
    let msg = '';
    try {
      loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxp-user-token', SLACK_SIGNING_SECRET: 'short', SLACK_API_URL: 'not a url' });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).to.match(/SLACK_BOT_TOKEN/).and.match(/SLACK_SIGNING_SECRET/).and.match(/SLACK_API_URL/);
    const ok = loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2-3', SLACK_SIGNING_SECRET: 'a'.repeat(32), SLACK_API_URL: 'http://127.0.0.1:9/api' })!;
    expect(ok.apiUrl).to.equal('http://127.0.0.1:9/api/');
    expect(JSON.stringify(ok)).to.not.include('xoxb-1-2-3');
    expect(loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'a'.repeat(32) })!.apiUrl).to.equal('https://slack.com/api/');
  });

  describe('Socket Mode', () => {
    let esc: TestEsc;
    before(async () => {
      esc = await startTestEsc({ listen: false });
    });
    after(() => esc.stop());
    it('with SLACK_APP_TOKEN: no HTTP mount, no signing secret needed (not started here: it would dial Slack)', () => {
      const cfg = loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })!;
      expect(createSlackAdapter(esc.deps, cfg).mounts).to.deep.equal([]);
    });
  });

  const table: [string, string][] = [
    ['', 'help'],
    ['help', 'help'],
    ['ticket  Printer   on fire', 'ticket'],
    ['ACK esc-1042', 'ack'],
    ['escalate #7 the dean is waiting', 'escalate'],
    ['resolve 12', 'resolve'],
    ['status', 'usage'],
    ['status ESC-abc', 'usage'],
    ['list', 'list'],
    ['list mine', 'list'],
    ['list everything', 'usage'],
    ['plan simulate standard p2', 'simulate'],
    ['plan simulate standard P9', 'usage'],
    ['plan', 'usage'],
    ['report', 'report'],
    ['dance', 'usage'],
  ];
  for (const [text, kind] of table) {
    it(`reads "/esc ${text}" as ${kind}`, () => {
      const early = checkText(text);
      if (kind === 'help') expect(early?.view?.kind).to.equal('help');
      else if (kind === 'usage') expect(early?.ok).to.equal(false);
      else expect(early, early?.text).to.equal(null);
    });
  }
});
