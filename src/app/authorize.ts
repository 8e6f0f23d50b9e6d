/**
 * Who may do what: ONE table (actor × action × ticket) that every use case consults, so
 * Slack, Teams, the API, SMS, voice and email links give the same person the same answer.
 * Adapters never decide; they call a use case and show its refusal.
 */
import type { Directory, Person, Role } from '../domain/directory.js';
import { DomainError } from '../domain/errors.js';
import type { Ticket } from '../domain/ticket.js';
import { formatTicketKey } from '../domain/ticket-number.js';
import type { Actor } from './ports/timeline.js';

export const ACTIONS = [
  'view',
  'open',
  'open_for_other',
  'comment',
  'acknowledge',
  'resolve',
  'escalate_now',
  'request_escalation',
  'elevate',
  'move',
  'notify_management',
  'coordinate',
  'declare_major',
  'manage_major',
  'run_reports',
  'administer',
] as const;
export type Action = (typeof ACTIONS)[number];

/** What makes a person allowed: a role, or a relation to the ticket. */
export type Grant = Role | 'anyone' | 'assignee' | 'team' | 'on_call' | 'chain';

/** The table. Seed 000: managers, supervisors (team leads) and point persons request; coordinators and escalation managers escalate at once; technicians acknowledge, resolve and ask their lead. */
export const RULES: Record<Action, readonly Grant[]> = {
  view: ['anyone'],
  open: ['anyone'],
  open_for_other: ['technician', 'team_lead', 'manager', 'coordinator', 'escalation_manager', 'admin'],
  comment: ['anyone'],
  acknowledge: ['assignee', 'team', 'on_call', 'chain', 'technician', 'coordinator', 'escalation_manager', 'admin'],
  resolve: ['assignee', 'team', 'on_call', 'chain', 'technician', 'coordinator', 'escalation_manager', 'admin'],
  escalate_now: ['coordinator', 'escalation_manager', 'admin'],
  request_escalation: ['manager', 'team_lead', 'point_person', 'executive', 'coordinator', 'escalation_manager', 'admin'],
  elevate: ['manager', 'team_lead', 'executive', 'coordinator', 'escalation_manager', 'admin'],
  move: ['manager', 'team_lead', 'executive', 'coordinator', 'escalation_manager', 'admin'],
  notify_management: ['manager', 'team_lead', 'executive', 'coordinator', 'escalation_manager', 'admin'],
  coordinate: ['coordinator', 'admin'],
  declare_major: ['escalation_manager', 'admin'],
  manage_major: ['escalation_manager', 'admin'],
  run_reports: ['team_lead', 'manager', 'coordinator', 'escalation_manager', 'executive', 'admin'],
  administer: ['admin'],
};

/** Person-less API tokens keep their role's rights (ESC_API_TOKENS `token:role` without a person). */
export const TOKEN_ROLE_RULES: Record<string, readonly Action[]> = {
  admin: ACTIONS,
  agent: ['view', 'open', 'open_for_other', 'comment', 'acknowledge', 'resolve', 'escalate_now', 'request_escalation', 'elevate', 'move', 'notify_management', 'run_reports'],
  reporter: ['view', 'open', 'comment'],
  monitor: ['open', 'open_for_other'],
  viewer: ['view', 'run_reports'],
};

/** Internal actors (the engine, monitoring intake) act on the organisation's behalf. */
const SYSTEM_VIA = new Set(['engine', 'system', 'alert']);

const GRANT_TEXT: Record<Grant, string> = {
  anyone: 'anyone',
  assignee: 'the assignee',
  team: "the ticket's team",
  on_call: 'the on-call person',
  chain: "the assignee's managers",
  requester: 'requesters',
  technician: 'technicians',
  team_lead: 'team leads',
  manager: 'managers',
  point_person: 'designated point persons',
  coordinator: 'escalation coordinators',
  escalation_manager: 'escalation managers',
  executive: 'executives',
  admin: 'admins',
};

const DOING: Record<Action, string> = {
  view: 'see',
  open: 'open tickets',
  open_for_other: "open tickets in someone else's name",
  comment: 'add notes to',
  acknowledge: 'acknowledge',
  resolve: 'resolve',
  escalate_now: 'escalate at once',
  request_escalation: 'request urgent handling of',
  elevate: 'elevate',
  move: 'move',
  notify_management: 'notify management about',
  coordinate: 'work escalation requests on',
  declare_major: 'declare a major escalation on',
  manage_major: 'run the major escalation of',
  run_reports: 'run reports',
  administer: 'change the organisation',
};

