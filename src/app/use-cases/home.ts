/**
 * A person's home (issue 16): what needs them now, built once here and rendered by the Slack
 * App Home and the Teams `home` card. Sections by role: my open tickets with their SLA state,
 * pages waiting for my acknowledgement, my tasks in major escalations, my next on-call shift;
 * for coordinators the escalation requests waiting to be claimed; for leads their team's
 * tickets that breach today. Confidential tickets appear only for those who may see them.
 */
import type { Directory } from '../../domain/directory.js';
import { DateTime } from 'luxon';
import type { Person } from '../../domain/directory.js';
import { rolesOf } from '../../domain/rotation.js';
import type { Ticket } from '../../domain/ticket.js';
import { OPEN_STATUSES } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';
import { resolutionState, responseState } from '../../domain/sla/sla-clock.js';
import type { SlaState } from '../../domain/sla/sla-clock.js';
import { actorMaySee } from '../authorize.js';
import type { AppDeps } from '../deps.js';
import type { Home, HomeTicket } from '../views/home-model.js';

export type { Home, HomeTicket } from '../views/home-model.js';

const LIMIT = 200;

function slaOf(t: Ticket, now: Date): { sla: SlaState; dueAt: Date | null } {
  const s = t.sla;
  if (!s.respondedAt) return { sla: responseState(s, now), dueAt: s.responseDueAt ? new Date(s.responseDueAt) : null };
  return { sla: resolutionState(s, now), dueAt: s.resolutionDueAt ? new Date(s.resolutionDueAt) : null };
}

const homeTicket = (t: Ticket, now: Date): HomeTicket => ({ key: formatTicketKey(t.number), title: t.confidential ? `${t.title} (confidential)` : t.title, priority: t.priority, status: t.status, ...slaOf(t, now) });

/** The first start of a shift of `personId` in the rotation after `now` (any layer, overrides applied, up to 90 days ahead). */
function nextShift(dir: Directory, rotationId: string, personId: string, now: Date): Date | null {
  const rot = dir.rotation(rotationId);
  if (!rot) return null;
  const until = new Date(now.getTime() + 90 * 86_400_000);
  const starts = rolesOf(rot).flatMap((role) => dir.shifts(rot.id, now, until, role)).filter((sh) => sh.personId === personId && sh.from.getTime() > now.getTime()).map((sh) => sh.from.getTime());
  return starts.length > 0 ? new Date(Math.min(...starts)) : null;
}

