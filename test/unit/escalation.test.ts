import { expect } from 'chai';
import { Directory } from '../../src/domain/directory.js';
import type { EscalationState, Recipient, ResolveTargets, StepFiring } from '../../src/domain/escalation.js';
import { decideAcknowledge, decideEscalateNow, decideResolve, decideTick, isLive, newEscalation } from '../../src/domain/escalation.js';
import type { EscalationPlan, PlanStep } from '../../src/domain/plan.js';
import { snapshotPlan } from '../../src/domain/plan.js';
import { simulatePlan } from '../../src/domain/simulate.js';
import { MIN, at, demoOrg, expectDomainError } from '../fixtures/domain.js';

const T0 = at('2026-01-15T10:00:00Z');
const plus = (min: number) => new Date(T0.getTime() + min * MIN);
const to = (id: string): PlanStep['targets'][number] => ({ type: 'person', id });
const step = (delayMinutes: number, ...targets: PlanStep['targets']): PlanStep => ({ delayMinutes, channel: 'chat', targets });

/** Persons resolve to themselves; `assignee` resolves to nobody (so the step is skipped). Records manager levels asked for. */
function resolver(levels: number[] = []): ResolveTargets {
  return (s, level) => {
    levels.push(level);
    return s.targets.flatMap((t): Recipient[] => (t.type === 'person' ? [{ personId: t.id, channelId: null, target: 'person' }] : t.type === 'manager' ? [{ personId: `mgr${level}`, channelId: null, target: 'manager' }] : []));
  };
}
function start(plan: Omit<EscalationPlan, 'id' | 'name' | 'match'>): EscalationState {
  return newEscalation({ id: 'e1', ticketId: 't1', kind: 'automatic', plan: snapshotPlan({ id: 'p', name: 'p', match: {}, ...plan }, T0), now: T0 });
}
/** Ticks at each due time until the plan stops; returns every firing. */
function runOut(s: EscalationState, res = resolver()): { state: EscalationState; firings: StepFiring[] } {
  const firings: StepFiring[] = [];
  for (let i = 0; i < 100 && s.status === 'active' && s.nextDueAt; i++) {
    const r = decideTick(s, s.nextDueAt, res);
    firings.push(...r.firings);
    s = r.state;
  }
  return { state: s, firings };
}
const three = () => start({ steps: [step(0, to('a')), step(10, to('b')), step(5, to('c'))] });

