/** On-call from chat: who is on call, my shifts, cover requests, taking the pager, overrides (issue 15). */
import type { AppDeps } from '../../deps.js';
import { cancelCover, requestCover, takeNow } from '../../use-cases/oncall/cover.js';
import { cancelOverride, createOverride, listOverrides } from '../../use-cases/oncall/overrides.js';
import { defaultTeamOf, shiftsOf, whoIsOnCall } from '../../use-cases/oncall/who.js';
import { setMyContact } from '../../use-cases/oncall/people.js';
import type { Shift } from '../../../domain/rotation.js';
import { DomainError } from '../../../domain/errors.js';
import type { ChatContext } from '../answer.js';
import { say } from '../answer.js';
import { command, Usage } from '../spec.js';
import { resolveWhen, whenLength } from '../when.js';
import { localTime, personWord, requirePerson, ticketWord } from '../words.js';
import { coordinationCommands } from './coordination.js';

const GROUP = 'On call';
const TEAM = /^[a-z0-9][a-z0-9._-]{0,62}$/i;

/** A time as typed ("now", "22:00", "tomorrow 06:00"), resolved in the reader's zone. */
function at(deps: AppDeps, ctx: ChatContext, words: string[]): Date {
  if (words.length === 1 && words[0]!.toLowerCase() === 'now') return deps.clock.now();
  const r = resolveWhen(words, deps.clock.now(), ctx.zone);
  if (!r.ok) throw new DomainError('VALIDATION', r.problem);
  return r.at;
}

/** Splits `<from> <to> [rest…]`: two times ("now" allowed first). */
function span(words: string[]): { from: string[]; to: string[]; rest: string[] } | Usage {
  const n1 = words[0]?.toLowerCase() === 'now' ? 1 : whenLength(words);
  if (n1 === 0) return new Usage(`"${(words[0] ?? '').slice(0, 20)}" is not a time: use \`now\`, \`22:00\`, \`tomorrow 06:00\` or \`2026-11-25 14:00\`.`);
  const n2 = whenLength(words.slice(n1));
  if (n2 === 0) return new Usage('Give when it starts and when it ends, e.g. `22:00 tomorrow 06:00`.');
  return { from: words.slice(0, n1), to: words.slice(n1, n1 + n2), rest: words.slice(n1 + n2) };
}

const who = (deps: AppDeps, s: Shift | null) => (s ? (deps.directory().person(s.personId)?.name ?? s.personId) : 'nobody');

export const oncallCommand = command({
  name: 'oncall',
  aliases: ['whoisoncall', 'who-is-on-call'],
  group: GROUP,
  usage: 'oncall [team] [at <when>] | oncall me',
  summary: 'who is on call now and next, per layer; `me`: your next shifts',
  example: 'oncall service-desk at friday 22:00',
  parse: (words) => {
    if (words[0]?.toLowerCase() === 'me') return words.length === 1 ? { me: true as const, team: null, when: null } : new Usage('`oncall me` takes nothing more.');
    let team: string | null = null;
    let rest = words;
    if (rest[0] && rest[0].toLowerCase() !== 'at') {
      if (!TEAM.test(rest[0])) return new Usage(`"${rest[0].slice(0, 20)}" is not a team id.`);
      team = rest[0];
      rest = rest.slice(1);
    }
    if (rest.length === 0) return { me: false as const, team, when: null };
    if (rest[0]!.toLowerCase() !== 'at' || rest.length < 2 || whenLength(rest.slice(1)) !== rest.length - 1) return new Usage('After the team, only `at <when>`, e.g. `at friday 22:00`.');
    return { me: false as const, team, when: rest.slice(1) };
  },
  run: async (deps, ctx, a) => {
    const now = deps.clock.now();
    if (a.me) {
      const shifts = shiftsOf(deps.directory(), ctx.person.id, now, 28).slice(0, 10);
      if (shifts.length === 0) return say('You have no on-call shifts in the next 4 weeks.', { kind: 'lines', lines: ['You have no on-call shifts in the next 4 weeks.'] });
      const lines = shifts.map((s) => `${s.teamName} (${s.role}): ${s.from.getTime() <= now.getTime() ? 'now' : localTime(s.from, ctx.zone)} until ${localTime(s.to, ctx.zone)}${s.override ? ' (override)' : ''}`);
      return say('Your on-call shifts', { kind: 'lines', lines });
    }
    const when = a.when ? at(deps, ctx, a.when) : now;
    const teams = whoIsOnCall(deps, { teamId: a.team, at: when });
    const lines: string[] = [];
    if (a.when) lines.push(`At ${localTime(when, ctx.zone)}:`);
    for (const t of teams) {
      for (const l of t.layers) {
        const cur = l.current ? `${who(deps, l.current)} until ${localTime(l.current.to, ctx.zone)}${l.current.override ? ' (override)' : ''}` : 'nobody';
        const next = l.next ? `; next ${who(deps, l.next)} from ${localTime(l.next.from, ctx.zone)}` : '';
        lines.push(`${t.teamName} (${l.role}): ${cur}${next}`);
      }
    }
    if (teams.length === 0) lines.push('No team has an on-call rotation.');
    return say('Who is on call', { kind: 'lines', lines });
  },
});

