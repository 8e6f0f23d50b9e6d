import { mkdirSync, writeFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { expect } from 'chai';
import { CHART_SIZE, chartPng, chartSpec, pngSize } from '../../src/adapters/report/chart.js';
import { reportCsv } from '../../src/adapters/report/csv.js';
import { duration, headlines } from '../../src/adapters/report/format.js';
import { parseReportArgs, reportArgsText, reportQueryString } from '../../src/app/chatops/report-args.js';
import { historyLinesFor, reportBlocks } from '../../src/adapters/slack/report-blocks.js';
import { MAX_INLINE_CHART_BYTES, reportCard, teamsChart } from '../../src/adapters/teams/report-card.js';
import { cardBytes, MAX_CARD_BYTES } from '../../src/adapters/teams/teams-cards.js';
import type { TicketHistory } from '../../src/app/use-cases/history.js';
import { REPORT_CSV_COLUMNS } from '../../src/domain/reports/report.js';
import type { ReportQuery } from '../../src/domain/reports/report.js';
import { makeTicket } from '../fixtures/domain.js';
import { sampleCsvRows, sampleReport } from '../fixtures/report-sample.js';

/** A strict RFC 4180 reader (quoted fields, doubled quotes, CRLF records) for checking our output. */
function parseCsv(text: string, _opts: { columns: true }): Record<string, string>[] {
  const records: string[][] = [];
  let field = '';
  let rec: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else field += text[i++];
      }
    } else if (text[i] === ',') {
      rec.push(field);
      field = '';
      i++;
    } else if (text[i] === '\r' && text[i + 1] === '\n') {
      rec.push(field);
      records.push(rec);
      rec = [];
      field = '';
      i += 2;
    } else field += text[i++];
  }
  const [head, ...rows] = records;
  return rows.map((r) => Object.fromEntries(head!.map((h, j) => [h, r[j]!])));
}

/** Every chunk of a PNG, checked: signature, lengths, and the image data inflates to the size IHDR says. */
function checkPng(png: Buffer): { width: number; height: number; colourType: number } {
  expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).to.equal(true);
  let o = 8;
  const idat: Buffer[] = [];
  let ihdr: Buffer | null = null;
  let end = false;
  while (o < png.length) {
    const len = png.readUInt32BE(o);
    const type = png.subarray(o + 4, o + 8).toString('latin1');
    const data = png.subarray(o + 8, o + 8 + len);
    if (type === 'IHDR') ihdr = data;
    if (type === 'IDAT') idat.push(data);
    if (type === 'IEND') end = true;
    o += 12 + len;
  }
  expect(end, 'IEND').to.equal(true);
  const width = ihdr!.readUInt32BE(0);
  const height = ihdr!.readUInt32BE(4);
  const colourType = ihdr![9]!;
  const bpp = colourType === 3 ? 1 : colourType === 6 ? 4 : colourType === 2 ? 3 : 0;
  expect(inflateSync(Buffer.concat(idat)).length, 'decoded bytes').to.equal(height * (width * bpp + 1));
  return { width, height, colourType };
}

