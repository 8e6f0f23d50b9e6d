/**
 * The report sample of issue 8's closing note: three weeks of realistic activity through the real
 * use cases (TestClock, engine run by settle(), Slack faked on the far side), then `/esc report 30d`
 * as Carol, signed the way Slack signs it. Writes docs/samples/report-slack.txt, report-chart.png,
 * report.csv and report-teams-card.png.
 *
 *   node scripts/with-db.mjs npx tsx test/support/report-sample.ts
 *
 * (Under test/support because eslint's type-aware rules only cover files in tsconfig's include.)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { createSlackAdapter, createSlackChatNotifier } from '../../src/adapters/slack/slack-app.js';
import { reportCard, teamsChart } from '../../src/adapters/teams/report-card.js';
import type { Actor } from '../../src/app/ports/timeline.js';
import { claimRequest, requestEscalation } from '../../src/app/use-cases/coordination.js';
import { elevateTicket, moveToTeam } from '../../src/app/use-cases/escalations.js';
import { respondToNotification } from '../../src/app/use-cases/respond.js';
import { declareMajor, postUpdate, recordSatisfaction } from '../../src/app/use-cases/major.js';
import { buildReport } from '../../src/app/use-cases/reports.js';
import { commentOnTicket, openTicket } from '../../src/app/use-cases/tickets.js';
import { loadSlackConfig } from '../../src/config/slack-env.js';
import { isDomainError } from '../../src/domain/errors.js';
import type { Priority, TicketSource } from '../../src/domain/ticket.js';
import { FakeSlack } from '../far-side/fake-slack.js';
import { TEST_SIGNING_SECRET, commandBody, postSlack } from '../far-side/slack-requests.js';
import { MemoryLogger, TestClock, startTestEsc } from './harness.js';

const OUT = 'docs/samples';
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
/** Monday 2 November 2026, 00:00 in Los Angeles (PST). */
const START = Date.parse('2026-11-02T08:00:00Z');

let seed = 8;
const rnd = (): number => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const between = (a: number, b: number): number => a + rnd() * (b - a);

const fake = new FakeSlack('xoxb-test-token');
const slack = loadSlackConfig({ SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: await fake.start() })!;
const esc = await startTestEsc({ clock: new TestClock(new Date(START)), notifiers: [createSlackChatNotifier(new MemoryLogger(), slack)], mounts: (deps) => createSlackAdapter(deps, slack).mounts });
const deps = esc.deps;

/** What happens, in time order: each action runs after the engine caught up to its time. */
const queue: { at: number; n: number; fn: () => Promise<unknown> }[] = [];
let n = 0;
const at = (when: number, fn: () => Promise<unknown> = async () => undefined) => queue.push({ at: when, n: n++, fn });
const refused: string[] = [];

const TITLES: Record<string, string[]> = {
  'service-desk': ['Cannot log in to Canvas', 'Printer jam, library 2nd floor', 'VPN drops every 10 minutes', 'Password reset loop', 'Projector dead, room 101', 'Outlook calendar not syncing', 'Zoom license expired for TA', 'Lab PC will not boot, Hall B', 'Shared drive permission denied', 'MFA phone replaced, locked out', 'Eduroam certificate warning', 'New hire needs accounts'],
  infrastructure: ['Student portal returns 502', 'Backup job failed on fs-03', 'Disk 92% on the mail relay', 'DNS slow for the residence halls', 'Certificate expires Friday on sso', 'Switch flapping, Science bldg', 'Database replica lag 15 min', 'Storage array degraded'],
};
const MEMBERS: Record<string, string[]> = { 'service-desk': ['alice', 'bob', 'carol'], infrastructure: ['henry', 'ivan'] };
const TEAMS_USERS = new Set(['alice', 'bob', 'erin']);
const chatVia = (pid: string) => (TEAMS_USERS.has(pid) && rnd() < 0.6 ? 'teams' : 'slack');
/** Minutes after the breach each plan step fires (config/demo-org.yaml plans), and its channel. */
const STEPS: Record<Priority, { at: number; via: string; who: 'tech' | 'manager' }[]> = {
  P1: [{ at: 0, via: 'chat', who: 'tech' }, { at: 5, via: 'sms', who: 'tech' }, { at: 10, via: 'voice', who: 'tech' }, { at: 20, via: 'voice', who: 'manager' }],
  P2: [{ at: 0, via: 'chat', who: 'tech' }, { at: 10, via: 'sms', who: 'tech' }, { at: 30, via: 'chat', who: 'manager' }],
  P3: [{ at: 0, via: 'chat', who: 'tech' }, { at: 10, via: 'sms', who: 'tech' }, { at: 30, via: 'chat', who: 'manager' }],
  P4: [{ at: 0, via: 'email', who: 'manager' }],
};
const MANAGER: Record<string, string> = { 'service-desk': 'dana', infrastructure: 'ivan' };

