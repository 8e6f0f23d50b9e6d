/** `snooze`: pause the ack-timeout chase of an acknowledged ticket (issue 14). */
import { parseDuration, snoozeTicket } from '../../use-cases/snooze.js';
import { formatTicketKey } from '../../../domain/ticket-number.js';
import { say } from '../answer.js';
import { command, Usage } from '../spec.js';
import { localTime, ticketWord } from '../words.js';

const EXAMPLE = 'snooze ESC-1042 2h waiting for the vendor';

export const snoozeCommand = command({
  name: 'snooze',
  group: 'Tickets',
  usage: 'snooze <ticket> <duration> <reason>',
  summary: 'acknowledged and working on it: no return to the plan for a while (30m, 2h, 1d)',
  example: EXAMPLE,
  parse: (words) => {
    const ref = ticketWord(words[0]);
    if (ref === null) return new Usage(`Say which ticket: \`/esc ${EXAMPLE}\`.`);
    const minutes = words[1] ? parseDuration(words[1]) : null;
    if (minutes === null) return new Usage(`Say for how long (30m, 2h, 1d): \`/esc ${EXAMPLE}\`.`);
    const reason = words.slice(2).join(' ').slice(0, 500);
    if (!reason) return new Usage(`A reason is required: \`/esc ${EXAMPLE}\`.`);
    return { ref, minutes, reason };
  },
  run: async (deps, ctx, a) => {
    const t = await snoozeTicket(deps, a.ref, ctx.actor, a.minutes, a.reason);
    return say(`${formatTicketKey(t.number)} snoozed until ${localTime(t.snooze!.until, ctx.zone)}: ${t.snooze!.reason}. It will not go back to the plan before then.`, { kind: 'ticket', ticket: t }, true);
  },
});
