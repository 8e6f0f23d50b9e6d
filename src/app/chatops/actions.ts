/**
 * Buttons and card actions are commands too: a verb and its data, validated by schema before
 * use (a Slack button value or card data is whatever the client sent), then one use case.
 */
import { z } from 'zod/v4';
import type { AppDeps } from '../deps.js';
import { authorize } from '../authorize.js';
import { claimRequest, requestEscalation } from '../use-cases/coordination.js';
import { escalateMode, escalateTicket } from '../use-cases/escalate.js';
import { elevateTicket } from '../use-cases/escalations.js';
import { ticketHistory } from '../use-cases/history.js';
import { closeTask, majorForTicket, recordSatisfaction } from '../use-cases/major.js';
import { respondToNotification } from '../use-cases/respond.js';
import { openTicket, requireTicket, requireVisibleTicket } from '../use-cases/tickets.js';
import { takeCover } from '../use-cases/oncall/cover.js';
import { DomainError } from '../../domain/errors.js';
import { IMPACTS, PRIORITIES } from '../../domain/ticket.js';
import { formatTicketKey, parseTicketRef } from '../../domain/ticket-number.js';
import type { Answer, ChatContext } from './answer.js';
import { MORE_NEEDS_TEXT } from '../views/ticket-view.js';
import { personalHome } from '../use-cases/home.js';
import { refuse, say } from './answer.js';
import { localTime } from './words.js';

