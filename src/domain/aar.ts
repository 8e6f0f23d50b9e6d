/**
 * The after-action report (seed 001), built from a ticket's timeline only: every fact in it
 * comes from an event (its time, its actor, its data), so it can be checked against the
 * events it came from. Pure: no I/O, no clock; names come from a lookup the caller passes.
 */
import { MAJOR_ROLE_LABELS } from './major.js';
import type { MajorRole } from './major.js';
import { aarReads, date, eventText, num, str } from './aar-events.js';
import type { AarEvent } from './aar-events.js';
import { durationText, localTime } from './time-text.js';

export interface AarTimelineEntry {
  at: Date;
  /** `at` in the organisation's time zone, as printed. */
  local: string;
  who: string | null;
  what: string;
  type: string;
  eventId: string;
}

export interface AarPerson {
  personId: string;
  name: string;
  roles: string[];
  did: string[];
}

export interface AarAction {
  n: number;
  title: string;
  owner: string;
  dueAt: Date;
  due: string;
  doneAt: Date | null;
  done: string | null;
  state: 'done on time' | 'done late' | 'open' | 'open, overdue';
  overdueReminders: number;
}

export interface AarUpdate {
  at: Date;
  local: string;
  by: string | null;
  text: string;
  recipients: number;
}

export interface AarModel {
  title: string;
  ticketKey: string;
  ticketTitle: string;
  priority: string;
  timeZone: string;
  generatedAt: Date;
  generated: string;
  summary: string[];
  facts: { label: string; value: string }[];
  timeToAcknowledgeMs: number | null;
  timeToResolveMs: number | null;
  timeline: AarTimelineEntry[];
  people: AarPerson[];
  actions: AarAction[];
  updates: AarUpdate[];
  lessons: string[];
  /** How many timeline events it was built from. */
  sourceEvents: number;
  /** Report events left out (a very long timeline: the first and the newest are kept); null: none. */
  omittedEvents: AarOmitted | null;
}

export interface AarOmitted {
  count: number;
  /** The first and last time of the events left out. */
  from: Date;
  to: Date;
}

/**
 * Builds the report model from a ticket's events (any order). `sourceEvents`: how many events
 * the timeline held when the caller passed only those the report reads; `omitted`: report
 * events the caller had to leave out (said in the summary and the header).
 */