describe('report renderers', () => {
  describe('chart PNG', () => {
    it('renders 800×400 (decoded) for 30 days and a year, and saves copies to look at', async function () {
      this.timeout(30_000);
      mkdirSync('test-artifacts/reports', { recursive: true });
      for (const [days, name] of [[30, 'chart-30d'], [365, 'chart-year'], [1, 'chart-today']] as const) {
        const png = await chartPng(sampleReport({}, days));
        expect(pngSize(png)).to.deep.equal(CHART_SIZE);
        expect(checkPng(png)).to.deep.include({ width: 800, height: 400, colourType: 3 });
        writeFileSync(`test-artifacts/reports/${name}.png`, png);
      }
      const full = await chartPng(sampleReport(), { width: 640, height: 320 }, { compact: false });
      expect(checkPng(full)).to.deep.include({ width: 640, height: 320, colourType: 6 });
    });

    it('titles the chart with the period and the filters; a year is summed by week', () => {
      const spec = JSON.stringify(chartSpec(sampleReport()));
      expect(spec).to.include('30 days to Tue 24 Nov 2026').and.include('team service-desk · P1');
      expect(JSON.stringify(chartSpec(sampleReport({ teamId: undefined, priority: undefined }, 365)))).to.include('utcyearweek').and.include('all tickets');
    });
  });

  describe('CSV', () => {
    it('has the documented columns in order, ISO times, and RFC 4180 quoting', () => {
      const csv = reportCsv(sampleCsvRows());
      const lines = csv.split('\r\n');
      expect(lines[0]).to.equal(REPORT_CSV_COLUMNS.join(','));
      expect(csv.endsWith('\r\n')).to.equal(true);
      // The title with a comma, quotes and a line break is one quoted field, quotes doubled.
      expect(csv).to.include('"Printer, 2nd floor: ""jammed""\nagain"');
      const rows = parseCsv(csv, { columns: true }) as Record<string, string>[];
      expect(rows).to.have.length(2);
      expect(Object.keys(rows[0]!)).to.deep.equal([...REPORT_CSV_COLUMNS]);
      expect(rows[1]!.title).to.equal('Printer, 2nd floor: "jammed"\nagain');
      expect(rows[0]!.opened_at).to.equal('2026-11-20T10:00:00.000Z');
      expect(rows[0]!.response_breached).to.equal('false');
      expect(rows[1]!.response_breached).to.equal('true');
      expect(rows[0]!.resolved_at).to.equal('');
      expect(rows[1]!.satisfaction).to.equal('4');
    });

    it('writes the header when there are no rows, and defuses formulas', () => {
      expect(reportCsv([])).to.equal(`${REPORT_CSV_COLUMNS.join(',')}\r\n`);
      const csv = reportCsv([{ ...sampleCsvRows()[0]!, title: '=HYPERLINK("http://x","y")' }]);
      expect((parseCsv(csv, { columns: true }) as Record<string, string>[])[0]!.title).to.equal('\'=HYPERLINK("http://x","y")');
    });
  });

  describe('chat grammar', () => {
    it('reads periods and filters in any order', () => {
      expect(parseReportArgs([])).to.deep.equal({ ok: true, query: { period: '7d' } });
      expect(parseReportArgs(['team:service-desk', '7d', 'priority:p1', 'kind:manager_request', 'channel:Slack', 'plan:standard'])).to.deep.equal({
        ok: true,
        query: { period: '7d', teamId: 'service-desk', priority: 'P1', kind: 'manager_request', channel: 'slack', planId: 'standard' },
      });
      const custom = parseReportArgs(['2026-11-01..2026-11-30']);
      expect(custom).to.deep.equal({ ok: true, query: { period: 'custom', fromDay: '2026-11-01', toDay: '2026-11-30' } });
      expect(reportArgsText((custom as { ok: true; query: ReportQuery }).query)).to.equal('2026-11-01..2026-11-30');
      expect(reportQueryString({ period: 'custom', fromDay: '2026-11-01', toDay: '2026-11-30', teamId: 'a b' })).to.equal('period=custom&from=2026-11-01&to=2026-11-30&team=a+b');
    });

    it('says what is wrong', () => {
      const problem = (w: string[]) => (parseReportArgs(w) as { problem: string }).problem;
      expect(problem(['2026-02-30..2026-03-01'])).to.include('"2026-02-30" is not a date');
      expect(problem(['2026-11-30..2026-11-01'])).to.include('starts after it ends');
      expect(problem(['7d', '30d'])).to.include('one period');
      expect(problem(['priority:P9'])).to.include('not a priority');
      expect(problem(['kind:urgent'])).to.include('automatic, manager_request, major, elevated');
      expect(problem(['channel:fax'])).to.include('not a channel');
      expect(problem(['P1'])).to.include('priority:P1');
      expect(problem(['yesterday'])).to.include("don't understand");
      expect(problem(['team:'])).to.include('Say which team');
    });
  });

  describe('Slack blocks', () => {
    it('fit Slack: ≤ 50 blocks, header ≤ 150, sections ≤ 3000, fields ≤ 10 × 2000; with the changes', () => {
      const r = sampleReport();
      r.period.label = 'x'.repeat(400);
      r.figures.slowest = r.figures.slowest.map((t) => ({ ...t, title: 'y'.repeat(5000) }));
      r.figures.satisfaction.comments = Array.from({ length: 10 }, (_, i) => ({ key: `ESC-${i}`, score: 3, comment: 'z'.repeat(5000), at: new Date() }));
      const blocks = reportBlocks(r);
      expect(blocks.length).to.be.at.most(50);
      for (const b of blocks as { type: string; text?: { text: string }; fields?: { text: string }[] }[]) {
        if (b.type === 'header') expect(b.text!.text.length).to.be.at.most(150);
        if (b.text) expect(b.text.text.length).to.be.at.most(3000);
        if (b.fields) {
          expect(b.fields.length).to.be.at.most(10);
          for (const f of b.fields) expect(f.text.length).to.be.at.most(2000);
        }
      }
      const text = JSON.stringify(reportBlocks(sampleReport()));
      expect(text).to.include('91.7%').and.include('↑ 3.5 pts').and.include('p50 12m · p90 1h 35m (110)').and.include('Alice Ng 40').and.include('ESC-1000');
      expect(text).to.not.include('Frank Li'); // top 5 only
    });

    it('long histories are cut with "N more — see the API"', () => {
      const ticket = makeTicket('new', { number: 7, title: 'T' });
      const h: TicketHistory = { ticket, key: 'ESC-7', zone: 'UTC', rows: Array.from({ length: 200 }, (_, i) => ({ at: new Date(Date.UTC(2026, 10, 1, 0, i)), kind: 'comment' as const, text: `row ${i}`, by: null, via: null, event: 'ticket.commented' })) };
      const lines = historyLinesFor(h);
      expect(lines).to.have.length(62);
      expect(lines.join('\n')).to.include('140 more — see the API: GET /api/tickets/ESC-7/history').and.include('row 199').and.include('row 0');
    });
  });

  describe('Teams card', () => {
    it('is a report card with the chart inline under 20 KB', async function () {
      this.timeout(30_000);
      for (const days of [7, 30, 90, 365]) {
        const chart = await teamsChart(sampleReport({}, days));
        expect(chart.url, `${days} days: ${chart.bytes} bytes`).to.match(/^data:image\/png;base64,/);
        expect(chart.bytes).to.be.at.most(MAX_INLINE_CHART_BYTES);
        const card = reportCard(sampleReport({}, days), chart);
        expect(cardBytes(card)).to.be.below(MAX_CARD_BYTES);
        expect(JSON.stringify(card)).to.not.match(/"\$(when|data)"/);
      }
      const noChart = JSON.stringify(reportCard(sampleReport(), { url: null }));
      expect(noChart).to.include('/api/reports/chart.png?period=30d').and.not.include('"Image"');
    });

    it('shows the headline figures', () => {
      const json = JSON.stringify(reportCard(sampleReport(), { url: null }));
      for (const h of headlines(sampleReport())) expect(json).to.include(h.label);
      expect(duration(95 * 60_000)).to.equal('1h 35m');
      expect(duration(50 * 3_600_000)).to.equal('2d 2h');
    });
  });
});
