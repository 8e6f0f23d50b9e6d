import type { StepFiring } from '../domain/escalation.js';
import { firingKey } from '../domain/escalation.js';
import { escalationStepNotice } from '../domain/notice.js';
import { quietUntil } from '../domain/quiet-hours.js';
import type { Ticket } from '../domain/ticket.js';
import type { AppDeps } from '../app/deps.js';
import type { StoredEscalation } from '../app/ports/escalations.js';
import type { Delivery } from '../app/ports/deliveries.js';
import type { TimelineEvent } from '../app/ports/timeline.js';
import { makeDelivery, ticketFacts } from '../app/use-cases/notify.js';

const ENGINE = { personId: null, via: 'engine' } as const;

/**
 * Turns claimed firings into deliveries and timeline events. Idempotent: every row has a
 * key derived from (escalation, firing seq, recipient, channel), so running it twice after
 * a crash stores each message once.
 */
export interface ClaimedFirings {
  esc: StoredEscalation;
  ticket: Ticket;
  firings: StepFiring[];
  exhausted: boolean;
}

/**
 * Materialises many escalations' firings in a few round trips (deliveries, then events):
 * recovery's way (the step pass stores and sends its own wave by wave: Dispatcher.sendFresh).
 */
export async function materializeFirings(deps: AppDeps, items: ClaimedFirings[], now: Date): Promise<void> {
  const built = buildFirings(deps, items, now);
  // Deliveries first: a firing counts as stored once its step event exists, so its messages must exist before.
  await deps.deliveries.enqueue(built.flatMap((b) => b.deliveries));
  await deps.timeline.append(built.flatMap((b) => b.events));
}

/** One escalation's share of a pass: its new deliveries and timeline events, built, not stored. */
export interface BuiltFiring {
  escalationId: string;
  deliveries: Delivery[];
  events: TimelineEvent[];
}

/**
 * Builds the deliveries and events of claimed firings (pure but for new ids): each queued,
 * due now, or deferred past the recipient's quiet hours (with a `delivery.deferred` event).
 */
export function buildFirings(deps: AppDeps, items: ClaimedFirings[], now: Date): BuiltFiring[] {
  return items.map((it) => {
    const deliveries: Delivery[] = [];
    const events: TimelineEvent[] = [];
    collect(deps, it, now, deliveries, events);
    // Low-urgency pages wait out the recipient's quiet hours; urgent steps override them.
    for (const d of deliveries) {
      const person = d.urgent ? undefined : deps.directory().person(d.recipient.personId);
      const until = person ? quietUntil(person, now) : null;
      if (!until) continue;
      d.nextAttemptAt = until;
      events.push({ id: deps.newId(), key: `delivery.deferred:${d.key}`, ticketId: d.ticketId, at: now, type: 'delivery.deferred', actor: ENGINE, data: { deliveryId: d.id, escalationId: d.escalationId, seq: d.seq, channel: d.channel, personId: d.recipient.personId, until, reason: 'quiet hours' } });
    }
    return { escalationId: it.esc.id, deliveries, events };
  });
}

function collect(deps: AppDeps, { esc, ticket, firings, exhausted }: ClaimedFirings, now: Date, deliveries: Delivery[], events: TimelineEvent[]): void {
  const facts = ticketFacts(deps, ticket);
  for (const f of firings) {
    const base = { escalationId: esc.id, seq: f.seq, step: f.stepIndex + 1, round: f.round, channel: f.channel, dueAt: f.dueAt };
    if (f.skipped) {
      events.push({ id: deps.newId(), key: firingKey(esc.id, f.seq), ticketId: esc.ticketId, at: now, type: 'escalation.step_skipped', actor: ENGINE, data: { ...base, reason: 'nobody to notify' } });
      continue;
    }
    const notice = escalationStepNotice({ ticket: facts, escalation: esc, stepIndex: f.stepIndex, steps: esc.plan.steps.length, round: f.round, channel: f.channel, urgent: f.urgent, now, reason: esc.reason });
    for (const r of f.recipients) {
      deliveries.push(
        makeDelivery(deps, {
          key: `${esc.id}:${f.seq}:${r.personId ?? `#${r.channelId}`}:${f.channel}`,
          ticketId: esc.ticketId,
          escalationId: esc.id,
          seq: f.seq,
          stepIndex: f.stepIndex,
          channel: f.channel,
          personId: r.personId,
          channelId: r.channelId,
          notice,
          urgent: f.urgent,
          dueAt: f.dueAt,
          now,
        }),
      );
    }
    events.push({
      id: deps.newId(),
      key: firingKey(esc.id, f.seq),
      ticketId: esc.ticketId,
      at: now,
      type: 'escalation.step_fired',
      actor: ENGINE,
      data: { ...base, claimedAt: now, lateMs: Math.max(0, now.getTime() - f.dueAt.getTime()), targets: f.recipients.map((r) => ({ personId: r.personId, channelId: r.channelId, target: r.target })) },
    });
  }
  if (exhausted) events.push({ id: deps.newId(), key: `exhausted:${esc.id}`, ticketId: esc.ticketId, at: now, type: 'escalation.exhausted', actor: ENGINE, data: { escalationId: esc.id } });
}
