import { TeamsInfo } from 'botbuilder';
import type { TurnContext } from 'botbuilder';
import { z } from 'zod/v4';
import type { AppDeps } from '../../app/deps.js';
import { claimRequest, engageOwner, informManager, markReviewed, requestEscalation, sendEta } from '../../app/use-cases/coordination.js';
import { noticeFor } from '../../app/use-cases/notify.js';
import { addTask, afterActionReport, assignRole, closeTask, declareMajor, linkProblem, linkRecurrence, majorForTicket, majorForWarRoom, postUpdate, recordSatisfaction } from '../../app/use-cases/major.js';
import { requireTicket } from '../../app/use-cases/tickets.js';
import type { Directory, Person } from '../../domain/directory.js';
import { DomainError, isDomainError } from '../../domain/errors.js';
import { parseTicketRef, formatTicketKey } from '../../domain/ticket-number.js';
import type { Ticket } from '../../domain/ticket.js';
import { parseMajorCommand, resolveWhen } from '../slack/major-commands.js';
import type { MajorCommand, Mention } from '../slack/major-commands.js';
import type { VerbOutcome } from './teams-actions.js';
import { actorOf, cardFor } from './teams-actions.js';
import type { TeamsReply } from './teams-commands.js';
import { coordinatorNoticeCard, escalationRequestCard, majorSummaryCard, satisfactionCard, taskListCard } from './teams-major-cards.js';

/** What `help` adds for issue 7 (Teams: no slash, a person by @mention, directory id or email). */
export const MAJOR_HELP_TEXT = [
  '**Escalation requests** (managers, supervisors, point persons; coordinators)',
  '- `request ESC-12 <reason>`: ask the escalation coordinators for urgent handling (the CIO is copied)',
  '- `claim ESC-12` · `reviewed ESC-12` · `eta ESC-12 <when> <message>` (when: `2h`, `tomorrow 10:00`, `2026-11-25 14:00`) · `inform ESC-12 <message>` · `engage ESC-12 [@person] <message>`',
  '**Major escalations** (escalation managers)',
  '- `major ESC-12 <reason>`: declare: war room, pinned summary, team invited',
  '- `role ESC-12 @person <role>`: escalation_manager, incident_owner, abrm, problem_owner, vendor, sme',
  '- `task ESC-12 add @person <when> <title>` · `task ESC-12 done <n>` · `tasks ESC-12`',
  '- `update ESC-12 <text>`: customer and stakeholder update · `problem ESC-12 new <title>` or `problem ESC-12 PRB-7` (`problem ESC-12 replace PRB-8` to change it)',
  '- `recurrence ESC-13 of ESC-12` · `aar ESC-12`: after-action report to the war room and stakeholders',
].join('\n\n');

const isMention = (e: unknown): e is { type: 'mention'; text?: string; mentioned?: { id?: string; name?: string; aadObjectId?: string } } => (e as { type?: unknown } | null)?.type === 'mention';
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'someone';

/** Who a Teams @mention is: its AAD id, else the member's AAD id or email from Teams, else a unique display-name match. */
async function mentionedPerson(deps: AppDeps, context: TurnContext, m: { id?: string; name?: string; aadObjectId?: string }): Promise<Person | undefined> {
  const dir = deps.directory();
  if (m.aadObjectId) {
    const p = dir.byTeamsId(m.aadObjectId);
    if (p) return p;
  }
  if (m.id) {
    try {
      const member = await TeamsInfo.getMember(context, m.id);
      const p = (member.aadObjectId ? dir.byTeamsId(member.aadObjectId) : undefined) ?? [member.email, member.userPrincipalName].map((x) => (x ? dir.byEmail(x) : undefined)).find(Boolean);
      if (p) return p;
    } catch (e) {
      deps.log.debug({ err: (e as Error).message }, 'teams: mentioned member lookup failed');
    }
  }
  const byName = dir.allPeople().filter((p) => m.name && p.name.toLowerCase() === m.name.toLowerCase());
  return byName.length === 1 ? byName[0] : undefined;
}

/**
 * The message text with every @mention of a person replaced by `@<directory id>` (a mention
 * Esc cannot place becomes `@<name>`, which the command then reports as unknown). Esc's own
 * mention is left for the usual clean-up.
 */