export function buildAar(events: AarEvent[], ctx: { name: (id: string) => string; timeZone: string; now: Date; sourceEvents?: number; omitted?: AarOmitted | null }): AarModel {
  const evs = [...events].map((e) => ({ ...e, at: new Date(e.at) })).sort((a, b) => a.at.getTime() - b.at.getTime());
  const zone = ctx.timeZone;
  const L = (d: Date) => localTime(d, zone);
  const name = (id: unknown) => (typeof id === 'string' && id ? ctx.name(id) : 'someone');
  const first = (...types: string[]) => evs.find((e) => types.includes(e.type)) ?? null;
  const all = (type: string) => evs.filter((e) => e.type === type);
  const last = (type: string) => all(type).at(-1) ?? null;

  const opened = first('ticket.opened');
  const key = str(opened?.data.key) ?? 'ticket';
  const ticketTitle = str(opened?.data.title) ?? '';
  const priority = str(opened?.data.priority) ?? '?';
  const declared = first('major.declared');
  const acked = first('ticket.acknowledged', 'escalation.acknowledged', 'ticket.started');
  const resolvedAll = all('ticket.resolved');
  const resolved = resolvedAll.at(-1) ?? null;
  const tta = opened && acked ? acked.at.getTime() - opened.at.getTime() : null;
  const ttr = opened && resolved ? resolved.at.getTime() - opened.at.getTime() : null;
  const recurrences = all('major.recurred');
  const sat = last('satisfaction.recorded');
  const closed = last('major.closed');

  const timeline: AarTimelineEntry[] = evs.filter(aarReads).map((e) => ({ at: e.at, local: L(e.at), who: e.actor?.personId ? ctx.name(e.actor.personId) : e.actor?.via === 'engine' ? 'Esc' : null, what: eventText(e, name, zone), type: e.type, eventId: e.id }));

  // Who did what: every key event a person acted on, plus the roles they were given.
  const people = new Map<string, AarPerson>();
  const person = (id: string) => {
    let p = people.get(id);
    if (!p) people.set(id, (p = { personId: id, name: ctx.name(id), roles: [], did: [] }));
    return p;
  };
  for (const e of evs) {
    if (e.type === 'major.role_assigned' && typeof e.data.personId === 'string') {
      const label = MAJOR_ROLE_LABELS[e.data.role as MajorRole] ?? String(e.data.role);
      const p = person(e.data.personId);
      if (!p.roles.includes(label)) p.roles.push(label);
    }
    if (aarReads(e) && e.actor?.personId) person(e.actor.personId).did.push(`${L(e.at)}: ${eventText(e, name, zone)}`);
  }

  // The action plan, from the task events.
  const actions: AarAction[] = all('major.task_added').map((e) => {
    const n = num(e.data.n) ?? 0;
    const dueAt = date(e.data.dueAt) ?? e.at;
    const done = evs.find((x) => x.type === 'major.task_done' && num(x.data.n) === n) ?? null;
    const overdue = evs.filter((x) => x.type === 'major.task_overdue' && num(x.data.n) === n).length;
    const late = done ? done.at.getTime() > dueAt.getTime() : ctx.now.getTime() > dueAt.getTime();
    return {
      n,
      title: str(e.data.title) ?? '',
      owner: name(e.data.ownerId),
      dueAt,
      due: L(dueAt),
      doneAt: done?.at ?? null,
      done: done ? L(done.at) : null,
      state: done ? (late ? 'done late' : 'done on time') : late ? 'open, overdue' : 'open',
      overdueReminders: overdue,
    };
  });

  const updates: AarUpdate[] = all('major.update_sent').map((e) => ({ at: e.at, local: L(e.at), by: e.actor?.personId ? ctx.name(e.actor.personId) : null, text: str(e.data.text) ?? '', recipients: Array.isArray(e.data.sentTo) ? e.data.sentTo.length : 0 }));

  const lessons: string[] = [];
  for (const s of all('satisfaction.recorded')) {
    if (str(s.data.comment)) lessons.push(`Customer feedback (${num(s.data.score)}/5, ${L(s.at)}): "${str(s.data.comment)}"`);
  }
  for (const b of all('sla.response_breached')) lessons.push(`The response SLA was breached at ${L(date(b.data.responseDueAt) ?? b.at)}: nobody had responded by then.`);
  const reminded = all('escalation.request_reminded');
  const passed = first('escalation.request_escalated');
  const claimed = first('escalation.request_claimed');
  if (reminded.length > 0 || passed) {
    lessons.push(
      `The manager escalation request waited ${claimed ? durationText(num(claimed.data.waitedMs) ?? 0) : 'unclaimed'} for a coordinator: ${reminded.length} reminder${reminded.length === 1 ? '' : 's'}${passed ? `, then passed to ${name(passed.data.to)} at ${L(passed.at)}` : ''}.`,
    );
  }
  for (const a of actions) {
    if (a.overdueReminders > 0 || a.state === 'done late' || a.state === 'open, overdue') {
      const lateBy = a.doneAt ? ` (done ${durationText(a.doneAt.getTime() - a.dueAt.getTime())} after its due time)` : '';
      lessons.push(`Task ${a.n} "${a.title}" (${a.owner}) ran past its due time ${a.due}${lateBy}; ${a.overdueReminders} overdue reminder${a.overdueReminders === 1 ? '' : 's'}.`);
    }
  }
  const dueReminders = all('major.update_due');
  if (dueReminders.length > 0) lessons.push(`A customer update was late ${dueReminders.length} time${dueReminders.length === 1 ? '' : 's'} (first reminder ${L(dueReminders[0]!.at)}): keep to the agreed cadence.`);
  if (recurrences.length > 0) {
    lessons.push(`The incident recurred ${recurrences.length} time${recurrences.length === 1 ? '' : 's'} during the warranty (${recurrences.map((r) => `${L(r.at)} via ${str(r.data.via) ?? 'reopen'}`).join('; ')}): the first fix did not hold; feed this into problem management.`);
  }
  const failedRoom = all('major.war_room_failed');
  if (failedRoom.length > 0) lessons.push(`The war room could not be opened ${failedRoom.length} time${failedRoom.length === 1 ? '' : 's'} (${str(failedRoom[0]!.data.error) ?? ''}).`);
  if (lessons.length === 0) lessons.push('No breaches, late steps or recurrences were recorded.');

  const summary: string[] = [];
  summary.push(`${key} "${ticketTitle}" (${priority}) was opened ${opened ? L(opened.at) : 'at an unknown time'}${opened?.actor?.personId ? ` by ${name(opened.actor.personId)}` : ''}.`);
  if (declared) summary.push(`${name(declared.actor?.personId)} declared a major escalation at ${L(declared.at)}: ${str(declared.data.reason) ?? ''}`);
  const team = [...people.values()].filter((p) => p.roles.length > 0);
  if (team.length > 0) summary.push(`Escalation team: ${team.map((p) => `${p.name} (${p.roles.join(', ')})`).join('; ')}.`);
  if (resolved) summary.push(`It was resolved ${L(resolved.at)}${resolvedAll.length > 1 ? ` (resolved ${resolvedAll.length} times; ${recurrences.length} recurrence${recurrences.length === 1 ? '' : 's'} in the warranty)` : ''}.`);
  if (sat) summary.push(`The customer rated the resolution ${num(sat.data.score)}/5.`);
  if (closed) summary.push(`The escalation closed ${L(closed.at)}.`);
  const omitted = ctx.omitted && ctx.omitted.count > 0 ? ctx.omitted : null;
  if (omitted) summary.push(`The timeline is too long to report in full: ${omitted.count} event${omitted.count === 1 ? '' : 's'} between ${L(omitted.from)} and ${L(omitted.to)} ${omitted.count === 1 ? 'was' : 'were'} left out (the first and the newest are included; the full timeline is on the ticket).`);

  const facts = [
    { label: 'Ticket', value: `${key} ${ticketTitle}` },
    { label: 'Priority', value: priority },
    { label: 'Opened', value: opened ? L(opened.at) : '—' },
    { label: 'Major escalation declared', value: declared ? L(declared.at) : '—' },
    { label: 'Time to acknowledge', value: tta === null ? 'not acknowledged' : durationText(tta) },
    { label: 'Time to resolve', value: ttr === null ? 'not resolved' : durationText(ttr) },
    { label: 'Recurrences in warranty', value: String(recurrences.length) },
    { label: 'Customer satisfaction', value: sat ? `${num(sat.data.score)}/5` : '—' },
  ];

  return {
    title: `After-action report: ${key} ${ticketTitle}`,
    ticketKey: key,
    ticketTitle,
    priority,
    timeZone: zone,
    generatedAt: ctx.now,
    generated: L(ctx.now),
    summary,
    facts,
    timeToAcknowledgeMs: tta,
    timeToResolveMs: ttr,
    timeline,
    people: [...people.values()].filter((p) => p.did.length > 0 || p.roles.length > 0),
    actions,
    updates,
    lessons,
    sourceEvents: Math.max(ctx.sourceEvents ?? 0, evs.length),
    omittedEvents: omitted,
  };
}

