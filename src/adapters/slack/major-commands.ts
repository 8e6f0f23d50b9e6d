/**
 * The /esc subcommands of issue 7 (manager escalation requests, major escalations): parsing
 * only, no I/O. Times ("2h", "tomorrow 10:00") are kept as words here and resolved later in
 * the person's time zone (`resolveWhen`), because parsing must not read the clock.
 */
import { DateTime } from 'luxon';
import type { MajorRole } from '../../domain/major.js';
import { MAJOR_ROLES } from '../../domain/major.js';
import { parseTicketRef } from '../../domain/ticket-number.js';

/** A person as typed: a Slack mention (`<@U123|name>`, `<@U123>`) or `@handle` (person id or e-mail local part). */
export type Mention = { slackId: string } | { handle: string };

/** `ref: null` means "the ticket of the war room this was typed in". */
export type MajorCommand =
  | { kind: 'request'; ref: number | null; reason: string }
  | { kind: 'claim' | 'reviewed' | 'tasks' | 'aar'; ref: number | null }
  | { kind: 'eta'; ref: number | null; when: string[]; message: string }
  | { kind: 'inform'; ref: number | null; message: string }
  | { kind: 'engage'; ref: number | null; owner: Mention | null; message: string }
  | { kind: 'major'; ref: number | null; reason: string }
  | { kind: 'role'; ref: number | null; who: Mention; role: MajorRole }
  | { kind: 'task_add'; ref: number | null; owner: Mention; when: string[]; title: string }
  | { kind: 'task_done'; ref: number | null; n: number }
  | { kind: 'update'; ref: number | null; text: string }
  | { kind: 'problem'; ref: number | null; problem: { number: number } | { title: string }; replace?: boolean }
  | { kind: 'recurrence'; ref: number; of: number | null };

export const MAJOR_HELP_LINES = [
  '*Manager escalation requests* (seed 000)',
  '*/esc request* <ticket> <reason> - ask the escalation coordinators for urgent handling, e.g. `/esc request ESC-1042 exams start at 10`',
  '*/esc claim* <ticket> - a coordinator takes the request',
  '*/esc reviewed* <ticket> - ticket and history reviewed',
  '*/esc eta* <ticket> <when> <message> - tell the user the estimated time (CIO copied); when: `2h`, `30m`, `tomorrow 10:00`, `2026-11-25 14:00` (your time zone)',
  '*/esc inform* <ticket> <message> - tell the requesting manager the status',
  '*/esc engage* <ticket> [@owner] <message> - engage the service owner (default: the team manager)',
  '*Major escalations* (seed 001; in the war-room channel the ticket may be left out)',
  '*/esc major* <ticket> <reason> - declare a major escalation: war-room channel, pinned summary, team invited',
  `*/esc role* <ticket> @person <role> - roles: ${MAJOR_ROLES.join(', ')}`,
  '*/esc task* <ticket> add @person <when> <title> - an action-plan task, e.g. `/esc task add @henry 2h failover the DB`',
  '*/esc task* <ticket> done <n> - close task n;  */esc tasks* <ticket> - the action plan',
  '*/esc update* <ticket> <text> - customer and stakeholder update (restarts the cadence)',
  '*/esc problem* <ticket> [replace] new <title> | PRB-n - create or link a problem case (replace: instead of the one linked)',
  '*/esc recurrence* <new ticket> of <ticket> - the incident came back (reopens it during the warranty)',
  '*/esc aar* <ticket> - after-action report (Markdown + PDF) to the war room and stakeholders',
];

export const MAJOR_KINDS = ['request', 'claim', 'reviewed', 'eta', 'inform', 'engage', 'major', 'role', 'task', 'tasks', 'update', 'problem', 'recurrence', 'aar'] as const;
const ALIASES: Record<string, (typeof MAJOR_KINDS)[number]> = { 'request-escalation': 'request', take: 'claim', review: 'reviewed', declare: 'major', 'after-action': 'aar', recur: 'recurrence', prb: 'problem' };

type Usage = { kind: 'usage'; problem: string };
const usage = (problem: string): Usage => ({ kind: 'usage', problem });

