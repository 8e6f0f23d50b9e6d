import { signSlackRequest } from '../../src/adapters/slack/signature.js';

export const TEST_SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

/** Posts a form body to /slack/events the way Slack does, signed (or deliberately not). */
export async function postSlack(
  baseUrl: string,
  body: string,
  opts: { secret?: string; ts?: number; signature?: string; retryNum?: number; path?: string } = {},
): Promise<{ status: number; text: string; ms: number }> {
  const ts = opts.ts ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  const res = await fetch(`${baseUrl}${opts.path ?? '/slack/events'}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': opts.signature ?? signSlackRequest(opts.secret ?? TEST_SIGNING_SECRET, ts, body),
      ...(opts.retryNum ? { 'x-slack-retry-num': String(opts.retryNum), 'x-slack-retry-reason': 'http_timeout' } : {}),
    },
    body,
  });
  return { status: res.status, text: await res.text(), ms: performance.now() - started };
}

let trigger = 0;

/** The form body of a slash command. */
export function commandBody(args: { text: string; userId: string; responseUrl: string; channelId?: string; triggerId?: string }): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T0TEST',
    team_domain: 'demo',
    channel_id: args.channelId ?? 'C0HELPDESK',
    channel_name: 'helpdesk',
    user_id: args.userId,
    user_name: args.userId.toLowerCase(),
    command: '/esc',
    text: args.text,
    api_app_id: 'A0ESC',
    response_url: args.responseUrl,
    trigger_id: args.triggerId ?? `${Date.now()}.${++trigger}.abcdef`,
  }).toString();
}

/** The form body of an interaction (button click or modal submission). */
export function interactionBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify({ team: { id: 'T0TEST', domain: 'demo' }, api_app_id: 'A0ESC', token: 'legacy', ...payload }) }).toString();
}

export function blockAction(args: { userId: string; actionId: string; value: string; channel: string; ts: string; responseUrl: string }): string {
  return interactionBody({
    type: 'block_actions',
    user: { id: args.userId, username: args.userId.toLowerCase(), team_id: 'T0TEST' },
    trigger_id: `${Date.now()}.${++trigger}.click`,
    response_url: args.responseUrl,
    container: { type: 'message', channel_id: args.channel, message_ts: args.ts, is_ephemeral: false },
    channel: { id: args.channel, name: 'dm' },
    message: { type: 'message', ts: args.ts, text: 'x', blocks: [] },
    actions: [{ type: 'button', action_id: args.actionId, block_id: 'esc_actions', value: args.value, action_ts: `${Date.now() / 1000}`, text: { type: 'plain_text', text: 'x' } }],
  });
}

export function viewSubmission(args: { userId: string; callbackId: string; viewId: string; values: Record<string, Record<string, unknown>>; privateMetadata: string }): string {
  return interactionBody({
    type: 'view_submission',
    user: { id: args.userId, username: args.userId.toLowerCase(), team_id: 'T0TEST' },
    trigger_id: `${Date.now()}.${++trigger}.submit`,
    view: { id: args.viewId, type: 'modal', callback_id: args.callbackId, private_metadata: args.privateMetadata, hash: 'h1', state: { values: args.values }, team_id: 'T0TEST', app_id: 'A0ESC', bot_id: 'BBOT' },
  });
}

/** A filled-in "open a ticket" modal (callback esc_ticket_modal), as Slack submits it. */
export function ticketSubmission(args: { userId: string; viewId: string; title: string; channelId?: string; priority?: string }): string {
  const text = (value: string) => ({ v: { type: 'plain_text_input', value } });
  const pick = (value: string) => ({ v: { type: 'static_select', selected_option: { value } } });
  return viewSubmission({
    userId: args.userId,
    callbackId: 'esc_ticket_modal',
    viewId: args.viewId,
    privateMetadata: JSON.stringify({ c: args.channelId ?? 'C0HELPDESK' }),
    values: { title: text(args.title), description: text('Opened by the load test'), priority: pick(args.priority ?? 'P3'), impact: pick('medium'), team: pick('service-desk') },
  });
}
