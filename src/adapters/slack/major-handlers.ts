/**
 * Slack side of issue 7: the /esc subcommands for manager escalation requests and major
 * escalations, the Claim and satisfaction buttons, and the satisfaction comment modal.
 * Transport only: resolve the ticket and the people named, call a use case, answer.
 */
import type { App, RespondFn } from '@slack/bolt';
import { DateTime } from 'luxon';
import type { AppDeps } from '../../app/deps.js';
import { claimRequest, engageOwner, informManager, markReviewed, requestEscalation, sendEta } from '../../app/use-cases/coordination.js';
import { addTask, afterActionReport, assignRole, closeTask, declareMajor, linkProblem, linkRecurrence, majorForTicket, majorForWarRoom, postUpdate, recordSatisfaction } from '../../app/use-cases/major.js';
import { requireTicket } from '../../app/use-cases/tickets.js';
import type { Person } from '../../domain/directory.js';
import { DomainError } from '../../domain/errors.js';
import type { MajorEscalation } from '../../domain/major.js';
import { MAJOR_ROLE_LABELS } from '../../domain/major.js';
import type { Ticket } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import type { Block } from './blocks.js';
import { ACTIONS, RATE_ACTION, context, esc } from './blocks.js';
import type { MajorCommand, Mention } from './major-commands.js';
import { resolveWhen } from './major-commands.js';
import { actOnTicket, actorFor } from './ticket-actions.js';
import { RATE_MODAL, meta, rateModal, readRateForm } from './views.js';
import type { WorkQueue } from './work-queue.js';
import { parseButtonValue } from './button-value.js';

/** Where a command was typed: inside a war room the ticket may be left out. */
export interface CommandContext {
  channelId: string;
  channelName: string;
}

/**
 * War-room channel → ticket: a small cache in front of the stored war-room id of the major
 * escalation (an index lookup), so it works for private channels and after a restart.
 */
export class WarRoomIndex {
  private readonly byChannel = new Map<string, string>();

  remember(m: Pick<MajorEscalation, 'ticketId' | 'warRoom'> | null | undefined): void {
    if (m?.warRoom && m.warRoom.platform === 'slack') {
      this.byChannel.set(m.warRoom.id, m.ticketId);
      if (this.byChannel.size > 10_000) this.byChannel.delete(this.byChannel.keys().next().value!);
    }
  }

  /** The ticket a command is about: the one typed, else the war room's, else a clear refusal. */
  async ticketFor(deps: AppDeps, ref: number | null, ctx: CommandContext, example: string): Promise<string | number> {
    if (ref !== null) return ref;
    const known = this.byChannel.get(ctx.channelId);
    if (known) return known;
    const major = ctx.channelId ? await majorForWarRoom(deps, ctx.channelId) : null;
    if (major) {
      this.remember(major);
      return major.ticketId;
    }
    throw new DomainError('VALIDATION', `Say which ticket, e.g. \`${example}\` (in a major escalation's war-room channel you may leave it out).`, { field: 'ticket' });
  }
}

const EXAMPLES: Record<MajorCommand['kind'], string> = {
  request: '/esc request ESC-1042 exams start at 10',
  claim: '/esc claim ESC-1042',
  reviewed: '/esc reviewed ESC-1042',
  eta: '/esc eta ESC-1042 2h a technician is on the way',
  inform: '/esc inform ESC-1042 claimed, on it',
  engage: '/esc engage ESC-1042 @ivan please take this today',
  major: '/esc major ESC-1042 registrar down during enrolment',
  role: '/esc role ESC-1042 @henry incident_owner',
  task_add: '/esc task ESC-1042 add @henry 2h fail over the database',
  task_done: '/esc task ESC-1042 done 1',
  tasks: '/esc tasks ESC-1042',
  update: '/esc update ESC-1042 failover done',
  problem: '/esc problem ESC-1042 new Storage firmware',
  recurrence: '/esc recurrence ESC-1057 of ESC-1042',
  aar: '/esc aar ESC-1042',
};

