import { z } from 'zod/v4';
import type { AppDeps } from '../../app/deps.js';
import { mayActOn, requirePermission } from '../../app/policy.js';
import type { TicketPermission } from '../../app/policy.js';
import type { Actor } from '../../app/ports/timeline.js';
import { elevateTicket, respondToNotification } from '../../app/use-cases/escalations.js';
import { openTicket, requireTicket, ticketTimeline } from '../../app/use-cases/tickets.js';
import type { Person } from '../../domain/directory.js';
import { DomainError, isDomainError } from '../../domain/errors.js';
import { IMPACTS, PRIORITIES } from '../../domain/ticket.js';
import type { Ticket } from '../../domain/ticket.js';
import { formatTicketKey, parseTicketRef } from '../../domain/ticket-number.js';
import type { AdaptiveCardJson } from './teams-cards.js';
import { REFRESH_VERB, escalateRequestCard, statusHistoryCard, ticketCard } from './teams-cards.js';
import { buildTicketView } from '../../app/views/ticket-view.js';
import { refreshCardFor } from './teams-refresh.js';
import { runMajorVerb } from './teams-major-commands.js';
import type { MAJOR_VERBS } from './teams-major-commands.js';
import { escalationRequestCard } from './teams-major-cards.js';

/** The verbs the cards send (Action.Execute `verb`, or Action.Submit `data.verb`). */
export const VERBS = ['ack', 'resolve', 'elevate', 'escalate', 'escalate.form', 'history', 'show', 'ticket.create'] as const;
export type Verb = (typeof VERBS)[number] | (typeof MAJOR_VERBS)[number];

/**
 * What an action produced: a sentence for the person, and a card. `forEveryone` means the
 * card replaces the original for everyone in the conversation (the ticket changed); otherwise
 * only the person who acted sees it (a form, the history).
 */
export interface VerbOutcome {
  message: string;
  card: AdaptiveCardJson | null;
  forEveryone: boolean;
  /** False when the person made a mistake (bad input, not allowed). */
  ok: boolean;
}

export const actorOf = (p: Person): Actor => ({ personId: p.id, via: 'teams', name: p.name });

const ticketField = z.union([z.string().max(40), z.number().int().positive()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : parseTicketRef(v);
  if (n === null) {
    ctx.addIssue({ code: 'custom', message: 'not a ticket number' });
    return z.NEVER;
  }
  return n;
});
const withTicket = z.object({ ticket: ticketField });
const escalateData = withTicket.extend({ reason: z.string().max(500).optional(), urgency: z.enum(['next', 'last']).optional() });
const resolveData = withTicket.extend({ note: z.string().max(2000).optional() });
const createData = z.object({
  title: z.string().trim().min(1, 'A title is required.').max(200),
  description: z.string().max(4000).optional(),
  priority: z.enum(PRIORITIES),
  impact: z.enum(IMPACTS).optional(),
  teamId: z.string().max(100).optional(),
});

async function live(deps: AppDeps, t: Ticket) {
  return deps.escalations.liveForTicket(t.id);
}

/** The ticket card for everyone in the conversation (the actions its state allows). */
export async function cardFor(deps: AppDeps, t: Ticket, note?: string): Promise<AdaptiveCardJson> {
  const fresh = await requireTicket(deps, t.id);
  return ticketCard(await buildTicketView(deps, fresh, null), note);
}

function check(deps: AppDeps, person: Person, perm: TicketPermission, t: Ticket) {
  requirePermission(deps.directory(), person.id, perm, t, deps.clock.now());
}

const keyOf = (t: Ticket) => formatTicketKey(t.number);
const refusal = (message: string): VerbOutcome => ({ message, card: null, forEveryone: false, ok: false });

/** Runs one card or command verb for a known person. Never throws for user mistakes. */
export async function runVerb(deps: AppDeps, person: Person, verb: string, raw: unknown): Promise<VerbOutcome> {
  try {
    return await run(deps, person, verb, raw);
  } catch (e) {
    if (isDomainError(e)) return refusal(e.message);
    if (e instanceof z.ZodError) {
      const field = e.issues[0]?.path.join('.') || 'input';
      return refusal(`That did not work: ${field}: ${e.issues[0]?.message ?? 'invalid'}. Type \`help\` for the commands.`);
    }
    throw e;
  }
}

