/**
 * Issue 16's closing samples: the Slack App Home (Block Kit as text) and the Teams home card
 * (rendered with the Teams host config in Chromium) as a technician, a coordinator and a lead
 * see them, and a confidential ticket as an outsider sees it. Written to test-artifacts/home/,
 * and to docs/samples/ with ESC_WRITE_SAMPLES=1.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { chromium } from 'playwright-core';
import { homeBlocks } from '../../src/adapters/slack/home-blocks.js';
import { ticketBlocks } from '../../src/adapters/slack/blocks.js';
import { homeCard } from '../../src/adapters/teams/teams-home.js';
import { ticketCard } from '../../src/adapters/teams/teams-cards.js';
import type { ChatContext } from '../../src/app/chatops/answer.js';
import { runText } from '../../src/app/chatops/catalog.js';
import { personalHome } from '../../src/app/use-cases/home.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import { buildTicketView } from '../../src/app/views/ticket-view.js';
import { TestClock, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

const CHROMIUM = process.env.ESC_CHROMIUM ?? '/usr/bin/chromium';
const OUT = process.env.ESC_WRITE_SAMPLES ? 'docs/samples' : 'test-artifacts/home';

/** Block Kit as text: what each block says, in order. */
function blockText(blocks: Record<string, unknown>[]): string {
  return blocks
    .map((b) => {
      if (b.type === 'divider') return '---';
      if (b.type === 'context') return `  (${(b.elements as { text: string }[]).map((e) => e.text).join(' ')})`;
      if (b.type === 'actions') return `  [${(b.elements as { text?: { text: string }; placeholder?: { text: string } }[]).map((e) => e.text?.text ?? e.placeholder?.text ?? '?').join('] [')}]`;
      const fields = (b.fields as { text: string }[] | undefined)?.map((f) => f.text.replace('\n', ': ')).join(' | ');
      return String((b.text as { text: string } | undefined)?.text ?? fields ?? '');
    })
    .join('\n');
}

