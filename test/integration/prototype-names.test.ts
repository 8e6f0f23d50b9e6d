import { expect } from 'chai';
import { parseReportArgs } from '../../src/adapters/report/report-args.js';
import { checkText } from '../../src/app/chatops/catalog.js';
import { parseSmsReply } from '../../src/adapters/twilio/sms-text.js';
import { api, startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

const PROTO = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

/** Issue 12 item 6: names from the outside are looked up as own properties, never on Object.prototype. */
describe('query names and words that are Object.prototype members', () => {
  let esc: TestEsc;
  before(async () => {
    esc = await startTestEsc();
  });
  after(async () => {
    await esc.stop();
  });

  it('GET /api/reports?constructor=1 (and the CSV, the chart) is a 400 naming the parameter', async () => {
    for (const name of PROTO) {
      for (const path of ['/api/reports', '/api/reports.csv', '/api/reports/chart.png']) {
        const r = await api(esc.baseUrl, 'GET', `${path}?${name}=1`);
        expect(r.status, `${path}?${name}`).to.equal(400);
        expect(String(r.body.message)).to.include(`Unknown query parameter "${name}"`);
      }
    }
  });

  it('chat report words, slash-command names and SMS replies that are prototype names are refused', () => {
    for (const w of PROTO) {
      const r = parseReportArgs([w]);
      expect(r.ok, w).to.equal(false);
      expect(parseSmsReply(w), `sms ${w}`).to.equal(null);
      expect(parseSmsReply(`${w} ESC-1042`), `sms ${w} ESC-1042`).to.equal(null);
      expect(checkText(w)?.ok, `/esc ${w}`).to.equal(false);
    }
  });
});
