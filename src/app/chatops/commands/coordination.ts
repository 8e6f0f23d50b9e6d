/** Manager escalation requests (seed 000): request, then the coordinator's checklist. */
import type { AppDeps } from '../../deps.js';
import { claimRequest, engageOwner, informManager, markReviewed, requestEscalation, sendEta } from '../../use-cases/coordination.js';
import { requireTicket } from '../../use-cases/tickets.js';
import { DomainError } from '../../../domain/errors.js';
import type { Answer, ChatContext } from '../answer.js';
import { say } from '../answer.js';
import { command, Usage } from '../spec.js';
import type { Command } from '../spec.js';
import { ticketFor } from '../war-room-ticket.js';
import { resolveWhen, whenLength } from '../when.js';
import { personWord, requirePerson, ticketWord } from '../words.js';

const G = 'Escalation requests (managers, team leads, point persons; coordinators)';

/** The optional ticket first (inside a war room it may be left out), then the rest. */
export function splitRef(words: string[]): { ref: number | null; rest: string[] } {
  const ref = ticketWord(words[0]);
  return { ref, rest: ref === null ? words : words.slice(1) };
}

/** A time typed in the reader's zone, or a refusal saying how to write one. */
export function whenOf(deps: AppDeps, ctx: ChatContext, words: string[]): Date {
  const r = resolveWhen(words, deps.clock.now(), ctx.zone);
  if (!r.ok) throw new DomainError('VALIDATION', r.problem, { field: 'when' });
  return r.at;
}

/** The ticket as it is after the action, so the answer can show it. */
async function withTicket(deps: AppDeps, ticketId: string, message: string): Promise<Answer> {
  return say(message, { kind: 'ticket', ticket: await requireTicket(deps, ticketId) });
}

function refOnly(name: string) {
  return (words: string[]): { ref: number | null } | Usage => {
    const { ref, rest } = splitRef(words);
    return rest.length > 0 ? new Usage(`\`/esc ${name}\` takes only a ticket, e.g. \`/esc ${name} ESC-1042\`.`) : { ref };
  };
}

export const coordinationCommands: Command[] = [
  command({
    name: 'request',
    aliases: ['request-escalation'],
    group: G,
    usage: 'request <ticket> <reason>',
    summary: 'ask the escalation coordinators for urgent handling (the CIO is copied)',
    example: 'request ESC-1042 exams start at 10',
    parse: (words) => {
      const { ref, rest } = splitRef(words);
      const reason = rest.join(' ');
      if (reason.length < 5) return new Usage('Say why, in a few words everyone will read: `/esc request ESC-1042 exams start at 10`.');
      return { ref, reason };
    },
    run: async (deps, ctx, a) => {
      const r = await requestEscalation(deps, { ticket: await ticketFor(deps, ctx, a.ref, 'request ESC-1042 exams start at 10'), reason: a.reason, urgency: 'normal', actor: ctx.actor });
      return withTicket(deps, r.ticket.id, r.message);
    },
  }),
  command({
    name: 'claim',
    // `take ESC-1042` still claims: the on-call `take` command hands ticket words here.
    group: G,
    usage: 'claim <ticket>',
    summary: 'a coordinator takes the request; the other coordinators are told',
    example: 'claim ESC-1042',
    parse: refOnly('claim'),
    run: async (deps, ctx, a) => {
      const r = await claimRequest(deps, { ticket: await ticketFor(deps, ctx, a.ref, 'claim ESC-1042'), actor: ctx.actor });
      return say(r.message, { kind: 'request', ticket: r.ticket, request: r.request }, true);
    },
  }),
  command({
    name: 'reviewed',
    aliases: ['review'],
    group: G,
    usage: 'reviewed <ticket>',
    summary: 'the ticket and its history are reviewed',
    example: 'reviewed ESC-1042',
    parse: refOnly('reviewed'),
    run: async (deps, ctx, a) => say((await markReviewed(deps, { ticket: await ticketFor(deps, ctx, a.ref, 'reviewed ESC-1042'), actor: ctx.actor })).message),
  }),
  command({
    name: 'eta',
    group: G,
    usage: 'eta <ticket> <when> <message>',
    summary: 'tell the user the estimated time (CIO copied); when: `2h`, `30m`, `tomorrow 10:00`, `friday 9am`, `2026-11-25 14:00` (your time zone)',
    example: 'eta ESC-1042 tomorrow 10:00 the new laptop arrives in the morning',
    parse: (words) => {
      const { ref, rest } = splitRef(words);
      const n = whenLength(rest);
      if (n === 0) return new Usage('Say when, then the message: `/esc eta ESC-1042 tomorrow 10:00 the new laptop arrives in the morning` (when: `2h`, `tomorrow 10:00`, `2026-11-25 14:00`).');
      const message = rest.slice(n).join(' ');
      if (!message) return new Usage('Add a message for the user after the time, e.g. `/esc eta ESC-1042 2h a technician is on the way`.');
      return { ref, when: rest.slice(0, n), message };
    },
    run: async (deps, ctx, a) => {
      const eta = whenOf(deps, ctx, a.when);
      return say((await sendEta(deps, { ticket: await ticketFor(deps, ctx, a.ref, 'eta ESC-1042 2h a technician is on the way'), eta, message: a.message, actor: ctx.actor })).message);
    },
  }),
  command({
    name: 'inform',
    group: G,
    usage: 'inform <ticket> <message>',
    summary: 'tell the requesting manager the status',
    example: 'inform ESC-1042 claimed, technician on site at 14:00',
    parse: (words) => {
      const { ref, rest } = splitRef(words);
      return rest.length === 0 ? new Usage('Add the status for the manager: `/esc inform ESC-1042 claimed, technician on site at 14:00`.') : { ref, message: rest.join(' ') };
    },
    run: async (deps, ctx, a) => say((await informManager(deps, { ticket: await ticketFor(deps, ctx, a.ref, 'inform ESC-1042 claimed, on it'), message: a.message, actor: ctx.actor })).message),
  }),
  command({
    name: 'engage',
    group: G,
    usage: 'engage <ticket> [@owner] <message>',
    summary: 'engage the service owner (default: the team manager)',
    example: 'engage ESC-1042 @ivan please take this one today',
    parse: (words) => {
      const { ref, rest } = splitRef(words);
      const owner = personWord(rest[0]);
      const message = rest.slice(owner ? 1 : 0).join(' ');
      return message ? { ref, owner, message } : new Usage('Add a message for the service owner: `/esc engage ESC-1042 @ivan please take this one today`.');
    },
    run: async (deps, ctx, a) => {
      const owner = a.owner ? requirePerson(deps.directory(), a.owner) : null;
      const r = await engageOwner(deps, { ticket: await ticketFor(deps, ctx, a.ref, 'engage ESC-1042 @ivan please take this today'), message: a.message, actor: ctx.actor, ...(owner ? { ownerId: owner.id } : {}) });
      return say(r.message);
    },
  }),
];
