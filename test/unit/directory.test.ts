import { expect } from 'chai';
import type { Org, Person, Rotation } from '../../src/domain/directory.js';
import { Directory, onCallFor } from '../../src/domain/directory.js';
import { simpleLayer } from '../../src/domain/rotation.js';
import type { EscalationPlan, PlanStep, StepTarget } from '../../src/domain/plan.js';
import { choosePlan, planProblems } from '../../src/domain/plan.js';
import { resolveStepTargets } from '../../src/domain/targets.js';
import { at, demoOrg } from '../fixtures/domain.js';

const demo = new Directory(demoOrg());
const ids = (people: readonly Pick<Person, 'id'>[] | undefined) => (people ?? []).map((p) => p.id);
const person = (id: string, over: Partial<Person> = {}): Person => ({ id, name: id, email: `${id}@x.test`, timeZone: 'UTC', roles: [], contacts: [], ...over });

/** A small org with a management loop, a team without coordinators or manager, and no rotation. */
const loopy = new Directory({
  ...demoOrg(),
  people: [
    person('a', { managerId: 'b' }),
    person('b', { managerId: 'c' }),
    person('c', { managerId: 'a' }),
    person('self', { managerId: 'self' }),
    person('orphan', { managerId: 'ghost' }),
    person('k1', { roles: ['coordinator'] }),
    person('k2', { roles: ['coordinator', 'manager'] }),
  ],
  teams: [
    { id: 'bare', name: 'Bare', tier: 1, members: ['a'], coordinators: [], calendarId: 'business-hours' },
    { id: 'stale', name: 'Stale', tier: 1, members: [], coordinators: ['k1', 'gone'], calendarId: 'business-hours' },
  ],
} satisfies Org);