/** `[team] [layer]` after a span: the team (default: the person's) and the layer (default primary). */
const teamAndLayer = (rest: string[]) => ({ team: rest[0] && TEAM.test(rest[0]) ? rest[0] : null, layer: rest[1] && TEAM.test(rest[1]) ? rest[1] : undefined });

export const coverCommand = command({
  name: 'cover',
  group: GROUP,
  usage: 'cover <from> <to> [team] [layer] | cover cancel [@person|id]',
  summary: 'ask your team to take your pager for a while (posted with a Take button); or cancel your request',
  example: 'cover 22:00 tomorrow 06:00 service-desk',
  parse: (words) => {
    if (words[0]?.toLowerCase() === 'cancel') {
      const p = personWord(words[1]);
      if (words.length > 2 || (words[1] && !p && !/^[\w-]{1,80}$/.test(words[1]))) return new Usage('Use `cover cancel` (your newest open request), `cover cancel @person` (leads) or `cover cancel <id>`.');
      return { cancel: true as const, id: p ? null : (words[1] ?? null), person: p };
    }
    const s = span(words);
    if (s instanceof Usage) return s;
    if (s.rest.length > 2) return new Usage('After the times, only a team and a layer.');
    return { cancel: false as const, ...s, ...teamAndLayer(s.rest) };
  },
  run: async (deps, ctx, a) => {
    if (a.cancel) {
      const c = await cancelCover(deps, { actor: ctx.actor, coverId: a.id, requesterId: a.person ? requirePerson(deps.directory(), a.person).id : null });
      return say(`Cover request cancelled: ${deps.directory().team(c.teamId)?.name ?? c.teamId} (${c.layer}) ${localTime(new Date(c.from), ctx.zone)} to ${localTime(new Date(c.to), ctx.zone)}. Its post says so.`);
    }
    const teamId = a.team ?? defaultTeamOf(deps.directory(), ctx.person.id);
    const r = await requestCover(deps, { actor: ctx.actor, teamId, ...(a.layer ? { layer: a.layer } : {}), from: at(deps, ctx, a.from), to: at(deps, ctx, a.to) });
    const where = r.channel ? 'posted to the team channel' : 'recorded, but the team has no channel to post it in: ask a colleague directly, or your lead for an override';
    return say(`Cover request ${where}: ${localTime(r.cover.from, ctx.zone)} to ${localTime(r.cover.to, ctx.zone)}. You will be told who takes it; \`/esc cover cancel\` withdraws it.`);
  },
});

export const takeCommand = command({
  name: 'take',
  group: GROUP,
  usage: 'take <duration> [team] [layer]',
  summary: 'carry the pager from now (e.g. a colleague is ill)',
  example: 'take 8h service-desk',
  parse: (words) => {
    if (ticketWord(words[0]) !== null) return { claim: words, until: [], team: null, layer: undefined };
    if (!words[0] || whenLength(words) !== 1) return new Usage('Give how long, e.g. `take 8h` (or a ticket, to claim its request: `take ESC-1042`).');
    return { claim: null, until: [words[0]], ...teamAndLayer(words.slice(1)) };
  },
  run: async (deps, ctx, a) => {
    if (a.claim) {
      // Before issue 15 `take` was another name for `claim <ticket>`: it still is.
      const r = await coordinationCommands.find((c) => c.name === 'claim')!.invoke(deps, ctx, a.claim);
      if (r instanceof Usage) throw new DomainError('VALIDATION', r.problem);
      return r;
    }
    const teamId = a.team ?? defaultTeamOf(deps.directory(), ctx.person.id);
    const o = await takeNow(deps, { actor: ctx.actor, teamId, ...(a.layer ? { layer: a.layer } : {}), until: at(deps, ctx, a.until) });
    return say(`You are on call for ${deps.directory().team(o.teamId)?.name ?? o.teamId} (${o.layer}) until ${localTime(o.to, ctx.zone)}.`);
  },
});

