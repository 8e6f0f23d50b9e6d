import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runText } from '../../src/app/chatops/catalog.js';
import type { ChatContext } from '../../src/app/chatops/answer.js';
import { respondToNotification } from '../../src/app/use-cases/respond.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import { loadOrgFile } from '../../src/config/org-schema.js';
import type { Ticket } from '../../src/domain/ticket.js';
import { recordingNotifiers } from '../support/counting-notifier.js';
import { api, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import { PEOPLE_TOKENS, tok } from '../support/people-tokens.js';

const DEMO_YAML = readFileSync('config/demo-org.yaml', 'utf8');
const API = { personId: null, via: 'api', role: 'admin' } as const;
const P3_LINE = '  - { priority: P3, responseMinutes: 480, resolutionMinutes: 1440, calendar: business-hours, warnAtPercent: 75 }';

/**
 * Issue 14: a ticket's stored timers (the SLA warning, the ack timeout, the resolution breach)
 * follow the organisation: a reload (`POST /api/org/reload`, `/esc admin reload`, SIGHUP) that
 * changes a policy or a plan recomputes every open ticket's timers.
 */
describe('ticket timers follow an organisation reload (issue 14)', () => {
  let esc: TestEsc;
  let n: ReturnType<typeof recordingNotifiers>;
  let orgFile: string;
  beforeEach(async () => {
    expect(DEMO_YAML).to.include(P3_LINE);
    orgFile = join(mkdtempSync(join(tmpdir(), 'esc-org-')), 'org.yaml');
    writeFileSync(orgFile, DEMO_YAML);
    n = recordingNotifiers();
    // Monday 2026-11-23 09:00 Pacific.
    esc = await startTestEsc({ org: loadOrgFile(orgFile), notifiers: Object.values(n), env: { ESC_API_TOKENS: PEOPLE_TOKENS, ESC_ORG_FILE: orgFile } });
  });
  afterEach(async () => {
    await esc.stop();
  });
  const at = async (d: Date) => {
    esc.clock.set(d);
    await esc.settle();
  };
  const types = async (t: Ticket) => (await esc.deps.timeline.forTicket(t.id)).map((e) => e.type);
  const stored = async (t: Ticket) => (await esc.deps.tickets.get(t.id)) as Ticket & { timersAt: Date | null };
  const ctx = (personId: string): ChatContext => {
    const person = esc.deps.directory().person(personId)!;
    return { person, actor: { personId, via: 'slack' }, platform: 'slack', zone: person.timeZone, conversationId: null };
  };

  it('POST /api/org/reload: a shorter ackTimeoutMinutes chases an acknowledged ticket sooner', async () => {
    const t = await openTicket(esc.deps, { title: 'VPN drops every hour', priority: 'P2', source: 'api', assigneeId: 'alice' }, API);
    await respondToNotification(esc.deps, { ticket: t.id, reply: 'acknowledge', actor: { personId: 'alice', via: 'slack' } });
    await esc.settle();
    const before = (await stored(t)).timersAt!;
    // The standard plan chases after 120 business minutes; the file now says 30.
    writeFileSync(orgFile, DEMO_YAML.replace('    ackTimeoutMinutes: 120\n', '    ackTimeoutMinutes: 30\n'));
    const r = await api(esc.baseUrl, 'POST', '/api/org/reload', undefined, tok('erin'));
    expect(r.status).to.equal(200);
    await esc.settle();
    const after = (await stored(t)).timersAt!;
    expect(after.getTime()).to.be.lessThan(before.getTime());
    expect(after.getTime() - new Date(t.createdAt).getTime()).to.equal(30 * 60_000);
    await at(new Date(after.getTime() - 60_000));
    expect(await types(t)).to.not.include('escalation.ack_timeout');
    await at(after);
    const tl = await esc.deps.timeline.forTicket(t.id);
    const timeout = tl.filter((e) => e.type === 'escalation.ack_timeout');
    expect(timeout).to.have.length(1);
    expect(timeout[0]!.data).to.include({ minutes: 30, reason: 'acknowledged by Alice Ng, not updated for 30 business minutes' });
    // The plan starts again from step 1: Alice is paged at once.
    expect(n.chat.to('alice').filter((d) => d.notice.kind === 'escalation_step')).to.have.length(1);
  });

  it('/esc admin reload: a new warnAtPercent moves the warning, a new resolutionPlan starts at the resolution breach', async () => {
    const t = await openTicket(esc.deps, { title: 'Projector flickers in room 12', priority: 'P3', source: 'api', assigneeId: 'bob' }, API);
    await esc.settle();
    const warn75 = (await stored(t)).timersAt!;
    // P3 warns at 50 % and has a resolution plan; the standard plan no longer chases acknowledged tickets.
    writeFileSync(orgFile, DEMO_YAML.replace(P3_LINE, P3_LINE.replace('warnAtPercent: 75 }', 'warnAtPercent: 50, resolutionPlan: resolution-overdue }')).replace('    ackTimeoutMinutes: 120\n', ''));
    const r = await runText(esc.deps, ctx('erin'), 'admin reload');
    expect(r.text).to.match(/^Organisation reloaded/);
    await esc.settle();
    const warn50 = (await stored(t)).timersAt!;
    expect(warn50.getTime()).to.be.lessThan(warn75.getTime());
    await at(new Date(warn50.getTime() - 60_000));
    expect(n.chat.to('bob')).to.have.length(0);
    await at(warn50);
    const warned = n.chat.to('bob');
    expect(warned.map((d) => d.notice.title)).to.have.length(1);
    // Half of a 480-minute response target is left: "ESC-1000 response due in 4 h (…)".
    expect(warned[0]!.notice.title).to.match(new RegExp(`^ESC-${t.number} response due in 4 h \\(`));
    // The old warning time passes quietly (one warning per due time).
    await at(warn75);
    expect(n.chat.to('bob')).to.have.length(1);
    // The resolution breach now starts the policy's resolution plan, once.
    await respondToNotification(esc.deps, { ticket: t.id, reply: 'acknowledge', actor: { personId: 'bob', via: 'slack' } });
    await esc.settle();
    const due = (await stored(t)).sla.resolutionDueAt!;
    await at(new Date(due));
    await at(new Date(new Date(due).getTime() + 60_000));
    const escs = await esc.deps.escalations.forTicket(t.id);
    expect(escs.map((e) => [e.plan.id, e.reason])).to.deep.equal([['resolution-overdue', 'resolution SLA breached']]);
    expect((await types(t)).filter((x) => x === 'sla.resolution_breached')).to.have.length(1);
  });

  it('a reload that changes nothing leaves the timers alone', async () => {
    const t = await openTicket(esc.deps, { title: 'Printer jam', priority: 'P3', source: 'api' }, API);
    await esc.settle();
    const r = await esc.reloadOrg(undefined, { personId: null, via: 'system' });
    expect(r.changed).to.equal(false);
    expect((await esc.deps.tickets.get(t.id)) as unknown as { timersStale: boolean }).to.include({ timersStale: false });
  });
});
