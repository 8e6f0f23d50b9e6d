import type { TimelineEvent } from '../../app/ports/timeline.js';
import type { Directory } from '../../domain/directory.js';
import type { Simulation } from '../../domain/simulate.js';
import type { Ticket } from '../../domain/ticket.js';
import { formatTicketKey } from '../../domain/ticket-number.js';

/** What the bot answers to `help` (Teams renders this subset of Markdown). */
export const HELP_TEXT = [
  '**Esc commands**',
  '- `ticket`: open a ticket (a form)',
  '- `ack ESC-12`: acknowledge; the escalation stops',
  '- `escalate ESC-12 reason`: escalate now (the reason is visible to all)',
  '- `elevate ESC-12`: flag as important (managers, team leads, coordinators)',
  '- `resolve ESC-12 note`: resolve',
  '- `status ESC-12` / `history ESC-12`: the ticket card / its timeline',
  '- `list [mine|team|open|escalated]`: tickets',
  '- `plan simulate <plan> [P1-P4]`: who would be paged, how and when',
  '- `report [today|7d|30d|quarter|YYYY-MM-DD..YYYY-MM-DD] [team:<id>] [priority:P1] [plan:<id>] [channel:<source>] [kind:<kind>]`: SLA figures and chart (team leads, managers, coordinators, executives, admins)',
].join('\n\n');

function who(dir: Directory, e: TimelineEvent): string {
  const a = e.actor;
  if (!a) return '';
  const name = a.personId ? (dir.person(a.personId)?.name ?? a.personId) : a.name;
  return name ? ` by ${name}${a.via && a.via !== 'api' ? ` (${a.via})` : ''}` : a.via ? ` (${a.via})` : '';
}

/** One timeline event as a line a person reads. */
export function describeEvent(dir: Directory, e: TimelineEvent): string {
  const d = e.data;
  const person = (id: unknown) => (typeof id === 'string' ? (dir.person(id)?.name ?? id) : '');
  const by = who(dir, e);
  switch (e.type) {
    case 'ticket.opened':
      return `Opened${by}: ${String(d.priority ?? '')}`;
    case 'ticket.acknowledged':
      return `Acknowledged${by}`;
    case 'ticket.resolved':
      return `Resolved${by}${d.note ? `: ${String(d.note)}` : ''}`;
    case 'ticket.elevated':
      return `Elevated${by}${d.reason ? `: ${String(d.reason)}` : ''}`;
    case 'sla.response_breached':
      return 'Response SLA breached';
    case 'escalation.started':
      return `Escalation started${by}: plan "${String(d.planName ?? d.planId ?? '')}"${d.reason ? `, reason: ${String(d.reason)}` : ''}`;
    case 'escalation.step_fired':
      return `Step ${String(d.step ?? '')} fired (${String(d.channel ?? '')})`;
    case 'escalation.acknowledged':
      return `Escalation stopped: acknowledged${by}`;
    case 'escalation.escalated_now':
      return `Escalated now${by} to step ${String(d.toStep ?? '')}${d.note ? `: ${String(d.note)}` : ''}`;
    case 'delivery.sent':
      return `${String(d.channel ?? '')} to ${person(d.personId) || String(d.channelId ?? '')} sent`;
    case 'delivery.failed':
      return `${String(d.channel ?? '')} to ${person(d.personId)} failed: ${String(d.code ?? '')}`;
    default:
      return `${e.type.replace(/[._]/g, ' ')}${by}`;
  }
}

/** A ticket as one list line. */
export function ticketLine(dir: Directory, t: Ticket): string {
  const flags = `${t.elevated ? ' ⬆' : ''}${t.escalated ? ' 🔺' : ''}`;
  return `- **${formatTicketKey(t.number)}** ${t.priority} ${t.status.replace('_', ' ')}${flags}: ${t.title.slice(0, 80)} (${dir.person(t.assigneeId)?.name ?? 'unassigned'})`;
}

/** A plan dry-run as text. */
export function simulationText(planName: string, priority: string, sim: Simulation): string {
  const start = sim.startsAt.getTime();
  const lines = sim.steps.slice(0, 25).map((s) => {
    const min = Math.round((s.at.getTime() - start) / 60_000);
    const to = s.recipients.map((r) => r.name).join(', ') || 'nobody';
    return `- +${min} min: step ${s.step}${s.round ? ` (repeat ${s.round})` : ''} ${s.channel} → ${to}${s.skipped ? ' (skipped)' : ''}`;
  });
  return [`**Plan "${planName}"** for a ${priority} ticket opened now; ${sim.startOn === 'open' ? 'starts on open' : 'starts at the response breach'}, ${sim.startsAt.toISOString().slice(0, 16).replace('T', ' ')} UTC:`, ...lines, sim.exhausts ? 'Then the plan runs out of steps.' : ''].filter(Boolean).join('\n\n');
}
