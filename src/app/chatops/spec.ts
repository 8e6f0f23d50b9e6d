/**
 * A chat command, written once for Slack, Teams and help: name, aliases, usage, an example,
 * a pure parser over the words typed (mentions already normalised to `@<directory id>`),
 * and a run step that calls one use case and returns a platform-neutral answer.
 */
import type { AppDeps } from '../deps.js';
import type { Answer, ChatContext } from './answer.js';

/** What a parser returns for words it cannot read: the reason, with an example. */
export class Usage {
  constructor(readonly problem: string) {}
}

export interface CommandSpec<A> {
  name: string;
  aliases?: readonly string[];
  /** The heading it is listed under in help. */
  group: string;
  /** `ack <ticket>` (no prefix: Slack shows `/esc `, Teams nothing). */
  usage: string;
  summary: string;
  example: string;
  /** Pure: the words after the command name. */
  parse(words: string[]): A | Usage;
  run(deps: AppDeps, ctx: ChatContext, args: A): Promise<Answer>;
}

/** A command with its argument type closed over: what the catalog keeps. */
export interface Command {
  name: string;
  aliases: readonly string[];
  group: string;
  usage: string;
  summary: string;
  example: string;
  /** Parses only: the problem with what was typed, or null when it reads. */
  check(words: string[]): Usage | null;
  /** Parses and runs; a parse problem comes back as Usage. */
  invoke(deps: AppDeps, ctx: ChatContext, words: string[]): Promise<Answer | Usage>;
}

export function command<A>(spec: CommandSpec<A>): Command {
  return {
    name: spec.name,
    aliases: spec.aliases ?? [],
    group: spec.group,
    usage: spec.usage,
    summary: spec.summary,
    example: spec.example,
    check: (words) => {
      const args = spec.parse(words);
      return args instanceof Usage ? args : null;
    },
    invoke: async (deps, ctx, words) => {
      const args = spec.parse(words);
      return args instanceof Usage ? args : spec.run(deps, ctx, args);
    },
  };
}
