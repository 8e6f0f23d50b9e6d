import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod/v4';
import type { Org } from '../domain/directory.js';
import { CONTACT_KINDS, ROLES } from '../domain/directory.js';
import { CHANNELS, planProblems } from '../domain/plan.js';
import type { StepTarget } from '../domain/plan.js';
import { calendarProblems } from '../domain/sla/calendar.js';
import { PRIORITIES } from '../domain/ticket.js';
import { teamChannelSchema, teamChannels } from './team-channel-schema.js';

import { date, hm, id, phone, zone } from './schema-atoms.js';
import { rotation, toRotation } from './rotation-schema.js';
import { coordinationSection, majorSection } from './escalation-schema.js';

const contact = z.strictObject({ kind: z.enum(CONTACT_KINDS), address: z.string().min(1).optional(), service: z.enum(['ntfy', 'pushover']).optional() });

const person = z.strictObject({
  id,
  name: z.string().min(1),
  email: z.email(),
  phone: phone.optional(),
  slackId: z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id like U0123ABC').optional(),
  teamsId: z.string().min(1).optional(),
  timeZone: zone.optional(),
  manager: id.optional(),
  roles: z.array(z.enum(ROLES)).default([]),
  contacts: z.array(contact).optional(),
  quietHours: z.strictObject({ start: hm, end: hm }).optional(),
  vip: z.boolean().optional(),
});

const team = z.strictObject({
  id,
  name: z.string().min(1),
  tier: z.number().int().min(1).max(9).default(1),
  members: z.array(id).default([]),
  lead: id.optional(),
  manager: id.optional(),
  coordinators: z.array(id).default([]),
  rotation: id.optional(),
  calendar: id,
  escalatesTo: id.optional(),
  /** Where new, moved and elevated tickets are posted: a Slack channel id, and/or a Teams channel conversation id. */
  channel: teamChannelSchema.optional(),
});

const calendar = z.strictObject({
  id,
  name: z.string().optional(),
  timeZone: zone,
  workingDays: z.array(z.number().int().min(1).max(7)).default([1, 2, 3, 4, 5]),
  hours: z.strictObject({ start: hm, end: hm }).default({ start: '09:00', end: '17:00' }),
  holidays: z.array(date).default([]),
  alwaysOpen: z.boolean().default(false),
});

const sla = z.strictObject({
  priority: z.enum(PRIORITIES),
  responseMinutes: z.number().positive(),
  resolutionMinutes: z.number().positive(),
  calendar: id,
  /** One DM to the assignee (or on-call) at this share of the response and resolution targets. */
  warnAtPercent: z.number().int().min(1, 'a percentage from 1 to 99').max(99, 'a percentage from 1 to 99').optional(),
  /** The plan a resolution-SLA breach starts (unless one is running). */
  resolutionPlan: id.optional(),
  /** The requester hears when the ticket is acknowledged, escalated, given an ETA, put on hold, resolved. */
  informRequester: z.boolean().default(true),
});

/**
 * YAML targets: `assignee`, `manager`, `team_lead`, `coordinators`, `oncall` (the team's primary),
 * `oncall:secondary`, {oncall: primary|secondary} (the ticket's team), {oncall: <team>, layer: <role>},
 * or {person|channel: id}.
 */
const target = z.union([
  z.enum(['assignee', 'manager', 'team_lead', 'coordinators', 'oncall']),
  z.string().regex(/^oncall:[a-z0-9][a-z0-9._-]{0,62}$/i, 'oncall:<layer>, e.g. oncall:secondary'),
  z.strictObject({ person: id }),
  z.strictObject({ oncall: id, layer: id.optional() }),
  z.strictObject({ channel: z.string().min(1) }),
]);

export const planSchema = z.strictObject({
  id,
  name: z.string().min(1),
  match: z.strictObject({ priorities: z.array(z.enum(PRIORITIES)).optional(), teams: z.array(id).optional() }).default({}),
  steps: z
    .array(
      z.strictObject({
        delayMinutes: z.number().min(0, 'no negative delays'),
        channel: z.enum(CHANNELS),
        targets: z.array(target).min(1, 'at least one target'),
        urgent: z.boolean().optional(),
      }),
    )
    .min(1, 'a plan needs at least one step'),
  repeat: z.strictObject({ count: z.number().int().min(0), fromStep: z.number().int().min(1) }).optional(),
  /** open: the plan starts when the ticket opens; breach (default): when the response SLA breaches. */
  startOn: z.enum(['open', 'breach']).default('breach'),
  /** An acknowledged ticket not updated for this many business minutes goes back to step 1. */
  ackTimeoutMinutes: z.number().positive().max(100_000).optional(),
});
export type PlanInput = z.input<typeof planSchema>;

