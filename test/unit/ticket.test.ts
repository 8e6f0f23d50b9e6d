import { expect } from 'chai';
import { formatTicketKey, parseTicketRef, requireTicketRef } from '../../src/domain/ticket-number.js';
import type { TicketAction, TicketStatus } from '../../src/domain/ticket.js';
import { TICKET_STATUSES, applyTicketAction, isOpen } from '../../src/domain/ticket.js';
import { BERLIN, HOUR, at, expectDomainError, makeTicket } from '../fixtures/domain.js';

const NOW = at('2026-01-15T11:00:00+01:00');
const ACTIONS: Record<TicketAction['type'], TicketAction> = {
  assign: { type: 'assign', assigneeId: 'bob' },
  acknowledge: { type: 'acknowledge', by: 'bob' },
  start: { type: 'start', by: 'bob' },
  pend: { type: 'pend', by: 'bob', reason: 'waiting on the customer' },
  resume: { type: 'resume', by: 'bob' },
  resolve: { type: 'resolve', by: 'bob', note: 'fixed' },
  close: { type: 'close', by: 'bob' },
  reopen: { type: 'reopen', by: 'judy', reason: 'still broken' },
};

/** The status each action leads to from each status; absent = INVALID_TRANSITION. makeTicket gives every status but 'new' an assignee. */
const TRANSITIONS: Record<TicketAction['type'], Partial<Record<TicketStatus, TicketStatus>>> = {
  assign: { new: 'assigned', assigned: 'assigned', acknowledged: 'acknowledged', in_progress: 'in_progress', pending: 'pending' },
  acknowledge: { new: 'acknowledged', assigned: 'acknowledged' },
  start: { new: 'in_progress', assigned: 'in_progress', acknowledged: 'in_progress' },
  pend: { new: 'pending', assigned: 'pending', acknowledged: 'pending', in_progress: 'pending' },
  resume: { pending: 'in_progress' },
  resolve: { new: 'resolved', assigned: 'resolved', acknowledged: 'resolved', in_progress: 'resolved', pending: 'resolved' },
  close: { resolved: 'closed' },
  reopen: { resolved: 'assigned', closed: 'assigned' },
};

