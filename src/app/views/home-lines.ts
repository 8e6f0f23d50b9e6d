/**
 * The home's sections as neutral lines (title + rows), in the reader's zone: Slack and Teams
 * render the same sections in the same order, each in its own markup.
 */
import { localTime } from '../../domain/time-text.js';
import type { Home } from '../use-cases/home.js';

export interface HomeSection {
  title: string;
  rows: string[];
  /** Shown when there are no rows. */
  empty: string;
}

const SLA: Record<string, string> = { running: 'SLA running', paused: 'SLA paused (on hold)', breached: 'SLA BREACHED', met: 'SLA met' };

export function homeSections(h: Home): HomeSection[] {
  const at = (d: Date | null) => (d ? localTime(d, h.zone) : 'no due time');
  const out: HomeSection[] = [
    { title: 'My open tickets', rows: h.myTickets.map((t) => `${t.key} ${t.priority} · ${t.title} · ${t.status.replace('_', ' ')} · ${SLA[t.sla] ?? t.sla}${t.sla === 'running' || t.sla === 'breached' ? ` (due ${at(t.dueAt)})` : ''}`), empty: 'No open tickets assigned to you.' },
    { title: 'Pages waiting for my acknowledgement', rows: h.pages.map((p) => `${p.key} · ${p.title} · ${p.how} since ${at(p.since)}: \`ack ${p.key}\``), empty: 'Nothing is paging you.' },
  ];
  if (h.requests) out.push({ title: 'Escalation requests waiting to be claimed', rows: h.requests.map((r) => `${r.key} · ${r.title} · by ${r.by} since ${at(r.since)}: ${r.reason} · \`claim ${r.key}\``), empty: 'No request is waiting.' });
  out.push({ title: 'My tasks in major escalations', rows: h.tasks.map((t) => `${t.key} task ${t.n} · ${t.title} · ${t.overdue ? 'OVERDUE, was ' : ''}due ${at(t.dueAt)}`), empty: 'No open tasks.' });
  out.push({
    title: 'On call',
    rows: h.onCall.map((o) => (o.mineNow ? `${o.team}: you are on call now` : `${o.team}: ${o.nowOnCall ?? 'nobody'} is on call now; your next shift starts ${o.nextShift ? at(o.nextShift) : 'not within 90 days'}`)),
    empty: 'You are in no on-call rotation.',
  });
  if (h.breachingToday) out.push({ title: "My teams' tickets that breach today", rows: h.breachingToday.map((t) => `${t.key} ${t.priority} · ${t.title} · ${t.team} · ${t.assignee ?? 'unassigned'} · ${t.sla === 'breached' ? 'BREACHED' : `due ${at(t.dueAt)}`}`), empty: 'Nothing breaches today.' });
  return out;
}