export async function textWithMentions(deps: AppDeps, context: TurnContext): Promise<string> {
  const a = context.activity;
  let text = a.text ?? '';
  for (const e of (a.entities ?? []).filter(isMention).slice(0, 20)) {
    if (!e.text || !e.mentioned || e.mentioned.id === a.recipient?.id) continue;
    const p = await mentionedPerson(deps, context, e.mentioned);
    text = text.split(e.text).join(` @${p ? p.id : slug(e.mentioned.name ?? '')} `);
  }
  return text;
}

/** A person named by `@id`, `@email-local-part`, or (typed without @) an id or an email. */
function personByHandle(dir: Directory, handle: string): Person | undefined {
  const h = handle.replace(/^@/, '').toLowerCase();
  return dir.person(h) ?? dir.byEmail(h) ?? dir.allPeople().find((p) => p.id.toLowerCase() === h || p.email.toLowerCase().split('@')[0] === h);
}

function requirePerson(dir: Directory, m: Mention | null): Person {
  if (!m) throw new DomainError('VALIDATION', 'Name the person: an @mention, their directory id or their email.');
  if ('slackId' in m) throw new DomainError('VALIDATION', 'That is a Slack mention; in Teams @mention the person or type their directory id or email.');
  const p = personByHandle(dir, m.handle);
  if (!p) throw new DomainError('NOT_FOUND', `There is no person "${m.handle.slice(0, 60)}" in Esc's directory: @mention them, or use their directory id or email.`);
  return p;
}

/** Where the command puts a person (after the optional ticket): typed ids and emails there become `@id`. */
function markPeople(dir: Directory, head: string, rest: string[]): string[] {
  const words = [...rest];
  const at = parseTicketRef(words[0] ?? '') === null ? 0 : 1;
  const idx = head === 'role' || head === 'engage' ? at : head === 'task' && words[at]?.toLowerCase() === 'add' ? at + 1 : -1;
  const w = idx >= 0 ? words[idx] : undefined;
  if (w && !w.startsWith('@') && parseTicketRef(w) === null) {
    const p = personByHandle(dir, w);
    // `role` and `task add` must name a person there: an unknown word is reported as an unknown person.
    if (p) words[idx] = `@${p.id}`;
    else if (head !== 'engage' && /^[\w.-]{1,64}$/.test(w)) words[idx] = `@${w}`;
  }
  if (w && w.startsWith('@') && w.includes('@', 1)) {
    const p = dir.byEmail(w.slice(1));
    if (p) words[idx] = `@${p.id}`;
  }
  return words;
}

const say = (text: string, card?: TeamsReply['card']): TeamsReply => ({ text, ...(card ? { card } : {}) });

/** Where a command was typed: inside a war room (channel or group chat) the ticket may be left out. */
export interface CommandPlace {
  /** The conversation id without Teams' ";messageid=…" thread suffix. */
  conversationId: string;
  /** The channel's name when the activity carries it (channelData.channel.name). */
  channelName?: string | null;
}

/** War-room conversation → ticket id, for the rooms this process has seen. */
const roomTickets = new Map<string, string>();
function rememberRoom(m: { ticketId: string; warRoom: { platform: string; id: string } | null } | null | undefined): void {
  if (m?.warRoom?.platform !== 'teams') return;
  roomTickets.set(m.warRoom.id, m.ticketId);
  if (roomTickets.size > 10_000) roomTickets.delete(roomTickets.keys().next().value!);
}

/**
 * The ticket of the war room a command was typed in: known rooms first, else the major
 * escalation whose stored war-room id is this conversation (a channel thread's id carries
 * ";messageid=…" after the channel id).
 */
async function ticketOfRoom(deps: AppDeps, place: CommandPlace | undefined): Promise<string | null> {
  if (!place) return null;
  const roomId = place.conversationId.split(';')[0]!;
  const known = roomTickets.get(roomId) ?? roomTickets.get(place.conversationId);
  if (known) return known;
  const m = await majorForWarRoom(deps, roomId);
  if (!m) return null;
  rememberRoom(m);
  return m.ticketId;
}

/**
 * Runs an issue-7 command (`request`, `claim`, `major`, `task`…) or returns null when `head`
 * is not one. Never throws for what a person typed: refusals come back as text.
 */
