import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { expect } from 'chai';
import { chromium } from 'playwright-core';
import { MAX_INLINE_CHART_BYTES } from '../../src/adapters/teams/report-card.js';
import { cardBytes, MAX_CARD_BYTES } from '../../src/adapters/teams/teams-cards.js';
import { api } from '../support/harness.js';
import { AAD, activity, botMessages, startTeamsWorld } from './teams-setup.js';
import type { TeamsWorld } from './teams-setup.js';

const require = createRequire(import.meta.url);
const CHROMIUM = process.env.ESC_CHROMIUM ?? '/usr/bin/chromium';

type Card = Record<string, unknown> & { body: { type: string; url?: string; text?: string }[] };

describe('Teams: report and history', () => {
  let w: TeamsWorld;
  let key = '';
  const say = async (text: string, aad = AAD.erin) => {
    const conv = `a:dm-${aad}`;
    const from = w.fake.activities(conv).length;
    const r = await w.post(activity(w.fake, { aad, text }));
    expect(r.status, text).to.be.lessThan(500);
    return botMessages(w.fake, conv, from);
  };

  before(async function () {
    this.timeout(30_000);
    w = await startTeamsWorld();
    for (const [title, priority] of [['Projector dead, room 101', 'P1'], ['VPN "flaky"', 'P2']] as const) {
      const r = await api(w.esc.baseUrl, 'POST', '/api/tickets', { title, priority, teamId: 'service-desk', assigneeId: 'bob' });
      if (priority === 'P1') key = String(r.body.key);
    }
    w.esc.clock.advanceMinutes(45);
    await w.esc.settle();
  });
  after(async () => {
    await w?.stop();
  });

  it('`report 30d team:service-desk` answers with an Adaptive Card 1.5: figures, and the chart inline', async function () {
    this.timeout(60_000);
    const out = await say('report 30d team:service-desk');
    expect(out[0]!.text).to.match(/^Report: 30 days to /);
    const card = out[0]!.cards[0] as Card;
    expect(card).to.include({ type: 'AdaptiveCard', version: '1.5' });
    const image = card.body.find((b) => b.type === 'Image')!;
    expect(image.url).to.match(/^data:image\/png;base64,/);
    const png = Buffer.from(image.url!.slice('data:image/png;base64,'.length), 'base64');
    expect(png.length).to.be.at.most(MAX_INLINE_CHART_BYTES);
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).to.deep.equal([560, 280]);
    expect(cardBytes(card)).to.be.below(MAX_CARD_BYTES);
    const json = JSON.stringify(card);
    for (const want of ['Response SLA', 'Time to acknowledge', 'Escalations by level', 'Acknowledged by (top 5)', 'Slowest tickets', 'team service-desk', 'VPN \\"flaky\\"']) expect(json).to.include(want);

    // Valid against the Adaptive Card 1.5 schema.
    const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object);
    const { id, ...schema } = JSON.parse(readFileSync('/work/shared/specs/adaptive-cards/adaptive-card-1.5.schema.json', 'utf8')) as Record<string, unknown>;
    const validate = ajv.compile({ ...schema, $id: String(id) });
    expect(validate(card), ajv.errorsText(validate.errors)).to.equal(true);

    // Rendered once in headless Chromium with Teams' host config; the screenshot is kept to look at.
    mkdirSync('test-artifacts/reports', { recursive: true });
    writeFileSync('test-artifacts/reports/teams-report-card.json', JSON.stringify(card, null, 2));
    if (!existsSync(CHROMIUM)) return;
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
    try {
      const page = await browser.newPage({ viewport: { width: 620, height: 600 }, deviceScaleFactor: 1 });
      await page.route('**/*', (route) => route.abort()); // nothing leaves the machine (the chart is a data URI)
      await page.setContent(`<html><body style="margin:0;padding:12px;background:#f5f5f5;font-family:'Segoe UI',sans-serif"><div id="card" style="width:580px;background:#fff;border-radius:6px;box-shadow:0 1px 3px #0003"></div></body></html>`);
      await page.addScriptTag({ content: readFileSync('node_modules/adaptivecards/dist/adaptivecards.min.js', 'utf8') });
      const hostConfig = JSON.parse(readFileSync('/work/shared/specs/adaptive-cards/hostconfig-microsoft-teams-light.json', 'utf8')) as object;
      const result = (await page.evaluate(`(({ card, hostConfig }) => {
        const ac = new AdaptiveCards.AdaptiveCard();
        ac.hostConfig = new AdaptiveCards.HostConfig(hostConfig);
        const errors = [];
        ac.parse(card, errors);
        const el = ac.render();
        document.getElementById('card').appendChild(el);
        return { messages: errors.map((e) => e.message), rendered: !!el };
      })(${JSON.stringify({ card, hostConfig })})`)) as { messages: string[]; rendered: boolean };
      expect(result).to.deep.equal({ messages: [], rendered: true });
      await page.waitForFunction('[...document.images].every((i) => i.complete && i.naturalWidth > 0)');
      const size = (await page.evaluate('(() => { const i = document.images[0]; return [i.naturalWidth, i.naturalHeight]; })()')) as number[];
      expect(size).to.deep.equal([560, 280]);
      await page.locator('#card').screenshot({ path: 'test-artifacts/reports/teams-report-card.png' });
    } finally {
      await browser.close();
    }
  });

  it('refuses a technician, and explains a bad argument', async () => {
    expect((await say('report', AAD.alice))[0]!.text).to.match(/^You can't run reports: only team leads, managers, escalation coordinators/);
    expect((await say('report kind:urgent'))[0]!.text).to.match(/"urgent" is not a kind[\s\S]*Usage: `report/);
    expect((await say('report plan:nope'))[0]!.text).to.match(/There is no escalation plan "nope"/);
  });

  it('`history ESC-n` answers with the history rows as a card', async () => {
    const out = await say(`history ${key}`);
    expect(out[0]!.text).to.equal(`History of ${key}`);
    const json = JSON.stringify(out[0]!.cards[0]);
    expect(json).to.include('Created').and.include('Response SLA breached').and.include('Step 1 by chat');
    expect((await say('history ESC-999999'))[0]!.text).to.match(/ESC-999999|no ticket/i);
    expect((await say('history nope'))[0]!.text).to.match(/"nope" is not a ticket number: use ESC-1042 or 1042/);
  });
});