export const orgSchema = z.strictObject({
  name: z.string().min(1),
  timeZone: zone,
  defaultTeam: id,
  executives: z.array(id).default([]),
  calendars: z.array(calendar).min(1),
  people: z.array(person).min(1),
  teams: z.array(team).min(1),
  rotations: z.array(rotation).default([]),
  slaPolicies: z.array(sla).min(1),
  plans: z.array(planSchema).default([]),
  coordination: coordinationSection,
  major: majorSection,
  directory: z.strictObject({ autoRequesters: z.boolean().default(true) }).default({ autoRequesters: true }),
  /** Tickets from monitoring alerts start their plan on open (default) or at the response breach. */
  alerts: z.strictObject({ startOn: z.enum(['open', 'breach']).default('open') }).default({ startOn: 'open' }),
  /** Elevation tightens the remaining resolution target by this factor (1 = unchanged). */
  elevate: z.strictObject({ resolutionFactor: z.number().gt(0, 'more than 0').max(1, 'at most 1').default(1) }).default({ resolutionFactor: 1 }),
});
export type OrgFile = z.output<typeof orgSchema>;

/** Layer roles `{oncall: …}` names for the ticket's own team. */
const LAYER_WORDS = new Set(['primary', 'secondary']);

export function toStepTarget(t: z.output<typeof target>): StepTarget {
  if (typeof t === 'string') {
    if (t === 'oncall') return { type: 'oncall' };
    if (t.startsWith('oncall:')) return { type: 'oncall', layer: t.slice(7) };
    return { type: t as Exclude<StepTarget['type'], 'person' | 'oncall' | 'channel'> };
  }
  if ('person' in t) return { type: 'person', id: t.person };
  if ('oncall' in t) return LAYER_WORDS.has(t.oncall) && !t.layer ? { type: 'oncall', layer: t.oncall } : { type: 'oncall', team: t.oncall, ...(t.layer ? { layer: t.layer } : {}) };
  return { type: 'channel', id: t.channel };
}

export function toPlan(p: z.output<typeof planSchema>) {
  return {
    id: p.id,
    name: p.name,
    match: p.match,
    steps: p.steps.map((s) => ({ delayMinutes: s.delayMinutes, channel: s.channel, urgent: s.urgent, targets: s.targets.map(toStepTarget) })),
    ...(p.repeat ? { repeat: p.repeat } : {}),
    startOn: p.startOn,
    ...(p.ackTimeoutMinutes ? { ackTimeoutMinutes: p.ackTimeoutMinutes } : {}),
  };
}

/** A config file that cannot be used: every problem, each with its dotted path. */
export class OrgFileError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'OrgFileError';
  }
}

function path(p: PropertyKey[]): string {
  return p.map(String).join('.') || '(root)';
}