async function act(what: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!isDomainError(e)) throw e;
    refused.push(`${what}: ${e.message}`);
  }
}

async function teamOf(id: string): Promise<string> {
  return (await deps.tickets.get(id))?.teamId ?? 'service-desk';
}

/** One ticket's life: opened, maybe moved or elevated, acknowledged (in time, or at a plan step), resolved (mostly in time). */
function ticketStory(t0: number, o: { title?: string; priority: Priority; teamId: string; source: TicketSource; requesterId?: string; then?: (id: string) => void }) {
  at(t0, async () => {
    const tk = await openTicket(deps, { title: o.title ?? pick(TITLES[o.teamId]!), priority: o.priority, teamId: o.teamId, source: o.source, requesterId: o.requesterId ?? pick(['judy', 'ken', 'dana', 'alice']) }, { personId: o.requesterId ?? 'judy', via: o.source });
    const id = tk.id;
    const now = esc.clock.now().getTime();
    if (o.then) return o.then(id);
    let ackAt: number;
    let acker = async (): Promise<Actor> => {
      const pid = pick(MEMBERS[await teamOf(id)]!);
      return { personId: pid, via: chatVia(pid) };
    };
    const due = tk.sla.responseDueAt ? new Date(tk.sla.responseDueAt).getTime() : now + 60 * MIN;
    if (o.teamId === 'service-desk' && rnd() < 0.12) {
      // Needs the next tier: moved before anyone took it (the clock restarts there).
      at(now + between(10, 25) * MIN, () => act('move', () => moveToTeam(deps, id, { personId: 'carol', via: 'slack' }, undefined, 'needs a server-side fix')));
    }
    if (rnd() < 0.06) at(now + 3 * MIN, () => act('elevate', () => elevateTicket(deps, id, { personId: 'dana', via: 'slack' }, 'VIP: the provost')));
    const late = o.priority === 'P4' ? rnd() < 0.5 : rnd() < 0.3;
    if (!late) {
      ackAt = now + between(0.1, 0.7) * Math.max(10 * MIN, Math.min(due - now, 240 * MIN));
    } else {
      // Nobody answered in time: the plan runs; someone acknowledges at one of its steps.
      const steps = STEPS[o.priority];
      const s = Math.min(steps.length - 1, Math.floor(rnd() * rnd() * steps.length));
      const step = steps[s]!;
      const next = steps[s + 1]?.at ?? step.at + 15;
      for (const x of steps.slice(0, s + 1)) at(due + x.at * MIN + 10_000); // the engine fires each step on time
      ackAt = due + between(step.at + 1, next - 0.5) * MIN;
      acker = async () => {
        const pid = step.who === 'manager' ? MANAGER[await teamOf(id)]! : pick(MEMBERS[await teamOf(id)]!);
        return { personId: pid, via: step.via === 'chat' ? chatVia(pid) : step.via };
      };
    }
    at(ackAt, async () => {
      const who = await acker();
      await act('acknowledge', () => respondToNotification(deps, { ticket: id, reply: 'acknowledge', actor: who }));
      const t = await deps.tickets.get(id);
      const resDue = t?.sla.resolutionDueAt ? new Date(t.sla.resolutionDueAt).getTime() : ackAt + 240 * MIN;
      const span = Math.max(30 * MIN, resDue - ackAt);
      const resolveAt = ackAt + (rnd() < 0.15 ? between(1.05, 1.5) : between(0.1, 0.85)) * span;
      if (rnd() < 0.3) at(ackAt + between(0.05, 0.3) * span, () => act('comment', () => commentOnTicket(deps, id, pick(['Reproduced; working on it.', 'Waiting on the vendor.', 'Rebooted, monitoring.']), { personId: who.personId, via: 'slack' })));
      at(resolveAt, () => act('resolve', () => respondToNotification(deps, { ticket: id, reply: 'resolve', actor: { personId: who.personId, via: rnd() < 0.5 ? 'slack' : 'api' } })));
    });
  });
}

