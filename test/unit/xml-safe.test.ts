import { expect } from 'chai';
import { callTwiml, sayAndHangUp } from '../../src/adapters/twilio/voice-twiml.js';
import { xmlSafe } from '../../src/adapters/twilio/xml-safe.js';
import type { Notice } from '../../src/domain/notice.js';

describe('xmlSafe: what TwiML may carry', () => {
  const table: [string, string][] = [
    ['plain', 'plain'],
    ['a\u000Bb\u000Cc\u0000d', 'abcd'],
    ['tab\tnl\ncr\r', 'tab\tnl\ncr\r'],
    ['\uFFFF\uFFFEx', 'x'],
    ['lone \ud800 and \udc00', 'lone  and '],
    ['pair \ud83d\ude00 kept', 'pair \ud83d\ude00 kept'],
    ['é ü 漢字 \uFFFD', 'é ü 漢字 \uFFFD'],
  ];
  for (const [input, want] of table) it(`${JSON.stringify(input)} -> ${JSON.stringify(want)}`, () => expect(xmlSafe(input)).to.equal(want));

  it('voice TwiML builds from a title and text with control characters', () => {
    expect(sayAndHangUp('hi\u000Bthere\uFFFF')).to.match(/<Say>hithere<\/Say>/);
    const notice = {
      ticket: { key: 'ESC-1', number: 1, title: 'Disk\u000C full\u0000', priority: 'P1', team: 'Service Desk', openedAt: new Date('2026-01-01T00:00:00Z'), status: 'new' },
      escalation: null,
      title: 't',
      text: 'x',
      facts: [],
      actions: ['acknowledge'],
      urgent: true,
    } as unknown as Notice;
    expect(callTwiml(notice, new Date('2026-01-01T01:00:00Z'), 'https://x/voice')).to.match(/Disk full\./);
  });
});
