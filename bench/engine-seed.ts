import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { newEscalation } from '../src/domain/escalation.js';
import type { EscalationPlan } from '../src/domain/plan.js';
import { snapshotPlan } from '../src/domain/plan.js';

/** A plan whose every step pages the assignee by chat, then the same person again. */
export const benchPlan: EscalationPlan = {
  id: 'bench',
  name: 'bench',
  match: {},
  steps: [
    { delayMinutes: 0, channel: 'chat', targets: [{ type: 'assignee' }] },
    { delayMinutes: 60, channel: 'sms', targets: [{ type: 'assignee' }] },
  ],
};

let nextNumber = 100_000 + Math.floor(Math.random() * 1_000_000) * 10;

/**
 * Inserts `n` open tickets, each with a live escalation whose first step falls due at
 * dueAt(i). Bulk inserts keep seeding 10,000 of them to seconds. `opts` swaps the plan
 * (default benchPlan) and the assignee of ticket i (default alice/bob alternately).
 */
export async function seedEscalations(conn: Connection, n: number, dueAt: (i: number) => Date, now: Date, opts: { plan?: EscalationPlan; assignee?: (i: number) => string } = {}): Promise<string[]> {
  const plan = opts.plan ?? benchPlan;
  const assignee = opts.assignee ?? ((i: number) => (i % 2 ? 'alice' : 'bob'));
  const db = conn.db!;
  const tickets: Record<string, unknown>[] = [];
  const escs: Record<string, unknown>[] = [];
  // Ticket numbers are unique: calls in one process take consecutive ranges (two random bases
  // could overlap: the flat bench's probes once hit its 100,000 seeded numbers).
  const base = nextNumber;
  nextNumber += n;
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    tickets.push({
      _id: id, number: base + i, title: `bench ${i}`, description: '', requesterId: null, priority: 'P1', impact: 'high', teamId: 'service-desk', assigneeId: assignee(i),
      status: 'assigned', sla: { policyId: 'sla-P1', calendarId: 'always', responseMinutes: 30, resolutionMinutes: 240, startedAt: now, responseDueAt: new Date(now.getTime() + 86_400_000), resolutionDueAt: new Date(now.getTime() + 86_400_000), respondedAt: null, resolvedAt: null, pausedAt: null, responseRemainingMs: null, resolutionRemainingMs: null, pausedMs: 0 },
      elevated: false, escalated: true, level: 0, source: 'api', alertKey: null, alertCount: 0, reopenCount: 0, acknowledgedBy: null, acknowledgedAt: null, resolvedBy: null, resolvedAt: null, resolution: null, createdAt: now, updatedAt: now, version: 0, breachHandled: true, slaWatch: false,
      // As the engine leaves a ticket once its timers are computed (next one a day away): not stale.
      timersStale: false, timersAt: new Date(now.getTime() + 86_400_000), timersDone: [], reactAt: null,
    });
    const e = newEscalation({ id: randomUUID(), ticketId: id, kind: 'manual', plan: snapshotPlan(plan, now), now, firstDueAt: dueAt(i) });
    const { id: eid, ...rest } = e;
    // Stored as Esc stores them (src/adapters/mongo/escalation-repo.ts): plan and firings as JSON text.
    escs.push({ _id: eid, ...rest, plan: JSON.stringify(rest.plan), liveKey: id, dueSlot: String(Math.floor(e.nextDueAt!.getTime() / 1000)), pending: '[]', pendingAt: null, pendingSlot: null });
  }
  for (let i = 0; i < n; i += 2000) {
    await db.collection('tickets').insertMany(tickets.slice(i, i + 2000) as never[], { ordered: false });
    await db.collection('escalations').insertMany(escs.slice(i, i + 2000) as never[], { ordered: false });
  }
  return tickets.map((t) => String(t._id));
}
