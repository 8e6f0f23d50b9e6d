import { DateTime } from 'luxon';
import type { BusinessCalendar } from './sla/calendar.js';
import type { SlaPolicy } from './sla/sla-clock.js';
import type { EscalationPlan, PlanStart } from './plan.js';
import type { Priority } from './ticket.js';
import type { CoordinationConfig, MajorConfig } from './org-config.js';

export const ROLES = [
  'requester',
  'technician',
  'team_lead',
  'manager',
  'point_person',
  'coordinator',
  'escalation_manager',
  'executive',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

export const CONTACT_KINDS = ['chat', 'sms', 'voice', 'email', 'push', 'webhook'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];

/** One way to reach a person, in the order they prefer. */
export interface ContactMethod {
  kind: ContactKind;
  /** Phone (E.164), email address, push topic or user key, webhook URL; chat uses the chat ids. */
  address?: string;
  /** Push service for kind 'push'. */
  service?: 'ntfy' | 'pushover';
}

export interface Person {
  id: string;
  name: string;
  email: string;
  phone?: string;
  slackId?: string;
  /** AAD object id of the Teams user. */
  teamsId?: string;
  timeZone: string;
  managerId?: string;
  roles: Role[];
  contacts: ContactMethod[];
  /** Local 'HH:mm'-'HH:mm' when low-urgency pages wait; urgent steps override. */
  quietHours?: { start: string; end: string };
  vip?: boolean;
}

export interface Team {
  id: string;
  name: string;
  /** 1 = front line; higher tiers are more specialised. */
  tier: number;
  members: string[];
  leadId?: string;
  managerId?: string;
  coordinators: string[];
  rotationId?: string;
  calendarId: string;
  /** The team a functional escalation moves tickets to. */
  escalatesTo?: string;
  /** Slack channel id (or a Teams conversation id) where the team is told about tickets. */
  channel?: string;
  /** A Teams channel conversation id (19:…@thread.tacv2): its reference is stored when Esc is installed there. */
  teamsChannel?: string;
}

export interface Rotation {
  id: string;
  name?: string;
  members: string[];
  timeZone: string;
  /** Local 'YYYY-MM-DD' of the first shift. */
  start: string;
  /** Local 'HH:mm' of the hand-off. */
  handoffTime: string;
  /** Length of a shift in days. */
  shiftDays: number;
  overrides: { personId: string; from: Date; to: Date }[];
}

/** The organisation: everything the YAML file holds, as one immutable snapshot. */
export interface Org {
  name: string;
  timeZone: string;
  people: Person[];
  teams: Team[];
  rotations: Rotation[];
  calendars: BusinessCalendar[];
  slaPolicies: SlaPolicy[];
  plans: EscalationPlan[];
  /** Person ids copied on manager escalation requests (the CIO in seed 000). */
  executives: string[];
  defaultTeamId: string;
  /** Manager escalation requests (seed 000); defaults when absent. */
  coordination?: CoordinationConfig;
  /** Major escalations (seed 001); defaults when absent. */
  major?: MajorConfig;
  /** Tickets from monitoring alerts: when their plan starts (default open). */
  alerts?: { startOn: PlanStart };
  /** Elevation: the remaining resolution target is multiplied by this (default 1). */
  elevate?: { resolutionFactor: number };
}

/** Read-only queries over an Org snapshot. */
export class Directory {
  private readonly people = new Map<string, Person>();
  private readonly teams = new Map<string, Team>();
  private readonly rotations = new Map<string, Rotation>();
  private readonly calendars = new Map<string, BusinessCalendar>();

  constructor(readonly org: Org) {
    for (const p of org.people) this.people.set(p.id, p);
    for (const t of org.teams) this.teams.set(t.id, t);
    for (const r of org.rotations) this.rotations.set(r.id, r);
    for (const c of org.calendars) this.calendars.set(c.id, c);
  }

  person(id: string | null | undefined): Person | undefined {
    return id ? this.people.get(id) : undefined;
  }
  team(id: string | null | undefined): Team | undefined {
    return id ? this.teams.get(id) : undefined;
  }
  calendar(id: string): BusinessCalendar | undefined {
    return this.calendars.get(id);
  }
  rotation(id: string | undefined): Rotation | undefined {
    return id ? this.rotations.get(id) : undefined;
  }
  allPeople(): readonly Person[] {
    return this.org.people;
  }
  allTeams(): readonly Team[] {
    return this.org.teams;
  }

  byEmail(email: string): Person | undefined {
    const e = email.trim().toLowerCase();
    return this.org.people.find((p) => p.email.toLowerCase() === e);
  }
  bySlackId(id: string): Person | undefined {
    return this.org.people.find((p) => p.slackId === id);
  }
  byTeamsId(id: string): Person | undefined {
    return this.org.people.find((p) => p.teamsId === id);
  }
  byPhone(phone: string): Person | undefined {
    const norm = phone.replace(/[^\d+]/g, '');
    return this.org.people.find((p) => p.phone === norm || p.contacts.some((c) => (c.kind === 'sms' || c.kind === 'voice') && c.address === norm));
  }

  /** The person's managers, nearest first; stops at a loop. */
  managerChain(personId: string): Person[] {
    const out: Person[] = [];
    const seen = new Set<string>([personId]);
    let cur = this.person(personId)?.managerId;
    while (cur && !seen.has(cur)) {
      seen.add(cur);
      const m = this.person(cur);
      if (!m) break;
      out.push(m);
      cur = m.managerId;
    }
    return out;
  }

  /** The team's on-call person at `at`: an override if one covers it, else the rotation's shift. */
  onCall(teamId: string, at: Date): Person | undefined {
    const team = this.team(teamId);
    const rot = this.rotation(team?.rotationId);
    if (!rot) return undefined;
    return this.person(onCallFor(rot, at));
  }

  /** Escalation coordinators: the team's own, else every person with the coordinator role. */
  coordinators(teamId?: string): Person[] {
    const team = this.team(teamId);
    const ids = team && team.coordinators.length > 0 ? team.coordinators : this.org.people.filter((p) => p.roles.includes('coordinator')).map((p) => p.id);
    return ids.map((id) => this.person(id)).filter((p): p is Person => !!p);
  }

  withRole(role: Role): Person[] {
    return this.org.people.filter((p) => p.roles.includes(role));
  }

  hasRole(personId: string, ...roles: Role[]): boolean {
    const p = this.person(personId);
    return !!p && (p.roles.includes('admin') || roles.some((r) => p.roles.includes(r)));
  }

  teamsOf(personId: string): Team[] {
    return this.org.teams.filter((t) => t.members.includes(personId) || t.leadId === personId || t.managerId === personId);
  }

  slaPolicy(priority: Priority): SlaPolicy | undefined {
    return this.org.slaPolicies.find((p) => p.priority === priority);
  }

  /** The calendar a ticket of this team runs on: the SLA policy's, else the team's. */
  calendarFor(teamId: string, priority: Priority): BusinessCalendar {
    const pol = this.slaPolicy(priority);
    const cal = (pol && this.calendar(pol.calendarId)) ?? this.calendar(this.team(teamId)?.calendarId ?? '');
    if (!cal) throw new Error(`no calendar for team ${teamId} priority ${priority}: the org file was not validated`);
    return cal;
  }
}

/** Who is on call in a rotation at `at` (pure; exported for tests and the dry-run). */
export function onCallFor(rot: Rotation, at: Date): string | undefined {
  const ov = rot.overrides.find((o) => o.from.getTime() <= at.getTime() && at.getTime() < o.to.getTime());
  if (ov) return ov.personId;
  if (rot.members.length === 0) return undefined;
  const [h, m] = rot.handoffTime.split(':').map(Number);
  const local = DateTime.fromJSDate(at, { zone: rot.timeZone });
  let day = local.startOf('day');
  if (local < day.set({ hour: h, minute: m })) day = day.minus({ days: 1 });
  const start = DateTime.fromISO(rot.start, { zone: rot.timeZone }).startOf('day');
  const days = Math.round(day.diff(start, 'days').days);
  const shift = Math.floor(days / rot.shiftDays);
  const n = rot.members.length;
  return rot.members[((shift % n) + n) % n];
}
