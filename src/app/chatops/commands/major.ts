/** Major escalations (seed 001): declare, the team, the action plan, updates, problems, the report. */
import type { AppDeps } from '../../deps.js';
import { addTask, afterActionReport, assignRole, closeTask, declareMajor, linkProblem, linkRecurrence, majorForTicket, postUpdate } from '../../use-cases/major.js';
import { requireTicket } from '../../use-cases/tickets.js';
import { DomainError } from '../../../domain/errors.js';
import { MAJOR_ROLES } from '../../../domain/major.js';
import type { MajorRole } from '../../../domain/major.js';
import { formatTicketKey } from '../../../domain/ticket-number.js';
import type { ChatContext } from '../answer.js';
import { say } from '../answer.js';
import { command, Usage } from '../spec.js';
import type { Command } from '../spec.js';
import { rememberRoom, ticketFor } from '../war-room-ticket.js';
import { whenLength } from '../when.js';
import { personWord, requirePerson, ticketWord } from '../words.js';
import { splitRef, whenOf } from './coordination.js';

const G = "Major escalations (escalation managers; in the war room the ticket may be left out)";

const ROLE_ALIASES: Record<string, MajorRole> = { owner: 'incident_owner', 'incident-owner': 'incident_owner', brm: 'abrm', 'problem-owner': 'problem_owner', expert: 'sme', 'subject-expert': 'sme', em: 'escalation_manager', 'escalation-manager': 'escalation_manager', manager: 'escalation_manager' };

function roleOf(word: string | undefined): MajorRole | null {
  const w = (word ?? '').toLowerCase();
  return (MAJOR_ROLES as readonly string[]).includes(w) ? (w as MajorRole) : (ROLE_ALIASES[w] ?? null);
}

async function majorOf(deps: AppDeps, ctx: ChatContext, ref: number | null) {
  const t = await requireTicket(deps, await ticketFor(deps, ctx, ref, 'tasks ESC-1042'));
  const m = await majorForTicket(deps, t.id);
  const key = formatTicketKey(t.number);
  if (!m) throw new DomainError('NOT_FOUND', `${key} is not a major escalation, so it has no action plan. An escalation manager can declare one: \`/esc major ${key} <reason>\`.`);
  rememberRoom(m);
  return { t, m };
}

type TaskArgs = { op: 'add'; ref: number | null; owner: string; when: string[]; title: string } | { op: 'done'; ref: number | null; n: number };
type ProblemArgs = { ref: number | null; problem: { number: number } | { title: string }; replace: boolean };