/** Reads `<@U123|name>`, `<@U123>` or `@handle`; null when the word is not a mention. */
export function parseMention(word: string | undefined): Mention | null {
  if (!word) return null;
  const m = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(word);
  if (m) return { slackId: m[1]! };
  const h = /^@([\w.-]{1,64})$/.exec(word);
  return h ? { handle: h[1]!.toLowerCase() } : null;
}

/**
 * Free text as a person typed it: with `should_escape` Slack sends links as `<https://…|…>`,
 * channels as `<#C1|name>`, people as `<@U1|name>`, and & < > as entities.
 */
export function slackPlain(text: string): string {
  return text
    .replace(/<((?:https?|mailto):[^|>]+)(?:\|[^>]*)?>/g, '$1')
    .replace(/<#[A-Z0-9]+\|([^>]*)>/g, '#$1')
    .replace(/<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, name?: string) => `@${name || id}`)
    .replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, '@$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Ticket words: ESC-1042, #1042, 1042. */
function ref(word: string | undefined): number | null {
  return word ? parseTicketRef(word) : null;
}

const ROLE_ALIASES: Record<string, MajorRole> = { owner: 'incident_owner', 'incident-owner': 'incident_owner', brm: 'abrm', 'problem-owner': 'problem_owner', expert: 'sme', 'subject-expert': 'sme', em: 'escalation_manager', 'escalation-manager': 'escalation_manager', manager: 'escalation_manager' };

function role(word: string | undefined): MajorRole | null {
  const w = (word ?? '').toLowerCase();
  return (MAJOR_ROLES as readonly string[]).includes(w) ? (w as MajorRole) : (ROLE_ALIASES[w] ?? null);
}

/** How many leading words make a time ("2h", "in 2h", "tomorrow 10:00", "2026-11-25 14:00", "14:00"); 0 when none. */
export function whenLength(words: string[]): number {
  const [a = '', b = ''] = words.map((w) => w.toLowerCase());
  if (a === 'in') return DURATION.test(b) ? 2 : 0;
  if (DURATION.test(a)) return 1;
  if (DAY_WORDS.includes(a) || DATE.test(a)) return isClock(b) ? 2 : 1;
  if (DATE_TIME.test(a) || isClock(a)) return 1;
  return 0;
}

const DURATION = /^(?:\d+(?:w|d|h|m|min|mins)){1,3}$/;
const CLOCK = /^(\d{1,2})(?::(\d{2}))?(am|pm)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}t\d{1,2}:\d{2}$/;
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const DAY_WORDS = ['today', 'tomorrow', ...WEEKDAYS];
/** "14:00", "9:30", "9am", "2:30pm"; a bare "10" is not a time. */
const isClock = (s: string) => /^\d{1,2}(?::\d{2}(?:am|pm)?|am|pm)$/.test(s);

/**
 * Resolves time words in the person's zone. A clock time alone ("14:00") is today, or
 * tomorrow once it has passed; a date without a time is 09:00 that day. Returns an error
 * sentence for anything unreadable or in the past.
 */