// Three weeks of tickets: weekdays busy, weekends only alerts.
for (let d = 0; d < 21; d++) {
  const day = START + d * DAY;
  const weekend = d % 7 >= 5;
  const count = weekend ? (rnd() < 0.6 ? 1 : 0) : 4 + Math.floor(rnd() * 4);
  for (let i = 0; i < count; i++) {
    const teamId = weekend || rnd() < 0.35 ? 'infrastructure' : 'service-desk';
    const r = rnd();
    const priority: Priority = weekend ? 'P1' : r < 0.1 ? 'P1' : r < 0.35 ? 'P2' : r < 0.8 ? 'P3' : 'P4';
    const source: TicketSource = teamId === 'infrastructure' && rnd() < 0.6 ? 'alert' : pick(['slack', 'slack', 'teams', 'email', 'api'] as const);
    ticketStory(day + (weekend ? between(0, 24) : between(8.2, 16.5)) * 60 * MIN, { priority, teamId, source });
  }
  // The engine looks every hour even when nobody does anything (reminders, updates, the end of a warranty).
  for (let h = 0; h < 24; h++) at(day + h * 60 * MIN + 30_000);
}

// Manager escalation requests, claimed by a coordinator.
for (const [d, title, by, reason, claimer, wait] of [
  [3, 'Grades upload failing for the registrar', 'dana', 'Registrar deadline at 17:00 today; final grades must be in.', 'erin', 12],
  [9, "Dean's keynote: projector and stream in Hall A", 'ken', "The dean's keynote starts in two hours; projector and streaming must work.", 'frank', 7],
  [16, 'Payroll export to the bank rejected', 'dana', 'Payroll runs tonight; 1,200 staff are not paid otherwise.', 'erin', 41],
] as const) {
  const t0 = START + d * DAY + 10 * 60 * MIN;
  ticketStory(t0, {
    title,
    priority: 'P2',
    teamId: 'service-desk',
    source: 'email',
    then: (id) => {
      at(t0 + 25 * MIN, () => act('request', () => requestEscalation(deps, { ticket: id, reason, urgency: 'urgent', actor: { personId: by, via: 'slack' } })));
      at(t0 + (25 + wait) * MIN, () => act('claim', () => claimRequest(deps, { ticket: id, actor: { personId: claimer, via: 'slack' } })));
      at(t0 + (30 + wait) * MIN, () => act('acknowledge', () => respondToNotification(deps, { ticket: id, reply: 'acknowledge', actor: { personId: 'bob', via: 'teams' } })));
      at(t0 + (150 + wait) * MIN, () => act('resolve', () => respondToNotification(deps, { ticket: id, reply: 'resolve', actor: { personId: 'bob', via: 'teams' } })));
    },
  });
}

