import { expect } from 'chai';
import type { Actor } from '../../src/app/ports/timeline.js';
import { claimRequest, requestEscalation } from '../../src/app/use-cases/coordination.js';
import { elevateTicket, moveToTeam, notifyManagementChain, respondToNotification } from '../../src/app/use-cases/escalations.js';
import { buildReport, compareRollups, recomputeFacts, reportCsvRows } from '../../src/app/use-cases/reports.js';
import { changeTicket, commentOnTicket, openTicket } from '../../src/app/use-cases/tickets.js';
import { isDomainError } from '../../src/domain/errors.js';
import { computeReport } from '../../src/domain/reports/compute.js';
import type { TicketFact } from '../../src/domain/reports/facts.js';
import { PRIORITIES } from '../../src/domain/ticket.js';
import type { TicketSource } from '../../src/domain/ticket.js';
import { startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

/** Seeded PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PEOPLE = ['alice', 'bob', 'carol', 'henry', 'ivan', 'dana'];
const VIAS = ['slack', 'teams', 'sms', 'voice', 'api', 'email'];
const SOURCES: TicketSource[] = ['slack', 'teams', 'api', 'alert', 'email'];

/** Random sequences of real operations through the use cases, the engine run by settle(); then rollups == recomputation. */
describe('reports: rollups equal a from-scratch recomputation', function () {
  this.timeout(240_000);
  let esc: TestEsc;
  beforeEach(async () => {
    esc = await startTestEsc({ listen: false });
  });
  afterEach(async () => esc?.stop());

  for (const seed of [1, 7, 2026]) {
    it(`after a random sequence of operations (seed ${seed})`, async () => {
      const rnd = prng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
      const actor = (): Actor => ({ personId: pick(PEOPLE), via: pick(VIAS) });
      const deps = esc.deps;
      const ids: string[] = [];
      const done: Record<string, number> = {};
      const tried = async (name: string, fn: () => Promise<unknown>, issue7 = false) => {
        try {
          await fn();
          done[name] = (done[name] ?? 0) + 1;
        } catch (e) {
          // Refusals (already resolved, nothing to escalate…) are part of a random walk.
          // Issue 7's use cases may not be wired yet in this tree: tolerated for those only.
          if (!isDomainError(e) && !issue7) throw e;
        }
      };
      for (let i = 0; i < 70; i++) {
        const r = rnd();
        const t = ids.length > 0 ? pick(ids) : null;
        if (!t || r < 0.22) {
          await tried('open', async () => {
            const tk = await openTicket(deps, { title: `Random ticket ${i}`, priority: pick(PRIORITIES), source: pick(SOURCES), teamId: pick(['service-desk', 'infrastructure']) }, actor());
            ids.push(tk.id);
          });
        } else if (r < 0.36) await tried('acknowledge', () => respondToNotification(deps, { ticket: t, reply: 'acknowledge', actor: actor() }));
        else if (r < 0.44) await tried('escalate', () => respondToNotification(deps, { ticket: t, reply: 'escalate', actor: actor() }));
        else if (r < 0.54) await tried('resolve', () => respondToNotification(deps, { ticket: t, reply: 'resolve', actor: actor() }));
        else if (r < 0.59) await tried('reopen', () => changeTicket(deps, t, (x) => (x.status === 'resolved' || x.status === 'closed' ? { type: 'reopen', by: 'judy' } : null), actor()));
        else if (r < 0.63) await tried('start', () => changeTicket(deps, t, () => ({ type: 'start', by: pick(PEOPLE) }), actor()));
        else if (r < 0.67) await tried('pend', () => changeTicket(deps, t, () => ({ type: 'pend', by: pick(PEOPLE) }), actor()));
        else if (r < 0.71) await tried('resume', () => changeTicket(deps, t, () => ({ type: 'resume', by: pick(PEOPLE) }), actor()));
        else if (r < 0.75) await tried('elevate', () => elevateTicket(deps, t, actor(), 'VIP'));
        else if (r < 0.79) await tried('move', () => moveToTeam(deps, t, actor()));
        else if (r < 0.82) await tried('hierarchical', () => notifyManagementChain(deps, t, actor(), 'customer impact'));
        else if (r < 0.85) await tried('comment', () => commentOnTicket(deps, t, 'looking', actor()));
        else if (r < 0.88) await tried('request', () => requestEscalation(deps, { ticket: t, reason: 'the dean needs it', actor: { personId: 'ken', via: 'slack' } }), true);
        else if (r < 0.9) await tried('claim', () => claimRequest(deps, { ticket: t, actor: { personId: pick(['erin', 'frank']), via: 'slack' } }), true);
        else {
          // Time passes: SLA breaches start plans, steps fire.
          esc.clock.advanceMinutes(Math.floor(rnd() * 120) + 1);
          await esc.settle();
          done.time = (done.time ?? 0) + 1;
        }
        // Sometimes let the engine catch up mid-sequence (the rollups then see partial histories, later refreshed).
        if (rnd() < 0.15) await esc.settle();
      }
      esc.clock.advanceMinutes(90);
      await esc.settle(200);
      const cmp = await compareRollups(deps);
      expect(cmp.differences, JSON.stringify(cmp.sample.slice(0, 3))).to.equal(0);
      expect(cmp.equal).to.equal(true);
      expect(cmp.facts).to.equal(ids.length);
      expect(done.open).to.be.greaterThan(3);
      if (process.env.ESC_TEST_LOG) process.stderr.write(`seed ${seed}: ${JSON.stringify(done)}\n`);

      // The report read from the rollups equals the report computed from recomputed facts.
      const fresh: TicketFact[] = [...(await recomputeFacts(deps)).values()].flatMap((m) => [...m.values()]);
      for (const q of [{ period: '7d' as const }, { period: 'today' as const, teamId: 'infrastructure' }, { period: '30d' as const, kind: 'automatic' as const }]) {
        const fromRollups = await buildReport(deps, q);
        const dir = deps.directory();
        const expected = computeReport({ query: q, timeZone: dir.org.timeZone, now: deps.clock.now(), facts: fresh, personName: (id) => dir.person(id)?.name });
        expect(JSON.parse(JSON.stringify(fromRollups))).to.deep.equal(JSON.parse(JSON.stringify(expected)));
      }
      const rows = await reportCsvRows(deps, { period: '7d' });
      expect(rows).to.have.length(ids.length);
    });
  }

  it('stays equal while the engine catches up after every single operation', async () => {
    const deps = esc.deps;
    const a: Actor = { personId: 'alice', via: 'slack' };
    const t = await openTicket(deps, { title: 'Exam portal down', priority: 'P1', source: 'slack' }, a);
    const check = async () => {
      await esc.settle();
      const cmp = await compareRollups(deps);
      expect(cmp.equal, JSON.stringify(cmp.sample)).to.equal(true);
    };
    await check();
    esc.clock.advanceMinutes(31);
    await check(); // breached: automatic plan, step 1 out
    esc.clock.advanceMinutes(6);
    await check(); // step 2 (SMS)
    await respondToNotification(deps, { ticket: t.id, reply: 'acknowledge', actor: { personId: 'bob', via: 'sms' } });
    await check();
    await moveToTeam(deps, t.id, a);
    await check();
    await respondToNotification(deps, { ticket: t.id, reply: 'resolve', actor: { personId: 'henry', via: 'teams' } });
    await check();
    const r = await buildReport(deps, { period: 'today' });
    expect(r.figures).to.include({ tickets: 1, resolved: 1, responseBreaches: 1 });
    expect(r.figures.ackByStep).to.deep.equal({ '2': 1 });
    expect(r.figures.ackByChannel).to.deep.equal({ sms: 1 });
    expect(r.figures.escalationsByLevel).to.deep.equal({ '1': 1 });
    expect(r.figures.slowest[0]).to.include({ teamId: 'infrastructure', status: 'resolved', open: false });
  });
});
