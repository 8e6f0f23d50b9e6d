import type { AppDeps } from '../../app/deps.js';
import type { Delivery } from '../../app/ports/deliveries.js';
import { maskAddress } from '../../engine/dispatcher.js';
import { fallbackDelivery } from '../../app/use-cases/notify.js';

const FAILED = new Set(['failed', 'undelivered', 'busy', 'no-answer', 'canceled']);
const DELIVERED = new Set(['delivered', 'completed', 'read']);

/**
 * Records a Twilio status callback on the delivery and the ticket's timeline. Interim states
 * (queued, sent, ringing, in-progress) change nothing. Returns the delivery, if known.
 */
export async function statusUpdate(deps: AppDeps, sid: string, status: string, errorCode: string | null): Promise<Delivery | null> {
  if (!sid || (!FAILED.has(status) && !DELIVERED.has(status))) return null;
  const now = deps.clock.now();
  const failed = FAILED.has(status);
  const update: Partial<Delivery> = failed
    ? { status: 'failed', error: { code: `TWILIO_${status.toUpperCase().replace(/-/g, '_')}`, message: `Twilio reported ${status}${errorCode ? ` (error ${errorCode})` : ''}` } }
    : { status: 'delivered', deliveredAt: now };
  const d = await deps.deliveries.updateByProviderId(sid, update);
  if (!d) {
    deps.log.warn({ sid, status }, 'Twilio status for an unknown message or call');
    return null;
  }
  await deps.timeline.append([
    {
      id: deps.newId(),
      key: `twilio.status:${sid}:${status}`,
      ticketId: d.ticketId,
      at: now,
      type: failed ? 'delivery.failed' : 'delivery.delivered',
      actor: { personId: null, via: 'twilio' },
      data: { deliveryId: d.id, escalationId: d.escalationId, step: d.stepIndex === null ? null : d.stepIndex + 1, channel: d.channel, personId: d.recipient.personId, address: maskAddress(d.address), providerId: sid, providerStatus: status, errorCode },
    },
  ]);
  // A call not answered (or a message not delivered) falls back to the person's next contact method.
  if (failed && d.escalationId) {
    const live = await deps.escalations.statuses([d.escalationId]);
    const st = live.get(d.escalationId);
    const fb = st === 'active' || st === 'exhausted' ? fallbackDelivery(deps, d) : null;
    if (fb) {
      await deps.deliveries.enqueue([fb]);
      deps.nudge?.();
    }
  }
  return d;
}
