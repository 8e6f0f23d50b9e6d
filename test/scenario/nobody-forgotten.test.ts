import { expect } from 'chai';
import { DateTime } from 'luxon';
import { runText } from '../../src/app/chatops/catalog.js';
import type { ChatContext } from '../../src/app/chatops/answer.js';
import { moveToTeam } from '../../src/app/use-cases/escalations.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import type { Ticket } from '../../src/domain/ticket.js';
import { ticketViewOf } from '../../src/app/views/ticket-view.js';
import { localTime } from '../../src/app/chatops/words.js';
import { ticketCard } from '../../src/adapters/teams/teams-cards.js';
import { demoWith } from '../fixtures/demo-variants.js';
import { recordingNotifiers } from '../support/counting-notifier.js';
import { api, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

const ADMIN = { personId: null, via: 'api', role: 'admin' } as const;

/** The demo org with the teams' channels set: Slack for the service desk, Slack and Teams for infrastructure. */
const withChannels = () =>
  demoWith((d) => {
    d.teams[0]!.channel = 'C0DESK';
    d.teams[1]!.channel = { slack: 'C0INFRA', teams: '19:infra@thread.tacv2' };
  });

export function chatCtx(esc: TestEsc, personId: string): ChatContext {
  const person = esc.deps.directory().person(personId)!;
  return { person, actor: { personId, via: 'slack' }, platform: 'slack', zone: person.timeZone, conversationId: null };
}

describe('nobody forgotten: start on open, team channel (issue 14)', () => {
  let esc: TestEsc;
  let n: ReturnType<typeof recordingNotifiers>;
  beforeEach(async () => {
    n = recordingNotifiers();
    // Monday 2026-11-23 09:00 Pacific.
    esc = await startTestEsc({ org: withChannels(), notifiers: Object.values(n) });
  });
  afterEach(async () => {
    await esc.stop();
  });

  const posts = (channelId: string) => n.chat.sent.filter((d) => d.recipient.channelId === channelId);
  const types = async (t: Ticket) => (await esc.deps.timeline.forTicket(t.id)).map((e) => e.type);

  it('a P1 alert from monitoring pages the on-call person at once and posts to the team channel', async () => {
    const r = await api(esc.baseUrl, 'POST', '/api/alerts', { dedupKey: 'core-switch-1', title: 'Core switch down in Library', priority: 'P1', source: 'nagios' });
    expect(r.status).to.equal(201);
    const onCall = esc.deps.directory().onCall('service-desk', esc.clock.now())!;
    await esc.settle();
    // Step 1 of the P1 plan (chat: assignee, on-call) went out at once: no 30-minute wait for the breach.
    expect(n.chat.to(onCall.id)).to.have.length(1);
    expect(n.chat.to(onCall.id)[0]!.notice.kind).to.equal('escalation_step');
    expect(n.chat.to(onCall.id)[0]!.dueAt.toISOString()).to.equal(esc.clock.now().toISOString());
    const post = posts('C0DESK');
    expect(post).to.have.length(1);
    expect(post[0]!.notice.kind).to.equal('ticket_post');
    expect(post[0]!.notice.title).to.match(/^New P1 ticket for Service Desk: ESC-\d+ Core switch down in Library/);
    expect(post[0]!.notice.text).to.match(/opened from a monitoring alert/);
    const t = (await esc.deps.tickets.list({}, 1, 0))[0]!;
    const tl = await esc.deps.timeline.forTicket(t.id);
    const started = tl.find((e) => e.type === 'escalation.started')!;
    expect(started.data).to.include({ kind: 'automatic', planId: 'urgent', reason: 'the plan starts on open' });
    expect(tl.map((e) => e.type)).to.not.include('sla.response_breached');
    // The response breach later does not start a second plan.
    esc.clock.advanceMinutes(31);
    await esc.settle();
    expect(await esc.deps.escalations.forTicket(t.id)).to.have.length(1);
    // A repeat of the alert neither posts again nor pages again.
    const before = n.chat.sent.length;
    await api(esc.baseUrl, 'POST', '/api/alerts', { dedupKey: 'core-switch-1', title: 'Core switch down in Library', priority: 'P1' });
    await esc.settle();
    expect(posts('C0DESK')).to.have.length(1);
    expect(n.chat.sent.length).to.equal(before);
  });

  it('a P2 (startOn: breach) waits for the breach, and the P2 alert starts on open (alerts.startOn)', async () => {
    const t = await openTicket(esc.deps, { title: 'Printer queue stuck', priority: 'P2', source: 'api' }, ADMIN);
    await esc.settle();
    expect(await esc.deps.escalations.forTicket(t.id)).to.have.length(0);
    expect(posts('C0DESK')).to.have.length(1);
    const a = await api(esc.baseUrl, 'POST', '/api/alerts', { dedupKey: 'disk-1', title: 'Disk 95% on file server', priority: 'P2' });
    await esc.settle();
    const escs = await esc.deps.escalations.forTicket(String((a.body.ticket as { id: string }).id));
    expect(escs.map((e) => [e.plan.id, e.reason])).to.deep.equal([['standard', 'alert: the plan starts on open']]);
    expect(await types(t)).to.not.include('escalation.started');
  });

  it('a ticket moved to another team is re-posted in that team\'s Slack and Teams channels', async () => {
    const t = await openTicket(esc.deps, { title: 'Storage array degraded', priority: 'P3', source: 'api' }, ADMIN);
    await esc.settle();
    await moveToTeam(esc.deps, t.id, { personId: 'carol', via: 'slack' }, 'infrastructure', 'needs the storage admins');
    await esc.settle();
    expect(posts('C0DESK')).to.have.length(1);
    for (const c of ['C0INFRA', '19:infra@thread.tacv2']) {
      expect(posts(c), c).to.have.length(1);
      expect(posts(c)[0]!.notice.title).to.match(/^Moved to Infrastructure by Carol Diaz: ESC-\d+ Storage array degraded/);
      expect(posts(c)[0]!.notice.facts).to.deep.include({ label: 'Reason', value: 'needs the storage admins' });
    }
  });

  it('plan simulate and status say when the plan starts', async () => {
    const sim = await runText(esc.deps, chatCtx(esc, 'erin'), 'plan simulate urgent P1');
    expect(sim.text + JSON.stringify(sim.view)).to.match(/starts on open: pages at once/);
    const std = await runText(esc.deps, chatCtx(esc, 'erin'), 'plan simulate standard P2');
    expect(JSON.stringify(std.view)).to.match(/starts on breach: at the response SLA breach/);
    const t = await openTicket(esc.deps, { title: 'Printer queue stuck', priority: 'P2', source: 'api' }, ADMIN);
    const st = await runText(esc.deps, chatCtx(esc, 'erin'), `status ${t.number}`);
    expect(JSON.stringify(st.view)).to.match(/Plan P2\/P3 - DM and SMS the technician, then the team manager, then up: starts on breach \(Mon 23 Nov 10:00 PST\)/);
  });

  it("status forecasts who's next, and the engine then does exactly that", async () => {
    const t = await openTicket(esc.deps, { title: 'Exam portal down', priority: 'P1', source: 'api', assigneeId: 'alice' }, ADMIN);
    await esc.settle();
    const st = await runText(esc.deps, chatCtx(esc, 'erin'), `status ${t.number}`);
    const lines = (st.view as { lines: string[] }).lines;
    const next = lines.find((l) => l.startsWith('Next: '))!;
    // "Next: Alice Ng, Bob Okafor by sms at Mon 23 Nov 09:05 PST, then … by voice at …, then Carol Diaz by voice at …"
    const parts = next.replace(/^Next: /, '').replace(/\.$/, '').split(', then ');
    expect(parts).to.have.length(3);
    const live = (await esc.deps.escalations.forTicket(t.id))[0]!;
    // The ticket card (Teams) shows the same forecast: the view every message is rendered from.
    const view = ticketViewOf(esc.deps.directory(), (await esc.deps.tickets.get(t.id))!, live, null, esc.clock.now());
    expect(view.escalation!.next.map((x) => `${x.who} by ${x.channel} at ${localTime(x.at, 'America/Los_Angeles')}`)).to.deep.equal(parts);
    expect(JSON.stringify(ticketCard(view))).to.include(`Next: ${view.escalation!.next[0]!.who} by ${view.escalation!.next[0]!.channel}`);
    const sentBefore = { sms: n.sms.sent.length, voice: n.voice.sent.length };
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const m = /^(.*) by (\w+) at (.*)$/.exec(parts[i]!)!;
      const [, names, channel] = m;
      // The time as the reader saw it ("Mon 23 Nov 09:05 PST", erin's zone): one minute before it
      // nothing goes out; at it, exactly those people by that channel.
      const at = DateTime.fromFormat(`2026 ${m[3]!.replace(/ \S+$/, '')}`, 'yyyy ccc d LLL HH:mm', { zone: 'America/Los_Angeles' }).toJSDate();
      expect(at.getTime(), m[3]).to.be.greaterThan(live.startedAt.getTime());
      esc.clock.set(new Date(at.getTime() - 60_000));
      await esc.settle();
      const count = () => n.sms.sent.length + n.voice.sent.length + n.email.sent.length;
      const c0 = count();
      esc.clock.set(at);
      await esc.settle();
      const fired = [...n.sms.sent, ...n.voice.sent, ...n.email.sent].slice(-(count() - c0));
      expect(fired.length, parts[i]).to.be.greaterThan(0);
      expect(fired.every((d) => d.channel === channel), parts[i]).to.equal(true);
      expect(fired.map((d) => d.recipient.name).sort().join(', ')).to.equal(names!.split(', ').sort().join(', '));
      seen.push(`${fired.map((d) => d.recipient.name).join(', ')} by ${channel} at ${m[3]}`);
    }
    expect(seen).to.have.length(3);
    expect(n.sms.sent.length).to.be.greaterThan(sentBefore.sms);
  });
});