describe('directory', () => {
  describe('managerChain', () => {
    const cases: [Directory, string, string[]][] = [
      [demo, 'alice', ['carol', 'dana', 'grace']],
      [demo, 'henry', ['ivan', 'grace']],
      [demo, 'grace', []],
      [demo, 'nobody', []],
      [loopy, 'a', ['b', 'c']],
      [loopy, 'c', ['a', 'b']],
      [loopy, 'self', []],
      [loopy, 'orphan', []],
    ];
    for (const [dir, who, chain] of cases) {
      it(`${who} -> [${chain.join(', ')}]`, () => expect(ids(dir.managerChain(who))).to.deep.equal(chain));
    }
  });

  describe('onCallFor', () => {
    // Shifts of 7 days from Mon 2026-01-05 09:00 Los Angeles: even shifts alice, odd bob.
    // Mon 2026-03-09 is shift 9 (after DST start, PDT -07:00); Mon 2026-11-02 is shift 43 (after DST end, PST).
    const layer = (members: string[], handoffTime: string, days: number) => simpleLayer({ members, timeZone: 'America/Los_Angeles', start: '2026-01-05', handoffTime, shiftHours: days * 24 });
    const weekly: Rotation = { id: 'r', timeZone: 'America/Los_Angeles', layers: [layer(['alice', 'bob'], '09:00', 7)], overrides: [] };
    const daily: Rotation = { ...weekly, layers: [layer(['x', 'y', 'z'], '17:30', 1)] };
    const covered: Rotation = { ...weekly, overrides: [{ personId: 'carol', from: at('2026-01-06T00:00:00Z'), to: at('2026-01-07T00:00:00Z') }] };
    const cases: { name: string; rot: Rotation; at: string; who: string | undefined }[] = [
      { name: 'a minute before the first hand-off: the shift before', rot: weekly, at: '2026-01-05T08:59:00-08:00', who: 'bob' },
      { name: 'the first hand-off', rot: weekly, at: '2026-01-05T09:00:00-08:00', who: 'alice' },
      { name: 'the last second of the first shift', rot: weekly, at: '2026-01-12T08:59:59-08:00', who: 'alice' },
      { name: 'the second hand-off', rot: weekly, at: '2026-01-12T09:00:00-08:00', who: 'bob' },
      { name: 'the third hand-off', rot: weekly, at: '2026-01-19T09:00:00-08:00', who: 'alice' },
      { name: 'DST week: the Sunday of the change', rot: weekly, at: '2026-03-08T12:00:00-07:00', who: 'alice' },
      { name: 'DST week: 08:59 PDT Monday', rot: weekly, at: '2026-03-09T15:59:00Z', who: 'alice' },
      { name: 'DST week: 09:00 PDT Monday (16:00Z, not 17:00Z)', rot: weekly, at: '2026-03-09T16:00:00Z', who: 'bob' },
      { name: 'DST end week: 08:59 PST Monday', rot: weekly, at: '2026-11-02T16:59:00Z', who: 'alice' },
      { name: 'DST end week: 09:00 PST Monday', rot: weekly, at: '2026-11-02T17:00:00Z', who: 'bob' },
      { name: 'shiftDays 1: first day', rot: daily, at: '2026-01-05T17:30:00-08:00', who: 'x' },
      { name: 'shiftDays 1: before the next hand-off', rot: daily, at: '2026-01-06T17:29:00-08:00', who: 'x' },
      { name: 'shiftDays 1: second day', rot: daily, at: '2026-01-06T17:30:00-08:00', who: 'y' },
      { name: 'shiftDays 1: fourth day wraps round', rot: daily, at: '2026-01-08T18:00:00-08:00', who: 'x' },
      { name: 'an override covers its start', rot: covered, at: '2026-01-06T00:00:00Z', who: 'carol' },
      { name: 'inside an override', rot: covered, at: '2026-01-06T12:00:00Z', who: 'carol' },
      { name: 'an override ends before its end instant', rot: covered, at: '2026-01-07T00:00:00Z', who: 'alice' },
      { name: 'no members', rot: { ...weekly, layers: [layer([], '09:00', 7)] }, at: '2026-01-06T12:00:00Z', who: undefined },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.at} -> ${c.who}`, () => expect(onCallFor(c.rot, at(c.at))).to.equal(c.who));
    }

    it('Directory.onCall uses the team rotation; no rotation -> nobody', () => {
      expect(demo.onCall('service-desk', at('2026-01-05T17:00:00Z'))?.id).to.equal('alice');
      expect(demo.onCall('infrastructure', at('2026-01-12T17:00:00Z'))?.id).to.equal('ivan');
      expect(loopy.onCall('bare', at('2026-01-05T17:00:00Z'))).to.equal(undefined);
      expect(demo.onCall('nope', at('2026-01-05T17:00:00Z'))).to.equal(undefined);
    });
  });

  describe('coordinators', () => {
    const cases: [string, Directory, string | undefined, string[]][] = [
      ["the team's own", demo, 'service-desk', ['erin', 'frank']],
      ['a team without any: everyone with the coordinator role', loopy, 'bare', ['k1', 'k2']],
      ['no team: everyone with the role', demo, undefined, ['erin', 'frank']],
      ['an unknown team: everyone with the role', loopy, 'nope', ['k1', 'k2']],
      ['unknown ids on the team are dropped', loopy, 'stale', ['k1']],
    ];
    for (const [name, dir, team, expected] of cases) it(name, () => expect(ids(dir.coordinators(team))).to.deep.equal(expected));
  });

  describe('resolveStepTargets', () => {
    const NOW = at('2026-01-05T17:00:00Z'); // Mon 09:00 LA: alice on call for both rotations' even shifts (infra: henry).
    const step = (targets: StepTarget[], channel: PlanStep['channel'] = 'chat'): PlanStep => ({ delayMinutes: 0, channel, targets });
    const cases: { name: string; dir?: Directory; team?: string; assignee: string | null; targets: StepTarget[]; level?: number; expected: string[] }[] = [
      { name: 'manager of the assignee', assignee: 'alice', targets: [{ type: 'manager' }], expected: ['carol'] },
      { name: 'manager level 1 climbs', assignee: 'alice', targets: [{ type: 'manager' }], level: 1, expected: ['dana'] },
      { name: 'manager level 2 is the top', assignee: 'alice', targets: [{ type: 'manager' }], level: 2, expected: ['grace'] },
      { name: 'manager level 7 clamps at the top', assignee: 'alice', targets: [{ type: 'manager' }], level: 7, expected: ['grace'] },
      { name: 'no assignee: the team manager', assignee: null, targets: [{ type: 'manager' }], expected: ['dana'] },
      { name: 'no assignee, level 1: above the team manager', assignee: null, targets: [{ type: 'manager' }], level: 1, expected: ['grace'] },
      { name: 'no assignee, level 5: clamps', assignee: null, targets: [{ type: 'manager' }], level: 5, expected: ['grace'] },
      { name: 'no assignee, other team', team: 'infrastructure', assignee: null, targets: [{ type: 'manager' }], expected: ['ivan'] },
      { name: 'no assignee, no team manager: nobody', dir: loopy, team: 'bare', assignee: null, targets: [{ type: 'manager' }], expected: [] },
      { name: 'top of the chain as assignee: nobody', assignee: 'grace', targets: [{ type: 'manager' }], expected: [] },
      { name: 'no assignee: assignee target yields nobody', assignee: null, targets: [{ type: 'assignee' }], expected: [] },
      { name: 'assignee and on-call are the same person: once', assignee: 'alice', targets: [{ type: 'assignee' }, { type: 'oncall' }, { type: 'person', id: 'alice' }], expected: ['alice'] },
      { name: 'on-call of another team', assignee: null, targets: [{ type: 'oncall', team: 'infrastructure' }], expected: ['henry'] },
      { name: 'team lead', assignee: 'bob', targets: [{ type: 'team_lead' }, { type: 'manager' }], expected: ['carol'] },
      { name: 'coordinators, deduped with a person', assignee: null, targets: [{ type: 'person', id: 'erin' }, { type: 'coordinators' }], expected: ['erin', 'frank'] },
      { name: 'an unknown person yields nobody', assignee: null, targets: [{ type: 'person', id: 'zed' }], expected: [] },
      {
        name: 'channels are deduped and listed in order',
        assignee: 'bob',
        targets: [{ type: 'channel', id: 'C1' }, { type: 'assignee' }, { type: 'channel', id: 'C1' }, { type: 'channel', id: 'C2' }],
        expected: ['#C1', 'bob', '#C2'],
      },
    ];
    for (const c of cases) {
      it(`${c.name}: [${c.expected.join(', ')}]`, () => {
        const got = resolveStepTargets(c.dir ?? demo, { teamId: c.team ?? 'service-desk', assigneeId: c.assignee }, step(c.targets), c.level ?? 0, NOW);
        expect(got.map((r) => r.personId ?? `#${r.channelId}`)).to.deep.equal(c.expected);
      });
    }

    it('tags each recipient with the target that found it', () => {
      const got = resolveStepTargets(demo, { teamId: 'service-desk', assigneeId: 'bob' }, step([{ type: 'assignee' }, { type: 'oncall' }, { type: 'channel', id: 'C1' }]), 0, NOW);
      expect(got).to.deep.equal([
        { personId: 'bob', channelId: null, target: 'assignee' },
        { personId: 'alice', channelId: null, target: 'oncall' },
        { personId: null, channelId: 'C1', target: 'channel' },
      ]);
    });
  });

  describe('choosePlan', () => {
    const plan = (id: string, match: EscalationPlan['match']): EscalationPlan => ({ id, name: id, match, steps: [{ delayMinutes: 0, channel: 'chat', targets: [{ type: 'assignee' }] }] });
    const all = [plan('any', {}), plan('p1', { priorities: ['P1'] }), plan('desk', { teams: ['desk'] }), plan('desk-p1', { teams: ['desk'], priorities: ['P1', 'P2'] })];
    const cases: [string, EscalationPlan[], string, 'P1' | 'P2' | 'P3', string | undefined][] = [
      ['team and priority beat the rest', all, 'desk', 'P1', 'desk-p1'],
      ['the same in reverse order', [...all].reverse(), 'desk', 'P1', 'desk-p1'],
      ['team beats priority', all, 'desk', 'P3', 'desk'],
      ['priority beats catch-all', all, 'infra', 'P1', 'p1'],
      ['catch-all', all, 'infra', 'P3', 'any'],
      ['nothing matches', all.slice(1), 'infra', 'P3', undefined],
      ['a tie: the first listed wins', [plan('a', { priorities: ['P2'] }), plan('b', { priorities: ['P2', 'P3'] })], 'x', 'P2', 'a'],
    ];
    for (const [name, plans, team, prio, expected] of cases) it(`${name}: ${team}/${prio} -> ${expected}`, () => expect(choosePlan(plans, team, prio)?.id).to.equal(expected));
  });

  describe('planProblems', () => {
    const known = { person: (id: string) => ['alice', 'bob'].includes(id), team: (id: string) => id === 'desk' };
    const ok: EscalationPlan = { id: 'p', name: 'p', match: { teams: ['desk'] }, steps: [{ delayMinutes: 0, channel: 'chat', targets: [{ type: 'person', id: 'alice' }, { type: 'channel', id: 'C1' }] }, { delayMinutes: 5, channel: 'sms', targets: [{ type: 'oncall', team: 'desk' }] }], repeat: { count: 1, fromStep: 2 } };
    const s0 = ok.steps[0]!;
    const cases: [string, EscalationPlan, string[]][] = [
      ['a valid plan', ok, []],
      ['no steps', { ...ok, steps: [], repeat: undefined }, ['steps: a plan needs at least one step']],
      ['a negative delay', { ...ok, steps: [{ ...s0, delayMinutes: -1 }] , repeat: undefined }, ['steps.0.delayMinutes: must be 0 or more (got -1)']],
      ['a delay that is not a number', { ...ok, steps: [{ ...s0, delayMinutes: NaN }], repeat: undefined }, ['steps.0.delayMinutes: must be 0 or more (got NaN)']],
      ['no targets', { ...ok, steps: [{ ...s0, targets: [] }], repeat: undefined }, ['steps.0.targets: at least one target is needed']],
      ['unknown person and team', { ...ok, steps: [{ ...s0, targets: [{ type: 'person', id: 'zed' }, { type: 'oncall', team: 'ops' }] }], repeat: undefined }, ['steps.0.targets.0: unknown person "zed"', 'steps.0.targets.1: unknown team "ops"']],
      ['a channel target on SMS', { ...ok, steps: [{ ...s0, channel: 'sms' }], repeat: undefined }, ['steps.0.targets.1: a channel target needs channel "chat"']],
      ['repeat from step 0', { ...ok, repeat: { count: 1, fromStep: 0 } }, ['repeat.fromStep: must be a step number from 1 to 2']],
      ['repeat past the last step', { ...ok, repeat: { count: 1, fromStep: 3 } }, ['repeat.fromStep: must be a step number from 1 to 2']],
      ['a bad repeat count', { ...ok, repeat: { count: 1.5, fromStep: 1 } }, ['repeat.count: must be a whole number, 0 or more']],
      ['an unknown match team', { ...ok, match: { teams: ['desk', 'ops'] } }, ['match.teams: unknown team "ops"']],
    ];
    for (const [name, p, expected] of cases) it(`${name}: ${expected.length} problem(s)`, () => expect(planProblems(p, known)).to.deep.equal(expected));
  });
});