describe('ticket', () => {
  describe('applyTicketAction: every status × every action', () => {
    for (const type of Object.keys(ACTIONS) as TicketAction['type'][]) {
      for (const from of TICKET_STATUSES) {
        const to = TRANSITIONS[type][from];
        if (to) {
          it(`${type} from ${from} -> ${to}`, () => {
            const before = makeTicket(from);
            const after = applyTicketAction(before, ACTIONS[type], BERLIN, NOW);
            expect(after.status).to.equal(to);
            expect(after.updatedAt).to.equal(NOW);
            expect(after.version, 'the repository bumps the version').to.equal(before.version);
            expect(before.status, 'the input is not mutated').to.equal(from);
          });
        } else {
          it(`${type} from ${from} is INVALID_TRANSITION`, () => {
            const err = expectDomainError(() => applyTicketAction(makeTicket(from), ACTIONS[type], BERLIN, NOW), 'INVALID_TRANSITION');
            expect(err.details).to.deep.equal({ from, action: type, ticket: 1042 });
            expect(err.message).to.contain('ESC-1042').and.contain(from.replace('_', ' '));
          });
        }
      }
    }
  });

  describe('applyTicketAction: effects', () => {
    it('assign on an open ticket changes the assignee only', () => {
      const t = applyTicketAction(makeTicket('in_progress'), ACTIONS.assign, BERLIN, NOW);
      expect(t).to.include({ assigneeId: 'bob', status: 'in_progress' });
    });

    it('acknowledge records who and when, marks the SLA responded, keeps an existing assignee', () => {
      const t = applyTicketAction(makeTicket('assigned'), ACTIONS.acknowledge, BERLIN, NOW);
      expect(t).to.include({ acknowledgedBy: 'bob', acknowledgedAt: NOW, assigneeId: 'alice' });
      expect(t.sla.respondedAt).to.equal(NOW);
    });

    it('acknowledge or start of an unassigned ticket assigns the actor', () => {
      expect(applyTicketAction(makeTicket('new'), ACTIONS.acknowledge, BERLIN, NOW).assigneeId).to.equal('bob');
      const started = applyTicketAction(makeTicket('new'), ACTIONS.start, BERLIN, NOW);
      expect(started.assigneeId).to.equal('bob');
      expect(started.sla.respondedAt).to.equal(NOW);
    });

    it('start keeps the first response time', () => {
      const acked = applyTicketAction(makeTicket('assigned'), ACTIONS.acknowledge, BERLIN, NOW);
      const started = applyTicketAction(acked, ACTIONS.start, BERLIN, at('2026-01-15T12:00:00+01:00'));
      expect(started.sla.respondedAt).to.equal(NOW);
    });

    it('pend pauses the SLA clock and resume recomputes the due times exactly', () => {
      // Opened Thu 10:00 (BERLIN): response due 14:00, resolution due Fri 10:00. 1 h used at 11:00.
      const pending = applyTicketAction(makeTicket('assigned'), ACTIONS.pend, BERLIN, NOW);
      expect(pending.sla.pausedAt).to.equal(NOW);
      expect(pending.sla.responseDueAt).to.equal(null);
      expect(pending.sla.resolutionDueAt).to.equal(null);
      expect([pending.sla.responseRemainingMs, pending.sla.resolutionRemainingMs]).to.deep.equal([3 * HOUR, 7 * HOUR]);
      const resumed = applyTicketAction(pending, ACTIONS.resume, BERLIN, at('2026-01-16T16:00:00+01:00'));
      expect(resumed.status).to.equal('in_progress');
      expect(resumed.sla.pausedAt).to.equal(null);
      expect(resumed.sla.responseDueAt?.toISOString()).to.equal(at('2026-01-19T11:00:00+01:00').toISOString());
      expect(resumed.sla.resolutionDueAt?.toISOString()).to.equal(at('2026-01-19T15:00:00+01:00').toISOString());
    });

    it('resolve from pending resumes the clock, then records the resolution', () => {
      const pending = applyTicketAction(makeTicket('in_progress'), ACTIONS.pend, BERLIN, NOW);
      const later = at('2026-01-16T10:00:00+01:00');
      const t = applyTicketAction(pending, ACTIONS.resolve, BERLIN, later);
      expect(t).to.include({ status: 'resolved', resolvedBy: 'bob', resolvedAt: later, resolution: 'fixed' });
      expect(t.sla.pausedAt).to.equal(null);
      expect(t.sla.resolvedAt).to.equal(later);
      expect(t.sla.respondedAt).to.equal(later);
      expect(t.sla.pausedMs).to.equal(later.getTime() - NOW.getTime());
      expect(t.sla.resolutionDueAt?.toISOString(), '7 h left from Fri 10:00').to.equal(at('2026-01-16T17:00:00+01:00').toISOString());
    });

    it('resolve without a note leaves the resolution null', () => {
      expect(applyTicketAction(makeTicket('assigned'), { type: 'resolve', by: 'bob' }, BERLIN, NOW).resolution).to.equal(null);
    });

    it('reopen clears the resolution and counts the reopening', () => {
      const t = applyTicketAction(makeTicket('closed', { reopenCount: 1 }), ACTIONS.reopen, BERLIN, NOW);
      expect(t).to.include({ status: 'assigned', reopenCount: 2, resolvedAt: null, resolvedBy: null, resolution: null });
      expect(t.sla.resolvedAt).to.equal(null);
      expect(isOpen(t)).to.equal(true);
    });

    it('reopen of an unassigned ticket makes it new', () => {
      expect(applyTicketAction(makeTicket('resolved', { assigneeId: null }), ACTIONS.reopen, BERLIN, NOW).status).to.equal('new');
    });

    it('isOpen is true for the five open statuses only', () => {
      expect(TICKET_STATUSES.filter((s) => isOpen({ status: s }))).to.deep.equal(['new', 'assigned', 'acknowledged', 'in_progress', 'pending']);
    });
  });

  describe('ticket numbers', () => {
    const good: [string, number][] = [
      ['ESC-1042', 1042],
      ['esc-1042', 1042],
      ['Esc-7', 7],
      ['ESC1042', 1042],
      ['#1042', 1042],
      ['1042', 1042],
      ['  ESC-1042  ', 1042],
      ['999999999', 999999999],
    ];
    for (const [text, n] of good) {
      it(`parses ${JSON.stringify(text)} as ${n}`, () => {
        expect(parseTicketRef(text)).to.equal(n);
        expect(requireTicketRef(text)).to.equal(n);
      });
    }

    const bad = ['', '   ', 'ESC-', '#', 'ESC-0', '0', '-5', '1.5', '1042a', 'ABC-1042', '#ESC-1042', 'ESC - 1042', 'ESC_1042', '1234567890', 'ESC-1042-2', 'ticket 1042'];
    for (const text of bad) {
      it(`refuses ${JSON.stringify(text)}`, () => {
        expect(parseTicketRef(text)).to.equal(null);
        const err = expectDomainError(() => requireTicketRef(text), 'VALIDATION');
        expect(err.details).to.deep.equal({ field: 'ticket' });
      });
    }

    it('quotes at most 40 characters of what was typed', () => {
      const err = expectDomainError(() => requireTicketRef('x'.repeat(500)), 'VALIDATION');
      expect(err.message).to.contain(`"${'x'.repeat(40)}"`);
    });

    it('formats ESC-<n> and round-trips', () => {
      expect(formatTicketKey(1042)).to.equal('ESC-1042');
      for (const n of [1, 42, 1042, 999999999]) expect(parseTicketRef(formatTicketKey(n))).to.equal(n);
    });
  });
});