export async function runMajorCommand(deps: AppDeps, person: Person, head: string, rest: string[], place?: CommandPlace): Promise<TeamsReply | null> {
  const dir = deps.directory();
  const parsed = parseMajorCommand(head, markPeople(dir, head, rest));
  if (!parsed) return null;
  if (parsed.kind === 'usage') return say(parsed.problem.replace(/\/esc /g, ''));
  try {
    if (parsed.ref === null && parsed.kind !== 'recurrence') {
      const inRoom = await ticketOfRoom(deps, place);
      if (inRoom) return await run(deps, person, { ...parsed, ref: inRoom } as MajorCommand & { ref: string });
    }
    return await run(deps, person, parsed);
  } catch (e) {
    if (isDomainError(e)) return say(e.message);
    throw e;
  }
}

async function run(deps: AppDeps, person: Person, c: MajorCommand | (MajorCommand & { ref: string })): Promise<TeamsReply> {
  const dir = deps.directory();
  const actor = actorOf(person);
  const now = deps.clock.now();
  if (c.ref === null) return say(`Say which ticket, e.g. \`${c.kind.replace('_add', '').replace('_done', '')} ESC-12 …\` (inside a major escalation's war room you may leave it out).`);
  const ticket = c.ref;
  const when = (words: string[]) => {
    const w = resolveWhen(words, now, person.timeZone || dir.org.timeZone);
    if (!w.ok) throw new DomainError('VALIDATION', w.problem);
    return w.at;
  };
  switch (c.kind) {
    case 'request':
      return say((await requestEscalation(deps, { ticket, reason: c.reason, actor })).message);
    case 'claim':
      return say((await claimRequest(deps, { ticket, actor })).message);
    case 'reviewed':
      return say((await markReviewed(deps, { ticket, actor })).message);
    case 'eta':
      return say((await sendEta(deps, { ticket, eta: when(c.when), message: c.message, actor })).message);
    case 'inform':
      return say((await informManager(deps, { ticket, message: c.message, actor })).message);
    case 'engage': {
      const owner = c.owner ? requirePerson(dir, c.owner) : null;
      return say((await engageOwner(deps, { ticket, message: c.message, actor, ...(owner ? { ownerId: owner.id } : {}) })).message);
    }
    case 'major': {
      const r = await declareMajor(deps, { ticket, reason: c.reason, actor });
      rememberRoom(r.major);
      return say(r.message, majorSummaryCard(dir, r.ticket, r.major, deps.clock.now()));
    }
    case 'role': {
      const who = requirePerson(dir, c.who);
      return say((await assignRole(deps, { ticket, personId: who.id, role: c.role, actor })).message);
    }
    case 'task_add': {
      const owner = requirePerson(dir, c.owner);
      const r = await addTask(deps, { ticket, title: c.title, ownerId: owner.id, dueAt: when(c.when), actor });
      return say(r.message, taskListCard(dir, r.ticket, r.major, deps.clock.now()));
    }
    case 'task_done': {
      const r = await closeTask(deps, { ticket, n: c.n, actor });
      return say(r.message, taskListCard(dir, r.ticket, r.major, deps.clock.now()));
    }
    case 'tasks': {
      const { t, m } = await requireMajor(deps, ticket);
      return say(`Action plan of ${formatTicketKey(t.number)}`, taskListCard(dir, t, m, now));
    }
    case 'update':
      return say((await postUpdate(deps, { ticket, text: c.text, actor })).message);
    case 'problem':
      return say((await linkProblem(deps, { ticket, problem: c.problem, replace: c.replace ?? false, actor })).message);
    case 'recurrence':
      if (c.of === null) return say(`Say which major escalation it recurs: \`recurrence ${formatTicketKey(ticket)} of ESC-12\`.`);
      return say((await linkRecurrence(deps, { ticket, of: c.of, actor })).message);
    case 'aar': {
      const r = await afterActionReport(deps, { ticket, actor, send: true });
      const t = await requireTicket(deps, ticket);
      return say(`After-action report for ${formatTicketKey(t.number)} (${r.fileName}) posted in the war room and sent to the stakeholders.\n\n${r.markdown.split('\n').slice(0, 12).join('\n').slice(0, 1500)}`);
    }
  }
}

async function requireMajor(deps: AppDeps, ticket: string | number): Promise<{ t: Ticket; m: NonNullable<Awaited<ReturnType<typeof majorForTicket>>> }> {
  const t = await requireTicket(deps, ticket);
  const m = await majorForTicket(deps, t.id);
  if (!m) throw new DomainError('NOT_FOUND', `${formatTicketKey(t.number)} is not a major escalation: an escalation manager declares one with \`major ${formatTicketKey(t.number)} <reason>\`.`);
  return { t, m };
}

