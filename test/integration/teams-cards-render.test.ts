import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { sampleCards } from './teams-sample-cards.js';

const CHROMIUM = process.env.ESC_CHROMIUM ?? '/usr/bin/chromium';
const OUT = 'test-artifacts/cards';

/**
 * Runs in the page (plain JS: the project has no DOM types). adaptivecards 1.2 (the version
 * botbuilder pins) predates Action.Execute, so it renders each action's Action.Submit fallback:
 * what an older Teams client shows.
 */
const RENDER = `({ card, hostConfig }) => {
  const ac = new AdaptiveCards.AdaptiveCard();
  ac.hostConfig = new AdaptiveCards.HostConfig(hostConfig);
  const errors = [];
  ac.parse(card, errors);
  const el = ac.render();
  const host = document.getElementById('card');
  host.innerHTML = '';
  if (el) host.appendChild(el);
  return { messages: errors.map((e) => e.message), buttons: host.querySelectorAll('button').length, rendered: !!el };
}`;

/** Renders every card as Teams would (adaptivecards 3 in Chromium, Teams' light host config) and screenshots it. */
describe('Teams: cards render in a browser', function () {
  this.timeout(60_000);
  let browser: Browser | null = null;
  before(async function () {
    if (!existsSync(CHROMIUM)) {
      // Rendering needs Debian's chromium (apt-get install -y chromium); schema checks still run elsewhere.
      this.skip();
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
    mkdirSync(OUT, { recursive: true });
  });
  after(async () => {
    await browser?.close();
  });

  it('renders each card without parse errors, every action visible, and saves a screenshot', async () => {
    const lib = readFileSync('node_modules/adaptivecards/dist/adaptivecards.min.js', 'utf8');
    const hostConfig = JSON.parse(readFileSync('/work/shared/specs/adaptive-cards/hostconfig-microsoft-teams-light.json', 'utf8')) as object;
    const page = await browser!.newPage({ viewport: { width: 520, height: 400 }, deviceScaleFactor: 1 });
    await page.route('**/*', (route) => route.abort()); // nothing leaves the machine
    await page.setContent(`<html><head><style>body{margin:0;padding:12px;background:#f5f5f5;font-family:'Segoe UI',sans-serif} #card{width:480px;background:#fff;border-radius:6px;box-shadow:0 1px 3px #0003}</style></head><body><div id="card"></div></body></html>`);
    await page.addScriptTag({ content: lib });
    for (const [name, card] of sampleCards()) {
      const result = (await page.evaluate(`(${RENDER})(${JSON.stringify({ card, hostConfig })})`)) as { messages: string[]; buttons: number; rendered: boolean };
      expect(result.rendered, name).to.equal(true);
      // The designed path on an older renderer: Action.Execute unknown, its Action.Submit fallback used.
      expect(result.messages.filter((m) => !/^Unknown action type: Action\.Execute\. Fallback will be used/.test(m)), name).to.deep.equal([]);
      const actions = ((card as { actions?: unknown[] }).actions ?? []).length;
      expect(result.buttons, name).to.be.at.least(actions);
      const file = `${OUT}/${name.replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '')}.png`;
      await page.locator('#card').screenshot({ path: file });
    }
  });
});
