// Generates a year of tickets and timeline events for `npm run bench -- reports`, written
// straight into the timeline collection in chunks. Going through the use cases (open,
// acknowledge, escalate… one compare-and-set and several round trips each) would take hours
// for 100,000 tickets on this 2-core server with the local database; the events written here
// have exactly the shape the use cases and the engine write (see src/app/use-cases/*.ts).
import type { Db } from 'mongodb';

/** Seeded PRNG (mulberry32): the same seed gives the same data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;

interface Ev {
  _id: string;
  key: string;
  ticketId: string;
  at: Date;
  type: string;
  actor: { personId: string | null; via: string } | null;
  data: Record<string, unknown>;
  n: number;
}

export interface SeedResult {
  tickets: number;
  events: number;
  ms: number;
}

const TEAM_PEOPLE: Record<string, string[]> = { 'service-desk': ['alice', 'bob', 'carol'], infrastructure: ['henry', 'ivan'] };
const SLA: Record<string, [number, number]> = { P1: [30 * MIN, 4 * H], P2: [2 * H, 24 * H], P3: [8 * H, 48 * H], P4: [32 * H, 7 * DAY] };
const PLAN: Record<string, string> = { P1: 'urgent', P2: 'standard', P3: 'standard', P4: 'low' };
const TITLES = ['VPN drops every few minutes', 'Printer on floor 3 jams', 'Cannot log in to the LMS', 'Exam portal slow', 'Wi-Fi down in library', 'Email bounces to external addresses', 'Password reset link expired', 'Projector in room 204 has no signal', 'Disk almost full on file server', 'Payroll export failing'];
const COMMENTS = ['Kept us informed, thanks.', 'Took too long to reach anyone.', 'Fixed quickly.', 'Had to chase twice.', 'Great communication in the war room.'];

/** Writes `tickets` tickets' events (≈ `events` in all) opened over the 365 days before `now`. */
export async function seedReports(db: Db, opts: { tickets: number; events: number; now: Date; seed?: number; log?: (s: string) => void }): Promise<SeedResult> {
  const t0 = Date.now();
  const rnd = prng(opts.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const weighted = <T>(xs: readonly [T, number][]): T => {
    let r = rnd();
    for (const [x, w] of xs) if ((r -= w) < 0) return x;
    return xs[xs.length - 1]![0];
  };
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('');
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const col = db.collection('timeline');
  const now = opts.now.getTime();
  // The last 365 organisation-local days: a little under 365 × 24 h before now (now is mid-afternoon in Los Angeles).
  const start = now - 364 * DAY - 11 * H;
  let seq = 1;
  let total = 0;
  let buf: Ev[] = [];
  const flush = async (force = false) => {
    if (buf.length < 2000 && !(force && buf.length > 0)) return;
    const docs = buf;
    buf = [];
    await col.insertMany(docs as never[], { ordered: false });
  };
  // Core events take about half the budget; the rest is deliveries and comments spread evenly.
  const perTicketPad = Math.max(0, opts.events / opts.tickets - 4.3);
  let padDebt = 0;
  for (let i = 0; i < opts.tickets; i++) {
    const ticketId = uuid();
    const number = 1000 + i;
    const openedAt = start + Math.floor(((i + rnd()) / opts.tickets) * (now - start - H));
    const list: Omit<Ev, 'n' | '_id' | 'key' | 'ticketId'>[] = [];
    const add = (at: number, type: string, actor: Ev['actor'], data: Record<string, unknown> = {}) => {
      if (at <= now) list.push({ at: new Date(at), type, actor, data });
    };
    let team = weighted([['service-desk', 0.7], ['infrastructure', 0.3]] as const);
    const priority = weighted([['P1', 0.05], ['P2', 0.2], ['P3', 0.5], ['P4', 0.25]] as const);
    const source = weighted([['slack', 0.45], ['teams', 0.25], ['api', 0.15], ['alert', 0.1], ['email', 0.05]] as const);
    const [respMs, resMs] = SLA[priority]!;
    let respDue = openedAt + respMs;
    let resDue = openedAt + resMs;
    const requester = pick(['judy', 'ken', 'dana', null]);
    add(openedAt, 'ticket.opened', { personId: requester, via: source }, { number, key: `ESC-${number}`, title: pick(TITLES), priority, impact: 'medium', teamId: team, assigneeId: null, responseDueAt: new Date(respDue), resolutionDueAt: new Date(resDue), source });
    let t = openedAt;
    let level = 0;
    if (rnd() < 0.03) add(t + 5 * MIN, 'ticket.elevated', { personId: 'carol', via: 'slack' }, { reason: 'VIP' });
    // Functional move (seed 004) for some: the clock restarts on the new team.
    if (team === 'service-desk' && rnd() < 0.05) {
      t += Math.floor(rnd() * respMs * 0.5);
      team = 'infrastructure';
      level++;
      respDue = t + respMs;
      resDue = t + resMs;
      add(t, 'ticket.moved', { personId: 'carol', via: 'slack' }, { kind: 'functional', from: 'service-desk', to: team, level, reason: 'needs tier 2', responseDueAt: new Date(respDue), resolutionDueAt: new Date(resDue) });
    }
    const person = () => pick(TEAM_PEOPLE[team]!);
    const breach = rnd() < 0.2;
    const escId = uuid();
    let ackAt: number;
    if (breach) {
      add(respDue + MIN, 'sla.response_breached', { personId: null, via: 'engine' }, { responseDueAt: new Date(respDue), lateMs: MIN });
      add(respDue + MIN, 'escalation.started', { personId: null, via: 'engine' }, { escalationId: escId, kind: 'automatic', planId: PLAN[priority], planName: PLAN[priority], steps: 4, reason: 'response SLA breached', firstDueAt: new Date(respDue) });
      const steps = 1 + Math.floor(rnd() * 3);
      const channels = ['chat', 'sms', 'voice', 'email'];
      for (let s = 0; s < steps; s++) add(respDue + MIN + s * 10 * MIN, 'escalation.step_fired', { personId: null, via: 'engine' }, { escalationId: escId, step: s + 1, channel: channels[s], lateMs: 200 });
      ackAt = respDue + MIN + (steps - 1) * 10 * MIN + Math.floor(rnd() * 9 * MIN);
      const by = person();
      const via = weighted([['sms', 0.35], ['voice', 0.2], ['slack', 0.3], ['teams', 0.1], ['email', 0.05]] as const);
      add(ackAt, 'ticket.acknowledged', { personId: by, via }, { from: 'new', to: 'acknowledged', via, by });
      add(ackAt, 'escalation.acknowledged', { personId: by, via }, { escalationId: escId, by, via, nextStep: steps + 1, firedBeforeAck: steps, cancelledDeliveries: 0 });
    } else {
      ackAt = t + Math.floor(rnd() * respMs * 0.9);
      const by = person();
      const via = weighted([['slack', 0.6], ['teams', 0.3], ['api', 0.1]] as const);
      if (rnd() < 0.15) add(ackAt, 'ticket.started', { personId: by, via }, { from: 'new', to: 'in_progress', by });
      else add(ackAt, 'ticket.acknowledged', { personId: by, via }, { from: 'new', to: 'acknowledged', via, by });
      if (rnd() < 0.05) {
        const manual = uuid();
        add(ackAt + 10 * MIN, 'escalation.started', { personId: 'carol', via: 'slack' }, { escalationId: manual, kind: 'manual', planId: PLAN[priority], reason: 'escalated by hand', firstDueAt: new Date(ackAt + 10 * MIN) });
        add(ackAt + 30 * MIN, 'escalation.resolved', { personId: 'carol', via: 'slack' }, { escalationId: manual });
      }
    }
    if (rnd() < 0.03) {
      const reqId = uuid();
      const reqAt = ackAt + 20 * MIN;
      const waited = Math.floor(rnd() * 90 * MIN);
      add(reqAt, 'escalation.requested', { personId: 'ken', via: 'slack' }, { requestId: reqId, reason: 'dean needs it today', urgency: 'urgent', requestedBy: 'ken' });
      add(reqAt + waited, 'escalation.request_claimed', { personId: pick(['erin', 'frank']), via: 'slack' }, { requestId: reqId, by: 'erin', waitedMs: waited });
      add(reqAt + waited + 5 * MIN, 'coordination.reviewed', { personId: 'erin', via: 'slack' }, { requestId: reqId });
      add(reqAt + waited + 10 * MIN, 'coordination.eta_sent', { personId: 'erin', via: 'slack' }, { requestId: reqId, eta: new Date(reqAt + 4 * H), message: 'by 4pm', to: 'ken' });
    }
    if (rnd() < 0.02) {
      level++;
      add(ackAt + 40 * MIN, 'escalation.hierarchical', { personId: 'carol', via: 'slack' }, { kind: 'hierarchical', to: 'dana', level, reason: 'customer impact' });
    }
    const major = rnd() < 0.002;
    if (major) {
      add(ackAt + H, 'major.declared', { personId: 'erin', via: 'slack' }, { majorId: uuid(), reason: 'campus-wide outage', warRoom: 'C0WAR' });
      add(ackAt + H + MIN, 'major.war_room_opened', { personId: null, via: 'engine' }, { room: 'C0WAR' });
      add(ackAt + 2 * H, 'major.update_sent', { personId: 'erin', via: 'slack' }, { text: 'still working', sentTo: ['grace'] });
    }
    // Resolution: most resolved, some late, some reopened, the newest often still open.
    const late = rnd() < 0.12;
    const resolveAt = late ? resDue + Math.floor(rnd() * resMs) : ackAt + Math.floor(rnd() * (resDue - ackAt));
    if (rnd() < 0.95) {
      add(resolveAt, 'ticket.resolved', { personId: person(), via: 'slack' }, { from: 'acknowledged', to: 'resolved', by: 'alice', via: 'slack' });
      if (rnd() < 0.03) {
        add(resolveAt + H, 'ticket.reopened', { personId: requester, via: 'slack' }, { from: 'resolved', to: 'assigned', by: requester });
        add(resolveAt + 5 * H, 'ticket.resolved', { personId: person(), via: 'slack' }, { from: 'assigned', to: 'resolved', by: 'alice', via: 'slack' });
      }
      if (major || rnd() < 0.05) add(resolveAt + 6 * H, 'satisfaction.recorded', { personId: requester, via: 'email' }, { score: 1 + Math.floor(rnd() * 5), comment: rnd() < 0.5 ? pick(COMMENTS) : null });
    }
    // Padding: deliveries of the steps and comments, to the event budget.
    padDebt += perTicketPad;
    while (padDebt >= 1) {
      padDebt--;
      if (breach) add(respDue + MIN + 1000, 'delivery.sent', { personId: null, via: 'engine' }, { deliveryId: uuid(), channel: 'sms', to: person() });
      else add(ackAt + Math.floor(rnd() * H), 'ticket.commented', { personId: person(), via: 'slack' }, { text: 'Looking into it.' });
    }
    list.sort((a, b) => a.at.getTime() - b.at.getTime());
    for (const e of list) {
      const id = uuid();
      buf.push({ _id: id, key: id, ticketId, at: e.at, type: e.type, actor: e.actor, data: e.data, n: seq++ });
    }
    total += list.length;
    await flush();
    if (opts.log && (i + 1) % 10_000 === 0) opts.log(`seeded ${i + 1} tickets, ${total} events, ${Math.round((Date.now() - t0) / 1000)} s`);
  }
  await flush(true);
  return { tickets: opts.tickets, events: total, ms: Date.now() - t0 };
}
