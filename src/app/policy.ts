import type { Directory } from '../domain/directory.js';
import { DomainError } from '../domain/errors.js';
import type { Ticket } from '../domain/ticket.js';

export type TicketPermission = 'acknowledge' | 'resolve' | 'work' | 'request_escalation' | 'elevate' | 'escalate_now' | 'move' | 'declare_major' | 'comment' | 'open' | 'view';

/** Who may do what to a ticket (seed 000: managers, supervisors and designated point persons request escalations). */
export function mayActOn(dir: Directory, personId: string, perm: TicketPermission, ticket: Pick<Ticket, 'teamId' | 'assigneeId' | 'requesterId'> | undefined, now: Date): boolean {
  const p = dir.person(personId);
  if (!p) return false;
  if (p.roles.includes('admin')) return true;
  const team = ticket ? dir.team(ticket.teamId) : undefined;
  const onTeam = !!team && (team.members.includes(personId) || team.leadId === personId || team.managerId === personId);
  const isAssignee = !!ticket && ticket.assigneeId === personId;
  const coordinates = p.roles.includes('coordinator') || p.roles.includes('escalation_manager');
  const chain = ticket?.assigneeId ? dir.managerChain(ticket.assigneeId).some((m) => m.id === personId) : false;
  switch (perm) {
    case 'view':
    case 'open':
    case 'comment':
      return true;
    case 'acknowledge':
    case 'resolve':
    case 'work':
    case 'escalate_now':
      return isAssignee || onTeam || coordinates || chain || (!!ticket && dir.isOnCall(ticket.teamId, personId, now)) || p.roles.includes('technician');
    case 'request_escalation':
      return p.roles.some((r) => r === 'manager' || r === 'point_person' || r === 'team_lead' || r === 'executive') || coordinates;
    case 'elevate':
    case 'move':
      return p.roles.some((r) => r === 'manager' || r === 'team_lead' || r === 'executive') || coordinates;
    case 'declare_major':
      return p.roles.includes('escalation_manager');
  }
}

const WHO: Record<TicketPermission, string> = {
  acknowledge: 'the assignee, the team, the on-call person or a coordinator',
  resolve: 'the assignee, the team or a coordinator',
  work: 'the assignee or the team',
  escalate_now: 'the assignee, the team or a coordinator',
  request_escalation: 'managers, supervisors, designated point persons and coordinators',
  elevate: 'managers, team leads and coordinators',
  move: 'managers, team leads and coordinators',
  declare_major: 'escalation managers',
  comment: 'anyone',
  open: 'anyone',
  view: 'anyone',
};

export function requirePermission(dir: Directory, personId: string, perm: TicketPermission, ticket: Pick<Ticket, 'teamId' | 'assigneeId' | 'requesterId'> | undefined, now: Date): void {
  if (!mayActOn(dir, personId, perm, ticket, now)) {
    throw new DomainError('FORBIDDEN', `Only ${WHO[perm]} can do that.`, { permission: perm });
  }
}
