/**
 * The one command catalog of Slack, Teams and help. A shell resolves the person, normalises
 * mentions to `@<directory id>`, calls `runText` or `runAction`, and renders the answer.
 */
import type { AppDeps } from '../deps.js';
import { isDomainError } from '../../domain/errors.js';
import type { Answer, ChatContext, HelpEntry } from './answer.js';
import { refuse, say } from './answer.js';
import { runVerb } from './actions.js';
import { coordinationCommands } from './commands/coordination.js';
import { majorCommands } from './commands/major.js';
import { oncallCommands } from './commands/oncall.js';
import { adminCommand } from './commands/admin.js';
import { reportCommand } from './commands/report.js';
import { ticketCommands } from './commands/tickets.js';
import { ticketWorkCommands } from './commands/ticket-work.js';
import { snoozeCommand } from './commands/snooze.js';
import type { Command } from './spec.js';
import { Usage } from './spec.js';

export const CATALOG: readonly Command[] = [...ticketCommands, ...ticketWorkCommands, snoozeCommand, reportCommand, ...coordinationCommands, ...majorCommands, ...oncallCommands, adminCommand];

const byWord = new Map<string, Command>();
for (const c of CATALOG) for (const w of [c.name, ...c.aliases]) {
  if (byWord.has(w)) throw new Error(`chat-ops catalog: "${w}" names two commands`);
  byWord.set(w, c);
}

/** The command a word names (its name or an alias), if any. */
export function findCommand(word: string): Command | undefined {
  return byWord.get(word.toLowerCase().replace(/^\//, ''));
}

/** Help, generated from the catalog. */
export function helpEntries(): HelpEntry[] {
  return [{ group: 'Tickets', usage: 'help', summary: 'this list', example: 'help' }, ...CATALOG.map((c) => ({ group: c.group, usage: c.usage, summary: c.summary, example: c.example }))];
}

const SORRY = 'Sorry, something went wrong on our side; nothing may have changed. Try again in a minute; if it keeps failing, tell the Esc admins.';

/** A refusal the person can act on, or an apology (and an operator log) for the unexpected. */
export function failureAnswer(deps: AppDeps, err: unknown): Answer {
  if (isDomainError(err)) return refuse(err.message);
  deps.log.error({ err: err instanceof Error ? (err.stack ?? err.message) : String(err), code: 'CHATOPS_FAILED' }, 'chat-ops: a command failed');
  return refuse(SORRY);
}

/** Splits what was typed into words (whitespace folded, bounded). */
export function wordsOf(text: string): string[] {
  return text.replace(/\s+/g, ' ').trim().split(' ').filter(Boolean).slice(0, 500);
}

/** Runs one typed command (the text after `/esc`, or a Teams message). Never throws. */
export async function runText(deps: AppDeps, ctx: ChatContext, text: string): Promise<Answer> {
  const early = checkText(text);
  if (early) return early;
  const words = wordsOf(text.slice(0, 4000));
  const cmd = findCommand(words[0]!)!;
  try {
    const r = await cmd.invoke(deps, ctx, words.slice(1));
    return r instanceof Usage ? refuse(`${r.problem}\nUsage: \`/esc ${cmd.usage}\` (\`/esc help\` lists every command).`) : r;
  } catch (err) {
    return failureAnswer(deps, err);
  }
}

/** Runs a button or card action. Never throws. */
export async function runAction(deps: AppDeps, ctx: ChatContext, verb: string, data: unknown): Promise<Answer> {
  try {
    const a = await runVerb(deps, ctx, verb, data);
    // An action that is a command (a More choice with its words): the catalog runs it (one parser, one use case).
    return a.ok && a.view?.kind === 'run' ? await runText(deps, ctx, a.view.command) : a;
  } catch (err) {
    return failureAnswer(deps, err);
  }
}

/**
 * The answer to what was typed when no use case is needed (help, an unknown command, a usage
 * mistake), else null. Pure: a shell can answer these at once (Slack: in the ack).
 */
export function checkText(text: string): Answer | null {
  const words = wordsOf(text.slice(0, 4000));
  const head = (words[0] ?? 'help').toLowerCase().replace(/^\//, '');
  if (head === 'help' || head === '?') return say('Esc commands', { kind: 'help', entries: helpEntries() });
  const cmd = findCommand(head);
  if (!cmd) return refuse(`I don't know "/esc ${head.slice(0, 30)}".`, { kind: 'help', entries: helpEntries(), problem: `I don't know "/esc ${head.slice(0, 30)}".` });
  const problem = cmd.check(words.slice(1));
  return problem ? refuse(`${problem.problem}\nUsage: \`/esc ${cmd.usage}\` (\`/esc help\` lists every command).`) : null;
}
