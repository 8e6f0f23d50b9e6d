import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AarModel } from '../../domain/aar.js';

/** The bundled DejaVu fonts (never system fonts): they carry the arrows, dashes and accents people type. */
const require = createRequire(import.meta.url);
const FONT_DIR = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const REGULAR = join(FONT_DIR, 'DejaVuSans.ttf');
const BOLD = join(FONT_DIR, 'DejaVuSans-Bold.ttf');

const MARGIN = 50;
const INK = '#111827';
const MUTED = '#6b7280';
const RULE = '#d1d5db';

/**
 * Renders an after-action report as an A4 PDF with pdfkit: title, summary and key facts,
 * timeline, who did what, the action plan, updates sent and lessons; page numbers in the footer.
 */
export async function renderAarPdf(m: AarModel): Promise<Buffer> {
  // Loaded on first use: pdfkit and its fonts cost start-up time and memory most processes never need.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', margins: { top: MARGIN, bottom: MARGIN + 14, left: MARGIN, right: MARGIN }, bufferPages: true, info: { Title: m.title, Author: 'Esc', Subject: `After-action report ${m.ticketKey}`, CreationDate: m.generatedAt } });
  doc.registerFont('regular', REGULAR);
  doc.registerFont('bold', BOLD);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = doc.page.width - MARGIN * 2;
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const ensure = (h: number) => {
    if (doc.y + h > bottom()) doc.addPage();
  };
  const heading = (text: string) => {
    ensure(40);
    doc.moveDown(0.6).font('bold').fontSize(13).fillColor(INK).text(text, MARGIN, doc.y, { width });
    doc.moveTo(MARGIN, doc.y + 2).lineTo(MARGIN + width, doc.y + 2).strokeColor(RULE).lineWidth(0.7).stroke();
    doc.moveDown(0.5);
  };
  const para = (text: string, opts: { color?: string; size?: number; bold?: boolean } = {}) => {
    doc.font(opts.bold ? 'bold' : 'regular').fontSize(opts.size ?? 10);
    ensure(doc.heightOfString(text, { width }) + 2);
    doc.fillColor(opts.color ?? INK).text(text, MARGIN, doc.y, { width });
  };
  const bullet = (text: string) => {
    doc.font('regular').fontSize(10);
    const h = doc.heightOfString(text, { width: width - 14 });
    ensure(h + 2);
    const y = doc.y;
    doc.fillColor(INK).text('•', MARGIN, y).text(text, MARGIN + 14, y, { width: width - 14 });
  };
  /** A table row: every cell wraps; the row is as tall as its tallest cell. */
  const row = (cells: string[], widths: number[], opts: { bold?: boolean; size?: number } = {}) => {
    const size = opts.size ?? 9;
    doc.font(opts.bold ? 'bold' : 'regular').fontSize(size);
    const h = Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: widths[i]! - 6 }))) + 4;
    if (doc.y + h > bottom()) {
      doc.addPage();
      doc.font(opts.bold ? 'bold' : 'regular').fontSize(size);
    }
    const y = doc.y;
    let x = MARGIN;
    cells.forEach((c, i) => {
      doc.fillColor(opts.bold ? INK : INK).text(c, x, y + 2, { width: widths[i]! - 6 });
      x += widths[i]!;
    });
    doc.moveTo(MARGIN, y + h).lineTo(MARGIN + width, y + h).strokeColor(RULE).lineWidth(0.4).stroke();
    doc.x = MARGIN;
    doc.y = y + h;
  };

  // Title block
  doc.font('bold').fontSize(18).fillColor(INK).text('After-action report', MARGIN, MARGIN, { width });
  doc.font('bold').fontSize(13).text(`${m.ticketKey} ${m.ticketTitle}`, { width });
  doc.font('regular').fontSize(9).fillColor(MUTED).text(`Generated ${m.generated} from ${m.sourceEvents} timeline events · times in ${m.timeZone}`, { width });

  heading('Summary');
  for (const s of m.summary) para(s);
  doc.moveDown(0.4);
  const fw = [170, width - 170];
  for (const f of m.facts) row([f.label, f.value], fw, { size: 9.5 });

  heading('Timeline');
  const tw = [130, 110, width - 240];
  row(['Time', 'Who', 'What'], tw, { bold: true });
  for (const t of m.timeline) row([t.local, t.who ?? '—', t.what], tw);

  heading('Who did what');
  for (const p of m.people) {
    para(`${p.name}${p.roles.length ? ` — ${p.roles.join(', ')}` : ''}`, { bold: true, size: 10.5 });
    if (p.did.length === 0) para('No recorded actions.', { color: MUTED, size: 9 });
    for (const d of p.did) bullet(d);
    doc.moveDown(0.3);
  }

  heading('Action plan');
  if (m.actions.length === 0) para('No tasks were recorded.', { color: MUTED });
  else {
    const aw = [22, width - 22 - 85 - 105 - 105 - 80, 85, 105, 105, 80];
    row(['#', 'Task', 'Owner', 'Due', 'Done', 'State'], aw, { bold: true });
    for (const a of m.actions) row([String(a.n), a.title, a.owner, a.due, a.done ?? '—', a.state], aw);
  }

  heading('Updates sent');
  if (m.updates.length === 0) para('No updates were sent.', { color: MUTED });
  for (const u of m.updates) bullet(`${u.local}${u.by ? ` by ${u.by}` : ''} to ${u.recipients} stakeholders: ${u.text}`);

  heading('Lessons');
  for (const l of m.lessons) bullet(l);

  // Footer with page numbers on every page.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const savedBottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font('regular').fontSize(8).fillColor(MUTED).text(`${m.ticketKey} after-action report · Page ${i + 1} of ${range.count}`, MARGIN, doc.page.height - MARGIN + 10, { width, align: 'center', lineBreak: false });
    doc.page.margins.bottom = savedBottom;
  }
  doc.end();
  return done;
}