/** Cross-references: every id named must exist; calendars and plans must make sense. */
function crossProblems(o: OrgFile): string[] {
  const out: string[] = [];
  const people = new Set(o.people.map((p) => p.id));
  const teams = new Set(o.teams.map((t) => t.id));
  const cals = new Set(o.calendars.map((c) => c.id));
  const rots = new Set(o.rotations.map((r) => r.id));
  const dup = (what: string, ids: string[]) => {
    const seen = new Set<string>();
    ids.forEach((x, i) => {
      if (seen.has(x)) out.push(`${what}.${i}.id: "${x}" is used twice`);
      seen.add(x);
    });
  };
  dup('people', o.people.map((p) => p.id));
  dup('teams', o.teams.map((t) => t.id));
  dup('calendars', o.calendars.map((c) => c.id));
  dup('rotations', o.rotations.map((r) => r.id));
  dup('plans', o.plans.map((p) => p.id));
  const needPerson = (at: string, pid: string | undefined) => {
    if (pid && !people.has(pid)) out.push(`${at}: unknown person "${pid}"`);
  };
  o.people.forEach((p, i) => needPerson(`people.${i}.manager`, p.manager));
  o.teams.forEach((t, i) => {
    t.members.forEach((m, j) => needPerson(`teams.${i}.members.${j}`, m));
    t.coordinators.forEach((m, j) => needPerson(`teams.${i}.coordinators.${j}`, m));
    needPerson(`teams.${i}.lead`, t.lead);
    needPerson(`teams.${i}.manager`, t.manager);
    if (!cals.has(t.calendar)) out.push(`teams.${i}.calendar: unknown calendar "${t.calendar}"`);
    if (t.rotation && !rots.has(t.rotation)) out.push(`teams.${i}.rotation: unknown rotation "${t.rotation}"`);
    if (t.escalatesTo && !teams.has(t.escalatesTo)) out.push(`teams.${i}.escalatesTo: unknown team "${t.escalatesTo}"`);
  });
  o.rotations.forEach((r, i) => {
    const at = `rotations.${i}`;
    if (r.layers && r.members) out.push(`${at}: give either members (one layer) or layers, not both`);
    if (!r.layers && !r.members) out.push(`${at}.members: a rotation needs members (or layers)`);
    if (!r.layers && !r.start) out.push(`${at}.start: the date of the first shift (YYYY-MM-DD) is required`);
    if (r.shiftDays && r.shiftHours) out.push(`${at}: give shiftDays or shiftHours, not both`);
    r.members?.forEach((m, j) => needPerson(`${at}.members.${j}`, m));
    const roles = new Set((r.layers ?? [{ role: 'primary' }]).map((l) => l.role));
    r.layers?.forEach((l, k) => {
      l.members.forEach((m, j) => needPerson(`${at}.layers.${k}.members.${j}`, m));
      if (!l.start && !r.start) out.push(`${at}.layers.${k}.start: the date of the first shift (YYYY-MM-DD) is required (here or on the rotation)`);
      if (l.shiftDays && l.shiftHours) out.push(`${at}.layers.${k}: give shiftDays or shiftHours, not both`);
      l.restrict?.forEach((x, j) => {
        if (x.from && x.to && x.from === x.to) out.push(`${at}.layers.${k}.restrict.${j}: "from" and "to" are the same time; leave both out for the whole day`);
      });
    });
    r.overrides.forEach((ov, j) => {
      needPerson(`${at}.overrides.${j}.person`, ov.person);
      if (ov.to.getTime() <= ov.from.getTime()) out.push(`${at}.overrides.${j}: "to" must be after "from"`);
      if (ov.layer && !roles.has(ov.layer)) out.push(`${at}.overrides.${j}.layer: the rotation has no layer "${ov.layer}" (it has ${[...roles].join(', ')})`);
    });
  });
  o.calendars.forEach((c, i) => {
    for (const p of calendarProblems({ ...c, workingDays: c.workingDays, holidays: c.holidays })) out.push(`calendars.${i}.${p}`);
  });
  o.slaPolicies.forEach((s, i) => {
    if (!cals.has(s.calendar)) out.push(`slaPolicies.${i}.calendar: unknown calendar "${s.calendar}"`);
    if (s.resolutionMinutes < s.responseMinutes) out.push(`slaPolicies.${i}.resolutionMinutes: must not be shorter than responseMinutes`);
    if (s.resolutionPlan && !o.plans.some((p) => p.id === s.resolutionPlan)) out.push(`slaPolicies.${i}.resolutionPlan: unknown plan "${s.resolutionPlan}"`);
  });
  for (const pr of PRIORITIES) if (!o.slaPolicies.some((s) => s.priority === pr)) out.push(`slaPolicies: no policy for ${pr}`);
  const seenPrio = new Set<string>();
  o.slaPolicies.forEach((s, i) => {
    if (seenPrio.has(s.priority)) out.push(`slaPolicies.${i}.priority: ${s.priority} is defined twice`);
    seenPrio.add(s.priority);
  });
  o.plans.forEach((p, i) => {
    for (const prob of planProblems(toPlan(p), { person: (x) => people.has(x), team: (x) => teams.has(x) })) out.push(`plans.${i}.${prob}`);
  });
  o.executives.forEach((e, j) => needPerson(`executives.${j}`, e));
  for (const k of ['notifyAlso', 'stakeholders', 'aarRecipients'] as const) o.major[k].forEach((e, j) => needPerson(`major.${k}.${j}`, e));
  if (!teams.has(o.defaultTeam)) out.push(`defaultTeam: unknown team "${o.defaultTeam}"`);
  return out;
}

/**
 * Reference checks on a document that failed the schema, so one typo does not hide the
 * unknown ids behind it: only ids that exist nowhere in the file are reported.
 */