// Major escalations: declared, worked, resolved; after the 7-day warranty the customer answers.
for (const [d, title, customer, answers] of [
  [1, 'Student portal down for all users', 'judy', [[4, 'Back before registration opened; the hourly updates helped.']]],
  [10, 'Campus Wi-Fi outage in the library', 'ken', [[2, 'Took most of the day; we heard about it from students first.'], [4, 'The follow-up call cleared it up; thanks for the root-cause write-up.']]],
] as const) {
  const t0 = START + d * DAY + 9.5 * 60 * MIN;
  ticketStory(t0, {
    title,
    priority: 'P1',
    teamId: 'infrastructure',
    source: 'alert',
    requesterId: customer,
    then: (id) => {
      at(t0 + 8 * MIN, () => act('acknowledge', () => respondToNotification(deps, { ticket: id, reply: 'acknowledge', actor: { personId: 'henry', via: 'slack' } })));
      at(t0 + 20 * MIN, () => act('declare', () => declareMajor(deps, { ticket: id, reason: 'Stop-work: nobody on campus can use it; needs network, apps and vendor.', actor: { personId: 'erin', via: 'slack' } })));
      for (let h = 1; h <= 3; h++) at(t0 + (20 + 55 * h) * MIN, () => act('update', () => postUpdate(deps, { ticket: id, text: `Update ${h}: root cause narrowed down; next update within the hour.`, actor: { personId: 'erin', via: 'slack' } })));
      at(t0 + 200 * MIN, () => act('resolve', () => respondToNotification(deps, { ticket: id, reply: 'resolve', actor: { personId: 'henry', via: 'slack' } })));
      answers.forEach(([score, comment], i) => at(t0 + 200 * MIN + 7 * DAY + (3 + 26 * i) * 60 * MIN, () => act('satisfaction', () => recordSatisfaction(deps, { ticket: id, score, comment, actor: { personId: customer, via: 'email' } }))));
    },
  });
}

const END = START + 21 * DAY + 9.5 * 60 * MIN; // Monday 23 November, 09:30 Pacific
while (queue.length > 0) {
  queue.sort((a, b) => a.at - b.at || a.n - b.n);
  const next = queue.shift()!;
  if (next.at > END) continue;
  esc.clock.set(new Date(Math.max(next.at, esc.clock.now().getTime())));
  await esc.settle(200);
  await next.fn();
}
esc.clock.set(new Date(END));
await esc.settle(200);

// Carol, team lead, in #helpdesk.
const url = `${fake.url}/response/report`;
const posted = await postSlack(esc.baseUrl, commandBody({ text: 'report 30d', userId: 'U0CAROL', responseUrl: url, channelId: 'C0HELPDESK' }));
if (posted.status !== 200) throw new Error(`/esc report: HTTP ${posted.status} ${posted.text}`);
const answer = await fake.waitFor(() => fake.responses.find((x) => x.path === '/response/report'), 30_000);
const files = await fake.waitFor(() => {
  const all = [...fake.files.values()].filter((f) => f.bytes && f.channelId);
  return all.length >= 2 ? all : null;
}, 30_000);