export function resolveWhen(words: string[], now: Date, zone: string): { ok: true; at: Date } | { ok: false; problem: string } {
  const typed = words.join(' ');
  const bad = { ok: false as const, problem: `I can't read "${typed.slice(0, 40)}" as a time: use \`2h\`, \`30m\`, \`tomorrow 10:00\`, \`friday 9am\` or \`2026-11-25 14:00\` (your time zone, ${zone}).` };
  const w = words.map((x) => x.toLowerCase()).filter((x) => x !== 'in');
  const local = DateTime.fromJSDate(now, { zone });
  if (!local.isValid) return { ok: false, problem: `Your time zone "${zone}" is not valid; ask an Esc admin to fix your entry in the org file.` };
  let at: DateTime | null = null;
  const clock = (s: string | undefined): { hour: number; minute: number } | null => {
    const m = s ? CLOCK.exec(s) : null;
    if (!m) return null;
    let hour = Number(m[1]);
    const minute = Number(m[2] ?? 0);
    if (m[3]) {
      if (hour < 1 || hour > 12) return null;
      hour = (hour % 12) + (m[3] === 'pm' ? 12 : 0);
    } else if (m[2] === undefined) return null; // a bare "10" is not a time
    return hour <= 23 && minute <= 59 ? { hour, minute } : null;
  };
  if (w.length === 1 && DURATION.test(w[0]!)) {
    let ms = 0;
    for (const [, n, u] of w[0]!.matchAll(/(\d+)(w|d|h|min|mins|m)/g)) ms += Number(n) * ({ w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, min: 60_000, mins: 60_000 }[u!] ?? 0);
    if (ms <= 0) return bad;
    if (ms > 366 * 86_400_000) return { ok: false, problem: 'That is more than a year away; pick a nearer time.' };
    return { ok: true, at: new Date(now.getTime() + ms) };
  }
  if (w.length === 1 && DATE_TIME.test(w[0]!)) at = DateTime.fromFormat(w[0]!.toUpperCase(), "yyyy-MM-dd'T'H:mm", { zone });
  else if (w.length >= 1 && w.length <= 2 && DATE.test(w[0]!)) {
    const c = w[1] === undefined ? { hour: 9, minute: 0 } : clock(w[1]);
    if (!c) return bad;
    at = DateTime.fromFormat(w[0]!, 'yyyy-MM-dd', { zone }).set({ ...c, second: 0, millisecond: 0 });
  } else if (w.length >= 1 && w.length <= 2 && DAY_WORDS.includes(w[0]!)) {
    const c = w[1] === undefined ? { hour: 9, minute: 0 } : clock(w[1]);
    if (!c) return bad;
    let day = local.startOf('day');
    if (w[0] === 'tomorrow') day = day.plus({ days: 1 });
    else if (w[0] !== 'today') {
      const target = WEEKDAYS.indexOf(w[0]!) + 1;
      day = day.plus({ days: ((target - day.weekday + 7) % 7) || 7 });
    }
    at = day.set({ ...c, second: 0, millisecond: 0 });
  } else if (w.length === 1) {
    const c = clock(w[0]);
    if (!c) return bad;
    at = local.set({ ...c, second: 0, millisecond: 0 });
    if (at <= local) at = at.plus({ days: 1 });
  }
  if (!at || !at.isValid) return bad;
  if (at.toMillis() <= now.getTime()) return { ok: false, problem: `${at.toFormat('yyyy-MM-dd HH:mm')} (${zone}) has already passed; give a time in the future.` };
  if (at.toMillis() - now.getTime() > 366 * 86_400_000) return { ok: false, problem: 'That is more than a year away; pick a nearer time.' };
  return { ok: true, at: at.toJSDate() };
}

/**
 * Parses an issue-7 subcommand (`sub` already lower-cased, `rest` the words after it), or
 * returns null when `sub` is not one of them. Never throws.
 */
