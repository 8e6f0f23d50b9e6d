import { expect } from 'chai';
import { SegmentedMessage } from 'sms-segments-calculator';
import { fitSegments, smsSegments, toGsm7 } from '../../src/adapters/twilio/sms-segments.js';
import { smsText } from '../../src/adapters/twilio/sms-text.js';
import { escalationStepNotice } from '../../src/domain/notice.js';

const page = (title: string, kind = 'automatic') =>
  escalationStepNotice({
    ticket: { id: 't1', number: 1042, title, priority: 'P1', impact: 'high', status: 'new', teamName: 'Service Desk', assigneeName: 'Alice Chen', createdAt: new Date('2026-11-23T10:00:00Z'), elevated: false, escalated: true, escalationKind: kind },
    escalation: { id: 'e1', kind },
    stepIndex: 1,
    steps: 4,
    round: 0,
    channel: 'sms',
    urgent: true,
    now: new Date('2026-11-23T12:05:00Z'),
  });

describe('SMS cost: GSM-7 and segments', () => {
  it('counts segments: GSM-7 160/153, UCS-2 70/67, extended GSM characters count twice', () => {
    const table: [string, 'GSM-7' | 'UCS-2', number][] = [
      ['x'.repeat(160), 'GSM-7', 1],
      ['x'.repeat(161), 'GSM-7', 2],
      ['x'.repeat(306), 'GSM-7', 2],
      ['x'.repeat(307), 'GSM-7', 3],
      ['€'.repeat(80), 'GSM-7', 1],
      ['€'.repeat(81), 'GSM-7', 2],
      ['漢'.repeat(70), 'UCS-2', 1],
      ['漢'.repeat(71), 'UCS-2', 2],
      ['漢'.repeat(134), 'UCS-2', 2],
      ['漢'.repeat(135), 'UCS-2', 3],
      ['ESCALATED · automatic', 'UCS-2', 1],
    ];
    for (const [text, encoding, segments] of table) expect(smsSegments(text), `${text.slice(0, 3)}×${text.length}`).to.deep.equal({ encoding, segments });
  });

  it('agrees with Twilio\'s segment calculator (sms-segments-calculator) on 300 random texts', () => {
    const pool = ['a', 'Z', '0', ' ', '\n', '€', '[', '~', '^', 'é', 'ü', 'Δ', '·', '漢', '😀', '“', '…', 'ñ', '{', '|'];
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 300; i++) {
      const gsmOnly = i % 2 === 0;
      const chars = gsmOnly ? pool.slice(0, 12).concat(pool.slice(17)) : pool;
      const text = Array.from({ length: Math.floor(rnd() * 420) }, () => chars[Math.floor(rnd() * chars.length)]!).join('');
      const ref = new SegmentedMessage(text);
      expect(smsSegments(text), JSON.stringify(text)).to.deep.equal({ encoding: ref.encodingName, segments: ref.segmentsCount });
    }
  });

  it('maps typographic look-alikes to GSM-7', () => {
    expect(toGsm7('ESCALATED · automatic – “quoted” ‘x’ …')).to.equal('ESCALATED - automatic - "quoted" \'x\' ...');
    expect(smsSegments(toGsm7('a · b — c … d')).encoding).to.equal('GSM-7');
  });

  it('a page with the "ESCALATED · automatic" label goes in GSM-7, at most 2 segments, reply codes intact', () => {
    const long = 'Mail server down for the whole north campus since the power cut, and the backup MX is refusing connections from the relay';
    const text = smsText(page(long), 3);
    expect(text).to.match(/ESCALATED - automatic/).and.not.match(/·/);
    expect(smsSegments(text)).to.deep.equal({ encoding: 'GSM-7', segments: 2 });
    expect(text).to.match(/\nReply 3a=ack 3e=escalate 3c=resolve$/);
    expect(text).to.match(/\.\.\.\nReply/);
  });

  it('a short page stays whole in one or two segments', () => {
    const text = smsText(page('Printer jam'), 1);
    expect(text).to.not.match(/\.\.\.\n/);
    expect(smsSegments(text).segments).to.be.at.most(2);
  });

  it('a page whose title cannot be GSM-7 is cut to 2 UCS-2 segments (134 characters)', () => {
    const text = smsText(page('服务器宕机'.repeat(30)), 12);
    expect(smsSegments(text)).to.deep.equal({ encoding: 'UCS-2', segments: 2 });
    expect(text).to.match(/Reply 12a=ack 12e=escalate 12c=resolve$/);
  });

  it('fitSegments never splits a surrogate pair', () => {
    const out = fitSegments('😀'.repeat(200), '\nReply a');
    expect(out).to.not.match(/\p{Cs}/u);
    expect(smsSegments(out).segments).to.equal(2);
  });
});

describe('page text', () => {
  const at = (createdAt: string, now: string) =>
    escalationStepNotice({
      ticket: { id: 't1', number: 1042, title: 'Core switch down', priority: 'P1', impact: 'high', status: 'new', teamName: 'Service Desk', assigneeName: null, createdAt: new Date(createdAt), elevated: false, escalated: true, escalationKind: 'automatic' },
      escalation: { id: 'e1', kind: 'automatic' },
      stepIndex: 0,
      steps: 5,
      round: 0,
      channel: 'chat',
      urgent: true,
      now: new Date(now),
    }).text;
  it('a plan that starts on open says the ticket was just opened, not "not acknowledged after 0 min"', () => {
    expect(at('2026-11-23T10:00:00Z', '2026-11-23T10:00:02Z')).to.equal('ESC-1042 (P1, high impact) was just opened and is not acknowledged yet. Team: Service Desk. Assignee: unassigned. Escalation step 1 of 5.');
    expect(at('2026-11-23T10:00:00Z', '2026-11-23T10:30:00Z')).to.match(/has not been acknowledged after 30 min\./);
  });
});