function rawReferenceProblems(doc: unknown): string[] {
  const o = (doc && typeof doc === 'object' ? doc : {}) as Record<string, unknown>;
  const list = (k: string) => (Array.isArray(o[k]) ? (o[k] as unknown[]) : []).map((x) => (x && typeof x === 'object' ? (x as Record<string, unknown>) : {}));
  const ids = (k: string) => new Set(list(k).map((x) => x.id).filter((x): x is string => typeof x === 'string'));
  const people = ids('people');
  const teams = ids('teams');
  const cals = ids('calendars');
  const rots = ids('rotations');
  const out: string[] = [];
  const ref = (at: string, v: unknown, known: Set<string>, what: string) => {
    if (typeof v === 'string' && !known.has(v)) out.push(`${at}: unknown ${what} "${v}"`);
  };
  const refs = (at: string, v: unknown, known: Set<string>, what: string) => {
    if (Array.isArray(v)) v.forEach((x, j) => ref(`${at}.${j}`, x, known, what));
  };
  list('people').forEach((p, i) => ref(`people.${i}.manager`, p.manager, people, 'person'));
  list('teams').forEach((t, i) => {
    refs(`teams.${i}.members`, t.members, people, 'person');
    refs(`teams.${i}.coordinators`, t.coordinators, people, 'person');
    ref(`teams.${i}.lead`, t.lead, people, 'person');
    ref(`teams.${i}.manager`, t.manager, people, 'person');
    ref(`teams.${i}.calendar`, t.calendar, cals, 'calendar');
    ref(`teams.${i}.rotation`, t.rotation, rots, 'rotation');
    ref(`teams.${i}.escalatesTo`, t.escalatesTo, teams, 'team');
  });
  list('rotations').forEach((r, i) => {
    refs(`rotations.${i}.members`, r.members, people, 'person');
    if (Array.isArray(r.layers)) r.layers.forEach((l, k) => refs(`rotations.${i}.layers.${k}.members`, l && typeof l === 'object' ? (l as Record<string, unknown>).members : undefined, people, 'person'));
  });
  list('slaPolicies').forEach((p, i) => ref(`slaPolicies.${i}.calendar`, p.calendar, cals, 'calendar'));
  refs('executives', o.executives, people, 'person');
  ref('defaultTeam', o.defaultTeam, teams, 'team');
  return out;
}

/** Validates a parsed org document; throws OrgFileError listing every problem by path. */
export function parseOrg(doc: unknown, source = 'org file'): Org {
  const r = orgSchema.safeParse(doc);
  if (!r.success) {
    const shape = r.error.issues.map((i) => `${path(i.path)}: ${i.message}`);
    throw new OrgFileError(source, [...shape, ...rawReferenceProblems(doc).filter((p) => !shape.includes(p))]);
  }
  const o = r.data;
  const problems = crossProblems(o);
  if (problems.length > 0) throw new OrgFileError(source, problems);
  return {
    name: o.name,
    timeZone: o.timeZone,
    defaultTeamId: o.defaultTeam,
    executives: o.executives,
    calendars: o.calendars.map((c) => ({ id: c.id, name: c.name, timeZone: c.timeZone, workingDays: c.workingDays, hours: c.hours, holidays: c.holidays, alwaysOpen: c.alwaysOpen })),
    people: o.people.map((p) => ({
      id: p.id,
      name: p.name,
      email: p.email,
      phone: p.phone,
      slackId: p.slackId,
      teamsId: p.teamsId,
      timeZone: p.timeZone ?? o.timeZone,
      managerId: p.manager,
      roles: p.roles,
      contacts: p.contacts ?? defaultContacts(p),
      quietHours: p.quietHours,
      vip: p.vip,
    })),
    teams: o.teams.map((t) => ({
      id: t.id,
      name: t.name,
      tier: t.tier,
      members: t.members,
      leadId: t.lead,
      managerId: t.manager,
      coordinators: t.coordinators,
      rotationId: t.rotation,
      calendarId: t.calendar,
      escalatesTo: t.escalatesTo,
      ...teamChannels(t.channel),
    })),
    rotations: o.rotations.map(toRotation),
    slaPolicies: o.slaPolicies.map((s) => ({
      id: `sla-${s.priority}`,
      priority: s.priority,
      responseMinutes: s.responseMinutes,
      resolutionMinutes: s.resolutionMinutes,
      calendarId: s.calendar,
      ...(s.warnAtPercent ? { warnAtPercent: s.warnAtPercent } : {}),
      ...(s.resolutionPlan ? { resolutionPlanId: s.resolutionPlan } : {}),
      informRequester: s.informRequester,
    })),
    plans: o.plans.map(toPlan),
    coordination: o.coordination,
    major: o.major,
    alerts: o.alerts,
    elevate: o.elevate,
    autoRequesters: o.directory.autoRequesters,
  };
}

function defaultContacts(p: { phone?: string; email: string }) {
  const c: { kind: (typeof CONTACT_KINDS)[number]; address?: string }[] = [{ kind: 'chat' }];
  if (p.phone) c.push({ kind: 'sms', address: p.phone }, { kind: 'voice', address: p.phone });
  c.push({ kind: 'email', address: p.email });
  return c;
}

/** Reads and validates an org YAML file. */
export function loadOrgFile(file: string): Org {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new OrgFileError(file, [`cannot read the file: ${(e as Error).message}. Set ESC_ORG_FILE to an existing YAML file.`]);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true });
  } catch (e) {
    throw new OrgFileError(file, [`not valid YAML: ${(e as Error).message}`]);
  }
  return parseOrg(doc, file);
}
