import { z } from 'zod/v4';
import type { AppDeps } from '../../app/deps.js';
import type { ConversationRefRepository } from '../../app/ports/conversation-refs.js';
import { requireTicket } from '../../app/use-cases/tickets.js';
import { buildTicketView } from '../../app/views/ticket-view.js';
import type { Person } from '../../domain/directory.js';
import { parseTicketRef } from '../../domain/ticket-number.js';
import { isDomainError } from '../../domain/errors.js';
import type { AdaptiveCardJson } from './teams-cards.js';
import { MAX_REFRESH_USERS, ticketCard } from './teams-cards.js';

const refreshData = z.object({
  ticket: z.union([z.string().max(40), z.number().int().positive()]).transform((v, ctx) => {
    const n = typeof v === 'number' ? v : parseTicketRef(v);
    if (n === null) {
      ctx.addIssue({ code: 'custom', message: 'not a ticket number' });
      return z.NEVER;
    }
    return n;
  }),
});

/**
 * Teams' user-specific view (the card's `refresh` with `userIds`): the ticket card as this
 * person sees it, with only the buttons they may use; null for bad data or an unknown ticket.
 */
export async function refreshCardFor(deps: AppDeps, person: Person, data: unknown): Promise<AdaptiveCardJson | null> {
  const d = refreshData.safeParse(data);
  if (!d.success) return null;
  try {
    return ticketCard(await buildTicketView(deps, await requireTicket(deps, d.data.ticket), person.id));
  } catch (e) {
    // An unknown ticket: Teams keeps the card it has.
    if (isDomainError(e)) return null;
    throw e;
  }
}

/**
 * The Teams user ids (MRIs) of people, for a card's `refresh.userIds`: the id Teams gave the
 * person in their chat with Esc (29:…) when known, else their organisation MRI (8:orgid:<AAD id>).
 * People without a Teams identity are left out; at most 60 (Teams' limit).
 */
export async function teamsUserIds(refs: ConversationRefRepository | null, people: Person[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of people) {
    if (out.length >= MAX_REFRESH_USERS) break;
    const ref = refs ? await refs.personal('teams', p.id) : null;
    const user = (ref?.reference.user as { id?: unknown } | undefined)?.id;
    if (typeof user === 'string' && user) out.push(user);
    else if (p.teamsId) out.push(`8:orgid:${p.teamsId}`);
  }
  return out;
}
