import { expect } from 'chai';
import type { MajorEscalation } from '../../src/domain/major.js';
import { satisfactionOpen, withSatisfaction } from '../../src/domain/major.js';

const now = new Date('2026-11-30T17:00:00Z');
const reviewAt = new Date('2026-12-01T18:00:00Z');
const base = (over: Partial<MajorEscalation>): MajorEscalation =>
  ({
    id: 'm1', ticketId: 't1', ticketKey: 'ESC-1', status: 'satisfaction', declaredBy: 'erin', declaredAt: now, reason: 'r', warRoom: null, members: [], tasks: [], updates: [],
    cadenceMinutes: 60, nextUpdateDueAt: null, updateReminders: 2, problemId: null, executivesAlertedAt: null, resolvedAt: now, warrantyEndsAt: now, recurrences: 0,
    satisfaction: null, satisfactionRequestedAt: now, reviewScheduledAt: null, aarGeneratedAt: null, closedAt: null, archivedAt: null, version: 3,
    priority: 'P1', ticketOpenedAt: now, vipRequester: false, relatedTicketIds: [], warRoomError: null, reviewAt: null, nextWakeAt: null, ...over,
  }) as MajorEscalation;
const answer = (score: number) => ({ score, comment: '', at: now, by: 'judy' });

describe('major escalation: the satisfaction decision (domain)', () => {
  const open: [string, Partial<MajorEscalation>, boolean][] = [
    ['waiting for the customer', {}, true],
    ['in warranty (not asked yet)', { status: 'warranty', satisfactionRequestedAt: null }, false],
    ['active, never asked', { status: 'active', satisfactionRequestedAt: null }, false],
    ['active again after a 3/5', { status: 'active', satisfaction: answer(3) }, true],
    ['active after a 4/5 (then reopened by a recurrence)', { status: 'active', satisfaction: answer(4) }, false],
    ['closed', { status: 'closed', satisfaction: answer(5) }, false],
  ];
  for (const [name, over, want] of open) it(`check open: ${name} → ${want}`, () => expect(satisfactionOpen(base(over))).to.equal(want));

  it('4 or 5 closes it with the review scheduled', () => {
    for (const s of [4, 5]) {
      const m = withSatisfaction(base({}), answer(s), reviewAt);
      expect(m).to.include({ status: 'closed', closedAt: now, reviewScheduledAt: now, reviewAt, nextUpdateDueAt: null });
      expect(m.satisfaction).to.deep.equal(answer(s));
    }
  });

  it('1 to 3 makes it active again, the update cadence restarted', () => {
    for (const s of [1, 2, 3]) {
      const m = withSatisfaction(base({}), answer(s), reviewAt);
      expect(m).to.include({ status: 'active', updateReminders: 0, reviewAt: null, closedAt: null });
      expect(m.nextUpdateDueAt!.getTime() - now.getTime()).to.equal(60 * 60_000);
    }
  });
});