export const majorCommands: Command[] = [
  command({
    name: 'major',
    aliases: ['declare'],
    group: G,
    usage: 'major <ticket> <reason>',
    summary: 'declare a major escalation: war room, pinned summary, team invited',
    example: 'major ESC-1042 registrar down during enrolment',
    parse: (words) => {
      const { ref, rest } = splitRef(words);
      const reason = rest.join(' ');
      return reason.length < 5 ? new Usage('Say why, in a few words everyone will read: `/esc major ESC-1042 registrar down during enrolment`.') : { ref, reason };
    },
    run: async (deps, ctx, a) => {
      const r = await declareMajor(deps, { ticket: await ticketFor(deps, ctx, a.ref, 'major ESC-1042 registrar down during enrolment'), reason: a.reason, actor: ctx.actor });
      rememberRoom(r.major);
      return say(r.message, { kind: 'major', ticket: r.ticket, major: r.major, zone: ctx.zone });
    },
  }),
  command({
    name: 'role',
    group: G,
    usage: 'role <ticket> @person <role>',
    summary: `assign a role on the escalation team: ${MAJOR_ROLES.join(', ')}`,
    example: 'role ESC-1042 @henry incident_owner',
    parse: (words) => {
      const { ref, rest } = splitRef(words);
      const who = personWord(rest[0]) ?? (rest[0] && /^[\w.-]{1,64}$/.test(rest[0]) ? rest[0].toLowerCase() : null);
      const role = roleOf(rest[1]);
      return !who || !role || rest.length !== 2 ? new Usage(`Use \`/esc role ESC-1042 @person <role>\`; roles: ${MAJOR_ROLES.join(', ')}.`) : { ref, who, role };
    },
    run: async (deps, ctx, a) => {
      const who = requirePerson(deps.directory(), a.who);
      const r = await assignRole(deps, { ticket: await ticketFor(deps, ctx, a.ref, 'role ESC-1042 @henry incident_owner'), personId: who.id, role: a.role, actor: ctx.actor });
      rememberRoom(r.major);
      return say(r.message);
    },
  }),
  command<TaskArgs>({
    name: 'task',
    group: G,
    usage: 'task <ticket> add @person <when> <title> | task <ticket> done <n>',
    summary: 'the action plan: add a task with an owner and a due time, or close one',
    example: 'task ESC-1042 add @henry 2h fail over the database',
    parse: (words) => {
      const { ref, rest } = splitRef(words);
      const verb = rest[0]?.toLowerCase();
      if (verb === 'done' || verb === 'close') {
        const n = Number(rest[1]);
        return !Number.isInteger(n) || n < 1 || rest.length !== 2 ? new Usage('Say which task: `/esc task ESC-1042 done 2` (`/esc tasks ESC-1042` lists them).') : { op: 'done', ref, n };
      }
      if (verb !== 'add') return new Usage('Use `/esc task ESC-1042 add @person <when> <title>` or `/esc task ESC-1042 done <n>`.');
      const owner = personWord(rest[1]) ?? (rest[1] && /^[\w.-]{1,64}$/.test(rest[1]) && whenLength([rest[1]]) === 0 ? rest[1].toLowerCase() : null);
      if (!owner) return new Usage('Name the owner: `/esc task ESC-1042 add @henry 2h fail over the database`.');
      const n = whenLength(rest.slice(2));
      if (n === 0) return new Usage('Say when it is due, then the title: `/esc task ESC-1042 add @henry 2h fail over the database` (when: `2h`, `tomorrow 10:00`, `2026-11-25 14:00`).');
      const title = rest.slice(2 + n).join(' ');
      return title.length < 3 ? new Usage('Give the task a title: `/esc task ESC-1042 add @henry 2h fail over the database`.') : { op: 'add', ref, owner, when: rest.slice(2, 2 + n), title };
    },
    run: async (deps, ctx, a) => {
      const ticket = await ticketFor(deps, ctx, a.ref, 'task ESC-1042 add @henry 2h fail over the database');
      const r =
        a.op === 'add'
          ? await addTask(deps, { ticket, title: a.title, ownerId: requirePerson(deps.directory(), a.owner).id, dueAt: whenOf(deps, ctx, a.when), actor: ctx.actor })
          : await closeTask(deps, { ticket, n: a.n, actor: ctx.actor });
      rememberRoom(r.major);
      return say(r.message, { kind: 'tasks', ticket: r.ticket, major: r.major, zone: ctx.zone }, a.op === 'done');
    },
  }),
  command({
    name: 'tasks',
    group: G,
    usage: 'tasks <ticket>',
    summary: 'the action plan and the escalation team',
    example: 'tasks ESC-1042',
    parse: (words) => {
      const { ref, rest } = splitRef(words);
      return rest.length > 0 ? new Usage('`/esc tasks` takes only a ticket, e.g. `/esc tasks ESC-1042`.') : { ref };
    },
    run: async (deps, ctx, a) => {
      const { t, m } = await majorOf(deps, ctx, a.ref);
      const key = formatTicketKey(t.number);
      if (m.tasks.length === 0) return say(`${key} has no tasks yet. Add one: \`/esc task ${key} add @person 2h <title>\`.`, { kind: 'tasks', ticket: t, major: m, zone: ctx.zone });
      return say(`Action plan of ${key}`, { kind: 'tasks', ticket: t, major: m, zone: ctx.zone });
    },
  }),
  command({
    name: 'update',
    group: G,
    usage: 'update <ticket> <text>',
    summary: 'customer and stakeholder update (restarts the cadence)',
    example: 'update ESC-1042 failover done, users can log in again',
    parse: (words) => {
      const { ref, rest } = splitRef(words);
      return rest.length === 0 ? new Usage('Add the update: `/esc update ESC-1042 failover done, users can log in again`.') : { ref, text: rest.join(' ') };
    },
    run: async (deps, ctx, a) => say((await postUpdate(deps, { ticket: await ticketFor(deps, ctx, a.ref, 'update ESC-1042 failover done'), text: a.text, actor: ctx.actor })).message),
  }),
  command<ProblemArgs>({
    name: 'problem',
    aliases: ['prb'],
    group: G,
    usage: 'problem <ticket> [replace] new <title> | problem <ticket> [replace] PRB-<n>',
    summary: 'create or link a problem case (replace: instead of the one linked)',
    example: 'problem ESC-1042 new Storage controller firmware',
    parse: (words) => {
      const { ref, rest } = splitRef(words);
      const replace = rest[0]?.toLowerCase() === 'replace';
      const at = replace ? 1 : 0;
      if (rest[at]?.toLowerCase() === 'new') {
        const title = rest.slice(at + 1).join(' ');
        return title.length < 3 ? new Usage('Give the problem a title: `/esc problem ESC-1042 new Storage controller firmware`.') : { ref, problem: { title }, replace };
      }
      const m = /^(?:prb-?)?(\d{1,9})$/i.exec(rest[at] ?? '');
      if (!m || rest.length !== at + 1) return new Usage('Use `/esc problem ESC-1042 new <title>` to create one or `/esc problem ESC-1042 PRB-1001` to link one (add `replace` before either to change the linked problem).');
      return { ref, problem: { number: Number(m[1]) }, replace };
    },
    run: async (deps, ctx, a) => say((await linkProblem(deps, { ticket: await ticketFor(deps, ctx, a.ref, 'problem ESC-1042 new Storage firmware'), problem: a.problem, replace: a.replace, actor: ctx.actor })).message),
  }),
  command({
    name: 'recurrence',
    aliases: ['recur'],
    group: G,
    usage: 'recurrence <new ticket> of <ticket>',
    summary: 'the incident came back (reopens the escalation during the warranty)',
    example: 'recurrence ESC-1057 of ESC-1042',
    parse: (words) => {
      const ref = ticketWord(words[0]);
      if (ref === null) return new Usage('Say which new ticket: `/esc recurrence ESC-1057 of ESC-1042`.');
      if (words.length === 1) return { ref, of: null };
      const of = words[1]?.toLowerCase() === 'of' ? ticketWord(words[2]) : null;
      return of === null || words.length !== 3 ? new Usage("Use `/esc recurrence ESC-1057 of ESC-1042` (the new ticket, then the major escalation's ticket).") : { ref, of };
    },
    run: async (deps, ctx, a) => {
      const of = a.of ?? (await ticketFor(deps, ctx, null, 'recurrence ESC-1057 of ESC-1042'));
      return say((await linkRecurrence(deps, { ticket: a.ref, of, actor: ctx.actor })).message);
    },
  }),
  command({
    name: 'aar',
    aliases: ['after-action'],
    group: G,
    usage: 'aar <ticket>',
    summary: 'after-action report (Markdown + PDF) to the war room and the stakeholders',
    example: 'aar ESC-1042',
    parse: (words) => {
      const { ref, rest } = splitRef(words);
      return rest.length > 0 ? new Usage('`/esc aar` takes only a ticket, e.g. `/esc aar ESC-1042`.') : { ref };
    },
    run: async (deps, ctx, a) => {
      const r = await afterActionReport(deps, { ticket: await ticketFor(deps, ctx, a.ref, 'aar ESC-1042'), actor: ctx.actor, send: true });
      const lines = r.markdown.split('\n').filter((l) => l.trim()).slice(0, 25).map(markdownLine);
      return say(`After-action report ${r.fileName}: posted in the war room and sent to the stakeholders.`, { kind: 'lines', lines: [`*After-action report* (${r.fileName}): posted in the war room and sent to the stakeholders.`, ...lines] });
    },
  }),
];

/** One Markdown line in the catalog's markup: headings and **bold** become *bold*. */
function markdownLine(line: string): string {
  const h = /^#{1,6}\s+(.*)$/.exec(line);
  return h ? `*${h[1]!}*` : line.replace(/\*\*([^*]+)\*\*/g, '*$1*');
}
