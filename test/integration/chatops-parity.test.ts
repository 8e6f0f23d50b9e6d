/**
 * Parity: the same person gets the same answer on every path. A table of (person × action)
 * runs through signed Slack commands and buttons, signed Teams messages and card actions,
 * the API with the person's token and a signed Twilio SMS, each on a fresh ticket, and
 * asserts the same outcome, the same refusal and the same timeline events everywhere.
 */
import { expect } from 'chai';
import { createSlackAdapter, createSlackChatNotifier } from '../../src/adapters/slack/slack-app.js';
import { ESCALATE_MODAL } from '../../src/adapters/slack/views.js';
import { createTeamsFrontEnd } from '../../src/adapters/teams/create-teams.js';
import type { TeamsFrontEnd } from '../../src/adapters/teams/create-teams.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import { buildChannelAdapters } from '../../src/config/channels-env.js';
import { loadSlackConfig } from '../../src/config/slack-env.js';
import { loadTeamsConfig } from '../../src/config/teams-env.js';
import { FakeSlack } from '../far-side/fake-slack.js';
import { FakeCredentialsFactory, signToken } from '../far-side/fake-teams-auth.js';
import { FakeTeamsConnector } from '../far-side/fake-teams-connector.js';
import { FakeTwilio, postTwilioWebhook } from '../far-side/fake-twilio.js';
import { TEST_SIGNING_SECRET, blockAction, commandBody, postSlack, viewSubmission } from '../far-side/slack-requests.js';
import { MemoryLogger, api, demoOrg, openTestDb, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import { PEOPLE_TOKENS, tok } from '../support/people-tokens.js';
import { APP_ID, TENANT, activity, botMessages, executeAction } from './teams-setup.js';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TWILIO_TOKEN = 'twilio-test-auth-token';
const FROM = '+15005550006';
const PUBLIC = 'https://esc.example.test';

type Action = 'ack' | 'resolve' | 'elevate' | 'escalate';
type Path = 'slack-command' | 'slack-button' | 'teams-command' | 'teams-card' | 'api' | 'sms';
const PATHS: Path[] = ['slack-command', 'slack-button', 'teams-command', 'teams-card', 'api', 'sms'];

/** What each action leaves on the timeline when it is allowed. */
const EVENT: Record<Action, string> = { ack: 'ticket.acknowledged', resolve: 'ticket.resolved', elevate: 'ticket.elevated', escalate: 'escalation.started' };

/**
 * The table (seed 000): technicians acknowledge and resolve; managers, team leads and point
 * persons request escalations (the coordinators are told); coordinators escalate at once;
 * requesters do none of it. `request` = allowed, as an escalation request.
 */
const TABLE: [person: string, role: string, want: Record<Action, 'allowed' | 'refused' | 'request'>][] = [
  ['alice', 'technician on the team', { ack: 'allowed', resolve: 'allowed', elevate: 'refused', escalate: 'refused' }],
  ['judy', 'requester', { ack: 'refused', resolve: 'refused', elevate: 'refused', escalate: 'refused' }],
  ['ken', "point person (Dean's office)", { ack: 'refused', resolve: 'refused', elevate: 'allowed', escalate: 'request' }],
  ['carol', 'team lead', { ack: 'allowed', resolve: 'allowed', elevate: 'allowed', escalate: 'request' }],
  ['erin', 'coordinator and escalation manager', { ack: 'allowed', resolve: 'allowed', elevate: 'allowed', escalate: 'allowed' }],
];

const REASON = 'Parity check: the Dean runs an exam at ten';

describe('Chat-ops parity: the same person, the same answer on Slack, Teams, the API and SMS', function () {
  this.timeout(120_000);
  let esc: TestEsc;
  let slack: FakeSlack;
  let teamsFake: FakeTeamsConnector;
  let teams: TeamsFrontEnd;
  let twilio: FakeTwilio;
  let n = 0;
  const org = demoOrg();
  // Everyone has Teams (AAD ids made up for the people the demo org leaves without one).
  for (const p of org.people) p.teamsId ??= `00000000-0000-0000-0000-${p.id.padStart(12, '0').slice(-12)}`;
  const person = (id: string) => org.people.find((p) => p.id === id)!;

  before(async () => {
    slack = new FakeSlack('xoxb-test-token');
    const apiUrl = await slack.start();
    const slackCfg = loadSlackConfig({ SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: apiUrl })!;
    teamsFake = new FakeTeamsConnector();
    await teamsFake.start();
    const db = await openTestDb();
    const clock = db.clock;
    const teamsCfg = loadTeamsConfig({ TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 'not-used-in-tests', TEAMS_TENANT_ID: TENANT, TEAMS_APP_TYPE: 'SingleTenant', TEAMS_OPENID_METADATA_URL: teamsFake.openIdUrl })!;
    teams = createTeamsFrontEnd({ config: teamsCfg, log: new MemoryLogger(), clock, credentialsFactory: new FakeCredentialsFactory(APP_ID) });
    twilio = new FakeTwilio(SID, TWILIO_TOKEN);
    const twilioUrl = await twilio.start();
    const channels = buildChannelAdapters(
      { ESC_PUBLIC_URL: PUBLIC, TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TWILIO_TOKEN, TWILIO_FROM_NUMBER: FROM, TWILIO_API_URL: twilioUrl, TWILIO_MIN_INTERVAL_MS: '10' },
      { clock, conn: db.conn },
    );
    esc = await startTestEsc({
      db,
      org,
      env: { ESC_API_TOKENS: PEOPLE_TOKENS },
      notifiers: [createSlackChatNotifier(new MemoryLogger(), slackCfg), ...channels.notifiers],
      mounts: (deps) => [...createSlackAdapter(deps, slackCfg).mounts, ...teams.mounts(deps), ...channels.mounts(deps)],
    });
    await teams.bind(esc.conn);
  });
  after(async () => {
    await esc?.stop();
    await slack?.stop();
    await teamsFake?.stop();
    await twilio?.stop();
  });

  const teamsPost = async (a: Record<string, unknown>) => {
    const header = `Bearer ${signToken(teamsFake.key, { aud: APP_ID, serviceurl: teamsFake.serviceUrl })}`;
    const res = await fetch(`${esc.baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: header }, body: JSON.stringify(a) });
    const text = await res.text();
    expect(res.status, text).to.be.lessThan(500);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };

  /** Waits for the Slack answer at a response_url, or for the action's event (the message was updated instead). */
  const slackAnswer = async (id: string, t: { id: string; expected: string }, ms = 3000): Promise<string | null> => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const r = slack.responses.find((x) => x.path === `/response/${id}`);
      if (r) return String(r.body.text);
      if ((await esc.deps.timeline.forTicket(t.id)).some((e) => e.type === t.expected)) return null;
      await new Promise((r) => setTimeout(r, 20));
    }
    return null;
  };

  /** Performs `action` as `who` on ticket `key` through `path`; returns the words they were answered with. */
  async function perform(path: Path, who: string, action: Action, t: { id: string; key: string; expected: string }): Promise<string | null> {
    const p = person(who);
    const id = `p${++n}`;
    const responseUrl = `${slack.url}/response/${id}`;
    const words = { ack: `ack ${t.key}`, resolve: `resolve ${t.key}`, elevate: `elevate ${t.key}`, escalate: `escalate ${t.key} ${REASON}` }[action];
    switch (path) {
      case 'slack-command':
        await postSlack(esc.baseUrl, commandBody({ text: words, userId: p.slackId!, responseUrl }));
        return slackAnswer(id, t);
      case 'slack-button': {
        const actionId = { ack: 'esc_ack', resolve: 'esc_resolve', elevate: 'esc_elevate', escalate: 'esc_escalate' }[action];
        const opened = slack.callsOf('views.open').length;
        await postSlack(esc.baseUrl, blockAction({ userId: p.slackId!, actionId, value: JSON.stringify({ t: t.id }), channel: 'C0PARITY', ts: `17000000${n}.000001`, responseUrl }));
        if (action !== 'escalate') return slackAnswer(id, t);
        // Escalate opens the form (when the person may escalate or request); the form is then submitted.
        const said = await slackAnswer(id, t, 600);
        if (said !== null) return said;
        const modal = slack.callsOf('views.open')[opened];
        if (!modal) return null;
        const view = modal.params.view as { callback_id: string; private_metadata: string };
        expect(view.callback_id).to.equal(ESCALATE_MODAL);
        await postSlack(esc.baseUrl, viewSubmission({ userId: p.slackId!, callbackId: ESCALATE_MODAL, viewId: `V${n}`, values: { reason: { v: { type: 'plain_text_input', value: REASON } }, urgency: { v: { type: 'static_select', selected_option: { value: 'normal' } } } }, privateMetadata: view.private_metadata }));
        return null;
      }
      case 'teams-command': {
        const conv = `a:dm-${p.teamsId}`;
        const from = teamsFake.activities(conv).length;
        await teamsPost(activity(teamsFake, { aad: p.teamsId!, text: words, conversationId: conv }));
        return botMessages(teamsFake, conv, from)[0]?.text ?? null;
      }
      case 'teams-card': {
        const data = action === 'escalate' ? { ticket: t.id, reason: REASON } : { ticket: t.id };
        const r = await teamsPost(executeAction(teamsFake, p.teamsId!, action, data, `msg-${n}`));
        const value = (r as { value?: unknown }).value;
        return typeof value === 'string' ? value : null;
      }
      case 'api': {
        const route = { ack: 'acknowledge', resolve: 'resolve', elevate: 'elevate', escalate: 'escalate' }[action];
        const r = await api(esc.baseUrl, 'POST', `/api/tickets/${t.key}/${route}`, action === 'escalate' ? { reason: REASON } : {}, tok(who));
        expect(r.status, JSON.stringify(r.body)).to.be.lessThan(500);
        return r.status >= 400 ? String(r.body.message ?? r.body.error) : null;
      }
      case 'sms': {
        const verb = { ack: 'ACK', resolve: 'RESOLVE', elevate: '', escalate: '' }[action];
        const r = await postTwilioWebhook({ baseUrl: esc.baseUrl, publicUrl: PUBLIC, path: '/twilio/sms', params: { MessageSid: `SMp${n}`, From: p.phone!, To: FROM, Body: `${verb} ${t.key}` }, authToken: TWILIO_TOKEN });
        expect(r.status).to.equal(200);
        return r.text.replace(/<[^>]+>/g, '').replace(/&apos;/g, "'").replace(/&amp;/g, '&').trim();
      }
    }
  }

  async function freshTicket(): Promise<{ id: string; key: string }> {
    const t = await openTicket(esc.deps, { title: 'Exam portal down', priority: 'P2', assigneeId: 'bob', requesterId: 'judy', teamId: 'service-desk', source: 'api' }, { personId: 'erin', via: 'api' });
    return { id: t.id, key: `ESC-${t.number}` };
  }

  async function eventsAfterOpen(ticketId: string, want: string, refused: boolean): Promise<string[]> {
    // A refusal is said after nothing was written: one look is enough.
    const end = Date.now() + (refused ? 0 : 3000);
    for (;;) {
      const types = (await esc.deps.timeline.forTicket(ticketId)).map((e) => e.type).filter((x) => x !== 'ticket.opened');
      if (types.includes(want) || Date.now() >= end) return types;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** A refusal with the ticket key taken out, and what each platform adds around it. */
  const core = (text: string) => text.replace(/ESC-\d+/g, 'ESC-n').replace(/ Nothing changed\.$/, '').replace(/`\/esc /g, '`').trim();

  for (const [who, role, want] of TABLE) {
    for (const action of ['ack', 'resolve', 'elevate', 'escalate'] as const) {
      const paths = PATHS.filter((p) => p !== 'sms' || action === 'ack' || action === 'resolve');
      it(`${who} (${role}) → ${action}: ${want[action]} on ${paths.join(', ')}`, async () => {
        const refusals = new Map<Path, string>();
        const timelines = new Map<Path, string[]>();
        const expected = want[action] === 'request' ? 'escalation.requested' : EVENT[action];
        for (const path of paths) {
          const t = { ...(await freshTicket()), expected };
          const said = await perform(path, who, action, t);
          const types = await eventsAfterOpen(t.id, expected, want[action] === 'refused');
          timelines.set(path, types);
          if (want[action] === 'refused') {
            expect(types, `${path}: nothing changed`).to.not.include(expected);
            expect(said, `${path}: a refusal is said`).to.be.a('string');
            refusals.set(path, core(said!));
          } else {
            expect(types, `${path}: ${expected} (${said ?? ''})`).to.include(expected);
            if (want[action] === 'request') expect(types, path).to.not.include('escalation.started');
          }
        }
        // The same refusal everywhere: what was refused, on which ticket, who can.
        const texts = [...new Set(refusals.values())];
        expect(texts, JSON.stringify(Object.fromEntries(refusals), null, 1)).to.have.length(want[action] === 'refused' ? 1 : 0);
        if (texts[0]) expect(texts[0]).to.match(/^You can't .+ ESC-n: only .+ can\./);
        // The same timeline events everywhere.
        const shapes = [...new Set([...timelines.values()].map((ts) => JSON.stringify([...new Set(ts)].filter((x) => !x.startsWith('delivery.')).sort())))];
        expect(shapes, JSON.stringify(Object.fromEntries(timelines), null, 1)).to.have.length(1);
      });
    }
  }
});
