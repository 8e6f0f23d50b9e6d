/**
 * The chat-ops core's answers as Slack messages: pure functions of the answer (and the
 * directory for names). The core's markup is `*bold*` and `code`; everything else is text,
 * so & < > are escaped (a title `<!channel>` never pings anyone).
 */
import type { Answer, HelpEntry, View } from '../../app/chatops/answer.js';
import type { Directory } from '../../domain/directory.js';
import { MAJOR_ROLE_LABELS } from '../../domain/major.js';
import type { MajorEscalation } from '../../domain/major.js';
import type { Ticket } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import { localTime } from '../../app/chatops/words.js';
import type { Block } from './blocks.js';
import { clip, context, esc, linesBlocks, ticketBlocks } from './blocks.js';
import { historyLinesFor } from './report-blocks.js';
import { homeBlocks } from './home-blocks.js';
import { ticketViewOf } from '../../app/views/ticket-view.js';

export interface SlackMessage {
  text: string;
  blocks?: Block[];
}

/** Help, generated from the catalog: one line per command with its usage, what it does and an example. */
export function helpLines(entries: HelpEntry[], problem?: string): string[] {
  const out: string[] = problem ? [esc(problem), ''] : ['*Esc commands*'];
  let group = '';
  for (const e of entries) {
    if (e.group !== group) {
      group = e.group;
      out.push(`*${esc(group)}*`);
    }
    const [name, ...rest] = e.usage.split(' ');
    out.push(`*/esc ${name}* ${esc(rest.join(' '))} - ${esc(e.summary)}${e.example !== e.usage ? `, e.g. \`/esc ${esc(e.example)}\`` : ''}`);
  }
  return out;
}

function taskLines(dir: Directory, t: Ticket, m: MajorEscalation, zone: string, now: Date): string[] {
  const key = formatTicketKey(t.number);
  const lines = [`*Action plan of ${key}: ${esc(t.title)}*`];
  for (const task of m.tasks) {
    const owner = dir.person(task.ownerId)?.name ?? task.ownerId;
    const state = task.status === 'done' ? `:white_check_mark: done${task.doneAt ? ` ${localTime(task.doneAt, zone)}` : ''}` : new Date(task.dueAt).getTime() < now.getTime() ? `:warning: *overdue* (due ${localTime(task.dueAt, zone)})` : `due ${localTime(task.dueAt, zone)}`;
    lines.push(`${task.n}. ${esc(task.title)} — ${esc(owner)}, ${state}`);
  }
  if (m.tasks.length === 0) lines.push(`No tasks yet. Add one: \`/esc task ${key} add @person 2h <title>\`.`);
  const team = m.members.map((x) => `${dir.person(x.personId)?.name ?? x.personId} (${MAJOR_ROLE_LABELS[x.role]})`);
  if (team.length > 0) lines.push(`Team: ${esc(team.join(', '))}`);
  return lines;
}

function majorLines(dir: Directory, t: Ticket, m: MajorEscalation): string[] {
  const room = m.warRoom?.platform === 'slack' ? ` War room: <#${m.warRoom.id}>.` : '';
  const team = m.members.map((x) => `${dir.person(x.personId)?.name ?? x.personId} (${MAJOR_ROLE_LABELS[x.role]})`);
  return [`*Major escalation ${formatTicketKey(t.number)}: ${esc(t.title)}*${room}`, ...(team.length ? [`Team: ${esc(team.join(', '))}`] : [])];
}

/** The core markup kept, user text escaped: a line the core wrote. */
const line = (l: string) => esc(l);

/** The blocks of a view (forms and reports are opened or posted by the shell itself). */
export function viewBlocks(view: View, dir: Directory, now: Date, sentence?: string): Block[] | null {
  switch (view.kind) {
    case 'ticket':
      // Slack shows no escalation step, so the view needs no repository read here.
      return ticketBlocks(ticketViewOf(dir, view.ticket, null, null, now), view.note ?? sentence);
    case 'lines':
      return linesBlocks(view.lines.map(line));
    case 'help':
      return linesBlocks(helpLines(view.entries, view.problem));
    case 'history':
      return linesBlocks(historyLinesFor(view.history));
    case 'tasks':
      return linesBlocks(taskLines(dir, view.ticket, view.major, view.zone, now));
    case 'major':
      return linesBlocks(majorLines(dir, view.ticket, view.major));
    case 'home':
      return homeBlocks(view.home);
    case 'run':
      return linesBlocks([`\`/esc ${esc(view.command)}\``]);
    case 'request':
    case 'rated':
    case 'form':
    case 'report':
      return null;
  }
}

/** An answer as a Slack message: the fallback text (escaped) and the blocks of its view. */
export function slackMessage(answer: Answer, dir: Directory, now: Date): SlackMessage {
  const blocks = answer.view ? viewBlocks(answer.view, dir, now, answer.text) : null;
  const v = answer.view;
  const room = v?.kind === 'major' && v.major.warRoom?.platform === 'slack' ? ` War room: <#${v.major.warRoom.id}>.` : '';
  const text = clip(esc(answer.text) + room, 3000);
  if (!blocks) return { text, blocks: linesBlocks(answer.text.split('\n').map(line)) };
  // A task list says first what happened; a ticket carries it as its note.
  return { text, blocks: answer.view?.kind === 'tasks' ? [context(text), ...blocks].slice(0, 50) : blocks };
}