/** The person a mention names, or a refusal that says who was not found. */
export function personFor(deps: AppDeps, who: Mention): Person {
  const dir = deps.directory();
  if ('slackId' in who) {
    const p = dir.bySlackId(who.slackId);
    if (!p) throw new DomainError('UNKNOWN_PERSON', `<@${who.slackId}> is not in Esc's directory, so I can't give them work. Ask an Esc admin to add \`slackId: ${who.slackId}\` to their entry in the org file.`);
    return p;
  }
  const h = who.handle;
  const p = dir.person(h) ?? dir.allPeople().find((x) => x.email.toLowerCase().split('@')[0] === h || x.slackId?.toLowerCase() === h.toLowerCase());
  if (!p) throw new DomainError('UNKNOWN_PERSON', `I don't know "@${h}": mention them from Slack's list (so the mention carries their Slack id) or use their Esc id.`);
  return p;
}

/** A time in the person's zone: "Tue 24 Nov 10:00 PST". */
export function localTime(d: Date, zone: string): string {
  return DateTime.fromJSDate(new Date(d), { zone }).toFormat('ccc d LLL HH:mm ZZZZ');
}

function when(deps: AppDeps, p: Person, words: string[]): Date {
  const r = resolveWhen(words, deps.clock.now(), p.timeZone || deps.directory().org.timeZone);
  if (!r.ok) throw new DomainError('VALIDATION', r.problem, { field: 'when' });
  return r.at;
}

export interface CommandAnswer {
  text: string;
  lines?: string[];
}

/** Runs one issue-7 subcommand for a known person; refusals throw DomainError with a sentence. */
export async function runMajorCommand(deps: AppDeps, p: Person, cmd: MajorCommand, ctx: CommandContext, rooms: WarRoomIndex): Promise<CommandAnswer> {
  const actor = actorFor(p);
  const ticket = async () => rooms.ticketFor(deps, cmd.ref, ctx, EXAMPLES[cmd.kind]);
  switch (cmd.kind) {
    case 'request':
      return { text: (await requestEscalation(deps, { ticket: await ticket(), reason: cmd.reason, urgency: 'normal', actor })).message };
    case 'claim':
      return { text: (await claimRequest(deps, { ticket: await ticket(), actor })).message };
    case 'reviewed':
      return { text: (await markReviewed(deps, { ticket: await ticket(), actor })).message };
    case 'eta': {
      const eta = when(deps, p, cmd.when);
      return { text: (await sendEta(deps, { ticket: await ticket(), eta, message: cmd.message, actor })).message };
    }
    case 'inform':
      return { text: (await informManager(deps, { ticket: await ticket(), message: cmd.message, actor })).message };
    case 'engage': {
      const owner = cmd.owner ? personFor(deps, cmd.owner) : null;
      return { text: (await engageOwner(deps, { ticket: await ticket(), ...(owner ? { ownerId: owner.id } : {}), message: cmd.message, actor })).message };
    }
    case 'major': {
      const r = await declareMajor(deps, { ticket: await ticket(), reason: cmd.reason, actor });
      rooms.remember(r.major);
      const room = r.major.warRoom;
      return { text: room?.platform === 'slack' ? `${r.message} War room: <#${room.id}>.` : r.message };
    }
    case 'role': {
      const who = personFor(deps, cmd.who);
      const r = await assignRole(deps, { ticket: await ticket(), personId: who.id, role: cmd.role, actor });
      rooms.remember(r.major);
      return { text: r.message };
    }
    case 'task_add': {
      const owner = personFor(deps, cmd.owner);
      const dueAt = when(deps, p, cmd.when);
      const r = await addTask(deps, { ticket: await ticket(), title: cmd.title, ownerId: owner.id, dueAt, actor });
      rooms.remember(r.major);
      return { text: r.message };
    }
    case 'task_done':
      return { text: (await closeTask(deps, { ticket: await ticket(), n: cmd.n, actor })).message };
    case 'tasks':
      return taskList(deps, p, await ticket(), rooms);
    case 'update':
      return { text: (await postUpdate(deps, { ticket: await ticket(), text: cmd.text, actor })).message };
    case 'problem':
      return { text: (await linkProblem(deps, { ticket: await ticket(), problem: cmd.problem, replace: cmd.replace ?? false, actor })).message };
    case 'recurrence': {
      const of = cmd.of ?? (await rooms.ticketFor(deps, null, ctx, EXAMPLES.recurrence));
      return { text: (await linkRecurrence(deps, { ticket: cmd.ref, of, actor })).message };
    }
    case 'aar': {
      const t = await ticket();
      const r = await afterActionReport(deps, { ticket: t, actor, send: true });
      const lines = r.markdown.split('\n').filter((l) => l.trim()).slice(0, 25).map(markdownLine);
      return { text: `After-action report ${r.fileName}: posted in the war room and sent to the stakeholders.`, lines: [`*After-action report* (${r.fileName}): posted in the war room and sent to the stakeholders.`, ...lines] };
    }
  }
}

