/** The after-action report, built from the timeline. */
import { aarMarkdown, buildAar } from '../../../domain/aar.js';
import { aarReads } from '../../../domain/aar-events.js';
import type { AarOmitted } from '../../../domain/aar.js';
import type { MajorEscalation } from '../../../domain/major.js';
import type { Ticket } from '../../../domain/ticket.js';
import type { AppDeps } from '../../deps.js';
import type { Actor, TimelineEvent } from '../../ports/timeline.js';
import { actingPerson, personName } from '../actors.js';
import { noticeFor, notifyPeople } from '../notify.js';
import { event } from '../ticket-access.js';
import { roomPost } from './room.js';
import { majorConfig, requireEscalationManager, requireMajor, saveMajor } from './support.js';

export interface AfterActionReport {
  markdown: string;
  pdf: Buffer;
  fileName: string;
  /** With `send`: who was emailed, and how the PDF travelled ("attached" when the email channel carries files). */
  sentTo?: string[];
}

/** Who receives the after-action report (seed 001): executives, the configured list, team managers, service owners. */
async function aarRecipients(deps: AppDeps, m: MajorEscalation, t: Ticket): Promise<string[]> {
  const dir = deps.directory();
  const cfg = majorConfig(deps);
  const teamManagers = [t.teamId, ...m.members.flatMap((x) => dir.teamsOf(x.personId).map((tm) => tm.id))].map((id) => dir.team(id)?.managerId);
  const req = await deps.requests.latestForTicket(t.id);
  const owners = [req?.ownerId, ...m.members.filter((x) => x.role === 'problem_owner' || x.role === 'abrm').map((x) => x.personId)];
  return [...new Set([...dir.org.executives, ...cfg.aarRecipients, ...teamManagers, ...owners].filter((x): x is string => !!x && !!dir.person(x)))];
}

/** The report keeps at most this many of the events it reads (half the first, half the newest). */
export const AAR_KEEP_EVENTS = 20_000;
const AAR_PAGE = 2_000;

/**
 * Reads a ticket's whole timeline page by page, keeping the events the report reads (the
 * others, such as deliveries, are only counted). Past `keep` of them, the first half and
 * the newest half are kept and the rest counted as left out, so memory stays bounded.
 */
async function aarEvents(deps: AppDeps, ticketId: string, keep: number): Promise<{ events: TimelineEvent[]; total: number; omitted: AarOmitted | null }> {
  const half = Math.max(1, Math.floor(keep / 2));
  const head: TimelineEvent[] = [];
  let tail: TimelineEvent[] = [];
  let total = 0;
  let dropped = 0;
  let from: Date | null = null;
  let to: Date | null = null;
  const drop = (es: TimelineEvent[]) => {
    for (const e of es) {
      dropped++;
      const at = new Date(e.at);
      if (!from || at < from) from = at;
      if (!to || at > to) to = at;
    }
  };
  let cursor: string | null = null;
  for (;;) {
    const page: { events: TimelineEvent[]; next: string | null } = await deps.timeline.pageForTicket(ticketId, cursor, AAR_PAGE);
    total += page.events.length;
    for (const e of page.events) {
      if (!aarReads(e)) continue;
      if (head.length < half) head.push(e);
      else tail.push(e);
    }
    if (tail.length > 2 * half) {
      drop(tail.slice(0, tail.length - half));
      tail = tail.slice(-half);
    }
    if (!page.next) break;
    cursor = page.next;
  }
  if (tail.length > half) {
    drop(tail.slice(0, tail.length - half));
    tail = tail.slice(-half);
  }
  return { events: [...head, ...tail], total, omitted: dropped > 0 && from && to ? { count: dropped, from, to } : null };
}

/** Builds the after-action report from the timeline (Markdown + PDF); `send` posts it in the war room and to the stakeholders. `keepEvents`: see AAR_KEEP_EVENTS. */
export async function afterActionReport(deps: AppDeps, args: { ticket: string | number; actor: Actor; send?: boolean; keepEvents?: number }): Promise<AfterActionReport> {
  const { m } = await requireMajor(deps, args.ticket);
  if (args.send && args.actor.via !== 'engine') {
    const pid = actingPerson(deps, args.actor, 'send the after-action report');
    requireEscalationManager(deps, pid, 'send the after-action report');
  }
  const t = (await deps.tickets.get(m.ticketId))!;
  // The whole timeline, not its oldest 5,000 events: a long escalation keeps its resolution and satisfaction.
  const read = await aarEvents(deps, m.ticketId, args.keepEvents ?? AAR_KEEP_EVENTS);
  const now = deps.clock.now();
  const model = buildAar(read.events, { name: (id) => personName(deps, id), timeZone: deps.directory().org.timeZone, now, sourceEvents: read.total, omitted: read.omitted });
  const markdown = aarMarkdown(model);
  const pdf = await deps.renderAarPdf(model);
  const fileName = `aar-${m.ticketKey}.pdf`;
  if (!args.send) return { markdown, pdf, fileName };
  const sentTo = await aarRecipients(deps, m, t);
  await roomPost(deps, m, { text: `After-action report for ${m.ticketKey} (${fileName}).`, file: { name: fileName, contentType: 'application/pdf', data: pdf, title: model.title } });
  const text = `The after-action report of the major escalation ${m.ticketKey} (${t.title}) is attached as a PDF (${fileName}). Summary: ${model.summary.join(' ')}`;
  await notifyPeople(deps, t, sentTo, ['email'], noticeFor(deps, t, { kind: 'major_escalation', title: `After-action report: ${m.ticketKey} ${t.title}`, text, facts: model.facts, attachments: [{ name: fileName, contentType: 'application/pdf', base64: pdf.toString('base64') }, { name: fileName.replace(/\.pdf$/, '.md'), contentType: 'text/markdown', base64: Buffer.from(markdown).toString('base64') }] }), `major:${m.id}:aar:${now.getTime()}`);
  await deps.timeline.append([event(deps, m.ticketId, 'major.aar_generated', now, args.actor, { majorId: m.id, fileName, bytes: pdf.length, sentTo, sourceEvents: model.sourceEvents }, `major.aar_generated:${m.id}:${now.getTime()}`)]);
  for (let i = 0; i < 8; i++) {
    const cur = (await deps.majors.get(m.id))!;
    if (await saveMajor(deps, { ...cur, aarGeneratedAt: now })) break;
  }
  return { markdown, pdf, fileName, sentTo };
}