const mdEsc = (s: string) => s.replace(/([\\|*_`[\]])/g, '\\$1').replace(/\n/g, ' ');

/** The report as Markdown (pure). */
export function aarMarkdown(m: AarModel): string {
  const out: string[] = [];
  const left = m.omittedEvents ? ` ${m.omittedEvents.count} of them (${localTime(m.omittedEvents.from, m.timeZone)} to ${localTime(m.omittedEvents.to, m.timeZone)}) were left out: see the summary.` : '';
  out.push(`# ${mdEsc(m.title)}`, '', `Generated ${m.generated} from ${m.sourceEvents} timeline events.${left} Times in ${m.timeZone}.`, '');
  out.push('## Summary', '', ...m.summary.map((s) => mdEsc(s)), '');
  out.push('| Fact | Value |', '| --- | --- |', ...m.facts.map((f) => `| ${mdEsc(f.label)} | ${mdEsc(f.value)} |`), '');
  out.push('## Timeline', '', '| Time | Who | What |', '| --- | --- | --- |', ...m.timeline.map((t) => `| ${t.local} | ${mdEsc(t.who ?? '—')} | ${mdEsc(t.what)} |`), '');
  out.push('## Who did what', '');
  for (const p of m.people) {
    out.push(`### ${mdEsc(p.name)}${p.roles.length ? ` — ${mdEsc(p.roles.join(', '))}` : ''}`, '');
    out.push(...(p.did.length ? p.did.map((d) => `- ${mdEsc(d)}`) : ['- (no recorded actions)']), '');
  }
  out.push('## Action plan', '');
  if (m.actions.length === 0) out.push('No tasks were recorded.', '');
  else out.push('| # | Task | Owner | Due | Done | State |', '| --- | --- | --- | --- | --- | --- |', ...m.actions.map((a) => `| ${a.n} | ${mdEsc(a.title)} | ${mdEsc(a.owner)} | ${a.due} | ${a.done ?? '—'} | ${a.state} |`), '');
  out.push('## Updates sent', '');
  if (m.updates.length === 0) out.push('No updates were sent.', '');
  else out.push(...m.updates.map((u) => `- ${u.local}${u.by ? ` by ${mdEsc(u.by)}` : ''} to ${u.recipients} stakeholders: ${mdEsc(u.text)}`), '');
  out.push('## Lessons', '', ...m.lessons.map((l) => `- ${mdEsc(l)}`), '');
  return out.join('\n');
}