/** One Markdown line as Slack mrkdwn: headings and **bold** become *bold*, the rest escaped. */
function markdownLine(line: string): string {
  const h = /^#{1,6}\s+(.*)$/.exec(line);
  if (h) return `*${esc(h[1]!)}*`;
  return esc(line).replace(/\*\*([^*]+)\*\*/g, '*$1*');
}

async function taskList(deps: AppDeps, p: Person, ref: string | number, rooms: WarRoomIndex): Promise<CommandAnswer> {
  const t = await requireTicket(deps, ref);
  const m = await majorForTicket(deps, t.id);
  const key = formatTicketKey(t.number);
  if (!m) throw new DomainError('NOT_FOUND', `${key} is not a major escalation, so it has no action plan. An escalation manager can declare one: \`/esc major ${key} <reason>\`.`);
  rooms.remember(m);
  const dir = deps.directory();
  const now = deps.clock.now().getTime();
  const zone = p.timeZone || dir.org.timeZone;
  if (m.tasks.length === 0) return { text: `${key} has no tasks yet. Add one: \`/esc task ${key} add @person 2h <title>\`.` };
  const lines = [`*Action plan of ${key}: ${esc(t.title)}*`];
  for (const task of m.tasks) {
    const owner = dir.person(task.ownerId)?.name ?? task.ownerId;
    const state = task.status === 'done' ? `:white_check_mark: done${task.doneAt ? ` ${localTime(task.doneAt, zone)}` : ''}` : new Date(task.dueAt).getTime() < now ? `:warning: *overdue* (due ${localTime(task.dueAt, zone)})` : `due ${localTime(task.dueAt, zone)}`;
    lines.push(`${task.n}. ${esc(task.title)} — ${esc(owner)}, ${state}`);
  }
  const team = m.members.map((x) => `${dir.person(x.personId)?.name ?? x.personId} (${MAJOR_ROLE_LABELS[x.role]})`);
  if (team.length > 0) lines.push(`Team: ${esc(team.join(', '))}`);
  return { text: lines[0]!, lines };
}

/**
 * The Escalate modal, submitted. Coordinators and escalation managers (who work requests)
 * escalate at once, as before; managers, team leads, point persons and executives make a
 * manager escalation request for the coordinators (seed 000).
 */
export async function submitEscalation(deps: AppDeps, p: Person, ticketId: string, form: { reason: string; urgent: boolean }): Promise<{ ticket: Ticket; message: string }> {
  if (worksRequests(p)) return actOnTicket(deps, p, 'escalate', ticketId, `${form.urgent ? '[urgent] ' : ''}${form.reason}`);
  const r = await requestEscalation(deps, { ticket: ticketId, reason: form.reason, urgency: form.urgent ? 'urgent' : 'normal', actor: actorFor(p) });
  return { ticket: r.ticket, message: r.message };
}

/** People who handle escalations themselves rather than asking the coordinators for them. */
export function worksRequests(p: Person): boolean {
  return p.roles.some((r) => r === 'coordinator' || r === 'escalation_manager' || r === 'admin');
}

