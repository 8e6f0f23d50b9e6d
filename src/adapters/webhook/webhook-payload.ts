import { createHmac } from 'node:crypto';
import type { Delivery } from '../../app/ports/deliveries.js';

/** Version 1 of the webhook body; documented in docs/webhook.md. Add fields, never change them. */
export interface WebhookPayloadV1 {
  version: 1;
  /** escalation_step | manager_request | major_escalation | info */
  event: string;
  /** Unique per message; the same on every retry: deduplicate on it. */
  id: string;
  sentAt: string;
  title: string;
  text: string;
  urgent: boolean;
  ticket: { id: string; key: string; number: number; title: string; priority: string; impact: string; status: string; team: string; assignee: string | null; openedAt: string; elevated: boolean; escalated: boolean };
  escalation: { id: string; kind: string; step: number; steps: number; round: number } | null;
  step: { number: number; dueAt: string; attempt: number } | null;
  recipient: { personId: string | null; name: string | null };
  facts: { label: string; value: string }[];
  actions: string[];
  links: { ticket: string; timeline: string };
}

export function webhookPayload(d: Delivery, publicUrl: string, now: Date): WebhookPayloadV1 {
  const t = d.notice.ticket;
  const api = `${publicUrl}/api/tickets/${t.key}`;
  return {
    version: 1,
    event: d.notice.kind,
    id: d.key,
    sentAt: now.toISOString(),
    title: d.notice.title,
    text: d.notice.text,
    urgent: d.urgent,
    ticket: { ...t, openedAt: new Date(t.openedAt).toISOString() },
    escalation: d.notice.escalation,
    step: d.stepIndex === null ? null : { number: d.stepIndex + 1, dueAt: new Date(d.dueAt).toISOString(), attempt: d.attempts + 1 },
    recipient: { personId: d.recipient.personId, name: d.recipient.name },
    facts: d.notice.facts,
    actions: d.notice.actions,
    links: { ticket: api, timeline: `${api}/timeline` },
  };
}

/** `t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, like Stripe's: the timestamp stops replays. */
export function signWebhook(secret: string, body: string, unix: number): string {
  return `t=${unix},v1=${createHmac('sha256', secret).update(`${unix}.${body}`).digest('hex')}`;
}
