/** Everyday ticket work from chat (issue 16): assign, note, hold/resume, reopen, move, notify management, page, confidential. */
import { moveToTeam, notifyManagementChain } from '../../use-cases/escalations.js';
import { addNote, assignTicket, holdTicket, pageResponder, reopenTicket, resumeTicket, setConfidential } from '../../use-cases/ticket-work.js';
import { formatTicketKey } from '../../../domain/ticket-number.js';
import { personalHome } from '../../use-cases/home.js';
import { say } from '../answer.js';
import { command, Usage } from '../spec.js';
import type { Command } from '../spec.js';
import { personWord, requirePerson, ticketWord } from '../words.js';
import { changed, ticketOnly, ticketThenText } from './tickets.js';

const G = 'Ticket work';

/** `<ticket> <who> [text]`: who is `@person`, `me`, or (when teams may be named) a team id. */
function ticketWhoText(name: string, example: string, teams: boolean) {
  return (words: string[]): { ref: number; who: { person: string } | { me: true } | { team: string }; text: string } | Usage => {
    if (!words[0]) return new Usage(`Say which ticket: \`/esc ${name} ${example}\`.`);
    const ref = ticketWord(words[0]);
    if (ref === null) return new Usage(`"${words[0].slice(0, 30)}" is not a ticket number: use ESC-1042 or 1042.`);
    const w = words[1];
    if (!w) return new Usage(`Say who: \`/esc ${name} ${example}\`.`);
    const text = words.slice(2).join(' ').slice(0, 2000);
    if (w.toLowerCase() === 'me') return { ref, who: { me: true }, text };
    const person = personWord(w);
    if (person) return { ref, who: { person }, text };
    if (teams && /^[\w.-]{1,100}$/.test(w)) return { ref, who: { team: w.toLowerCase() }, text };
    return new Usage(`"${w.slice(0, 30)}" is not a person${teams ? ' or a team' : ''}: mention them, or type \`me\`.`);
  };
}