/** The message a button was on, its buttons replaced by a line saying what happened. */
export function settledBlocks(original: unknown, note: string): Block[] {
  const blocks = Array.isArray(original) ? (original as Block[]).filter((b) => b.type !== 'actions') : [];
  return [...blocks, context(esc(note))].slice(-50);
}

interface ButtonPayload {
  t?: string;
  s?: number;
}

function parseValue(v: string | undefined): ButtonPayload | null {
  return parseButtonValue(v);
}

/** Claim (coordinators), the 1–5 satisfaction buttons and their comment modal. */
export function registerMajorActions(
  app: App,
  deps: AppDeps,
  work: WorkQueue,
  h: { person: (userId: string) => Person | undefined; unknownPerson: (userId: string) => string; failureText: (err: unknown) => string; ephemeral: (respond: RespondFn, text: string, lines?: string[]) => Promise<void> },
): void {
  const older = 'That button is from an older version of Esc; use `/esc help` to see the commands.';

  app.action(ACTIONS.claim, async ({ ack, action, body, respond, client }) => {
    await ack();
    if (action.type !== 'button' || body.type !== 'block_actions') return;
    const p = h.person(body.user.id);
    if (!p) return h.ephemeral(respond, h.unknownPerson(body.user.id));
    const value = parseValue(action.value);
    if (!value?.t) return h.ephemeral(respond, older);
    const channel = (body.container?.channel_id as string | undefined) ?? body.channel?.id;
    const ts = (body.container?.message_ts as string | undefined) ?? body.message?.ts;
    work.push(async () => {
      try {
        const r = await claimRequest(deps, { ticket: value.t!, actor: actorFor(p) });
        if (channel && ts) await client.chat.update({ channel, ts, text: esc(r.message), blocks: settledBlocks(body.message?.blocks, `:raising_hand: ${r.message}`) as never });
        else await h.ephemeral(respond, r.message);
      } catch (err) {
        await h.ephemeral(respond, h.failureText(err));
      }
    });
  });

  app.action(RATE_ACTION, async ({ ack, action, body, respond, client }) => {
    await ack();
    if (action.type !== 'button' || body.type !== 'block_actions') return;
    const p = h.person(body.user.id);
    if (!p) return h.ephemeral(respond, h.unknownPerson(body.user.id));
    const value = parseValue(action.value);
    if (!value?.t || !Number.isInteger(value.s) || value.s! < 1 || value.s! > 5) return h.ephemeral(respond, older);
    const channel = (body.container?.channel_id as string | undefined) ?? body.channel?.id ?? null;
    const ts = (body.container?.message_ts as string | undefined) ?? body.message?.ts ?? null;
    // views.open must use the trigger within 3 s: it skips the queue.
    try {
      const t = await requireTicket(deps, value.t);
      await client.views.open({ trigger_id: body.trigger_id, view: rateModal({ ticketId: t.id, ticketKey: formatTicketKey(t.number), score: value.s!, channelId: channel, ts }) as never });
    } catch (err) {
      await h.ephemeral(respond, h.failureText(err));
    }
  });

  app.view(RATE_MODAL, async ({ ack, view, body, client }) => {
    const form = readRateForm(view.state.values as never);
    if (!form.ok) return ack({ response_action: 'errors', errors: form.errors });
    const p = h.person(body.user.id);
    if (!p) return ack({ response_action: 'errors', errors: { comment: h.unknownPerson(body.user.id).slice(0, 150) } });
    const m = meta(view.private_metadata);
    if (!m.t) return ack({ response_action: 'errors', errors: { comment: older.slice(0, 150) } });
    await ack();
    const userId = body.user.id;
    work.push(async () => {
      try {
        const r = await recordSatisfaction(deps, { ticket: m.t!, score: form.score, comment: form.comment || undefined, actor: actorFor(p) });
        if (m.c && m.ts) await client.chat.update({ channel: m.c, ts: m.ts, text: esc(r.message), blocks: settledBlocks([], `:star: ${r.message}`) as never });
        else await client.chat.postMessage({ channel: userId, text: esc(r.message) });
      } catch (err) {
        await client.chat.postMessage({ channel: userId, text: esc(h.failureText(err)) });
      }
    });
  });
}