/** A ticket as a button or card carries it: its id, ESC-1042, or the number. Never an object. */
const ticketRef = z.union([z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9#-]+$/, 'not a ticket'), z.number().int().positive().max(1e9)]).transform((v) => (typeof v === 'string' ? (parseTicketRef(v) ?? v) : v));
const withTicket = z.object({ ticket: ticketRef });
const text = (max: number) => z.string().max(max).optional();

const schemas = {
  ack: withTicket,
  resolve: withTicket.extend({ note: text(2000) }),
  elevate: withTicket.extend({ reason: text(1000) }),
  history: withTicket,
  show: withTicket,
  'escalate.form': withTicket,
  escalate: withTicket.extend({ reason: text(2000), urgency: z.enum(['next', 'last', 'normal', 'urgent']).optional() }),
  'request.form': withTicket,
  request: withTicket.extend({ reason: text(2000), urgency: z.enum(['normal', 'urgent']).optional() }),
  claim: withTicket,
  'rate.form': withTicket.extend({ score: z.coerce.number().int().min(1, 'choose 1 to 5').max(5, 'choose 1 to 5') }),
  rate: withTicket.extend({ score: z.coerce.number().int().min(1, 'choose 1 to 5').max(5, 'choose 1 to 5'), comment: text(1000) }),
  tasks: withTicket,
  'task.done': withTicket.extend({ n: z.coerce.number().int().min(1, 'choose a task').max(10_000) }),
  'major.show': withTicket,
  /** The home card's Refresh (issue 16). */
  home: z.object({}).passthrough(),
  /** The "More" menu (issue 16): one verb, the chosen action and its words (a reason, a note, a team, @person). */
  more: withTicket.extend({ do: z.enum(['take', 'note', 'hold', 'resume', 'reopen', 'move', 'notify_management', 'page', 'confidential']), text: text(2000) }),
  /** The Take button of a cover request. */
  'cover.take': z.object({ cover: z.string().trim().min(1).max(80).regex(/^[\w-]+$/, 'not a cover request') }),
  'ticket.create': z.object({
    title: z.string().trim().min(1, 'A title is required.').max(200),
    description: z.string().max(4000).optional(),
    priority: z.enum(PRIORITIES),
    impact: z.enum(IMPACTS).optional(),
    teamId: z.string().max(100).optional(),
    /** Slack: derived from the modal's view id, so a retried submission opens one ticket. */
    id: z.uuid().optional(),
    /** Slack checkbox → boolean; Teams Input.Toggle → "true" / "false". */
    confidential: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
  }),
} as const;

export type ActionVerb = keyof typeof schemas;
export const ACTION_VERBS = Object.keys(schemas) as ActionVerb[];
type Data<V extends ActionVerb> = z.infer<(typeof schemas)[V]>;

const isVerb = (v: string): v is ActionVerb => Object.hasOwn(schemas, v);

async function ticketAnswer(deps: AppDeps, id: string, message: string, note?: string): Promise<Answer> {
  return say(message, { kind: 'ticket', ticket: await requireTicket(deps, id), ...(note ? { note } : {}) }, true);
}

/** The command a More action runs, as typed (so the menu and the command share one parser and one use case). */
export function moreCommand(d: { ticket: string | number; do: string; text?: string | undefined }, key: string): string {
  const words = (d.text ?? '').trim();
  switch (d.do) {
    case 'take':
      return `assign ${key} me`;
    case 'notify_management':
      return `notify-management ${key} ${words}`;
    case 'confidential':
      return `confidential ${key} on`;
    default:
      return `${d.do} ${key} ${words}`;
  }
}

const handlers: { [V in ActionVerb]: (deps: AppDeps, ctx: ChatContext, d: Data<V>) => Promise<Answer> } = {
  ack: async (deps, ctx, d) => {
    const r = await respondToNotification(deps, { ticket: d.ticket, reply: 'acknowledge', actor: ctx.actor });
    return ticketAnswer(deps, r.ticket.id, r.message);
  },
  resolve: async (deps, ctx, d) => {
    const r = await respondToNotification(deps, { ticket: d.ticket, reply: 'resolve', actor: ctx.actor, ...(d.note ? { note: d.note } : {}) });
    return ticketAnswer(deps, r.ticket.id, r.message);
  },
  elevate: async (deps, ctx, d) => {
    const r = await elevateTicket(deps, d.ticket, ctx.actor, d.reason || undefined);
    const key = formatTicketKey(r.ticket.number);
    return ticketAnswer(deps, r.ticket.id, r.changed ? `${key} elevated by ${ctx.person.name}.` : `${key} was already elevated; nothing changed.`);
  },
  history: async (deps, ctx, d) => {
    const h = await ticketHistory(deps, d.ticket, ctx.zone, ctx.actor);
    return say(`History of ${h.key}`, { kind: 'history', history: h, zone: ctx.zone });
  },
  show: async (deps, ctx, d) => {
    const t = await requireVisibleTicket(deps, d.ticket, ctx.actor);
    return say(formatTicketKey(t.number), { kind: 'ticket', ticket: t });
  },
  'escalate.form': async (deps, ctx, d) => {
    const { mode, ticket } = await escalateMode(deps, ctx.actor, d.ticket);
    const key = formatTicketKey(ticket.number);
    return mode === 'now' ? say(`Escalate ${key}: give a reason.`, { kind: 'form', form: 'escalate', ticket }) : say(`Request urgent handling of ${key}: give a reason.`, { kind: 'form', form: 'request', ticket });
  },
  escalate: async (deps, ctx, d) => {
    const { mode, ticket } = await escalateMode(deps, ctx.actor, d.ticket);
    const reason = d.reason?.trim() ?? '';
    const why = 'A reason is required: it is visible to everyone on the ticket.';
    if (!reason) return refuse(why, { kind: 'form', form: mode === 'now' ? 'escalate' : 'request', ticket, problem: why });
    const r = await escalateTicket(deps, { ticket: ticket.id, actor: ctx.actor, reason, ...(d.urgency ? { urgency: d.urgency } : {}) });
    return ticketAnswer(deps, r.ticket.id, r.message, `${r.mode === 'now' ? 'Escalated' : 'Escalation requested'} by ${ctx.person.name}: ${reason}`);
  },
  'request.form': async (deps, ctx, d) => {
    const ticket = await requireTicket(deps, d.ticket);
    authorize(deps, ctx.actor, 'request_escalation', ticket);
    return say(`Request urgent handling of ${formatTicketKey(ticket.number)}: give a reason.`, { kind: 'form', form: 'request', ticket });
  },
  request: async (deps, ctx, d) => {
    const ticket = await requireTicket(deps, d.ticket);
    const reason = d.reason?.trim() ?? '';
    const why = 'A reason is required: say in a few words why this needs urgent handling. Everyone on the ticket will read it.';
    if (reason.length < 5) return refuse(why, { kind: 'form', form: 'request', ticket, problem: why });
    const r = await requestEscalation(deps, { ticket: ticket.id, reason, urgency: d.urgency ?? 'normal', actor: ctx.actor });
    return ticketAnswer(deps, r.ticket.id, r.message, `Escalation requested by ${ctx.person.name}: ${reason}`);
  },
  claim: async (deps, ctx, d) => {
    const r = await claimRequest(deps, { ticket: d.ticket, actor: ctx.actor });
    return say(r.message, { kind: 'request', ticket: r.ticket, request: r.request }, true);
  },
  'rate.form': async (deps, _ctx, d) => {
    const ticket = await requireTicket(deps, d.ticket);
    return say(`Rate ${formatTicketKey(ticket.number)}: ${d.score}/5`, { kind: 'form', form: 'rate', ticket, score: d.score });
  },
  rate: async (deps, ctx, d) => {
    const comment = d.comment?.trim() ?? '';
    const r = await recordSatisfaction(deps, { ticket: d.ticket, score: d.score, comment, actor: ctx.actor });
    return say(r.message, { kind: 'rated', ticket: r.ticket, score: d.score, comment }, true);
  },
  tasks: async (deps, ctx, d) => {
    const { t, m } = await requireMajor(deps, d.ticket);
    return say(`Action plan of ${formatTicketKey(t.number)}`, { kind: 'tasks', ticket: t, major: m, zone: ctx.zone });
  },
  'task.done': async (deps, ctx, d) => {
    const r = await closeTask(deps, { ticket: d.ticket, n: d.n, actor: ctx.actor });
    return say(r.message, { kind: 'tasks', ticket: r.ticket, major: r.major, zone: ctx.zone }, true);
  },
  'major.show': async (deps, ctx, d) => {
    const { t, m } = await requireMajor(deps, d.ticket);
    return say(formatTicketKey(t.number), { kind: 'major', ticket: t, major: m, zone: ctx.zone });
  },
  home: async (deps, ctx) => say(`${ctx.person.name}: your Esc home`, { kind: 'home', home: await personalHome(deps, ctx.person) }, true),
  more: async (deps, _ctx, d) => {
    const t = await requireTicket(deps, d.ticket);
    const key = formatTicketKey(t.number);
    if (MORE_NEEDS_TEXT.includes(d.do) && !d.text?.trim()) {
      const prompt = MORE_PROMPTS[d.do] ?? 'Add the words:';
      return refuse(`${prompt} (or type \`/esc ${moreCommand(d, key)}…\`).`, { kind: 'form', form: 'more', ticket: t, do: d.do, prompt });
    }
    // The catalog runs it as the command (one parser, one use case): see runAction.
    return say(`Running \`/esc ${moreCommand(d, key)}\``, { kind: 'run', command: moreCommand(d, key) });
  },
  'cover.take': async (deps, ctx, d) => {
    const r = await takeCover(deps, { actor: ctx.actor, coverId: d.cover });
    return say(`${ctx.person.name} took this cover: on call for ${deps.directory().team(r.cover.teamId)?.name ?? r.cover.teamId} until ${localTime(r.override.to, ctx.zone)}.`, undefined, true);
  },
  'ticket.create': async (deps, ctx, d) => {
    if (d.id) {
      // A retried submission of the same form: the first copy opened it.
      const existing = await deps.tickets.get(d.id);
      if (existing) return say(`${formatTicketKey(existing.number)} opened.`, { kind: 'ticket', ticket: existing });
    }
    const { id, confidential, ...input } = d;
    const secret = confidential === true || confidential === 'true';
    const t = await openTicket(deps, { ...input, ...(id ? { id } : {}), ...(secret ? { confidential: true } : {}), requesterId: ctx.person.id, source: ctx.platform }, ctx.actor);
    // The sentence may be posted where others read it (the channel the form came from): a confidential title stays out.
    return say(secret ? `${formatTicketKey(t.number)} opened by ${ctx.person.name} (confidential).` : `${formatTicketKey(t.number)} opened by ${ctx.person.name}: ${t.title}`, { kind: 'ticket', ticket: t });
  },
};

const MORE_PROMPTS: Partial<Record<string, string>> = {
  note: 'Write the note',
  hold: 'Say why it waits for the customer',
  reopen: 'Say why it is reopened',
  move: 'Name the team, then a reason (e.g. infrastructure the switch needs a network engineer)',
  page: 'Name a person (@henry) or a team, then a reason',
};

async function requireMajor(deps: AppDeps, ref: string | number) {
  const t = await requireTicket(deps, ref);
  const m = await majorForTicket(deps, t.id);
  if (!m) throw new DomainError('NOT_FOUND', `${formatTicketKey(t.number)} is not a major escalation: an escalation manager declares one with \`/esc major ${formatTicketKey(t.number)} <reason>\`.`);
  return { t, m };
}

/**
 * Runs a button or card action for a known person. The data is checked against the verb's
 * schema first; a verb Esc does not know, or data that does not fit, is refused.
 * Throws DomainError for refusals (the caller turns them into an answer).
 */
export async function runVerb(deps: AppDeps, ctx: ChatContext, verb: string, data: unknown): Promise<Answer> {
  if (!isVerb(verb)) return refuse(`That button is from an older version of Esc (or unknown: "${verb.slice(0, 40)}"); type \`/esc help\` for the commands.`);
  const parsed = schemas[verb].safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse(`That did not work: ${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}. Type \`/esc help\` for the commands.`);
  }
  const run = handlers[verb] as (deps: AppDeps, ctx: ChatContext, d: unknown) => Promise<Answer>;
  return run(deps, ctx, parsed.data);
}
