import type { Person } from '../../domain/directory.js';
import type { Notice } from '../../domain/notice.js';
import type { Channel } from '../../domain/plan.js';
import type { Ticket } from '../../domain/ticket.js';
import type { NoticeTicketFacts } from '../../domain/notice.js';
import { noticeForChannel, ticketNotice } from '../../domain/notice.js';
import type { AppDeps } from '../deps.js';
import type { Delivery } from '../ports/deliveries.js';

/** Where a channel reaches a person: a phone, an address, a topic; null for chat (ids live on the person). */
export function addressFor(person: Person | undefined, channel: Channel): string | null {
  if (!person) return null;
  const c = person.contacts.find((x) => x.kind === channel && x.address);
  if (c?.address) return c.address;
  if (channel === 'sms' || channel === 'voice') return person.phone ?? null;
  if (channel === 'email') return person.email;
  return null;
}

export function ticketFacts(deps: Pick<AppDeps, 'directory'>, t: Ticket): NoticeTicketFacts {
  const dir = deps.directory();
  return {
    id: t.id,
    number: t.number,
    title: t.title,
    priority: t.priority,
    impact: t.impact,
    status: t.status,
    teamName: dir.team(t.teamId)?.name ?? t.teamId,
    assigneeName: dir.person(t.assigneeId)?.name ?? null,
    createdAt: t.createdAt,
    elevated: t.elevated,
    escalated: t.escalated,
    escalationKind: t.escalationKind ?? null,
    confidential: !!t.confidential,
  };
}

/** A ticket's neutral notice, with the ticket's facts as readers see them. */
export function noticeFor(deps: AppDeps, t: Ticket, args: Parameters<typeof ticketNotice>[1]): Notice {
  return ticketNotice(ticketFacts(deps, t), args);
}

/** Builds a queued delivery. `key` must be unique for this message to this recipient. */
export function makeDelivery(
  deps: Pick<AppDeps, 'directory' | 'newId'>,
  args: {
    key: string;
    ticketId: string;
    escalationId: string | null;
    seq: number | null;
    stepIndex: number | null;
    channel: Channel;
    personId: string | null;
    channelId: string | null;
    notice: Notice;
    urgent: boolean;
    dueAt: Date;
    now: Date;
  },
): Delivery {
  const person = deps.directory().person(args.personId);
  return {
    id: deps.newId(),
    key: args.key,
    ticketId: args.ticketId,
    escalationId: args.escalationId,
    seq: args.seq,
    stepIndex: args.stepIndex,
    channel: args.channel,
    recipient: { personId: args.personId, channelId: args.channelId, name: person?.name ?? null },
    address: args.channelId ?? addressFor(person, args.channel),
    notice: noticeForChannel(args.notice, args.channel, !!args.channelId),
    urgent: args.urgent,
    dueAt: args.dueAt,
    status: 'queued',
    attempts: 0,
    nextAttemptAt: args.now,
    leaseUntil: null,
    claim: null,
    providerId: null,
    error: null,
    queuedAt: args.now,
    sentAt: null,
    deliveredAt: null,
    lateMs: null,
    fallbackIndex: 0,
  };
}

/** Sends a one-off notice (not an escalation step) to people on the given channels. Idempotent per key. */
export async function notifyPeople(deps: AppDeps, ticket: Ticket, personIds: string[], channels: Channel[], notice: Notice, keyPrefix: string): Promise<number> {
  const now = deps.clock.now();
  const ds: Delivery[] = [];
  for (const pid of new Set(personIds)) {
    for (const ch of channels) {
      ds.push(makeDelivery(deps, { key: `${keyPrefix}:${pid}:${ch}`, ticketId: ticket.id, escalationId: null, seq: null, stepIndex: null, channel: ch, personId: pid, channelId: null, notice, urgent: notice.urgent, dueAt: now, now }));
    }
  }
  const n = await deps.deliveries.enqueue(ds);
  deps.nudge?.();
  return n;
}

/**
 * The same message on the person's next contact method (their order in the directory),
 * when a delivery failed for good or a call was not answered: the step reaches them another
 * way before the plan moves on. Null when there is no further method.
 */
export function fallbackDelivery(deps: Pick<AppDeps, 'directory' | 'clock' | 'newId'>, d: Delivery): Delivery | null {
  const person = deps.directory().person(d.recipient.personId);
  if (!person || d.recipient.channelId) return null;
  const methods = person.contacts.filter((c) => c.kind !== 'webhook');
  const start = Math.max(d.fallbackIndex, methods.findIndex((c) => c.kind === d.channel)) + 1;
  const next = methods.slice(start).find((c) => c.kind !== d.channel);
  if (!next) return null;
  const now = deps.clock.now();
  return {
    ...d,
    id: deps.newId(),
    key: `${d.key}:fallback:${next.kind}`,
    channel: next.kind,
    notice: noticeForChannel(d.notice, next.kind),
    address: addressFor(person, next.kind),
    status: 'queued',
    attempts: 0,
    nextAttemptAt: now,
    leaseUntil: null,
    claim: null,
    providerId: null,
    error: null,
    queuedAt: now,
    sentAt: null,
    deliveredAt: null,
    lateMs: null,
    handedAt: null,
    fallbackIndex: methods.indexOf(next),
  };
}
