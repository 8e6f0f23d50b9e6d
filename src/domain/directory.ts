import type { BusinessCalendar } from './sla/calendar.js';
import type { SlaPolicy } from './sla/sla-clock.js';
import type { EscalationPlan, PlanStart } from './plan.js';
import type { Priority } from './ticket.js';
import type { CoordinationConfig, MajorConfig } from './org-config.js';
import { PRIMARY, onCallAt, rolesOf, shiftsBetween } from './rotation.js';
import type { Rotation, RotationOverride, Shift } from './rotation.js';

export type { Rotation, RotationLayer, RotationOverride, Shift } from './rotation.js';

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

/** What is stored outside the org file: overrides made from chat or the API, self-service settings, people found by email. */
export interface DirectoryOverlay {
  /** Stored overrides, newest first, keyed by rotation id. */
  overrides: ReadonlyMap<string, readonly RotationOverride[]>;
  /** What a person set for themselves (phone, quiet hours) or a chat id found by email: overrides the file. */
  patches: ReadonlyMap<string, Partial<Pick<Person, 'phone' | 'contacts' | 'quietHours' | 'slackId' | 'teamsId'>>>;
  /** People not in the file (requesters added when they first wrote to Esc). */
  extraPeople: readonly Person[];
}

export const EMPTY_OVERLAY: DirectoryOverlay = { overrides: new Map(), patches: new Map(), extraPeople: [] };

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
  /** Chat users whose email matches nobody become requesters (org file `directory.autoRequesters`, default on). */
  autoRequesters?: boolean;
  /** Tickets from monitoring alerts: when their plan starts (default open). */
  alerts?: { startOn: PlanStart };
  /** Elevation: the remaining resolution target is multiplied by this (default 1). */
  elevate?: { resolutionFactor: number };
}

/** A person with what they set for themselves: a new phone replaces the SMS and voice addresses too. */
function withPatch(p: Person, patch: DirectoryOverlay['patches'] extends ReadonlyMap<string, infer V> ? V | undefined : never): Person {
  if (!patch) return p;
  const out: Person = { ...p, ...patch };
  if (patch.phone && !patch.contacts) {
    const phone = patch.phone;
    const contacts = p.contacts.map((c) => (c.kind === 'sms' || c.kind === 'voice' ? { ...c, address: phone } : c));
    for (const kind of ['sms', 'voice'] as const) if (!contacts.some((c) => c.kind === kind)) contacts.push({ kind, address: phone });
    out.contacts = contacts;
  }
  return out;
}

/** Read-only queries over an Org snapshot. */
export class Directory {
  private readonly people = new Map<string, Person>();
  private readonly teams = new Map<string, Team>();
  private readonly rotations = new Map<string, Rotation>();
  private readonly calendars = new Map<string, BusinessCalendar>();

  private readonly everyone: Person[];

  constructor(
    readonly org: Org,
    readonly overlay: DirectoryOverlay = EMPTY_OVERLAY,
  ) {
    const inFile = new Set(org.people.map((p) => p.id));
    const patched = (p: Person) => withPatch(p, overlay.patches.get(p.id));
    this.everyone = [...org.people.map(patched), ...overlay.extraPeople.filter((p) => !inFile.has(p.id)).map(patched)];
    for (const p of this.everyone) this.people.set(p.id, p);
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
    return this.everyone;
  }
  allTeams(): readonly Team[] {
    return this.org.teams;
  }

  byEmail(email: string): Person | undefined {
    const e = email.trim().toLowerCase();
    return this.everyone.find((p) => p.email.toLowerCase() === e);
  }
  bySlackId(id: string): Person | undefined {
    return this.everyone.find((p) => p.slackId === id);
  }
  byTeamsId(id: string): Person | undefined {
    return this.everyone.find((p) => p.teamsId === id);
  }
  byPhone(phone: string): Person | undefined {
    const norm = phone.replace(/[^\d+]/g, '');
    return this.everyone.find((p) => p.phone === norm || p.contacts.some((c) => (c.kind === 'sms' || c.kind === 'voice') && c.address === norm));
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

  /** The team's on-call person of a layer (primary by default) at `at`: an override if one covers it, else the rotation's shift. */
  onCall(teamId: string, at: Date, role: string = PRIMARY): Person | undefined {
    const team = this.team(teamId);
    const rot = this.rotation(team?.rotationId);
    if (!rot) return undefined;
    return this.person(onCallAt(rot, this.storedOverrides(rot.id), at, role)?.personId);
  }

  /** True when the person is on call for the team in any layer of its rotation at `at`. */
  isOnCall(teamId: string, personId: string, at: Date): boolean {
    const rot = this.rotation(this.team(teamId)?.rotationId);
    return !!rot && rolesOf(rot).some((role) => onCallAt(rot, this.storedOverrides(rot.id), at, role)?.personId === personId);
  }

  /** Overrides made from chat or the API for a rotation, newest first. */
  storedOverrides(rotationId: string): readonly RotationOverride[] {
    return this.overlay.overrides.get(rotationId) ?? [];
  }

  /** The shifts of a rotation's layer between two instants (overrides applied). */
  shifts(rotationId: string, from: Date, to: Date, role: string = PRIMARY): Shift[] {
    const rot = this.rotation(rotationId);
    return rot ? shiftsBetween(rot, this.storedOverrides(rot.id), from, to, role) : [];
  }

  /** Escalation coordinators: the team's own, else every person with the coordinator role. */
  coordinators(teamId?: string): Person[] {
    const team = this.team(teamId);
    const ids = team && team.coordinators.length > 0 ? team.coordinators : this.everyone.filter((p) => p.roles.includes('coordinator')).map((p) => p.id);
    return ids.map((id) => this.person(id)).filter((p): p is Person => !!p);
  }

  withRole(role: Role): Person[] {
    return this.everyone.filter((p) => p.roles.includes(role));
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

/** Who is on call in a rotation's primary layer at `at`, file overrides applied (pure; for tests and the dry-run). */
export function onCallFor(rot: Rotation, at: Date, role: string = PRIMARY): string | undefined {
  return onCallAt(rot, [], at, role)?.personId;
}