async function run(deps: AppDeps, person: Person, verb: string, raw: unknown): Promise<VerbOutcome> {
  const actor = actorOf(person);
  switch (verb) {
    case 'ack':
    case 'resolve': {
      const d = resolveData.parse(raw);
      const t = await requireTicket(deps, d.ticket);
      check(deps, person, verb === 'ack' ? 'acknowledge' : 'resolve', t);
      const r = await respondToNotification(deps, { ticket: t.id, reply: verb === 'ack' ? 'acknowledge' : 'resolve', actor, note: d.note });
      return { message: r.message, card: await cardFor(deps, r.ticket), forEveryone: true, ok: true };
    }
    case 'elevate': {
      const t = await requireTicket(deps, withTicket.parse(raw).ticket);
      check(deps, person, 'elevate', t);
      const r = await elevateTicket(deps, t.id, actor);
      return { message: r.changed ? `${keyOf(t)} elevated by ${person.name}.` : `${keyOf(t)} was already elevated.`, card: await cardFor(deps, r.ticket), forEveryone: true, ok: true };
    }
    case 'escalate.form': {
      const t = await requireTicket(deps, withTicket.parse(raw).ticket);
      // Managers, supervisors and point persons do not page people: they ask the coordinators (seed 000).
      const dir = deps.directory();
      const now = deps.clock.now();
      if (!mayActOn(dir, person.id, 'escalate_now', t, now) && mayActOn(dir, person.id, 'request_escalation', t, now)) {
        return { message: `Request urgent handling of ${keyOf(t)}: give a reason.`, card: escalationRequestCard(t), forEveryone: false, ok: true };
      }
      return { message: `Escalate ${keyOf(t)}: give a reason.`, card: escalateRequestCard(t), forEveryone: false, ok: true };
    }
    case 'escalate': {
      const d = escalateData.parse(raw);
      const t = await requireTicket(deps, d.ticket);
      const dir = deps.directory();
      const now = deps.clock.now();
      if (!mayActOn(dir, person.id, 'escalate_now', t, now) && !mayActOn(dir, person.id, 'request_escalation', t, now)) check(deps, person, 'escalate_now', t);
      const reason = d.reason?.trim();
      if (!reason) return { message: 'A reason is required to escalate: it is visible to everyone on the ticket.', card: escalateRequestCard(t), forEveryone: false, ok: false };
      const esc = await live(deps, t);
      const toStep = d.urgency === 'last' && esc ? esc.plan.steps.length : undefined;
      const r = await respondToNotification(deps, { ticket: t.id, reply: 'escalate', actor, note: reason, toStep });
      return { message: r.message, card: await cardFor(deps, r.ticket, `Escalated by ${person.name}: ${reason}`), forEveryone: true, ok: true };
    }
    case 'history': {
      const { ticket, events } = await ticketTimeline(deps, withTicket.parse(raw).ticket);
      return { message: `History of ${keyOf(ticket)}`, card: statusHistoryCard(deps, ticket, events), forEveryone: false, ok: true };
    }
    case REFRESH_VERB: // Teams asks for one viewer's own card (refresh.userIds); issue 12.
      return { message: '', card: await refreshCardFor(deps, person, raw), forEveryone: false, ok: true };
    case 'show': {
      const t = await requireTicket(deps, withTicket.parse(raw).ticket);
      return { message: keyOf(t), card: await cardFor(deps, t), forEveryone: false, ok: true };
    }
    case 'ticket.create': {
      const d = createData.parse(raw);
      const t = await openTicket(deps, { ...d, requesterId: person.id, source: 'teams' }, actor);
      return { message: `${keyOf(t)} opened.`, card: await cardFor(deps, t), forEveryone: false, ok: true };
    }
    default: {
      const major = await runMajorVerb(deps, person, verb, raw);
      if (major) return major;
      throw new DomainError('VALIDATION', `Unknown action "${verb.slice(0, 40)}".`);
    }
  }
}

