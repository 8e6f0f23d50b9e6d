import type { Org } from './domain/directory.js';

const minutesText = (m: number) => (m % 1440 === 0 ? `${m / 1440} day${m === 1440 ? '' : 's'}` : m % 60 === 0 ? `${m / 60} hour${m === 60 ? '' : 's'}` : `${m} minute${m === 1 ? '' : 's'}`);

/** "P1: 30 minutes without an acknowledgement", from the organisation's SLA policies. */
export function firstResponseText(org: Org): string {
  const order = ['P1', 'P2', 'P3', 'P4'];
  const policy = [...org.slaPolicies].sort((a, b) => order.indexOf(a.priority) - order.indexOf(b.priority))[0];
  if (!policy) return 'no SLA policy in the organisation file: it escalates only when asked';
  const business = policy.calendarId === 'always' ? '' : ` (${policy.calendarId} calendar)`;
  return `${policy.priority}: ${minutesText(policy.responseMinutes)}${business} without an acknowledgement`;
}

/** What `npm start` prints once Esc answers. */
export function startBanner(args: { url: string; org: Org; usingDemoTokens: boolean; loopbackOnly: boolean; metricsPort?: number }): string {
  const { url } = args;
  const token = args.usingDemoTokens ? 'demo-agent-token' : '<your token>';
  const priority = firstResponseText(args.org).split(':')[0] ?? 'P1';
  return [
    '',
    `Esc is running at ${url} (organisation: ${args.org.name})`,
    ...(args.loopbackOnly ? ['  listening on this machine only (127.0.0.1): ESC_API_TOKENS is not set, so the demo tokens are in use. Set ESC_API_TOKENS (and HOST) to open it up.'] : []),
    `  health:   curl ${url}/healthz    ready: curl ${url}/readyz`,
    `  metrics:  ${args.metricsPort ? `curl http://127.0.0.1:${args.metricsPort}/metrics` : `curl ${url}/metrics -H 'Authorization: Bearer ${args.usingDemoTokens ? 'demo-admin-token' : '<admin, monitor or ESC_METRICS_TOKEN>'}'`}`,
    `  API docs: ${url}/openapi.json`,
    '',
    'Open a ticket:',
    `  curl -s -X POST ${url}/api/tickets -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' \\`,
    `    -d '{"title":"Email down for the Registrar office","priority":"${/^P[1-4]$/.test(priority) ? priority : 'P1'}"}'`,
    `Then watch it escalate (${firstResponseText(args.org)}), or have a coordinator escalate it at once:`,
    `  curl -s -X POST ${url}/api/tickets/ESC-1000/escalate -H 'Authorization: Bearer ${args.usingDemoTokens ? 'demo-admin-token' : "<a coordinator's token>"}'`,
    `  curl -s ${url}/api/outbox -H 'Authorization: Bearer ${token}'    # messages; "outboxed" = not sent, no channel configured`,
    '',
  ].join('\n');
}
