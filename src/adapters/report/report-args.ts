import type { ReportKind, ReportPeriod, ReportQuery } from '../../domain/reports/report.js';
import { REPORT_KINDS } from '../../domain/reports/report.js';
import type { Priority } from '../../domain/ticket.js';
import { REPORT_CHANNELS } from '../../app/use-cases/reports.js';
import { PRIORITIES } from '../../domain/ticket.js';

/**
 * The chat grammar of a report, shared by Slack (`/esc report …`) and Teams (`report …`):
 *   [today|7d|30d|quarter|YYYY-MM-DD..YYYY-MM-DD] [team:<id>] [priority:P1] [plan:<id>]
 *   [channel:<source>] [kind:automatic|manager_request|major|elevated]
 * Words in any order; the period defaults to 7d (as in the API).
 */
export const REPORT_USAGE = 'report [today|7d|30d|quarter|YYYY-MM-DD..YYYY-MM-DD] [team:<id>] [priority:P1] [plan:<id>] [channel:slack|teams|api|alert|email|sms] [kind:automatic|manager_request|major|elevated]';

const FIXED: Record<string, Exclude<ReportPeriod, 'custom'>> = { today: 'today', '7d': '7d', '30d': '30d', quarter: 'quarter', week: '7d', month: '30d' };
const KEYS = ['team', 'priority', 'plan', 'channel', 'kind'] as const;

/** A real calendar day 'YYYY-MM-DD' (rejects 2026-02-30). */
export function isCalendarDay(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

const show = (s: string) => `"${s.slice(0, 40)}"`;

/** Reads the words after `report`. Never throws: a mistake comes back as `problem`. */
export function parseReportArgs(words: string[]): { ok: true; query: ReportQuery } | { ok: false; problem: string } {
  const q: ReportQuery = { period: '7d' };
  let periodSeen = false;
  const fail = (problem: string) => ({ ok: false as const, problem });
  for (const raw of words) {
    const w = raw.trim();
    if (!w) continue;
    const lower = w.toLowerCase();
    // Own properties only: "constructor" or "__proto__" must not read Object.prototype.
    const fixed = Object.hasOwn(FIXED, lower) ? FIXED[lower] : undefined;
    const range = /^(\d{4}-\d{2}-\d{2})(?:\.\.|–|—)(\d{4}-\d{2}-\d{2})$/.exec(w);
    if (fixed || range || /^\d{4}-\d{2}-\d{2}$/.test(w)) {
      if (periodSeen) return fail(`Give one period, not two (${show(w)}).`);
      periodSeen = true;
      if (fixed) {
        q.period = fixed;
        continue;
      }
      const [from, to] = range ? [range[1]!, range[2]!] : [w, w];
      for (const d of [from, to]) if (!isCalendarDay(d)) return fail(`${show(d)} is not a date: use YYYY-MM-DD, e.g. 2026-11-01..2026-11-30.`);
      if (from > to) return fail(`The period starts after it ends: ${from}..${to}.`);
      Object.assign(q, { period: 'custom', fromDay: from, toDay: to });
      continue;
    }
    const colon = w.indexOf(':');
    const key = colon > 0 ? lower.slice(0, colon) : '';
    const value = colon > 0 ? w.slice(colon + 1).trim() : '';
    if (!(KEYS as readonly string[]).includes(key)) {
      if (/^p[1-4]$/i.test(w)) return fail(`Write the priority as \`priority:${w.toUpperCase()}\`.`);
      return fail(`I don't understand ${show(w)}. Use: ${REPORT_USAGE}`);
    }
    if (!value) return fail(`Say which ${key}: \`${key}:<value>\`.`);
    if (value.length > 100) return fail(`The ${key} is too long.`);
    switch (key as (typeof KEYS)[number]) {
      case 'team':
        q.teamId = value;
        break;
      case 'plan':
        q.planId = value;
        break;
      case 'priority': {
        const p = value.toUpperCase();
        if (!(PRIORITIES as readonly string[]).includes(p)) return fail(`${show(value)} is not a priority: use P1, P2, P3 or P4.`);
        q.priority = p as Priority;
        break;
      }
      case 'channel': {
        const c = value.toLowerCase();
        if (!(REPORT_CHANNELS as readonly string[]).includes(c)) return fail(`${show(value)} is not a channel tickets come from: use ${REPORT_CHANNELS.join(', ')}.`);
        q.channel = c;
        break;
      }
      case 'kind': {
        const k = value.toLowerCase().replace(/-/g, '_');
        if (!(REPORT_KINDS as readonly string[]).includes(k)) return fail(`${show(value)} is not a kind: use ${REPORT_KINDS.join(', ')}.`);
        q.kind = k as ReportKind;
        break;
      }
    }
  }
  return { ok: true, query: q };
}

/** The query back as chat words ("30d team:service-desk priority:P1"). */
export function reportArgsText(q: ReportQuery): string {
  const period = q.period === 'custom' ? `${q.fromDay}..${q.toDay}` : q.period;
  return [period, q.teamId && `team:${q.teamId}`, q.priority && `priority:${q.priority}`, q.planId && `plan:${q.planId}`, q.channel && `channel:${q.channel}`, q.kind && `kind:${q.kind}`].filter(Boolean).join(' ');
}

/** The query as API query parameters (period=…&team=…), to point at the CSV and chart. */
export function reportQueryString(q: ReportQuery): string {
  const p = new URLSearchParams({ period: q.period });
  if (q.period === 'custom') {
    if (q.fromDay) p.set('from', q.fromDay);
    if (q.toDay) p.set('to', q.toDay);
  }
  for (const [k, v] of [['team', q.teamId], ['priority', q.priority], ['plan', q.planId], ['channel', q.channel], ['kind', q.kind]] as const) if (v) p.set(k, v);
  return p.toString();
}

/** Who may run reports: team leads, managers, coordinators, escalation managers, executives, admins. */
export const REPORT_ROLES = ['team_lead', 'manager', 'coordinator', 'escalation_manager', 'executive', 'admin'] as const;

export function mayRunReports(person: { roles: readonly string[] }): boolean {
  return person.roles.some((r) => (REPORT_ROLES as readonly string[]).includes(r));
}

export const REPORT_REFUSAL = 'Only team leads, managers, escalation coordinators, escalation managers, executives and admins can run reports. Ask one of them, or an Esc admin to give you one of those roles.';
