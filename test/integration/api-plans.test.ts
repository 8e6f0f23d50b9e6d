import { expect } from 'chai';
import { api, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

describe('HTTP API: plans', () => {
  let esc: TestEsc;
  before(async () => {
    esc = await startTestEsc();
  });
  after(async () => {
    await esc.stop();
  });

  it('validates a plan and lists every problem by path', async () => {
    const good = await api(esc.baseUrl, 'POST', '/api/plans/validate', { id: 'x', name: 'X', steps: [{ delayMinutes: 0, channel: 'chat', targets: ['assignee', { oncall: 'infrastructure' }] }] });
    expect(good.status).to.equal(200);
    expect(good.body.valid).to.equal(true);
    const bad = await api(esc.baseUrl, 'POST', '/api/plans/validate', {
      id: 'y',
      name: 'Y',
      steps: [{ delayMinutes: -5, channel: 'chat', targets: [{ person: 'nobody' }] }, { delayMinutes: 1, channel: 'fax', targets: [] }],
    });
    expect(bad.status).to.equal(422);
    const problems = (bad.body.problems as string[]).join('\n');
    expect(problems).to.match(/steps\.0\.delayMinutes: no negative delays/);
    expect(problems).to.match(/steps\.1\.channel/);
    expect(problems).to.match(/steps\.1\.targets: at least one target/);
    const unknown = await api(esc.baseUrl, 'POST', '/api/plans/validate', { id: 'z', name: 'Z', steps: [{ delayMinutes: 0, channel: 'sms', targets: [{ person: 'nobody' }, { oncall: 'nope' }] }], repeat: { count: 1, fromStep: 3 } });
    expect(unknown.body.problems).to.deep.equal(['steps.0.targets.0: unknown person "nobody"', 'steps.0.targets.1: unknown team "nope"', 'repeat.fromStep: must be a step number from 1 to 1']);
    const empty = await api(esc.baseUrl, 'POST', '/api/plans/validate', { id: 'e', name: 'E', steps: [] });
    expect(empty.body.problems).to.deep.equal(['steps: a plan needs at least one step']);
  });

  it('dry-runs a plan: who, how and when, on the business calendar', async () => {
    const r = await api(esc.baseUrl, 'POST', '/api/plans/standard/simulate', { priority: 'P2', start: '2026-11-20T16:55:00-08:00', assigneeId: 'alice' });
    expect(r.status).to.equal(200);
    expect(r.body.startsAt).to.equal('2026-11-23T16:55:00.000Z');
    const steps = r.body.steps as { at: string; channel: string; recipients: { personId: string }[] }[];
    expect(steps[0]).to.include({ at: '2026-11-23T16:55:00.000Z', channel: 'chat' });
    expect(steps[0]!.recipients.map((x) => x.personId)).to.deep.equal(['alice', 'bob']);
    expect((await api(esc.baseUrl, 'POST', '/api/plans/standard/simulate', { priority: 'P2', start: 'friday' })).status).to.equal(400);
    expect((await api(esc.baseUrl, 'POST', '/api/plans/nope/simulate', { priority: 'P2' })).status).to.equal(404);
  });
});