type SlackText = { text: string };
type SlackBlock = { type: string; text?: SlackText; fields?: SlackText[]; elements?: SlackText[] };
const plain = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const WIDTH = 44;
/** Cuts a line between its ' · ' items (else at spaces) into lines of at most `w` characters: a field is half the message wide. */
function wrap(line: string, w: number, sep = ' · '): string[] {
  const out: string[] = [];
  let cur = '';
  for (const item of line.split(sep)) {
    if (cur && cur.length + sep.length + item.length > w) {
      out.push(cur);
      cur = item;
    } else cur = cur ? `${cur}${sep}${item}` : item;
  }
  out.push(cur);
  return sep === ' ' ? out : out.flatMap((l) => (l.length > w ? wrap(l, w, ' ') : [l]));
}
/** Block Kit as a person reads it: headers underlined, fields two side by side. */
function blocksAsText(blocks: SlackBlock[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    if (b.type === 'header' && b.text) out.push(plain(b.text.text), '='.repeat(plain(b.text.text).length));
    else if (b.type === 'divider') out.push('─'.repeat(2 * WIDTH));
    else if (b.type === 'context') out.push(plain((b.elements ?? []).map((e) => e.text).join(' · ')));
    else if (b.fields) {
      for (let i = 0; i < b.fields.length; i += 2) {
        const [l, r] = [b.fields[i]!, b.fields[i + 1]].map((f) => (f ? plain(f.text).split('\n').flatMap((x) => wrap(x, WIDTH - 2)) : []));
        for (let k = 0; k < Math.max(l!.length, r!.length); k++) out.push(`${(l![k] ?? '').padEnd(WIDTH)}${r![k] ?? ''}`.trimEnd());
        out.push('');
      }
      continue;
    } else if (b.text) out.push(plain(b.text.text));
    out.push('');
  }
  return `${out.join('\n').trim()}\n`;
}

mkdirSync(OUT, { recursive: true });
const blocks = answer.body.blocks as SlackBlock[];
writeFileSync(`${OUT}/report-slack.txt`, `/esc report 30d  (Carol Diaz, team lead, in #helpdesk; answered in the channel)\n\n${blocksAsText(blocks)}`);
const png = files.find((f) => f.filename.endsWith('.png'))!;
const csv = files.find((f) => f.filename.endsWith('.csv'))!;
writeFileSync(`${OUT}/report-chart.png`, png.bytes!);
writeFileSync(`${OUT}/report.csv`, `${csv.bytes!.toString('utf8').split('\r\n').slice(0, 16).join('\r\n')}\r\n`);
process.stdout.write(`Slack: ${blocks.length} blocks; uploaded ${files.map((f) => `${f.filename} (${f.length} bytes)`).join(', ')}; ${refused.length} refusals\n`);
for (const r of refused) process.stdout.write(`  refused: ${r}\n`);

// The same report as the Teams card, rendered in Chromium with Teams' light host config.
const CHROMIUM = process.env.ESC_CHROMIUM ?? '/usr/bin/chromium';
if (existsSync(CHROMIUM)) {
  const report = await buildReport(deps, { period: '30d' });
  const card = reportCard(report, await teamsChart(report));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ viewport: { width: 620, height: 600 }, deviceScaleFactor: 1 });
    await page.route('**/*', (route) => route.abort());
    await page.setContent(`<html><body style="margin:0;padding:12px;background:#f5f5f5;font-family:'Segoe UI',sans-serif"><div id="card" style="width:580px;background:#fff;border-radius:6px;box-shadow:0 1px 3px #0003"></div></body></html>`);
    await page.addScriptTag({ content: readFileSync('node_modules/adaptivecards/dist/adaptivecards.min.js', 'utf8') });
    const hostConfig = JSON.parse(readFileSync('/work/shared/specs/adaptive-cards/hostconfig-microsoft-teams-light.json', 'utf8')) as object;
    const errors = (await page.evaluate(`(({ card, hostConfig }) => {
      const ac = new AdaptiveCards.AdaptiveCard();
      ac.hostConfig = new AdaptiveCards.HostConfig(hostConfig);
      const errors = [];
      ac.parse(card, errors);
      document.getElementById('card').appendChild(ac.render());
      return errors.map((e) => e.message);
    })(${JSON.stringify({ card, hostConfig })})`)) as string[];
    if (errors.length > 0) throw new Error(`Teams card: ${errors.join('; ')}`);
    await page.waitForFunction('[...document.images].every((i) => i.complete && i.naturalWidth > 0)');
    await page.locator('#card').screenshot({ path: `${OUT}/report-teams-card.png` });
  } finally {
    await browser.close();
  }
}
await esc.stop();
await fake.stop();