export async function personalHome(deps: AppDeps, person: Person): Promise<Home> {
  const dir = deps.directory();
  const now = deps.clock.now();
  const zone = person.timeZone || dir.org.timeZone;
  const actor = { personId: person.id, via: 'home', name: person.name };
  const open = [...OPEN_STATUSES];
  const visible = (t: Ticket) => actorMaySee(deps, actor, t);

  const mine = (await deps.tickets.list({ status: open, assigneeId: person.id }, LIMIT)).filter(visible);

  // Pages: deliveries to me whose escalation still runs, and responder pages I have not acknowledged.
  const sent = await deps.deliveries.list({ personId: person.id, status: ['queued', 'sending', 'sent', 'delivered'] }, LIMIT);
  const escIds = [...new Set(sent.map((d) => d.escalationId).filter((x): x is string => !!x))];
  const statuses = escIds.length > 0 ? await deps.escalations.statuses(escIds) : new Map<string, string>();
  const pageTickets = await deps.tickets.getMany([...new Set(sent.map((d) => d.ticketId))]);
  const pages = new Map<string, Home['pages'][number]>();
  for (const d of sent) {
    const t = pageTickets.get(d.ticketId);
    if (!t || !visible(t) || !OPEN_STATUSES.includes(t.status)) continue;
    const live = d.escalationId ? ['active', 'exhausted'].includes(statuses.get(d.escalationId) ?? '') : !!t.responders?.some((r) => r.personId === person.id && !r.acknowledgedAt);
    const key = formatTicketKey(t.number);
    if (live && !pages.has(key)) pages.set(key, { key, title: t.title, since: new Date(d.queuedAt), how: d.escalationId ? 'escalation step' : 'paged by hand' });
  }

  // Escalated open tickets: requests waiting to be claimed, and my major-escalation tasks.
  const coordinator = person.roles.includes('coordinator') || person.roles.includes('admin');
  const escalated = (await deps.tickets.list({ status: open, escalated: true }, LIMIT)).filter(visible);
  const requests: NonNullable<Home['requests']> = [];
  const tasks: Home['tasks'] = [];
  for (const t of escalated) {
    if (coordinator && (t.escalationKind === 'manager_request' || t.escalationKind === 'major')) {
      const r = await deps.requests.liveForTicket(t.id);
      if (r && r.status === 'open') requests.push({ key: formatTicketKey(t.number), title: t.title, by: dir.person(r.requestedBy)?.name ?? r.requestedBy, reason: r.reason, since: new Date(r.requestedAt) });
    }
    if (t.escalationKind === 'major') {
      const m = await deps.majors.forTicket(t.id);
      for (const task of m?.tasks ?? []) {
        if (task.ownerId === person.id && task.status === 'open') tasks.push({ key: formatTicketKey(t.number), n: task.n, title: task.title, dueAt: new Date(task.dueAt), overdue: new Date(task.dueAt).getTime() < now.getTime() });
      }
    }
  }

  const onCall: Home['onCall'] = [];
  for (const team of dir.allTeams()) {
    const rot = dir.rotation(team.rotationId);
    if (!rot || !rot.layers.some((l) => l.members.includes(person.id))) continue;
    const current = dir.onCall(team.id, now);
    onCall.push({ rotation: rot.name ?? rot.id, team: team.name, nowOnCall: current?.name ?? null, mineNow: current?.id === person.id, nextShift: nextShift(dir, rot.id, person.id, now) });
  }

  // Leads: their teams' open tickets whose SLA falls due before the end of their local day (or has).
  const led = dir.allTeams().filter((t) => t.leadId === person.id || t.managerId === person.id);
  let breachingToday: Home['breachingToday'] = null;
  if (led.length > 0) {
    const endOfDay = DateTime.fromJSDate(now, { zone }).endOf('day').toJSDate().getTime();
    const teamTickets = (await deps.tickets.list({ status: open, teamId: led.map((t) => t.id) }, LIMIT)).filter(visible);
    breachingToday = teamTickets
      .map((t) => ({ ...homeTicket(t, now), team: dir.team(t.teamId)?.name ?? t.teamId, assignee: dir.person(t.assigneeId)?.name ?? null }))
      .filter((h) => h.sla === 'breached' || (h.sla === 'running' && !!h.dueAt && h.dueAt.getTime() <= endOfDay))
      .sort((a, b) => (a.dueAt?.getTime() ?? 0) - (b.dueAt?.getTime() ?? 0));
  }

  return {
    personId: person.id,
    name: person.name,
    zone,
    now,
    // The most urgent first: the SLA due soonest (no due time last).
    myTickets: mine.map((t) => homeTicket(t, now)).sort((a, b) => (a.dueAt?.getTime() ?? Infinity) - (b.dueAt?.getTime() ?? Infinity)),
    pages: [...pages.values()],
    tasks,
    onCall,
    requests: coordinator ? requests : null,
    breachingToday,
  };
}

/**
 * The people whose home a change to this ticket may change: its assignee and team (a reassigned
 * ticket leaves someone's list), the team's lead and manager (breaching today), its responders
 * and everyone a delivery of it went to (pages), coordinators when it is escalated (requests),
 * and the owners of its major-escalation tasks.
 */
export async function homeAudience(deps: AppDeps, t: Ticket): Promise<string[]> {
  const dir = deps.directory();
  const team = dir.team(t.teamId);
  const ids = new Set<string>([t.assigneeId, team?.leadId, team?.managerId, ...(team?.members ?? []), ...(t.responders ?? []).map((r) => r.personId)].filter((x): x is string => !!x));
  for (const d of await deps.deliveries.list({ ticketId: t.id }, LIMIT)) if (d.recipient.personId) ids.add(d.recipient.personId);
  if (t.escalated) for (const p of dir.org.people) if (p.roles.includes('coordinator')) ids.add(p.id);
  if (t.escalationKind === 'major') for (const task of (await deps.majors.forTicket(t.id))?.tasks ?? []) ids.add(task.ownerId);
  return [...ids];
}