describe('escalation decisions', () => {
  describe('newEscalation', () => {
    it('the first step falls due after its delay, or at firstDueAt', () => {
      expect(start({ steps: [step(3, to('a'))] }).nextDueAt).to.deep.equal(plus(3));
      const s = newEscalation({ id: 'e', ticketId: 't', kind: 'manual', plan: snapshotPlan({ id: 'p', name: 'p', match: {}, steps: [step(3, to('a'))] }, T0), now: T0, firstDueAt: plus(60) });
      expect(s).to.include({ status: 'active', stepIndex: 0, round: 0, fired: 0, managerLevel: 0, version: 0 });
      expect(s.nextDueAt).to.deep.equal(plus(60));
    });
    it('a plan without steps is INVALID_PLAN', () => {
      expectDomainError(() => start({ steps: [] }), 'INVALID_PLAN');
    });
  });

  describe('decideTick', () => {
    it('a tick before the due time does nothing', () => {
      const s = start({ steps: [step(5, to('a'))] });
      const r = decideTick(s, plus(4.99), resolver());
      expect(r.firings).to.deep.equal([]);
      expect(r.state).to.equal(s);
    });

    it('fires the due step; the next falls due its delay after now', () => {
      const r = decideTick(three(), T0, resolver());
      expect(r.firings).to.deep.equal([{ seq: 0, stepIndex: 0, round: 0, channel: 'chat', urgent: false, dueAt: T0, recipients: [{ personId: 'a', channelId: null, target: 'person' }], skipped: false }]);
      expect(r.state).to.include({ stepIndex: 1, fired: 1, status: 'active' });
      expect(r.state.nextDueAt).to.deep.equal(plus(10));
    });

    it('a late tick fires once, says when it was due, and gives the next step its full delay from now', () => {
      const s = decideTick(three(), T0, resolver()).state;
      const r = decideTick(s, plus(600), resolver());
      expect(r.firings.map((f) => [f.stepIndex, f.dueAt])).to.deep.equal([[1, plus(10)]]);
      expect(r.state.nextDueAt).to.deep.equal(plus(605));
    });

    it('a step with nobody is skipped and the next falls due at once (same tick)', () => {
      let s = start({ steps: [step(0, to('a')), step(10, { type: 'assignee' }), step(5, to('c'))] });
      s = decideTick(s, T0, resolver()).state;
      const r = decideTick(s, plus(12), resolver());
      expect(r.firings.map((f) => ({ step: f.stepIndex, skipped: f.skipped, dueAt: f.dueAt, seq: f.seq }))).to.deep.equal([
        { step: 1, skipped: true, dueAt: plus(10), seq: 1 },
        { step: 2, skipped: false, dueAt: plus(10), seq: 2 },
      ]);
      expect(r.state).to.include({ status: 'exhausted', fired: 3, nextDueAt: null });
    });

    it('repeats from step N, count times, then is exhausted', () => {
      const s = start({ steps: [step(0, to('a')), step(5, to('b')), step(10, to('c'))], repeat: { count: 2, fromStep: 2 } });
      const r = runOut(s);
      expect(r.firings.map((f) => [f.seq, f.stepIndex + 1, f.round, (f.dueAt.getTime() - T0.getTime()) / MIN])).to.deep.equal([
        [0, 1, 0, 0],
        [1, 2, 0, 5],
        [2, 3, 0, 15],
        [3, 2, 1, 20],
        [4, 3, 1, 30],
        [5, 2, 2, 35],
        [6, 3, 2, 45],
      ]);
      expect(r.state).to.include({ status: 'exhausted', nextDueAt: null, fired: 7 });
      expect(decideTick(r.state, plus(1000), resolver()).firings).to.deep.equal([]);
    });

    it('manager steps climb one level each time they fire', () => {
      const levels: number[] = [];
      const r = runOut(start({ steps: [step(0, { type: 'manager' }), step(1, to('x')), step(1, { type: 'manager' }), step(1, { type: 'manager' })] }), resolver(levels));
      expect(levels).to.deep.equal([0, 1, 1, 2]);
      expect(r.firings.map((f) => f.recipients[0]?.personId)).to.deep.equal(['mgr0', 'x', 'mgr1', 'mgr2']);
    });

    it('urgent defaults to SMS and voice, and an explicit flag wins', () => {
      const s = start({ steps: [{ ...step(0, to('a')), channel: 'voice' }, { ...step(0, to('a')), channel: 'sms', urgent: false }, { ...step(0, to('a')), channel: 'email', urgent: true }] });
      expect(runOut(s).firings.map((f) => [f.channel, f.urgent])).to.deep.equal([
        ['voice', true],
        ['sms', false],
        ['email', true],
      ]);
    });

    it('an acknowledged escalation never fires', () => {
      const s = decideAcknowledge(three(), 'a', T0).state;
      expect(decideTick({ ...s, nextDueAt: T0 }, plus(100), resolver()).firings).to.deep.equal([]);
    });
  });

  describe('decideAcknowledge', () => {
    it('stops the plan, and a second acknowledgement changes nothing', () => {
      const first = decideAcknowledge(three(), 'alice', plus(1));
      expect(first.changed).to.equal(true);
      expect(first.state).to.include({ status: 'acknowledged', acknowledgedBy: 'alice', nextDueAt: null });
      expect(first.state.acknowledgedAt).to.deep.equal(plus(1));
      const second = decideAcknowledge(first.state, 'bob', plus(2));
      expect(second.changed).to.equal(false);
      expect(second.state).to.equal(first.state);
    });
    it('an exhausted plan can be acknowledged; a resolved one cannot', () => {
      expect(decideAcknowledge(runOut(three()).state, 'a', plus(60)).changed).to.equal(true);
      expect(decideAcknowledge(decideResolve(three(), T0), 'a', plus(60)).changed).to.equal(false);
    });
  });

  describe('decideEscalateNow', () => {
    const fired = () => decideTick(three(), T0, resolver()).state; // next: step 2, due T0+10
    const cases: [string, () => EscalationState, number | undefined, number][] = [
      ['to the next step', fired, undefined, 1],
      ['to a chosen step', fired, 3, 2],
      ['back to step 1', fired, 1, 0],
      ['an exhausted plan: the last step again', () => runOut(three()).state, undefined, 2],
      ['an acknowledged plan restarts', () => decideAcknowledge(fired(), 'a', plus(1)).state, undefined, 1],
    ];
    for (const [name, make, toStep, index] of cases) {
      it(`${name}: step ${index + 1}, due now`, () => {
        const s = decideEscalateNow(make(), plus(2), toStep);
        expect(s).to.include({ status: 'active', stepIndex: index, acknowledgedBy: null, acknowledgedAt: null });
        expect(s.nextDueAt).to.deep.equal(plus(2));
        expect(decideTick(s, plus(2), resolver()).firings.map((f) => f.stepIndex)).to.deep.equal([index]);
      });
    }
    for (const bad of [0, 4, -1, 1.5, NaN]) {
      it(`step ${bad} is VALIDATION`, () => {
        expect(expectDomainError(() => decideEscalateNow(fired(), plus(2), bad), 'VALIDATION').details).to.deep.equal({ field: 'step' });
      });
    }
    it('a resolved escalation is INVALID_TRANSITION', () => {
      expectDomainError(() => decideEscalateNow(decideResolve(fired(), plus(1)), plus(2)), 'INVALID_TRANSITION');
    });
  });

  describe('decideResolve and isLive', () => {
    it('resolves once; resolving again keeps the first end time', () => {
      const r = decideResolve(three(), plus(5));
      expect(r).to.include({ status: 'resolved', nextDueAt: null });
      expect(r.endedAt).to.deep.equal(plus(5));
      expect(decideResolve(r, plus(9))).to.equal(r);
    });
    it('only active and exhausted escalations are live', () => {
      const live = (['active', 'exhausted', 'acknowledged', 'resolved', 'cancelled'] as const).filter((status) => isLive({ status }));
      expect(live).to.deep.equal(['active', 'exhausted']);
    });
  });

  describe('simulatePlan on the demo org', () => {
    const dir = new Directory(demoOrg());
    const standard = dir.org.plans.find((p) => p.id === 'standard')!;
    // P2 (60 business minutes, Mon–Fri 08:00–17:00 LA) opened Fri 2026-11-20 16:55 PST: 5 min Friday,
    // 55 min Monday -> breach Mon 2026-11-23 08:55. Service-desk rota: bob until Mon 09:00, then alice.
    const rows = (assigneeId: string | null) =>
      simulatePlan({ dir, plan: standard, teamId: 'service-desk', priority: 'P2', assigneeId, openedAt: at('2026-11-20T16:55:00-08:00') }).steps.map((s) => [
        s.at.toISOString(),
        s.step,
        s.channel,
        s.recipients.map((r) => r.personId),
      ]);

    it('breaches Monday 08:55 local and runs out', () => {
      const sim = simulatePlan({ dir, plan: standard, teamId: 'service-desk', priority: 'P2', openedAt: at('2026-11-20T16:55:00-08:00') });
      expect(sim.startsAt.toISOString()).to.equal(at('2026-11-23T08:55:00-08:00').toISOString());
      expect(sim).to.include({ planId: 'standard', calendarId: 'business-hours', exhausts: true });
    });

    it('without an assignee: on call, then the team manager, then up, with coordinators', () => {
      expect(rows(null)).to.deep.equal([
        [at('2026-11-23T08:55:00-08:00').toISOString(), 1, 'chat', ['bob']],
        [at('2026-11-23T09:05:00-08:00').toISOString(), 2, 'sms', ['alice']],
        [at('2026-11-23T09:25:00-08:00').toISOString(), 3, 'chat', ['dana']],
        [at('2026-11-23T09:55:00-08:00').toISOString(), 4, 'email', ['grace', 'erin', 'frank']],
      ]);
    });

    it("with alice assigned: alice's managers, one level per manager step", () => {
      expect(rows('alice')).to.deep.equal([
        [at('2026-11-23T08:55:00-08:00').toISOString(), 1, 'chat', ['alice', 'bob']],
        [at('2026-11-23T09:05:00-08:00').toISOString(), 2, 'sms', ['alice']],
        [at('2026-11-23T09:25:00-08:00').toISOString(), 3, 'chat', ['carol']],
        [at('2026-11-23T09:55:00-08:00').toISOString(), 4, 'email', ['dana', 'erin', 'frank']],
      ]);
    });

    it('a P3 opened the day before Thanksgiving breaches the Monday after', () => {
      // 480 business minutes from Wed 2026-11-25 16:00: 1 h Wed, Thu/Fri holidays, 7 h Mon -> Mon 15:00.
      const sim = simulatePlan({ dir, plan: standard, teamId: 'service-desk', priority: 'P3', openedAt: at('2026-11-25T16:00:00-08:00') });
      expect(sim.startsAt.toISOString()).to.equal(at('2026-11-30T15:00:00-08:00').toISOString());
    });

    it("the P1 'urgent' plan repeats steps 3–5 twice on the 24×7 calendar", () => {
      const urgent = dir.org.plans.find((p) => p.id === 'urgent')!;
      // The demo's P1 plan starts on open; at the breach when asked.
      expect(simulatePlan({ dir, plan: urgent, teamId: 'service-desk', priority: 'P1', assigneeId: 'bob', openedAt: at('2026-11-21T10:00:00Z') })).to.include({ startOn: 'open' });
      expect(simulatePlan({ dir, plan: urgent, teamId: 'service-desk', priority: 'P1', openedAt: at('2026-11-21T10:00:00Z') }).startsAt.toISOString()).to.equal('2026-11-21T10:00:00.000Z');
      const sim = simulatePlan({ dir, plan: urgent, teamId: 'service-desk', priority: 'P1', assigneeId: 'bob', openedAt: at('2026-11-21T10:00:00Z'), startAt: 'breach' });
      expect(sim.startsAt.toISOString()).to.equal('2026-11-21T10:30:00.000Z');
      expect(sim.steps.map((s) => `${s.step}.${s.round}`)).to.deep.equal(['1.0', '2.0', '3.0', '4.0', '5.0', '3.1', '4.1', '5.1', '3.2', '4.2', '5.2']);
      expect(sim.steps.at(-1)?.at.toISOString()).to.equal('2026-11-21T11:50:00.000Z');
      expect(sim.exhausts).to.equal(true);
    });
  });
});
