/**
 * The Slack shell: /esc, buttons and modals. Transport only: verify (the receiver), resolve
 * the person once, normalise mentions, call the chat-ops core, render its answer.
 */
import { createHash } from 'node:crypto';
import type { App, RespondFn } from '@slack/bolt';
import { z } from 'zod/v4';
import type { Answer, ChatContext } from '../../app/chatops/answer.js';
import { checkText, runAction, runText } from '../../app/chatops/catalog.js';
import type { AppDeps } from '../../app/deps.js';
import { learnChatUser } from '../../app/use-cases/oncall/people.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import { postTicketMessage, postTicketMessages } from './ticket-posts.js';
import type { TicketPost } from './ticket-posts.js';
import type { PostMessage } from './lean-post.js';
import { esc } from './blocks.js';
import { postSlackReport } from './report-blocks.js';
import { slackMessage } from './slack-render.js';
import { settledBlocks } from './settled.js';
import { ESCALATE_MODAL, MORE_MODAL, RATE_MODAL, TICKET_MODAL, escalateModal, meta, moreModal, rateModal, readEscalateForm, readMoreForm, readRateForm, readTicketForm, ticketModal } from './views.js';
import type { TicketForm } from './views.js';
import { MORE_ACTION } from './blocks.js';
import { MORE_LABELS } from '../../app/views/ticket-view.js';
import type { MoreAction } from '../../app/views/ticket-view.js';
import type { WorkQueue } from './work-queue.js';
import type { TicketIntake } from '../../app/use-cases/ticket-intake.js';
import type { OpenedRecord } from '../../app/use-cases/ticket-intake.js';
import type { WriteTurn } from '../../lib/write-turns.js';

type Client = App['client'];

const unknownPerson = (userId: string) =>
  `I don't know you yet: your Slack account (${userId}) is not in Esc's directory. Ask an Esc admin to add \`slackId: ${userId}\` to your entry in the org file.`;
const BUSY = 'Esc is very busy right now; try again in a minute.';
const OLDER = 'That button is from an older version of Esc; use `/esc help` to see the commands.';

