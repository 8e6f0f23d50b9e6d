import { createHash } from 'node:crypto';
import type { App, RespondFn } from '@slack/bolt';
import type { AppDeps } from '../../app/deps.js';
import { requirePermission } from '../../app/policy.js';
import { openTicket, requireTicket } from '../../app/use-cases/tickets.js';
import type { Person } from '../../domain/directory.js';
import { isDomainError } from '../../domain/errors.js';
import type { Ticket } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import { parseButtonValue } from './button-value.js';
import { esc, linesBlocks, ticketBlocks } from './blocks.js';
import { HELP_LINES, parseEscCommand } from './command-parser.js';
import type { TicketVerb } from './ticket-actions.js';
import { actOnTicket, actorFor, historyLines, listLines, simulateLines, slackReport, statusText } from './ticket-actions.js';
import { REPORT_REFUSAL, mayRunReports } from '../report/report-args.js';
import { postSlackReport } from './report-blocks.js';
import { WorkQueue } from './work-queue.js';
import { WarRoomIndex, registerMajorActions, runMajorCommand, submitEscalation, worksRequests } from './major-handlers.js';
import type { TicketForm } from './views.js';
import { ESCALATE_MODAL, TICKET_MODAL, escalateModal, meta, readEscalateForm, readTicketForm, ticketModal } from './views.js';

const unknownPerson = (userId: string) =>
  `I don't know you yet: your Slack account (${userId}) is not in Esc's directory. Ask an Esc admin to add \`slackId: ${userId}\` to your entry in the org file.`;

