import type { Priority } from '../../domain/ticket.js';
import { PRIORITIES } from '../../domain/ticket.js';
import { parseTicketRef } from '../../domain/ticket-number.js';
import type { MajorCommand } from './major-commands.js';
import { MAJOR_HELP_LINES, parseMajorCommand, slackPlain } from './major-commands.js';
import type { ReportQuery } from '../../domain/reports/report.js';
import { REPORT_USAGE, parseReportArgs } from '../report/report-args.js';

export type ListScope = 'mine' | 'team' | 'open' | 'escalated';

export type EscCommand =
  | { kind: 'help' }
  | { kind: 'ticket'; title: string }
  | { kind: 'ack' | 'elevate' | 'status' | 'history'; ref: number }
  | { kind: 'escalate' | 'resolve'; ref: number; note: string }
  | { kind: 'list'; scope: ListScope }
  | { kind: 'simulate'; planId: string; priority: Priority | null }
  | { kind: 'report'; query: ReportQuery }
  | { kind: 'usage'; problem: string }
  | MajorCommand;

/** Every subcommand with an example: the answer to `help` and to anything we cannot read. */
export const HELP_LINES = [
  '*/esc help* - this list',
  '*/esc ticket* [title] - open a ticket (a form opens), e.g. `/esc ticket VPN down in Library`',
  '*/esc ack* <ticket> - acknowledge and stop the escalation, e.g. `/esc ack ESC-1042`',
  '*/esc escalate* <ticket> [reason] - escalate now, e.g. `/esc escalate 1042 lecture starts at 10`',
  '*/esc elevate* <ticket> - flag as important, e.g. `/esc elevate ESC-1042`',
  '*/esc resolve* <ticket> [note] - resolve, e.g. `/esc resolve 1042 replaced the switch`',
  '*/esc status* <ticket> - current step, last update and what you can do',
  '*/esc history* <ticket> - created, each step (due, sent, late, channel, delivery), who acknowledged, requests, comments, resolution',
  '*/esc list* [mine|team|open|escalated] - tickets, e.g. `/esc list escalated`',
  '*/esc plan simulate* <plan> [P1-P4] - who would be paged and when, e.g. `/esc plan simulate standard P2`',
  '*/esc report* [today|7d|30d|quarter|YYYY-MM-DD..YYYY-MM-DD] [team:<id>] [priority:P1] [plan:<id>] [channel:<source>] [kind:automatic|manager_request|major|elevated] - SLA figures, chart and CSV, e.g. `/esc report 7d team:service-desk`',
  ...MAJOR_HELP_LINES,
];

const REF_KINDS = ['ack', 'elevate', 'status', 'history', 'escalate', 'resolve'] as const;
const ALIASES: Record<string, string> = { acknowledge: 'ack', new: 'ticket', open: 'ticket', show: 'status', timeline: 'history', ls: 'list' };

/** Reads the text after /esc. Never throws: anything unreadable is `usage` with the reason. */
export function parseEscCommand(text: string): EscCommand {
  const words = text.replace(/\s+/g, ' ').trim().split(' ').filter(Boolean);
  const head = words[0]?.toLowerCase() ?? 'help';
  const sub = (Object.hasOwn(ALIASES, head) ? ALIASES[head] : undefined) ?? head;
  const rest = words.slice(1);
  if (sub === 'help' || sub === '?') return { kind: 'help' };
  if (sub === 'ticket') return { kind: 'ticket', title: slackPlain(rest.join(' ')).slice(0, 200) };
  if (sub === 'report') {
    const r = parseReportArgs(rest);
    return r.ok ? { kind: 'report', query: r.query } : { kind: 'usage', problem: `${r.problem}\nUsage: \`/esc ${REPORT_USAGE}\`` };
  }
  if (sub === 'list') {
    const scope = (rest[0]?.toLowerCase() ?? 'open') as ListScope;
    if (!['mine', 'team', 'open', 'escalated'].includes(scope)) return { kind: 'usage', problem: `"${rest[0]!.slice(0, 30)}" is not a list: use mine, team, open or escalated.` };
    return { kind: 'list', scope };
  }
  if (sub === 'plan') {
    if (rest[0]?.toLowerCase() !== 'simulate' || !rest[1]) return { kind: 'usage', problem: 'Use `/esc plan simulate <plan> [P1-P4]`.' };
    const p = rest[2]?.toUpperCase();
    if (p && !PRIORITIES.includes(p as Priority)) return { kind: 'usage', problem: `"${rest[2]!.slice(0, 20)}" is not a priority: use P1, P2, P3 or P4.` };
    return { kind: 'simulate', planId: rest[1], priority: (p as Priority | undefined) ?? null };
  }
  const major = parseMajorCommand(sub, rest);
  if (major) return major;
  const kind = REF_KINDS.find((k) => k === sub);
  if (kind) {
    if (!rest[0]) return { kind: 'usage', problem: `Say which ticket: \`/esc ${kind} ESC-1042\`.` };
    const ref = parseTicketRef(rest[0]);
    if (ref === null) return { kind: 'usage', problem: `"${rest[0].slice(0, 30)}" is not a ticket number: use ESC-1042 or 1042.` };
    if (kind === 'escalate' || kind === 'resolve') return { kind, ref, note: slackPlain(rest.slice(1).join(' ')).slice(0, 1000) };
    return { kind, ref };
  }
  return { kind: 'usage', problem: `I don't know "/esc ${head.slice(0, 30)}".` };
}