export function parseMajorCommand(head: string, rest: string[]): MajorCommand | Usage | null {
  const sub = ALIASES[head] ?? (MAJOR_KINDS as readonly string[]).find((k) => k === head);
  if (!sub) return null;
  // The ticket is optional inside a war room: take it when the first word is one.
  const r = ref(rest[0]);
  const args = r === null ? rest : rest.slice(1);
  // Not cut here: the use case refuses text over its limit with a message, rather than losing the end silently.
  const text = (from: number) => slackPlain(args.slice(from).join(' '));
  switch (sub) {
    case 'request':
    case 'major': {
      const reason = text(0);
      if (reason.length < 5) return usage(`Say why, in a few words everyone will read: \`/esc ${sub} ESC-1042 ${sub === 'major' ? 'registrar down during enrolment' : 'exams start at 10'}\`.`);
      return { kind: sub, ref: r, reason };
    }
    case 'claim':
    case 'reviewed':
    case 'tasks':
    case 'aar':
      if (args.length > 0) return usage(`\`/esc ${sub}\` takes only a ticket, e.g. \`/esc ${sub} ESC-1042\`.`);
      return { kind: sub, ref: r };
    case 'eta': {
      const n = whenLength(args);
      if (n === 0) return usage(`Say when, then the message: \`/esc eta ESC-1042 tomorrow 10:00 the new laptop arrives in the morning\` (when: \`2h\`, \`tomorrow 10:00\`, \`2026-11-25 14:00\`).`);
      const message = text(n);
      if (!message) return usage('Add a message for the user after the time, e.g. `/esc eta ESC-1042 2h a technician is on the way`.');
      return { kind: 'eta', ref: r, when: args.slice(0, n), message };
    }
    case 'inform':
    case 'update': {
      const t = text(0);
      if (!t) return usage(sub === 'inform' ? 'Add the status for the manager: `/esc inform ESC-1042 claimed, technician on site at 14:00`.' : 'Add the update: `/esc update ESC-1042 failover done, users can log in again`.');
      return sub === 'inform' ? { kind: 'inform', ref: r, message: t } : { kind: 'update', ref: r, text: t };
    }
    case 'engage': {
      const owner = parseMention(args[0]);
      const message = text(owner ? 1 : 0);
      if (!message) return usage('Add a message for the service owner: `/esc engage ESC-1042 @ivan please take this one today`.');
      return { kind: 'engage', ref: r, owner, message };
    }
    case 'role': {
      const who = parseMention(args[0]);
      const ro = role(args[1]);
      if (!who || !ro || args.length !== 2) return usage(`Use \`/esc role ESC-1042 @person <role>\`; roles: ${MAJOR_ROLES.join(', ')}.`);
      return { kind: 'role', ref: r, who, role: ro };
    }
    case 'task': {
      const verb = args[0]?.toLowerCase();
      if (verb === 'done' || verb === 'close') {
        const n = Number(args[1]);
        if (!Number.isInteger(n) || n < 1 || args.length !== 2) return usage('Say which task: `/esc task ESC-1042 done 2` (`/esc tasks ESC-1042` lists them).');
        return { kind: 'task_done', ref: r, n };
      }
      if (verb === 'add') {
        const owner = parseMention(args[1]);
        if (!owner) return usage('Name the owner: `/esc task ESC-1042 add @henry 2h fail over the database`.');
        const n = whenLength(args.slice(2));
        if (n === 0) return usage('Say when it is due, then the title: `/esc task ESC-1042 add @henry 2h fail over the database` (when: `2h`, `tomorrow 10:00`, `2026-11-25 14:00`).');
        const title = slackPlain(args.slice(2 + n).join(' '));
        if (title.length < 3) return usage('Give the task a title: `/esc task ESC-1042 add @henry 2h fail over the database`.');
        return { kind: 'task_add', ref: r, owner, when: args.slice(2, 2 + n), title };
      }
      return usage('Use `/esc task ESC-1042 add @person <when> <title>` or `/esc task ESC-1042 done <n>`.');
    }
    case 'problem': {
      // `replace` first: link this problem instead of the one already linked (refused without it).
      const replace = args[0]?.toLowerCase() === 'replace';
      const at = replace ? 1 : 0;
      const flag = replace ? { replace: true } : {};
      if (args[at]?.toLowerCase() === 'new') {
        const title = text(at + 1);
        if (title.length < 3) return usage('Give the problem a title: `/esc problem ESC-1042 new Storage controller firmware`.');
        return { kind: 'problem', ref: r, problem: { title }, ...flag };
      }
      const m = /^(?:prb-?)?(\d{1,9})$/i.exec(args[at] ?? '');
      if (!m || args.length !== at + 1) return usage('Use `/esc problem ESC-1042 new <title>` to create one or `/esc problem ESC-1042 PRB-1001` to link one (add `replace` before either to change the linked problem).');
      return { kind: 'problem', ref: r, problem: { number: Number(m[1]) }, ...flag };
    }
    case 'recurrence': {
      if (r === null) return usage('Say which new ticket: `/esc recurrence ESC-1057 of ESC-1042`.');
      if (args.length === 0) return { kind: 'recurrence', ref: r, of: null };
      const of = args[0]?.toLowerCase() === 'of' ? ref(args[1]) : null;
      if (of === null || args.length !== 2) return usage('Use `/esc recurrence ESC-1057 of ESC-1042` (the new ticket, then the major escalation\'s ticket).');
      return { kind: 'recurrence', ref: r, of };
    }
  }
  return null;
}
