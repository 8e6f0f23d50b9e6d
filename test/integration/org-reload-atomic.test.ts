/**
 * Issue 15: a reload builds and checks the new organisation before it stores anything, so a
 * snapshot that cannot serve changes neither the stored copy nor the running organisation.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { Org } from '../../src/domain/directory.js';
import { demoOrg, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

describe('Org reload: build and check first, then store (no half-applied reload)', function () {
  this.timeout(30_000);
  let esc: TestEsc;
  before(async () => {
    esc = await startTestEsc();
  });
  after(async () => esc?.stop());

  const stored = async () => {
    const docs = await esc.conn.collection('org').find({}).sort({ _id: 1 }).toArray();
    return createHash('sha256').update(JSON.stringify(docs.map((d) => [d._id, d.hash]))).digest('hex');
  };

  it('a snapshot naming an unknown person and rotation is refused by path; the stored copy and the running org are unchanged', async () => {
    const before = await stored();
    const good = demoOrg();
    // Past the file schema (code hands a snapshot): a member nobody knows, a rotation that does not exist, a plan more.
    const bad: Org = { ...good, teams: good.teams.map((t) => (t.id === 'service-desk' ? { ...t, members: [...t.members, 'ghost'], rotationId: 'nope' } : t)), plans: [...good.plans, { ...good.plans[0]!, id: 'extra' }] };
    const err = (await esc.reloadOrg(bad).then(
      () => null,
      (e: unknown) => e,
    )) as { name: string; problems: string[] } | null;
    expect(err?.name).to.equal('OrgFileError');
    expect(err!.problems).to.include.members(['teams.1.members: unknown person "ghost"', 'teams.1.rotation: unknown rotation "nope"']);
    expect(await stored(), 'the stored copy').to.equal(before);
    expect(esc.deps.directory().team('service-desk')!.members).to.deep.equal(['alice', 'bob', 'carol']);
    expect(esc.deps.directory().org.plans.map((p) => p.id)).to.not.include('extra');
    // A good snapshot is stored and served.
    const r = await esc.reloadOrg({ ...good, plans: [...good.plans, { ...good.plans[0]!, id: 'extra' }] });
    expect(r.changed).to.equal(true);
    expect(await stored()).to.not.equal(before);
    expect(esc.deps.directory().org.plans.map((p) => p.id)).to.include('extra');
  });
});