/** "the assignee, the ticket's team, … or admins": who may do `action`. */
export function whoMay(action: Action): string {
  const names = RULES[action].map((g) => GRANT_TEXT[g]);
  return names.length <= 1 ? (names[0] ?? 'nobody') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

type Subject = Pick<Ticket, 'teamId' | 'assigneeId' | 'requesterId'>;

function holds(dir: Directory, p: Person, g: Grant, t: Subject | undefined, now: Date): boolean {
  switch (g) {
    case 'anyone':
      return true;
    case 'assignee':
      return !!t?.assigneeId && t.assigneeId === p.id;
    case 'team': {
      const team = t ? dir.team(t.teamId) : undefined;
      return !!team && (team.members.includes(p.id) || team.leadId === p.id || team.managerId === p.id);
    }
    case 'on_call':
      return !!t && dir.onCall(t.teamId, now)?.id === p.id;
    case 'chain':
      return !!t?.assigneeId && dir.managerChain(t.assigneeId).some((m) => m.id === p.id);
    default:
      return p.roles.includes(g);
  }
}

/** True when `person` may do `action` (on `ticket`, when the action is about one). */
export function personMay(dir: Directory, person: Person, action: Action, ticket: Subject | undefined, now: Date): boolean {
  if (person.roles.includes('admin')) return true;
  return RULES[action].some((g) => holds(dir, person, g, ticket, now));
}

/** True when `actor` may do `action`: a person by the table, a person-less token by its role, the engine always. */
export function actorMay(dir: Directory, actor: Actor, action: Action, ticket: Subject | undefined, now: Date): boolean {
  if (actor.personId) {
    const p = dir.person(actor.personId);
    return !!p && personMay(dir, p, action, ticket, now);
  }
  if (actor.role) return (TOKEN_ROLE_RULES[actor.role] ?? []).includes(action);
  return SYSTEM_VIA.has(actor.via);
}

/**
 * Throws FORBIDDEN unless `actor` may do `action`. The refusal says what was refused, on
 * which ticket, and who can do it (for a technician who may not escalate: their lead).
 */
export function authorize(deps: { directory(): Directory; clock: { now(): Date } }, actor: Actor, action: Action, ticket?: Subject & Partial<Pick<Ticket, 'number'>>): void {
  const dir = deps.directory();
  if (actorMay(dir, actor, action, ticket, deps.clock.now())) return;
  throw refusal(dir, actor, action, ticket);
}

export function refusal(dir: Directory, actor: Actor, action: Action, ticket?: Subject & Partial<Pick<Ticket, 'number'>>): DomainError {
  const on = ticket?.number !== undefined ? ` ${formatTicketKey(ticket.number)}` : '';
  const person = actor.personId ? dir.person(actor.personId) : undefined;
  let text = `You can't ${DOING[action]}${on}: only ${whoMay(action)} can.`;
  if (!actor.personId && actor.role) text = `A ${actor.role} token can't ${DOING[action]}${on}.`;
  if (!actor.personId && !actor.role) text = `Esc could not tell who you are, so it can't ${DOING[action]}${on} for you.`;
  if ((action === 'escalate_now' || action === 'request_escalation') && person) {
    const lead = leadOf(dir, person.id, ticket);
    if (lead && lead.id !== person.id) text += ` Ask ${lead.name}, your lead, to request it.`;
  }
  return new DomainError('FORBIDDEN', text, { permission: action });
}

/** The lead (else manager) of the person's team: of the ticket's team when they are on it. */
function leadOf(dir: Directory, personId: string, ticket: Subject | undefined): Person | undefined {
  const teams = dir.teamsOf(personId);
  const team = teams.find((t) => t.id === ticket?.teamId) ?? teams[0];
  return dir.person(team?.leadId) ?? dir.person(team?.managerId) ?? dir.person(dir.person(personId)?.managerId);
}

/** The matrix as Markdown rows (README, closing notes): action | who may. */
export function matrixRows(): string[] {
  return ACTIONS.map((a) => `| \`${a}\` | ${whoMay(a)} |`);
}
