import { expect } from 'chai';
import { decodeDay, encodeDay } from '../../src/adapters/mongo/report-codec.js';
import { decodeDayV2, decodeTexts, encodeDayV2, encodeTexts, scanDayV2 } from '../../src/adapters/mongo/report-codec-v2.js';
import type { TicketFact } from '../../src/domain/reports/facts.js';
import { FACT_KINDS } from '../../src/domain/reports/facts.js';
import { matchesFilters } from '../../src/domain/reports/compute.js';
import { nearestRank, percentiles } from '../../src/domain/reports/percentiles.js';

/** Random facts with every field exercised: nulls, non-integers, separators in free text, numbers out of order. */
function randomFacts(seed: number, n: number): TicketFact[] {
  let a = seed;
  const rnd = () => ((a = (a * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const maybe = <T>(x: T): T | null => (rnd() < 0.3 ? null : x);
  const text = () => pick(['plain', 'a,b;c|d%e', '50% off; 2|3', 'tab\there\nnew line \\ back "quoted"', '', 'émoji ✓ 😀', '%2C literal']);
  const base = Date.parse('2026-03-08T08:00:00Z');
  return Array.from({ length: n }, (_x, i) => {
    const openedAt = base + Math.floor(rnd() * 86_400_000);
    const number = 1000 + Math.floor(rnd() * 5000);
    const rel = () => maybe(openedAt + Math.floor((rnd() - 0.1) * 9_000_000));
    return {
      ticketId: `t${i}-${text()}`,
      number,
      key: rnd() < 0.8 ? `ESC-${number}` : `OLD-${text()}`,
      title: text(),
      teamId: pick(['service-desk', 'infrastructure', '', 'a,b']),
      priority: pick(['P1', 'P2', 'P3', 'P4'] as const),
      source: pick(['slack', 'teams', 'api']),
      planId: maybe(pick(['urgent', 'standard'])),
      kinds: FACT_KINDS.filter(() => rnd() < 0.2),
      openedAt,
      responseDueAt: rel(),
      resolutionDueAt: rel(),
      respondedAt: rel(),
      responseBreachRecorded: rnd() < 0.2,
      pausedAt: rel(),
      acknowledgedAt: rel(),
      acknowledgedBy: maybe(pick(['alice', 'via:sms', 'b|c'])),
      ackStep: maybe(Math.floor(rnd() * 5)),
      ackChannel: maybe(pick(['slack', 'sms'])),
      resolvedAt: rel(),
      maxLevel: Math.floor(rnd() * 4),
      requestWaitMs: maybe(Math.floor(rnd() * 1e6)),
      satisfactionScore: maybe(pick([1, 5, 4.5, 2.25])),
      satisfactionComment: maybe(text()),
      satisfactionAt: rel(),
      status: pick(['new', 'resolved', 'acknowledged']),
      snoozes: rnd() < 0.2 ? 2 : 0,
      snoozedMs: rnd() < 0.2 ? 5_400_000.5 : 0,
      ackTimeouts: rnd() < 0.2 ? 1 : 0,
    };
  });
}

const byTicket = (xs: TicketFact[]) => [...xs].sort((a, b) => (a.ticketId < b.ticketId ? -1 : a.ticketId > b.ticketId ? 1 : 0));

describe('report rollups: storage format 2 (issue 18)', () => {
  it('reads back every fact unchanged, ticket ids and titles joined from the texts by number', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      // Numbers are unique per ticket (the join key).
      const facts = randomFacts(seed, 300).map((f, i) => ({ ...f, number: 1000 + ((i * 7919) % 300), key: f.key.startsWith('ESC-') ? `ESC-${1000 + ((i * 7919) % 300)}` : f.key }));
      const enc = encodeDayV2(facts);
      expect(enc.n).to.equal(facts.length);
      const texts = decodeTexts(encodeTexts(new Map(facts.map((f) => [f.number, { ticketId: f.ticketId, title: f.title }]))));
      expect(byTicket(decodeDayV2(enc.r, [], texts))).to.deep.equal(byTicket(facts));
      // A report scan: everything but the ticket id and title.
      const blank = (xs: TicketFact[]) => xs.map((f) => ({ ...f, ticketId: '', title: '' })).sort((a, b) => a.number - b.number);
      expect(blank(decodeDayV2(enc.r))).to.deep.equal(blank(facts));
      // Format 1 of the same facts reads the same.
      const v1 = encodeDay(facts);
      expect(byTicket(decodeDay({ dict: v1.dict, rows: v1.rows, ids: v1.ids }))).to.deep.equal(byTicket(facts));
    }
  });

  it('a filtered scan leaves out only rows the filters refuse (refilling one object)', () => {
    const facts = randomFacts(11, 400).map((f, i) => ({ ...f, number: 2000 + i, key: `ESC-${2000 + i}` }));
    const { r } = encodeDayV2(facts);
    const queries = [{ teamId: 'infrastructure' }, { priority: 'P1' as const }, { channel: 'teams' }, { planId: 'urgent' }, { teamId: 'a,b', priority: 'P2' as const }, { teamId: 'nobody' }, {}];
    for (const q of queries) {
      const seen: TicketFact[] = [];
      scanDayV2(r, (f) => seen.push({ ...f, kinds: [...f.kinds] }), undefined, true, { teamId: q.teamId, priority: q.priority, source: q.channel, planId: q.planId });
      const key = (xs: TicketFact[]) => xs.map((f) => ({ ...f, ticketId: '', title: '' })).sort((a, b) => a.number - b.number);
      const want = facts.filter((f) => matchesFilters(f, { period: '7d', ...q }));
      expect(key(seen.filter((f) => matchesFilters(f, { period: '7d', ...q }))), JSON.stringify(q)).to.deep.equal(key(want));
      if (q.teamId) expect(seen.every((f) => f.teamId === q.teamId)).to.equal(true);
    }
  });

  it('is smaller than format 1 as JSON (what the local server parses per read)', () => {
    const facts = randomFacts(9, 300).map((f) => ({ ...f, title: 'Printer on floor 3 jams', satisfactionComment: null, key: `ESC-${f.number}` }));
    const v1 = encodeDay(facts);
    const v2 = encodeDayV2(facts);
    const v1Bytes = JSON.stringify({ dict: v1.dict, rows: v1.rows, ids: v1.ids }).length;
    const v2Bytes = JSON.stringify({ r: v2.r }).length;
    expect(v2Bytes).to.be.below(v1Bytes * 0.5);
  });

  it('an empty day and an empty dictionary entry', () => {
    expect(decodeDayV2(encodeDayV2([]).r)).to.deep.equal([]);
    const [f] = randomFacts(3, 1);
    const odd = { ...f!, teamId: '', status: '' };
    expect(decodeDayV2(encodeDayV2([odd]).r, [], new Map([[odd.number, { ticketId: odd.ticketId, title: odd.title }]]))).to.deep.equal([odd]);
  });
});

describe('reports: percentiles by selection (issue 18)', () => {
  it('equal nearest-rank over the sorted values, with ties, negatives, sorted and reversed input', () => {
    let a = 7;
    const rnd = () => ((a = (a * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let t = 0; t < 3000; t++) {
      const n = 1 + Math.floor(rnd() * (t < 2900 ? 30 : 3000));
      let vals = Array.from({ length: n }, () => (rnd() < 0.3 ? Math.floor(rnd() * 4) : rnd() < 0.5 ? Math.floor(rnd() * 1e7) : -rnd()));
      if (t % 10 === 1) vals = [...vals].sort((x, y) => x - y);
      if (t % 10 === 2) vals = [...vals].sort((x, y) => y - x);
      const sorted = [...vals].sort((x, y) => x - y);
      const before = [...vals];
      expect(percentiles(vals)).to.deep.equal({ count: n, p50Ms: nearestRank(sorted, 50), p90Ms: nearestRank(sorted, 90) });
      expect(vals, 'the input is left as it was').to.deep.equal(before);
    }
    expect(percentiles([])).to.deep.equal({ count: 0, p50Ms: null, p90Ms: null });
  });
});