/** A ticket id derived from the modal's view id: a retried submission can never open a second ticket. */
export function ticketIdForView(viewId: string): string {
  const h = createHash('sha256').update(`slack-view:${viewId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

async function ephemeral(respond: RespondFn, text: string, lines?: string[]): Promise<void> {
  await respond({ response_type: 'ephemeral', replace_original: false, text: text.slice(0, 3000), ...(lines ? { blocks: linesBlocks(lines) as never } : {}) });
}

/** A refusal the person can act on, or a plain apology (and an operator log) for the unexpected. */
function failureText(deps: AppDeps, err: unknown): string {
  if (isDomainError(err)) return err.message;
  deps.log.error({ err: err instanceof Error ? err.message : String(err), code: 'SLACK_HANDLER_FAILED' }, 'slack handler failed');
  return 'Sorry, something went wrong on our side. Try again in a minute; if it keeps failing, tell the Esc admins.';
}

/** Registers /esc, the ticket buttons and the two modals on a Bolt app. */
export function registerSlackHandlers(app: App, deps: AppDeps, work = new WorkQueue()): void {
  const busy = 'Esc is very busy right now; try again in a minute.';
  const person = (userId: string): Person | undefined => deps.directory().bySlackId(userId);
  const rooms = new WarRoomIndex();

  app.command('/esc', async ({ command, ack, respond, client }) => {
    const cmd = parseEscCommand(command.text ?? '');
    if (cmd.kind === 'help' || cmd.kind === 'usage') {
      // A known command typed wrong gets its own usage line; an unknown one gets the whole list.
      const lines = cmd.kind === 'help' ? HELP_LINES : cmd.problem.startsWith("I don't know") ? [cmd.problem, '', ...HELP_LINES] : [cmd.problem, '', '`/esc help` lists every command.'];
      await ack({ response_type: 'ephemeral', text: lines.join('\n').slice(0, 3000), blocks: linesBlocks(lines) as never });
      return;
    }
    const p = person(command.user_id);
    if (!p) return ack({ response_type: 'ephemeral', text: unknownPerson(command.user_id) });
    if (cmd.kind === 'report' && !mayRunReports(p)) return ack({ response_type: 'ephemeral', text: REPORT_REFUSAL });
    // views.open must use the trigger within 3 s: it skips the queue.
    if (cmd.kind !== 'ticket' && !work.hasRoom()) return ack({ response_type: 'ephemeral', text: busy });
    await ack();
    if (cmd.kind !== 'ticket') work.push(() => runCommand(p, cmd, respond, { channelId: command.channel_id, userId: command.user_id, channelName: command.channel_name ?? '' }));
    else {
      try {
        await client.views.open({ trigger_id: command.trigger_id, view: ticketModal(deps.directory(), { title: cmd.title, channelId: command.channel_id }) as never });
      } catch (err) {
        await ephemeral(respond, failureText(deps, err));
      }
    }
  });

  const runCommand = async (p: Person, cmd: Exclude<ReturnType<typeof parseEscCommand>, { kind: 'help' | 'usage' | 'ticket' }>, respond: RespondFn, where: { channelId: string; userId: string; channelName: string }) => {
    try {
      switch (cmd.kind) {
        case 'ack':
        case 'elevate':
        case 'escalate':
        case 'resolve': {
          const verb: TicketVerb = cmd.kind === 'ack' ? 'acknowledge' : cmd.kind;
          const r = await actOnTicket(deps, p, verb, cmd.ref, 'note' in cmd ? cmd.note : undefined);
          return await ephemeral(respond, r.message);
        }
        case 'status':
          return await ephemeral(respond, await statusText(deps, p, cmd.ref));
        case 'history': {
          const lines = await historyLines(deps, cmd.ref);
          return await ephemeral(respond, lines[0]!, lines);
        }
        case 'list': {
          const lines = await listLines(deps, p, cmd.scope);
          return await ephemeral(respond, lines[0]!, lines);
        }
        case 'simulate': {
          const lines = simulateLines(deps, p, cmd.planId, cmd.priority);
          return await ephemeral(respond, lines[0]!, lines);
        }
        case 'report': {
          const { report, rows } = await slackReport(deps, cmd.query);
          await postSlackReport({ client: app.client, respond, channelId: where.channelId, userId: where.userId, report, rows });
          return;
        }
        default: {
          // Issue 7: manager escalation requests and major escalations.
          const a = await runMajorCommand(deps, p, cmd, where, rooms);
          return await ephemeral(respond, a.text, a.lines);
        }
      }
    } catch (err) {
      await ephemeral(respond, failureText(deps, err));
    }
  };

  app.action(/^esc_(ack|escalate|elevate|resolve|history)$/, async ({ ack, action, body, respond, client }) => {
    await ack();
    if (action.type !== 'button' || body.type !== 'block_actions') return;
    const p = person(body.user.id);
    if (!p) return ephemeral(respond, unknownPerson(body.user.id));
    const value = parseButtonValue(action.value);
    if (!value) return ephemeral(respond, 'That button is from an older version of Esc; use `/esc status <ticket>` instead.');
    const channel = body.container?.channel_id as string | undefined ?? body.channel?.id;
    const ts = body.container?.message_ts as string | undefined ?? body.message?.ts;
    const verb = ((action as { action_id?: string }).action_id ?? '').slice(4);
    if (verb === 'escalate') {
      // views.open must use the trigger within 3 s: it skips the queue.
      try {
        const t = await requireTicket(deps, value.t);
        requirePermission(deps.directory(), p.id, 'request_escalation', t, deps.clock.now());
        await client.views.open({ trigger_id: body.trigger_id, view: escalateModal({ ticketId: t.id, ticketKey: formatTicketKey(t.number), channelId: channel ?? null, ts: ts ?? null, mode: worksRequests(p) ? 'now' : 'request' }) as never });
      } catch (err) {
        await ephemeral(respond, failureText(deps, err));
      }
      return;
    }
    work.push(async () => {
      try {
        if (verb === 'history') {
          const lines = await historyLines(deps, value.t);
          return await ephemeral(respond, lines[0]!, lines);
        }
        const r = await actOnTicket(deps, p, verb === 'ack' ? 'acknowledge' : (verb as TicketVerb), value.t);
        if (channel && ts) await updateMessage(client, deps, channel, ts, r.ticket, r.message);
        else await ephemeral(respond, r.message);
      } catch (err) {
        await ephemeral(respond, failureText(deps, err));
      }
    });
  });

  registerMajorActions(app, deps, work, { person, unknownPerson, failureText: (err) => failureText(deps, err), ephemeral });

  app.view(TICKET_MODAL, async ({ ack, view, body, client }) => {
    const dir = deps.directory();
    const form = readTicketForm(dir, view.state.values as never);
    if (!form.ok) return ack({ response_action: 'errors', errors: form.errors });
    const p = person(body.user.id);
    if (!p) return ack({ response_action: 'errors', errors: { title: unknownPerson(body.user.id).slice(0, 150) } });
    await ack();
    // Only what the work needs is kept while it waits, not the whole request.
    const job = { form: form.form, id: ticketIdForView(view.id), person: p, userId: body.user.id, channel: meta(view.private_metadata).c ?? body.user.id };
    work.push(() => openFromModal(deps, client, job));
  });

  app.view(ESCALATE_MODAL, async ({ ack, view, body, client }) => {
    const form = readEscalateForm(view.state.values as never);
    if (!form.ok) return ack({ response_action: 'errors', errors: form.errors });
    await ack();
    const p = person(body.user.id);
    const m = meta(view.private_metadata);
    if (!p || !m.t) return;
    const userId = body.user.id;
    work.push(async () => {
      try {
        const r = await submitEscalation(deps, p, m.t!, form);
        if (m.c && m.ts) await updateMessage(client, deps, m.c, m.ts, r.ticket, r.message);
        else await client.chat.postMessage({ channel: userId, text: esc(r.message) });
      } catch (err) {
        await client.chat.postMessage({ channel: userId, text: esc(failureText(deps, err)) });
      }
    });
  });
}

/** Opens the ticket of a submitted modal (once per view: the id comes from it) and posts it. */
async function openFromModal(deps: AppDeps, client: App['client'], job: { form: TicketForm; id: string; person: Person; userId: string; channel: string }): Promise<void> {
  const { person: p, id } = job;
  let ticket: Ticket;
  try {
    ticket = await openTicket(deps, { ...job.form, id, source: 'slack', requesterId: p.id }, actorFor(p));
  } catch (err) {
    const existing = await deps.tickets.get(id);
    // With a ticket there, this was a retried submission: the first copy opened and posted it.
    if (!existing) await client.chat.postMessage({ channel: job.userId, text: esc(`Your ticket was not opened: ${failureText(deps, err)}`) });
    return;
  }
  const dir = deps.directory();
  const text = esc(`${formatTicketKey(ticket.number)} opened by ${p.name}: ${ticket.title}`);
  try {
    await client.chat.postMessage({ channel: job.channel, text, blocks: ticketBlocks(ticket, dir) as never });
  } catch {
    // Not in that channel (or it is gone): tell the person directly instead.
    await client.chat.postMessage({ channel: job.userId, text, blocks: ticketBlocks(ticket, dir) as never });
  }
}

async function updateMessage(client: App['client'], deps: AppDeps, channel: string, ts: string, ticket: Ticket, note: string): Promise<void> {
  await client.chat.update({ channel, ts, text: esc(note), blocks: ticketBlocks(ticket, deps.directory(), note) as never });
}
