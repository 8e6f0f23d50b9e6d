import { expect } from 'chai';
import { checkText } from '../../src/app/chatops/catalog.js';
import { normaliseSlackText } from '../../src/adapters/slack/slack-shell.js';
import { ACTIONS, RATE_ACTION, badge, noticeBlocks } from '../../src/adapters/slack/blocks.js';
import { resolveWhen } from '../../src/app/chatops/when.js';
import { ticketNotice } from '../../src/domain/notice.js';

describe('Chat-ops catalog: issue-7 commands (parsing and times)', () => {
  const table: [string, Record<string, unknown>][] = [
    ['request ESC-1042 exams start at 10', { kind: 'request', ref: 1042, reason: 'exams start at 10' }],
    ['request ESC-1042', { kind: 'usage' }],
    ['claim 1042', { kind: 'claim', ref: 1042 }],
    ['claim', { kind: 'claim', ref: null }],
    ['reviewed ESC-7 extra', { kind: 'usage' }],
    ['eta ESC-1042 2h a technician is on the way', { kind: 'eta', ref: 1042, when: ['2h'], message: 'a technician is on the way' }],
    ['eta ESC-1042 tomorrow 10:00 laptop arrives', { kind: 'eta', ref: 1042, when: ['tomorrow', '10:00'], message: 'laptop arrives' }],
    ['eta ESC-1042 2026-11-25 14:00 parts ordered', { kind: 'eta', ref: 1042, when: ['2026-11-25', '14:00'], message: 'parts ordered' }],
    ['eta ESC-1042 soon-ish we will see', { kind: 'usage' }],
    ['eta ESC-1042 2h', { kind: 'usage' }],
    ['inform ESC-1042 claimed, on it', { kind: 'inform', ref: 1042, message: 'claimed, on it' }],
    ['engage ESC-1042 <@U0IVAN|ivan> please take it', { kind: 'engage', ref: 1042, owner: { slackId: 'U0IVAN' }, message: 'please take it' }],
    ['engage ESC-1042 please take it', { kind: 'engage', ref: 1042, owner: null, message: 'please take it' }],
    ['major ESC-1042 registrar down during enrolment', { kind: 'major', ref: 1042, reason: 'registrar down during enrolment' }],
    ['role ESC-1042 <@U0HENRY> incident_owner', { kind: 'role', ref: 1042, who: { slackId: 'U0HENRY' }, role: 'incident_owner' }],
    ['role <@U0HENRY|henry> vendor', { kind: 'role', ref: null, who: { slackId: 'U0HENRY' }, role: 'vendor' }],
    ['role ESC-1042 @henry chief', { kind: 'usage' }],
    ['task ESC-1042 add <@U0HENRY> 2h fail over the DB', { kind: 'task_add', ref: 1042, owner: { slackId: 'U0HENRY' }, when: ['2h'], title: 'fail over the DB' }],
    ['task add @henry tomorrow 9am call the vendor', { kind: 'task_add', ref: null, owner: { handle: 'henry' }, when: ['tomorrow', '9am'], title: 'call the vendor' }],
    ['task ESC-1042 add @henry later call', { kind: 'usage' }],
    ['task done 2', { kind: 'task_done', ref: null, n: 2 }],
    ['task ESC-1042 done two', { kind: 'usage' }],
    ['tasks', { kind: 'tasks', ref: null }],
    ['update ESC-1042 failover done', { kind: 'update', ref: 1042, text: 'failover done' }],
    ['problem ESC-1042 new Storage firmware', { kind: 'problem', ref: 1042, problem: { title: 'Storage firmware' } }],
    ['problem ESC-1042 PRB-1001', { kind: 'problem', ref: 1042, problem: { number: 1001 } }],
    ['problem ESC-1042 maybe', { kind: 'usage' }],
    ['problem ESC-1042 replace PRB-1001', { kind: 'problem', ref: 1042, problem: { number: 1001 }, replace: true }],
    ['problem replace new Storage firmware', { kind: 'problem', ref: null, problem: { title: 'Storage firmware' }, replace: true }],
    ['problem ESC-1042 replace', { kind: 'usage' }],
    ['recurrence ESC-1057 of ESC-1042', { kind: 'recurrence', ref: 1057, of: 1042 }],
    ['recurrence ESC-1057', { kind: 'recurrence', ref: 1057, of: null }],
    ['recurrence of ESC-1042', { kind: 'usage' }],
    ['aar ESC-1042', { kind: 'aar', ref: 1042 }],
  ];
  for (const [text, want] of table) {
    it(`/esc ${text}`, () => {
      const problem = checkText(normaliseSlackText(text, (id) => id.slice(2).toLowerCase()));
      if (want.kind === 'usage') expect(problem?.ok, 'refused as a usage mistake').to.equal(false);
      else expect(problem, problem?.text).to.equal(null);
    });
  }

  it('every usage answer says what to type', () => {
    for (const [text, want] of table) if (want.kind === 'usage') expect(checkText(text)!.text, text).to.match(/`\/esc /);
  });

  it('reads mentions: escaped, bare id; unknown people keep their Slack id for the refusal', () => {
    const ids: Record<string, string> = { U0ERIN: 'erin' };
    expect(normaliseSlackText('role ESC-1 <@U0ERIN|erin> sme', (id) => ids[id]).replace(/\s+/g, ' ')).to.equal('role ESC-1 @erin sme');
    expect(normaliseSlackText('<@W0NOBODY>', (id) => ids[id]).trim()).to.equal('@slack:W0NOBODY');
  });

  // Monday 23 Nov 2026, 09:00 in Los Angeles.
  const now = new Date('2026-11-23T17:00:00Z');
  const la = 'America/Los_Angeles';
  const at = (words: string, zone = la) => {
    const r = resolveWhen(words.split(' '), now, zone);
    return r.ok ? r.at.toISOString() : `error: ${r.problem}`;
  };
  it('resolves times in the person\'s zone', () => {
    expect(at('2h')).to.equal('2026-11-23T19:00:00.000Z');
    expect(at('in 1h30m')).to.equal('2026-11-23T18:30:00.000Z');
    expect(at('tomorrow 10:00')).to.equal('2026-11-24T18:00:00.000Z');
    expect(at('tomorrow 10:00', 'Europe/Paris')).to.equal('2026-11-24T09:00:00.000Z');
    expect(at('2026-11-25 14:00')).to.equal('2026-11-25T22:00:00.000Z');
    expect(at('2026-11-25T14:00')).to.equal('2026-11-25T22:00:00.000Z');
    expect(at('14:00')).to.equal('2026-11-23T22:00:00.000Z');
    expect(at('8:00'), 'passed today: tomorrow').to.equal('2026-11-24T16:00:00.000Z');
    expect(at('friday 2pm')).to.equal('2026-11-27T22:00:00.000Z');
    expect(at('monday'), 'next Monday, 09:00').to.equal('2026-11-30T17:00:00.000Z');
    expect(at('tomorrow')).to.equal('2026-11-24T17:00:00.000Z');
  });

  it('refuses unreadable, past and far times with a sentence', () => {
    expect(at('2026-11-20 10:00')).to.match(/error: .*already passed/);
    expect(at('2026-02-30 10:00')).to.match(/error: I can't read/);
    expect(at('tomorrow 25:00')).to.match(/error: I can't read/);
    expect(at('13pm')).to.match(/error: I can't read/);
    expect(at('400d')).to.match(/error: .*more than a year/);
    expect(at('2h', 'Mars/Olympus')).to.match(/error: Your time zone/);
  });
});

describe('Slack: issue-7 blocks (Claim, satisfaction, elevated vs escalated badge)', () => {
  const facts = { id: 't1', number: 1042, title: 'Exam portal down', priority: 'P2' as const, impact: 'high' as const, status: 'assigned' as const, teamName: 'Service Desk', assigneeName: 'Alice Ng', createdAt: new Date('2026-11-23T17:00:00Z'), elevated: false, escalated: true, escalationKind: 'manager_request' };
  const ids = (blocks: unknown[]) => (blocks as { elements?: { action_id?: string }[] }[]).flatMap((b) => b.elements ?? []).map((e) => e.action_id).filter(Boolean);

  it('a coordinator notice carries Claim first, and the badge', () => {
    const blocks = noticeBlocks(ticketNotice(facts, { kind: 'manager_request', title: 'Escalation request: ESC-1042', text: 'Ken asks…', actions: ['claim'] }));
    expect(ids(blocks)).to.deep.equal([ACTIONS.claim, ACTIONS.history]);
    expect(JSON.stringify(blocks)).to.include('ESCALATED · manager request');
  });

  it('a satisfaction notice carries five score buttons and nothing else', () => {
    const blocks = noticeBlocks(ticketNotice({ ...facts, escalationKind: 'major' }, { kind: 'major_escalation', title: 'How did we do?', text: '…', actions: ['rate'] }));
    expect(ids(blocks)).to.deep.equal(['esc_rate_1', 'esc_rate_2', 'esc_rate_3', 'esc_rate_4', 'esc_rate_5']);
    expect(ids(blocks).every((id) => RATE_ACTION.test(id!))).to.equal(true);
  });

  it('ticket messages say ELEVATED or ESCALATED · kind, the same words as the DMs', () => {
    expect(badge({ elevated: true, escalated: false })).to.equal('  [ELEVATED]');
    expect(badge({ elevated: false, escalated: true, escalationKind: 'major' })).to.equal('  [ESCALATED · major]');
    expect(badge({ elevated: false, escalated: false })).to.equal('');
  });
});

describe('Slack: escaped text (should_escape) reads as typed', () => {
  it('links, channels, people and entities', () => {
    const ids: Record<string, string> = { U0IVAN: 'ivan' };
    expect(normaliseSlackText('see <https://status.example.edu|status page> in <#C0HELP|helpdesk> with <@U0IVAN|ivan> &amp; <@U0BOB> &lt;now&gt; <!here>', (id) => ids[id]).replace(/\s+/g, ' ')).to.equal('see https://status.example.edu in #helpdesk with @ivan & @slack:U0BOB <now> @here');
    expect(normaliseSlackText('ticket VPN &amp; Wi-Fi down <https://x.example|x.example>', () => undefined)).to.equal('ticket VPN & Wi-Fi down https://x.example');
  });
});
