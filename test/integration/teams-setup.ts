import { randomUUID } from 'node:crypto';
import { createTeamsFrontEnd } from '../../src/adapters/teams/create-teams.js';
import type { TeamsFrontEnd } from '../../src/adapters/teams/create-teams.js';
import { loadTeamsConfig } from '../../src/config/teams-env.js';
import { FakeCredentialsFactory, signToken } from '../far-side/fake-teams-auth.js';
import type { TokenClaims } from '../far-side/fake-teams-auth.js';
import { FakeTeamsConnector } from '../far-side/fake-teams-connector.js';
import { demoWith } from '../fixtures/demo-variants.js';
import { MemoryLogger, startTestEsc, TestClock } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

export const APP_ID = '11111111-2222-3333-4444-555555555555';
export const TENANT = '99999999-8888-7777-6666-555555555555';
/** AAD object ids from config/demo-org.yaml. */
export const AAD = { alice: '00000000-0000-0000-0000-00000000a11c', bob: '00000000-0000-0000-0000-000000000b0b', erin: '00000000-0000-0000-0000-00000000e714' };

export interface TeamsWorld {
  esc: TestEsc;
  fake: FakeTeamsConnector;
  teams: TeamsFrontEnd;
  /** POSTs an activity to /api/messages with a valid channel token (or the given claims / raw header). */
  post(activity: Record<string, unknown>, auth?: { claims?: TokenClaims; header?: string | null }): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

export async function startTeamsWorld(): Promise<TeamsWorld> {
  const fake = new FakeTeamsConnector();
  await fake.start();
  const config = loadTeamsConfig({ TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 'not-used-in-tests', TEAMS_TENANT_ID: TENANT, TEAMS_APP_TYPE: 'SingleTenant', TEAMS_OPENID_METADATA_URL: fake.openIdUrl })!;
  const clock = new TestClock();
  const teams = createTeamsFrontEnd({ config, log: new MemoryLogger(), clock, credentialsFactory: new FakeCredentialsFactory(APP_ID) });
  // The stories page at the response breach and do not chase the acknowledgement: the demo's P1 plan without those (issue 14).
  const esc = await startTestEsc({ clock, org: demoWith((d) => ((d.plans[0]!.startOn = 'breach'), delete d.plans[0]!.ackTimeoutMinutes)), notifiers: [teams.notifier], mounts: (deps) => teams.mounts(deps) });
  await teams.bind(esc.conn);
  return {
    esc,
    fake,
    teams,
    async post(activity, auth = {}) {
      const header = auth.header !== undefined ? auth.header : `Bearer ${signToken(fake.key, { aud: APP_ID, serviceurl: String(activity.serviceUrl ?? fake.serviceUrl), ...auth.claims })}`;
      const res = await fetch(`${esc.baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...(header ? { authorization: header } : {}) }, body: JSON.stringify(activity) });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body };
    },
    async stop() {
      await esc.stop();
      await fake.stop();
    },
  };
}

/** Builds activities as Teams sends them. */
export function activity(fake: FakeTeamsConnector, args: { aad?: string; name?: string; text?: string; value?: unknown; type?: string; name_?: string; conversationType?: 'personal' | 'groupChat' | 'channel'; conversationId?: string; replyToId?: string; extra?: Record<string, unknown> }): Record<string, unknown> {
  const aad = args.aad ?? AAD.alice;
  const type = args.conversationType ?? 'personal';
  return {
    type: args.type ?? 'message',
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: fake.serviceUrl,
    from: { id: `29:user-${aad}`, name: args.name ?? 'Someone', aadObjectId: aad },
    recipient: { id: `28:${APP_ID}`, name: 'Esc' },
    conversation: { id: args.conversationId ?? `a:dm-${aad}`, conversationType: type, tenantId: TENANT, ...(type === 'channel' ? { isGroup: true } : {}) },
    channelData: { tenant: { id: TENANT } },
    ...(args.text !== undefined ? { text: args.text } : {}),
    ...(args.value !== undefined ? { value: args.value } : {}),
    ...(args.name_ ? { name: args.name_ } : {}),
    ...(args.replyToId ? { replyToId: args.replyToId } : {}),
    ...args.extra,
  };
}

/** An Action.Execute click: an adaptiveCard/action invoke. */
export function executeAction(fake: FakeTeamsConnector, aad: string, verb: string, data: unknown, replyToId?: string): Record<string, unknown> {
  return activity(fake, { aad, type: 'invoke', name_: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data } }, replyToId });
}

/** The text and cards of the bot's messages posted to a conversation after `from` calls. */
export function botMessages(fake: FakeTeamsConnector, conversationId: string, from = 0): { text: string; cards: Record<string, unknown>[] }[] {
  return fake
    .activities(conversationId)
    .slice(from)
    .map((c) => ({
      text: String(c.body.text ?? ''),
      cards: ((c.body.attachments as { contentType: string; content: Record<string, unknown> }[] | undefined) ?? []).filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive').map((a) => a.content),
    }));
}