export const ticketWorkCommands: Command[] = [
  command({
    name: 'home',
    aliases: ['mywork'],
    group: G,
    usage: 'home',
    summary: 'what needs you: your tickets and their SLA, pages, requests to claim, tasks, on-call, what breaches today',
    example: 'home',
    parse: (words) => (words.length > 0 ? new Usage('`/esc home` takes nothing after it.') : {}),
    run: async (deps, ctx) => say(`${ctx.person.name}: your Esc home`, { kind: 'home', home: await personalHome(deps, ctx.person) }),
  }),
  command({
    name: 'assign',
    group: G,
    usage: 'assign <ticket> <@person|me>',
    summary: 'give the ticket to a person (or take it)',
    example: 'assign ESC-1042 me',
    parse: ticketWhoText('assign', 'ESC-1042 @alice', false),
    run: async (deps, ctx, a) => {
      const id = 'me' in a.who ? ctx.person.id : 'person' in a.who ? requirePerson(deps.directory(), a.who.person).id : '';
      const r = await assignTicket(deps, a.ref, id, ctx.actor);
      const key = formatTicketKey(r.ticket.number);
      const name = deps.directory().person(id)?.name ?? id;
      return changed(deps, r.ticket.id, r.changed ? `${key} assigned to ${name} by ${ctx.person.name}.` : `${key} is already assigned to ${name}; nothing changed.`);
    },
  }),
  command({
    name: 'note',
    aliases: ['comment'],
    group: G,
    usage: 'note <ticket> <text>',
    summary: 'add a note to the ticket’s history',
    example: 'note ESC-1042 called the user, waiting for a screenshot',
    parse: ticketThenText('note', 'ESC-1042 called the user', true, 'Write the note:'),
    run: async (deps, ctx, a) => {
      const r = await addNote(deps, a.ref, a.text, ctx.actor);
      return say(`Note added to ${formatTicketKey(r.ticket.number)}.`);
    },
  }),
  command({
    name: 'hold',
    aliases: ['pend'],
    group: G,
    usage: 'hold <ticket> <reason>',
    summary: 'on hold while waiting for the customer: the SLA pauses',
    example: 'hold ESC-1042 waiting for the user to reboot',
    parse: ticketThenText('hold', 'ESC-1042 waiting for the user', true, 'Say why it waits:'),
    run: async (deps, ctx, a) => {
      const r = await holdTicket(deps, a.ref, a.text, ctx.actor);
      const key = formatTicketKey(r.ticket.number);
      return changed(deps, r.ticket.id, r.changed ? `${key} on hold (${a.text}); its SLA is paused. \`/esc resume ${key}\` when work goes on.` : `${key} was already on hold; nothing changed.`);
    },
  }),
  command({
    name: 'resume',
    aliases: ['unhold'],
    group: G,
    usage: 'resume <ticket>',
    summary: 'back to work: the SLA runs again from where it paused',
    example: 'resume ESC-1042',
    parse: ticketOnly('resume'),
    run: async (deps, ctx, a) => {
      const r = await resumeTicket(deps, a.ref, ctx.actor);
      const key = formatTicketKey(r.ticket.number);
      return changed(deps, r.ticket.id, r.changed ? `${key} resumed by ${ctx.person.name}; its SLA runs again.` : `${key} is not on hold; nothing changed.`);
    },
  }),
  command({
    name: 'reopen',
    group: G,
    usage: 'reopen <ticket> <reason>',
    summary: 'reopen a resolved or closed ticket',
    example: 'reopen ESC-1042 the VPN dropped again',
    parse: ticketThenText('reopen', 'ESC-1042 the VPN dropped again', true, 'Say why it is reopened:'),
    run: async (deps, ctx, a) => {
      const r = await reopenTicket(deps, a.ref, a.text, ctx.actor);
      const key = formatTicketKey(r.ticket.number);
      return changed(deps, r.ticket.id, r.changed ? `${key} reopened by ${ctx.person.name}: ${a.text}` : `${key} is open; nothing changed.`);
    },
  }),
  command({
    name: 'move',
    aliases: ['transfer'],
    group: G,
    usage: 'move <ticket> <team> [reason]',
    summary: 'functional escalation: to another team; its SLA, plan and channel apply from now',
    example: 'move ESC-1042 infrastructure the switch needs a network engineer',
    parse: (words) => {
      const r = ticketThenText('move', 'ESC-1042 infrastructure', true, 'Say which team:')(words);
      if (r instanceof Usage) return r;
      const [team, ...rest] = r.text.split(' ');
      return { ref: r.ref, team: team!.toLowerCase(), reason: rest.join(' ') };
    },
    run: async (deps, ctx, a) => {
      const dir = deps.directory();
      const team = dir.team(a.team) ?? dir.allTeams().find((t) => t.name.toLowerCase() === a.team);
      const t = await moveToTeam(deps, a.ref, ctx.actor, team?.id ?? a.team, a.reason || undefined);
      return changed(deps, t.id, `${formatTicketKey(t.number)} moved to ${dir.team(t.teamId)?.name ?? t.teamId} by ${ctx.person.name}; its SLA restarts on their calendar.`);
    },
  }),
  command({
    name: 'notify-management',
    aliases: ['management', 'mgmt'],
    group: G,
    usage: 'notify-management <ticket> [reason]',
    summary: 'hierarchical escalation: the next manager up the chain is told',
    example: 'notify-management ESC-1042 the Dean is waiting',
    parse: ticketThenText('notify-management', 'ESC-1042 the Dean is waiting'),
    run: async (deps, ctx, a) => {
      const r = await notifyManagementChain(deps, a.ref, ctx.actor, a.text || undefined);
      return changed(deps, r.ticket.id, `${formatTicketKey(r.ticket.number)}: ${deps.directory().person(r.managerId)?.name ?? r.managerId} was told.`);
    },
  }),
  command({
    name: 'page',
    aliases: ['add-responder'],
    group: G,
    usage: 'page <ticket> <@person|team> [reason]',
    summary: "add a responder: pages a person (or a team's on-call) outside the plan",
    example: 'page ESC-1042 @henry the core switch is his',
    parse: ticketWhoText('page', 'ESC-1042 @henry', true),
    run: async (deps, ctx, a) => {
      const dir = deps.directory();
      const w = a.who;
      const target = 'team' in w ? { teamId: dir.team(w.team)?.id ?? dir.allTeams().find((t) => t.name.toLowerCase() === w.team)?.id ?? w.team } : { personId: 'me' in w ? ctx.person.id : requirePerson(dir, w.person).id };
      const r = await pageResponder(deps, a.ref, target, a.text || null, ctx.actor);
      return changed(deps, r.ticket.id, `${formatTicketKey(r.ticket.number)}: ${dir.person(r.personId)?.name ?? r.personId} paged by ${ctx.person.name}.`);
    },
  }),
  command({
    name: 'confidential',
    group: G,
    usage: 'confidential <ticket> [on|off]',
    summary: 'leads: only the requester, the team, coordinators, escalation managers and admins see it',
    example: 'confidential ESC-1042 on',
    parse: (words) => {
      const r = ticketThenText('confidential', 'ESC-1042 on')(words);
      if (r instanceof Usage) return r;
      const v = (r.text || 'on').toLowerCase();
      if (v !== 'on' && v !== 'off') return new Usage('Say `on` or `off`.');
      return { ref: r.ref, on: v === 'on' };
    },
    run: async (deps, ctx, a) => {
      const r = await setConfidential(deps, a.ref, a.on, ctx.actor);
      const key = formatTicketKey(r.ticket.number);
      const room = r.publicRoom ? ` Its war room ${r.publicRoom} was opened before and is not private: ask a workspace admin to make it private, or archive it.` : '';
      return changed(deps, r.ticket.id, (r.changed ? `${key} is ${a.on ? 'now confidential' : 'no longer confidential'}.` : `${key} already was ${a.on ? '' : 'not '}confidential; nothing changed.`) + room);
    },
  }),
];