/** A ticket id derived from the modal's view id: a retried submission can never open a second ticket. */
export function ticketIdForView(viewId: string): string {
  const h = createHash('sha256').update(`slack-view:${viewId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * What a person typed, as the core reads it: Slack user mentions (`<@U123|name>`) become
 * `@<directory id>` (`@slack:U123` when Esc does not know them); links, channels and
 * entities become plain text.
 */
export function normaliseSlackText(text: string, personIdOf: (slackId: string) => string | undefined): string {
  return text
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_m, id: string) => ` @${personIdOf(id) ?? `slack:${id}`} `)
    .replace(/<((?:https?|mailto):[^|>]+)(?:\|[^>]*)?>/g, '$1')
    .replace(/<#[A-Z0-9]+\|([^>]*)>/g, '#$1')
    .replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, '@$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** A button's value: the ticket id (and escalation id, satisfaction score). Checked before use. */
const buttonValue = z.object({ t: z.string().regex(/^[A-Za-z0-9-]{1,64}$/), e: z.string().max(128).nullish(), s: z.number().int().min(1).max(5).optional() });

/** action_id → the core's verb. */
const BUTTON_VERBS: Record<string, string> = { esc_ack: 'ack', esc_escalate: 'escalate.form', esc_elevate: 'elevate', esc_resolve: 'resolve', esc_history: 'history', esc_claim: 'claim' };

/** The More menu's chosen option: `{t, d}` → the core's `more` verb. */
export function moreAction(rawValue: string | undefined): { verb: string; data: Record<string, unknown> } | null {
  try {
    const v = z.object({ t: z.string().regex(/^[A-Za-z0-9-]{1,64}$/), d: z.string().max(40) }).safeParse(JSON.parse(rawValue ?? ''));
    return v.success ? { verb: 'more', data: { ticket: v.data.t, do: v.data.d } } : null;
  } catch {
    return null;
  }
}

export function buttonAction(actionId: string, rawValue: string | undefined): { verb: string; data: Record<string, unknown> } | null {
  let value: unknown;
  try {
    value = JSON.parse(rawValue ?? '');
  } catch {
    return null;
  }
  if (actionId === 'esc_take') {
    const c = z.object({ c: z.string().regex(/^[\w-]{1,80}$/) }).safeParse(value);
    return c.success ? { verb: 'cover.take', data: { cover: c.data.c } } : null;
  }
  const v = buttonValue.safeParse(value);
  if (!v.success) return null;
  const rate = /^esc_rate_([1-5])$/.exec(actionId);
  if (rate) return { verb: 'rate.form', data: { ticket: v.data.t, score: Number(rate[1]) } };
  const verb = BUTTON_VERBS[actionId];
  return verb ? { verb, data: { ticket: v.data.t } } : null;
}

/** Registers /esc, the buttons and the modals on a Bolt app. */
/** The person behind a Slack user, as the core sees them; null when Esc does not know them. */
function chatContext(deps: AppDeps, userId: string, channelId: string | null | undefined): ChatContext | null {
  const person = deps.directory().bySlackId(userId);
  if (!person) return null;
  return { person, actor: { personId: person.id, via: 'slack', name: person.name }, platform: 'slack', zone: person.timeZone || deps.directory().org.timeZone, conversationId: channelId ?? null };
}

/** What a ticket form submission is acknowledged with: nothing (the modal closes) or the fields' errors. */
export type TicketFormAck = { response_action: 'errors'; errors: Record<string, string> } | undefined;

export type TicketFormBody = { user: { id: string }; view: { id: string; private_metadata?: string; state?: { values?: unknown } } };

/** A ticket form submission read and checked: the form and who sent it from where, or the ack that refuses it. */
function checkTicketForm(deps: AppDeps, { user, view }: TicketFormBody): { ok: true; form: TicketForm; ctx: ChatContext; where: string } | { ok: false; ack: NonNullable<TicketFormAck> } {
  const form = readTicketForm(deps.directory(), view.state?.values as never);
  if (!form.ok) return { ok: false, ack: { response_action: 'errors', errors: form.errors } };
  const where = meta(view.private_metadata).c ?? user.id;
  const ctx = chatContext(deps, user.id, where);
  if (!ctx) return { ok: false, ack: { response_action: 'errors', errors: { title: unknownPerson(user.id).slice(0, 150) } } };
  return { ok: true, form: form.form, ctx, where };
}

/**
 * The ticket form's submission with the intake (issue 18): read and checked, stored before the
 * ack (grouped with the submissions that came with it), so an acknowledged ticket is opened
 * even if Esc is killed right after; the ticket is opened and posted behind the ack. Needs
 * nothing from Bolt, so the receiver calls it directly (Bolt's request handling was ~15% of
 * Esc's CPU under the load of bench/slack.ts); Bolt's own route calls it too (same answer).
 */
export function ticketFormSubmission(deps: AppDeps, intake: TicketIntake): (body: TicketFormBody) => Promise<TicketFormAck> {
  return async (body) => {
    const c = checkTicketForm(deps, body);
    if (!c.ok) return c.ack;
    try {
      await intake.submit({ id: ticketIdForView(body.view.id), input: c.form, actor: c.ctx.actor, reply: { userId: body.user.id, channel: c.where }, at: new Date() });
    } catch {
      return { response_action: 'errors', errors: { title: 'Esc could not take the ticket right now; please submit again.' } };
    }
    return undefined;
  };
}

export function registerSlackShell(app: App, deps: AppDeps, work: WorkQueue, intake?: TicketIntake): void {
  const ctxFor = (userId: string, channelId: string | null | undefined) => chatContext(deps, userId, channelId);
  /** Someone Esc does not know yet: their Slack email (users.info) matched to a person, else a requester (issue 15). */
  const learn = async (client: Client, userId: string, channelId: string | null | undefined): Promise<ChatContext | null> => {
    try {
      const u = (await client.users.info({ user: userId })).user as { real_name?: string; tz?: string; profile?: { email?: string; real_name?: string } } | undefined;
      const p = await learnChatUser(deps, { platform: 'slack', chatId: userId, email: u?.profile?.email ?? null, name: u?.profile?.real_name ?? u?.real_name ?? null, timeZone: u?.tz ?? null });
      return p ? ctxFor(userId, channelId) : null;
    } catch (err) {
      deps.log.info({ err: (err as Error).message, userId }, 'slack: could not look up an unknown user by email');
      return null;
    }
  };
  const render = (a: Answer) => slackMessage(a, deps.directory(), deps.clock.now());
  const ephemeral = (respond: RespondFn, a: Answer) => {
    const m = render(a);
    return respond({ response_type: 'ephemeral', replace_original: false, text: m.text, ...(m.blocks ? { blocks: m.blocks as never } : {}) });
  };
  const quietly = (p: Promise<unknown>) => p.catch((err: unknown) => deps.log.warn({ err: (err as Error).message, code: 'SLACK_ANSWER_FAILED' }, 'slack: could not deliver an answer'));

  app.command('/esc', async ({ command, ack, respond, client }) => {
    const text = normaliseSlackText(command.text ?? '', (id) => deps.directory().bySlackId(id)?.id);
    // Help, unknown commands and usage mistakes need no database: answered in the ack.
    const early = checkText(text);
    if (early) {
      const m = render(early);
      return ack({ response_type: 'ephemeral', text: m.text, ...(m.blocks ? { blocks: m.blocks as never } : {}) });
    }
    const ctx = ctxFor(command.user_id, command.channel_id) ?? (await learn(client, command.user_id, command.channel_id));
    if (!ctx) return ack({ response_type: 'ephemeral', text: unknownPerson(command.user_id) });
    const answer = runText(deps, ctx, text);
    if (isTicketForm(text)) {
      // views.open must use the trigger within 3 s: it skips the queue.
      await ack();
      const a = await answer;
      if (a.view?.kind === 'form' && a.view.form === 'ticket') {
        await client.views.open({ trigger_id: command.trigger_id, view: ticketModal(deps.directory(), { title: a.view.title, channelId: command.channel_id, confidential: !!a.view.confidential }) as never }).catch((err: unknown) => quietly(ephemeral(respond, { text: `I could not open the form (${(err as Error).message}); try again.`, ok: false })));
      } else await quietly(ephemeral(respond, a));
      return;
    }
    if (!work.hasRoom()) return ack({ response_type: 'ephemeral', text: BUSY });
    await ack();
    work.push(async () => {
      const a = await answer;
      if (a.view?.kind === 'report') {
        await quietly(postSlackReport({ client, respond, channelId: command.channel_id, userId: command.user_id, report: a.view.report, rows: a.view.rows }));
        return;
      }
      await quietly(ephemeral(respond, a));
    });
  });

  app.action(/^esc_/, async ({ ack, action, body, respond, client }) => {
    await ack();
    const more = action.type === 'static_select' && (action as { action_id: string }).action_id === MORE_ACTION;
    if ((action.type !== 'button' && !more) || body.type !== 'block_actions') return;
    const channel = (body.container?.channel_id as string | undefined) ?? body.channel?.id ?? null;
    const ts = (body.container?.message_ts as string | undefined) ?? body.message?.ts ?? null;
    const ctx = ctxFor(body.user.id, channel) ?? (await learn(client, body.user.id, channel));
    if (!ctx) return void (await quietly(respond({ response_type: 'ephemeral', replace_original: false, text: unknownPerson(body.user.id) })));
    const mapped = more ? moreAction((action as { selected_option?: { value?: string } }).selected_option?.value) : buttonAction((action as { action_id: string }).action_id, (action as { value?: string }).value);
    if (!mapped) return void (await quietly(ephemeral(respond, { text: OLDER, ok: false })));
    if (mapped.verb.endsWith('.form') || mapped.verb === 'more') {
      // A form opens at once: the trigger expires in 3 s.
      const a = await runAction(deps, ctx, mapped.verb, mapped.data);
      const v = a.view;
      if (v?.kind === 'form' && (v.form === 'escalate' || v.form === 'request')) {
        await client.views.open({ trigger_id: body.trigger_id, view: escalateModal({ ticketId: v.ticket.id, ticketKey: formatTicketKey(v.ticket.number), channelId: channel, ts, mode: v.form === 'escalate' ? 'now' : 'request' }) as never });
      } else if (v?.kind === 'form' && v.form === 'more') {
        await client.views.open({ trigger_id: body.trigger_id, view: moreModal({ ticketId: v.ticket.id, ticketKey: formatTicketKey(v.ticket.number), action: v.do, label: MORE_LABELS[v.do as MoreAction] ?? v.do, prompt: v.prompt, channelId: channel, ts }) as never });
      } else if (a.ok && a.replacesOriginal && channel && ts) {
        await quietly(updateInPlace(client, channel, ts, a, body.message?.blocks, render));
      } else if (v?.kind === 'form' && v.form === 'rate') {
        await client.views.open({ trigger_id: body.trigger_id, view: rateModal({ ticketId: v.ticket.id, ticketKey: formatTicketKey(v.ticket.number), score: v.score, channelId: channel, ts }) as never });
      } else await quietly(ephemeral(respond, a));
      return;
    }
    const original = body.message?.blocks;
    work.push(async () => {
      const a = await runAction(deps, ctx, mapped.verb, mapped.data);
      if (a.ok && a.replacesOriginal && channel && ts) await quietly(updateInPlace(client, channel, ts, a, original, render));
      else await quietly(ephemeral(respond, a));
    });
  });

  const submitTicket = intake ? ticketFormSubmission(deps, intake) : null;
  app.view(TICKET_MODAL, async ({ ack, view, body, client }) => {
    if (submitTicket) return ack(await submitTicket(body));
    const c = checkTicketForm(deps, body);
    if (!c.ok) return ack(c.ack);
    const { ctx } = c;
    await ack();
    // Only what the work needs is kept while it waits, not the whole request.
    const job = { data: { ...c.form, id: ticketIdForView(view.id) }, userId: body.user.id, channel: c.where };
    work.push(async () => {
      const a = await runAction(deps, ctx, 'ticket.create', job.data);
      if (!a.ok || a.view?.kind !== 'ticket') return void (await quietly(client.chat.postMessage({ channel: job.userId, text: esc(`Your ticket was not opened: ${a.text}`) })));
      // Posted in the channel (else DMed to the person) and recorded, so it follows the ticket (issue 12).
      await quietly(postTicketMessage(deps, client, { ticket: a.view.ticket, channel: job.channel, person: ctx.person, userId: job.userId, text: render(a).text }));
    });
  });

  app.view(ESCALATE_MODAL, async ({ ack, view, body, client }) => {
    const form = readEscalateForm(view.state.values as never);
    if (!form.ok) return ack({ response_action: 'errors', errors: form.errors });
    await ack();
    const m = meta(view.private_metadata);
    const ctx = ctxFor(body.user.id, m.c);
    if (!ctx || !m.t) return;
    const userId = body.user.id;
    work.push(async () => {
      const a = await runAction(deps, ctx, 'escalate', { ticket: m.t, reason: form.reason, urgency: form.urgent ? 'urgent' : 'normal' });
      if (a.ok && m.c && m.ts) await quietly(updateInPlace(client, m.c, m.ts, a, undefined, render));
      else await quietly(client.chat.postMessage({ channel: userId, text: render(a).text }));
    });
  });

  app.view(MORE_MODAL, async ({ ack, view, body, client }) => {
    const text = readMoreForm(view.state.values as never);
    if (text.length < 2) return ack({ response_action: 'errors', errors: { text: 'Write a few words.' } });
    await ack();
    const m = meta(view.private_metadata);
    const ctx = ctxFor(body.user.id, m.c);
    if (!ctx || !m.t || !m.d) return;
    const userId = body.user.id;
    work.push(async () => {
      const a = await runAction(deps, ctx, 'more', { ticket: m.t, do: m.d, text });
      if (a.ok && a.replacesOriginal && m.c && m.ts) await quietly(updateInPlace(client, m.c, m.ts, a, undefined, render));
      else await quietly(client.chat.postMessage({ channel: userId, text: render(a).text }));
    });
  });

  app.view(RATE_MODAL, async ({ ack, view, body, client }) => {
    const form = readRateForm(view.state.values as never);
    if (!form.ok) return ack({ response_action: 'errors', errors: form.errors });
    const m = meta(view.private_metadata);
    const ctx = ctxFor(body.user.id, m.c);
    if (!ctx) return ack({ response_action: 'errors', errors: { comment: unknownPerson(body.user.id).slice(0, 150) } });
    if (!m.t) return ack({ response_action: 'errors', errors: { comment: OLDER.slice(0, 150) } });
    await ack();
    const userId = body.user.id;
    work.push(async () => {
      const a = await runAction(deps, ctx, 'rate', { ticket: m.t, score: form.score, comment: form.comment });
      if (a.ok && m.c && m.ts) await quietly(updateInPlace(client, m.c, m.ts, a, [], render));
      else await quietly(client.chat.postMessage({ channel: userId, text: render(a).text }));
    });
  });
}

/** Answers per work task: one task holds a few tickets, not one closure per ticket. */
const ANSWERS_PER_TASK = 100;

/**
 * Answers the ticket requests from the form once the intake opened their group: each ticket
 * posted in its channel (else DMed), or why it was not opened. A group becomes a few work
 * tasks (ANSWERS_PER_TASK each): the posts of a task go out a few at once and are recorded in
 * one grouped write, so the answers keep up with the intake without a queue of one task per
 * ticket. A late retry of a request already answered (`answer` false) is not answered again.
 */
export function answerOpened(deps: AppDeps, post: PostMessage, work: WorkQueue, group: OpenedRecord[], later?: WriteTurn): void {
  const quietly = (p: Promise<unknown>) => p.catch((err: unknown) => deps.log.warn({ err: (err as Error).message, code: 'SLACK_ANSWER_FAILED' }, 'slack: could not deliver an answer'));
  const due = group.filter((o) => o.answer && o.rec.reply.userId);
  for (let i = 0; i < due.length; i += ANSWERS_PER_TASK) {
    const part = due.slice(i, i + ANSWERS_PER_TASK);
    work.push(async () => {
      const posts: TicketPost[] = [];
      const refused: Promise<unknown>[] = [];
      for (const { rec, result } of part) {
        const { userId, channel } = rec.reply as { userId: string; channel?: string };
        if (!result.ok) {
          refused.push(quietly(post({ channel: userId, text: esc(`Your ticket was not opened: ${result.error.message}`) })));
          continue;
        }
        const person = rec.actor.personId ? deps.directory().person(rec.actor.personId) : undefined;
        if (!person) continue;
        const t = result.ticket;
        posts.push({ ticket: t, channel: channel ?? userId, person, userId, text: esc(`${formatTicketKey(t.number)} opened by ${person.name}: ${t.title}`), fresh: result.created && !t.reactions?.length });
      }
      await Promise.all([...refused, postTicketMessages(deps, post, posts, { later })]);
    });
  }
}

const isTicketForm = (text: string) => /^\s*\/?(ticket|new|open)\b/i.test(text);

/** The message a button was on, updated for everyone: the ticket as it is now, or its buttons settled. */
async function updateInPlace(client: Client, channel: string, ts: string, a: Answer, original: unknown, render: (a: Answer) => { text: string; blocks?: unknown[] }): Promise<void> {
  const kind = a.view?.kind;
  if (kind === 'request' || kind === 'rated') {
    const icon = kind === 'request' ? ':raising_hand:' : ':star:';
    await client.chat.update({ channel, ts, text: esc(a.text), blocks: settledBlocks(original, `${icon} ${a.text}`) as never });
    return;
  }
  const m = render(a);
  await client.chat.update({ channel, ts, text: m.text, ...(m.blocks ? { blocks: m.blocks as never } : {}) });
}