describe('Home and confidential samples (issue 16): Block Kit as text, Teams cards as PNG', function () {
  this.timeout(60_000);
  let esc: TestEsc;
  const clock = new TestClock();
  before(async () => {
    clock.set('2026-11-23T17:00:00Z'); // Monday 09:00 Pacific
    esc = await startTestEsc({ clock });
    mkdirSync(OUT, { recursive: true });
  });
  after(async () => {
    await esc?.stop();
  });

  const ctx = (id: string): ChatContext => {
    const p = esc.deps.directory().person(id)!;
    return { person: p, actor: { personId: p.id, via: 'slack', name: p.name }, platform: 'slack', zone: p.timeZone, conversationId: null };
  };
  const say = async (who: string, text: string) => (await runText(esc.deps, ctx(who), text)).text;

  it('a technician, a coordinator and a lead see their sections; an outsider sees a confidential ticket as nothing', async () => {
    const open = (title: string, extra: Record<string, unknown>) => openTicket(esc.deps, { title, priority: 'P2', requesterId: 'judy', teamId: 'service-desk', source: 'api', ...extra }, { personId: 'erin', via: 'api' });
    const mine = await open('Projector dead in Hall B', { assigneeId: 'alice' });
    await open('Wi-Fi drops in the Library, 3rd floor', { assigneeId: 'alice', priority: 'P3' });
    expect(await say('bob', `page ESC-${mine.number} @alice the projector again, lecture at 10`)).to.match(/paged by Bob/);
    const req = await open('Exam portal down for the Dean', { assigneeId: 'bob', priority: 'P3' });
    expect(await say('ken', `request ESC-${req.number} the Dean runs an exam at ten`)).to.match(/request/i);
    const secret = await open('Dean Okafor mailbox compromised', { assigneeId: 'bob', confidential: true });
    // The engine is not run: with no chat platform configured here, a run would mark the pages outboxed (not sent, so not waiting).
    clock.advance(25 * 60_000); // 09:25: the P2 response targets are close
    const files: string[] = [];
    const teamsCards: [string, object][] = [];
    for (const [who, role] of [['alice', 'technician'], ['frank', 'coordinator'], ['carol', 'lead']] as const) {
      const home = await personalHome(esc.deps, esc.deps.directory().person(who)!);
      const text = `Slack App Home of ${home.name} (${role}), Block Kit as text\n\n${blockText(homeBlocks(home) as Record<string, unknown>[])}\n`;
      writeFileSync(`${OUT}/home-slack-${role}.txt`, text);
      files.push(`home-slack-${role}.txt`);
      teamsCards.push([`home-teams-${role}`, homeCard(home)]);
      if (who === 'alice') expect(text).to.include('Projector dead in Hall B').and.include('paged by hand');
      if (who === 'frank') expect(text).to.include('the Dean runs an exam at ten');
      if (who === 'carol') expect(text).to.include("My teams' tickets that breach today").and.include('Dean Okafor mailbox compromised (confidential)');
      expect(text, `${who}: nothing of a confidential ticket they may not see`).to.satisfy((t: string) => who === 'carol' || !t.includes('mailbox'));
    }
    // A confidential ticket as an outsider (Henry, infrastructure) sees it: on every path, nothing.
    const shared = await buildTicketView(esc.deps, (await esc.deps.tickets.get(secret.id))!, null);
    const outsider = [
      `Confidential ticket ESC-${secret.number} as Henry Adeyemi (infrastructure technician) sees it`,
      '',
      `/esc status ESC-${secret.number} → ${await say('henry', `status ESC-${secret.number}`)}`,
      `/esc history ESC-${secret.number} → ${await say('henry', `history ESC-${secret.number}`)}`,
      `/esc list open → ${(await say('henry', 'list open')).includes(`ESC-${secret.number}`) ? 'lists it (WRONG)' : 'not listed'}`,
      '',
      'The post in the team channel (Block Kit as text):',
      blockText(ticketBlocks(shared) as Record<string, unknown>[]),
      '',
    ].join('\n');
    expect(outsider).to.include(`There is no ticket ESC-${secret.number}`).and.not.include('mailbox');
    writeFileSync(`${OUT}/confidential-outsider.txt`, outsider);
    files.push('confidential-outsider.txt');
    teamsCards.push(['confidential-teams-shared-card', ticketCard(shared)]);

    if (!existsSync(CHROMIUM)) return; // rendering needs Debian's chromium; the text samples are written
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
    try {
      const page = await browser.newPage({ viewport: { width: 520, height: 400 }, deviceScaleFactor: 1 });
      await page.route('**/*', (route) => route.abort()); // nothing leaves the machine
      await page.setContent(`<html><head><style>body{margin:0;padding:12px;background:#f5f5f5;font-family:'Segoe UI',sans-serif} #card{width:480px;background:#fff;border-radius:6px;box-shadow:0 1px 3px #0003}</style></head><body><div id="card"></div></body></html>`);
      await page.addScriptTag({ content: readFileSync('node_modules/adaptivecards/dist/adaptivecards.min.js', 'utf8') });
      const hostConfig = JSON.parse(readFileSync('/work/shared/specs/adaptive-cards/hostconfig-microsoft-teams-light.json', 'utf8')) as object;
      for (const [name, card] of teamsCards) {
        const rendered = (await page.evaluate(
          `(({ card, hostConfig }) => { const ac = new AdaptiveCards.AdaptiveCard(); ac.hostConfig = new AdaptiveCards.HostConfig(hostConfig); ac.parse(card, []); const el = ac.render(); const host = document.getElementById('card'); host.innerHTML = ''; if (el) host.appendChild(el); return !!el; })(${JSON.stringify({ card, hostConfig })})`,
        )) as boolean;
        expect(rendered, name).to.equal(true);
        await page.locator('#card').screenshot({ path: `${OUT}/${name}.png` });
        files.push(`${name}.png`);
      }
    } finally {
      await browser.close();
    }
    expect(files).to.have.length(8);
  });
});
