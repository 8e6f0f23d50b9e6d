import type { OutcomeFigures, Percentiles, Report, ReportFigures } from '../../domain/reports/report.js';

/**
 * Report figures as short texts, shared by the Slack blocks and the Teams card so both say
 * the same thing the same way.
 */

/** 95 min → "1h 35m"; 50 h → "2d 2h"; null → "—". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const min = Math.round(ms / 60_000);
  if (min < 1) return `${Math.max(0, Math.round(ms / 1000))}s`;
  if (min < 60) return `${min}m`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h}h ${min % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

export function pct(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${Math.round(v * 10) / 10}%`;
}

const num = (v: number) => (Number.isInteger(v) ? String(v) : String(Math.round(v * 10) / 10));

/** "↑ 24" / "↓ 3" / "= " against the previous period; '' when either side is unknown. */
function arrow(now: number | null | undefined, before: number | null | undefined, show: (d: number) => string): string {
  if (now === null || now === undefined || before === null || before === undefined || !Number.isFinite(now) || !Number.isFinite(before)) return '';
  const d = now - before;
  if (Math.abs(d) < 1e-9) return '= same';
  return `${d > 0 ? '↑' : '↓'} ${show(Math.abs(d))}`;
}

export const countChange = (now: number, before: number) => arrow(now, before, num);
export const pctChange = (now: number | null, before: number | null) => arrow(now, before, (d) => `${num(d)} pts`);
export const durationChange = (now: number | null, before: number | null) => arrow(now, before, duration);

/** "p50 12m · p90 1h 35m (110)" */
export function percentiles(p: Percentiles): string {
  return p.count === 0 ? 'none' : `p50 ${duration(p.p50Ms)} · p90 ${duration(p.p90Ms)} (${p.count})`;
}

/** "automatic 30 · functional 9" in the order given, largest first otherwise; zeros left out. */
export function breakdown(rec: Record<string, number>, label: (k: string) => string = (k) => k.replace(/_/g, ' '), order?: string[]): string {
  const keys = Object.keys(rec).filter((k) => (rec[k] ?? 0) > 0);
  const sorted = order ? keys.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99)) : keys.sort((a, b) => (rec[b] ?? 0) - (rec[a] ?? 0) || a.localeCompare(b));
  return sorted.length === 0 ? 'none' : sorted.map((k) => `${label(k)} ${rec[k]}`).join(' · ');
}

export const levelLabel = (k: string) => (k === '0' ? 'front line' : `L${k}`);
export const stepLabel = (k: string) => (k === 'none' ? 'no plan' : `step ${k}`);
const levelOrder = (rec: Record<string, number>) => Object.keys(rec).sort((a, b) => Number(a) - Number(b));

/** One headline fact: label, value now, change against the previous period. */
export interface Headline {
  label: string;
  value: string;
  change: string;
}

/** The headline figures, in the order a lead reads them. */
export function headlines(r: Report): Headline[] {
  const f = r.figures;
  const p = r.previousFigures;
  const sat = (x: ReportFigures) => x.satisfaction.average;
  return [
    { label: 'Tickets', value: `${f.tickets} opened, ${f.resolved} resolved`, change: countChange(f.tickets, p.tickets) },
    { label: 'Response SLA', value: pct(f.responseCompliancePct), change: pctChange(f.responseCompliancePct, p.responseCompliancePct) },
    { label: 'Resolution SLA', value: pct(f.resolutionCompliancePct), change: pctChange(f.resolutionCompliancePct, p.resolutionCompliancePct) },
    { label: 'Breaches', value: `${f.responseBreaches} response · ${f.resolutionBreaches} resolution`, change: countChange(f.responseBreaches + f.resolutionBreaches, p.responseBreaches + p.resolutionBreaches) },
    { label: 'Time to acknowledge', value: percentiles(f.timeToAcknowledge), change: durationChange(f.timeToAcknowledge.p50Ms, p.timeToAcknowledge.p50Ms) && `p50 ${durationChange(f.timeToAcknowledge.p50Ms, p.timeToAcknowledge.p50Ms)}` },
    { label: 'Time to resolve', value: percentiles(f.timeToResolve), change: durationChange(f.timeToResolve.p50Ms, p.timeToResolve.p50Ms) && `p50 ${durationChange(f.timeToResolve.p50Ms, p.timeToResolve.p50Ms)}` },
    { label: 'Coordinator response', value: percentiles(f.coordinatorResponse), change: durationChange(f.coordinatorResponse.p50Ms, p.coordinatorResponse.p50Ms) && `p50 ${durationChange(f.coordinatorResponse.p50Ms, p.coordinatorResponse.p50Ms)}` },
    { label: 'Satisfaction', value: f.satisfaction.count === 0 ? 'no answers' : `${num(f.satisfaction.average ?? 0)} / 5 (${f.satisfaction.count} answers)`, change: arrow(sat(r.figures), sat(r.previousFigures), num) },
  ];
}

/** "elevated 5: 5 resolved, 100% in time, p50 3h" (seed 001: how each way of drawing attention ended). */
function outcome(label: string, o: OutcomeFigures): string {
  if (o.tickets === 0) return `${label} none`;
  return `${label} ${o.tickets}: ${o.resolved} resolved, ${pct(o.resolutionCompliancePct)} in time, p50 ${duration(o.timeToResolve.p50Ms)}`;
}

/** "4 on 3 tickets (7h in all) · ack timeouts 2", or "none". */
function snoozeLine(s: ReportFigures['snoozes']): string {
  const parts = [s.count > 0 ? `${s.count} on ${s.tickets} ticket${s.tickets === 1 ? '' : 's'} (${duration(s.totalMs)} in all)` : 'none', ...(s.ackTimeouts > 0 ? [`ack timeouts ${s.ackTimeouts}`] : [])];
  return parts.join(' · ');
}

/** The breakdowns as label/value pairs. */
export function breakdowns(r: Report): { label: string; value: string }[] {
  const f = r.figures;
  return [
    { label: 'Escalations by level', value: breakdown(f.escalationsByLevel, levelLabel, levelOrder(f.escalationsByLevel)) },
    { label: 'Escalations by kind', value: breakdown(f.escalationsByKind) },
    { label: 'Elevated vs escalated', value: `${outcome('elevated', f.outcomes.elevated)} | ${outcome('escalated', f.outcomes.escalated)}` },
    { label: 'Snoozes', value: snoozeLine(f.snoozes) },
    { label: 'Acknowledged at', value: breakdown(f.ackByStep, stepLabel, [...levelOrder(f.ackByStep).filter((k) => k !== 'none'), 'none']) },
    { label: 'Acknowledged through', value: breakdown(f.ackByChannel) },
    { label: 'Acknowledged by (top 5)', value: f.ackByPerson.length === 0 ? 'nobody' : f.ackByPerson.slice(0, 5).map((a) => `${a.name} ${a.count}`).join(' · ') },
  ];
}

/** One slow ticket as a line (without markup). */
export function slowLine(t: Report['figures']['slowest'][number]): { key: string; text: string } {
  const resolve = t.open ? `open ${duration(t.timeToResolveMs)}` : `resolved in ${duration(t.timeToResolveMs)}`;
  return { key: t.key, text: `${t.priority} · ack ${duration(t.timeToAcknowledgeMs)} · ${resolve} · ${t.teamId}` };
}

/** The period and the one it is compared with. */
export function periodLine(r: Report): string {
  return `${r.period.label} (${r.timeZone}), compared with ${r.previous.label}`;
}