const ticketField = z.union([z.string().max(40), z.number().int().positive()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : parseTicketRef(v);
  if (n === null) {
    ctx.addIssue({ code: 'custom', message: 'not a ticket number' });
    return z.NEVER;
  }
  return n;
});
const withTicket = z.object({ ticket: ticketField });
const requestData = withTicket.extend({ reason: z.string().max(1000).optional(), urgency: z.enum(['normal', 'urgent']).optional() });
const rateData = withTicket.extend({ score: z.coerce.number().int().min(1, 'choose 1 to 5').max(5, 'choose 1 to 5'), comment: z.string().max(1000).optional() });
const taskDoneData = withTicket.extend({ n: z.coerce.number().int().min(1, 'choose a task') });

/** The card verbs of issue 7 (Action.Execute or its Action.Submit fallback). */
export const MAJOR_VERBS = ['request.form', 'request', 'claim', 'rate', 'tasks', 'task.done', 'major.show'] as const;

/**
 * Runs an issue-7 card verb, or returns null when `verb` is not one. Throws DomainError and
 * ZodError for the caller (runVerb) to turn into a refusal.
 */
export async function runMajorVerb(deps: AppDeps, person: Person, verb: string, raw: unknown): Promise<VerbOutcome | null> {
  if (!(MAJOR_VERBS as readonly string[]).includes(verb)) return null;
  const dir = deps.directory();
  const actor = actorOf(person);
  const ok = (message: string, card: VerbOutcome['card'], forEveryone = false): VerbOutcome => ({ message, card, forEveryone, ok: true });
  switch (verb) {
    case 'request.form': {
      const t = await requireTicket(deps, withTicket.parse(raw).ticket);
      return ok(`Request urgent handling of ${formatTicketKey(t.number)}: give a reason.`, escalationRequestCard(t));
    }
    case 'request': {
      const d = requestData.parse(raw);
      const t = await requireTicket(deps, d.ticket);
      const reason = d.reason?.trim() ?? '';
      const why = 'A reason is required: say in a few words why this needs urgent handling. Everyone on the ticket will read it.';
      if (reason.length < 5) return { message: why, card: escalationRequestCard(t, why), forEveryone: false, ok: false };
      const r = await requestEscalation(deps, { ticket: t.id, reason, urgency: d.urgency ?? 'normal', actor });
      // The ticket card, now showing the escalation, replaces the one whose Escalate was clicked.
      return ok(r.message, await cardFor(deps, r.ticket, `Escalation requested by ${person.name}: ${reason}`), true);
    }
    case 'claim': {
      const t = await requireTicket(deps, withTicket.parse(raw).ticket);
      const r = await claimRequest(deps, { ticket: t.id, actor });
      const notice = noticeFor(deps, r.ticket, { kind: 'manager_request', title: `Escalation request: ${formatTicketKey(t.number)} ${t.title}`, text: `Requested by ${dir.person(r.request.requestedBy)?.name ?? r.request.requestedBy}: ${r.request.reason}`, actions: ['claim'], urgent: r.request.urgency === 'urgent' });
      return ok(r.message, coordinatorNoticeCard(notice, { dir, request: r.request }), true);
    }
    case 'rate': {
      const d = rateData.parse(raw);
      const r = await recordSatisfaction(deps, { ticket: d.ticket, score: d.score, comment: d.comment?.trim() ?? '', actor });
      const key = formatTicketKey(r.ticket.number);
      return ok(r.message, satisfactionCard({ title: '', text: '', ticket: { key, title: r.ticket.title } }, { score: d.score, comment: d.comment?.trim() ?? '' }), true);
    }
    case 'tasks': {
      const { t, m } = await requireMajor(deps, withTicket.parse(raw).ticket);
      return ok(`Action plan of ${formatTicketKey(t.number)}`, taskListCard(dir, t, m, deps.clock.now()));
    }
    case 'task.done': {
      const d = taskDoneData.parse(raw);
      const r = await closeTask(deps, { ticket: d.ticket, n: d.n, actor });
      return ok(r.message, taskListCard(dir, r.ticket, r.major, deps.clock.now()), true);
    }
    case 'major.show': {
      const { t, m } = await requireMajor(deps, withTicket.parse(raw).ticket);
      return ok(formatTicketKey(t.number), majorSummaryCard(dir, t, m, deps.clock.now()));
    }
  }
  return null;
}