export const overrideCommand = command({
  name: 'override',
  group: GROUP,
  usage: 'override @person <from> <to> [team] [layer] | override cancel <id>',
  summary: 'put someone on call for a while (leads and admins); or cancel an override',
  example: 'override @bob now tomorrow 09:00 service-desk',
  parse: (words) => {
    if (words[0]?.toLowerCase() === 'cancel') return words[1] && /^[\w-]{1,80}$/.test(words[1]) ? { cancel: words[1], person: '', from: [], to: [], team: null, layer: undefined } : new Usage('Give the override id: `/esc overrides` lists them.');
    const p = personWord(words[0]);
    if (!p) return new Usage('Start with the person: `@name`.');
    const s = span(words.slice(1));
    if (s instanceof Usage) return s;
    return { cancel: null, person: p, ...s, ...teamAndLayer(s.rest) };
  },
  run: async (deps, ctx, a) => {
    if (a.cancel) {
      const o = await cancelOverride(deps, { actor: ctx.actor, id: a.cancel });
      return say(`Override cancelled: ${deps.directory().person(o.personId)?.name ?? o.personId} is no longer on call for ${deps.directory().team(o.teamId)?.name ?? o.teamId} from ${localTime(o.from, ctx.zone)}.`);
    }
    const person = requirePerson(deps.directory(), a.person);
    const teamId = a.team ?? defaultTeamOf(deps.directory(), person.id);
    const o = await createOverride(deps, { actor: ctx.actor, teamId, ...(a.layer ? { layer: a.layer } : {}), personId: person.id, from: at(deps, ctx, a.from), to: at(deps, ctx, a.to), reason: `by ${ctx.person.name}` });
    return say(`${person.name} is on call for ${deps.directory().team(o.teamId)?.name ?? o.teamId} (${o.layer}) from ${localTime(o.from, ctx.zone)} to ${localTime(o.to, ctx.zone)}. Override ${o.id}.`);
  },
});

export const overridesCommand = command({
  name: 'overrides',
  group: GROUP,
  usage: 'overrides [team]',
  summary: 'the overrides that have not ended',
  example: 'overrides service-desk',
  parse: (words) => (words.length > 1 || (words[0] && !TEAM.test(words[0])) ? new Usage('Give at most a team id.') : { team: words[0] ?? null }),
  run: async (deps, ctx, a) => {
    const list = await listOverrides(deps, { teamId: a.team });
    const dir = deps.directory();
    const lines = list.map((o) => `${o.id}: ${dir.person(o.personId)?.name ?? o.personId} for ${dir.team(o.teamId)?.name ?? o.teamId} (${o.layer}) ${localTime(o.from, ctx.zone)} to ${localTime(o.to, ctx.zone)}${o.reason ? ` (${o.reason})` : ''}`);
    return say(list.length ? 'Overrides' : 'No overrides.', { kind: 'lines', lines: lines.length ? lines : ['No overrides.'] });
  },
});


/** `me phone +1…`, `me quiet 22:00-07:00`, `me quiet off`: contact settings a person sets for themselves (stored in MongoDB, over the file). */
export const meCommand = command({
  name: 'me',
  group: GROUP,
  usage: 'me phone <+number> | me quiet <HH:mm-HH:mm|off>',
  summary: 'set your own phone number or quiet hours (they override the org file)',
  example: 'me quiet 22:00-07:00',
  parse: (words) => {
    const [what, v] = [words[0]?.toLowerCase(), words[1]];
    if (words.length !== 2 || !v) return new Usage('Use `me phone +15105550101` or `me quiet 22:00-07:00` (or `me quiet off`).');
    if (what === 'phone') return { phone: v };
    if (what !== 'quiet') return new Usage('Use `me phone …` or `me quiet …`.');
    if (v.toLowerCase() === 'off') return { quiet: null };
    const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(v);
    return m ? { quiet: { start: `${m[1]}:${m[2]}`, end: `${m[3]}:${m[4]}` } } : new Usage(`"${v.slice(0, 20)}" is not a span of hours like 22:00-07:00.`);
  },
  run: async (deps, ctx, a) => {
    await setMyContact(deps, ctx.person.id, a);
    return say('phone' in a ? `Your phone for SMS and calls is now ${a.phone}.` : a.quiet ? `Your quiet hours are now ${a.quiet.start}-${a.quiet.end} (${ctx.zone}); urgent pages still come through.` : 'Your quiet hours are off.');
  },
});

export const oncallCommands = [oncallCommand, coverCommand, takeCommand, overrideCommand, overridesCommand, meCommand];
