import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { actorMay, matrixRows, personMay, refusal } from '../../src/app/authorize.js';
import type { Action } from '../../src/app/authorize.js';
import { Directory } from '../../src/domain/directory.js';
import { demoOrg } from '../support/harness.js';

describe('authorization: one table (actor × action × ticket)', () => {
  const dir = new Directory(demoOrg());
  const now = new Date('2026-11-23T17:00:00Z');
  const ticket = { teamId: 'service-desk', assigneeId: 'bob', requesterId: 'judy', number: 1042 };
  const table: [string, Action, boolean][] = [
    ['alice', 'acknowledge', true],
    ['alice', 'escalate_now', false],
    ['alice', 'request_escalation', false],
    ['alice', 'elevate', false],
    ['judy', 'acknowledge', false],
    ['judy', 'resolve', false],
    ['judy', 'open', true],
    ['judy', 'open_for_other', false],
    ['ken', 'request_escalation', true],
    ['ken', 'escalate_now', false],
    ['carol', 'elevate', true],
    ['carol', 'request_escalation', true],
    ['carol', 'acknowledge', true],
    ['dana', 'acknowledge', true], // bob's manager chain: carol → dana
    ['frank', 'escalate_now', true],
    ['frank', 'declare_major', false],
    ['erin', 'declare_major', true],
    ['henry', 'coordinate', false],
    ['grace', 'run_reports', true],
  ];
  for (const [who, action, want] of table) {
    it(`${who} ${want ? 'may' : 'may not'} ${action}`, () => {
      expect(personMay(dir, dir.person(who)!, action, ticket, now)).to.equal(want);
    });
  }

  it('person-less tokens keep their role; the engine acts for the organisation; nobody else', () => {
    expect(actorMay(dir, { personId: null, via: 'api', role: 'agent' }, 'escalate_now', ticket, now)).to.equal(true);
    expect(actorMay(dir, { personId: null, via: 'api', role: 'reporter' }, 'open_for_other', ticket, now)).to.equal(false);
    expect(actorMay(dir, { personId: null, via: 'api', role: 'monitor' }, 'acknowledge', ticket, now)).to.equal(false);
    expect(actorMay(dir, { personId: null, via: 'engine' }, 'escalate_now', ticket, now)).to.equal(true);
    expect(actorMay(dir, { personId: null, via: 'sms' }, 'acknowledge', ticket, now)).to.equal(false);
    expect(actorMay(dir, { personId: 'nobody-known', via: 'slack' }, 'view', ticket, now)).to.equal(false);
  });

  it('a refusal says what, on which ticket, who can, and names a technician\'s lead', () => {
    expect(refusal(dir, { personId: 'alice', via: 'slack' }, 'escalate_now', ticket).message).to.equal(
      "You can't escalate at once ESC-1042: only escalation coordinators, escalation managers or admins can. Ask Carol Diaz, your lead, to request it.",
    );
  });

  it('the README shows this very table', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const row of matrixRows()) expect(readme, row).to.include(row);
  });
});
