import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { Report } from '../../domain/reports/report.js';
import { encodeIndexedPng, inkPalette } from './png-palette.js';

/**
 * The report chart as a PNG, rendered on the server without a browser: a vega-lite spec,
 * compiled to vega, drawn to SVG by vega's headless View, rasterised by resvg with the
 * bundled DejaVu fonts (never system fonts, never the network).
 */

export const CHART_FONT = 'DejaVu Sans';
export const CHART_SIZE = { width: 800, height: 400 } as const;

const require = createRequire(import.meta.url);
const FONT_DIR = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'].map((f) => join(FONT_DIR, f));

/** Every colour the chart draws with (on white): the compact PNG's palette is built from them. */
const INK = { text: '#1a202c', subtle: '#4a5568', axis: '#888888', grid: '#dddddd' } as const;

const SERIES = [
  { field: 'opened', name: 'Opened', colour: '#2b6cb0' },
  { field: 'acknowledged', name: 'Acknowledged', colour: '#2f855a' },
  { field: 'responseBreaches', name: 'Response breaches', colour: '#c53030' },
] as const;

/** The filters of a report as a person reads them ("team service-desk · P1"), or "all tickets". */
export function filterLabel(report: Pick<Report, 'query'>): string {
  const q = report.query;
  const parts = [q.teamId && `team ${q.teamId}`, q.priority, q.planId && `plan ${q.planId}`, q.channel && `from ${q.channel}`, q.kind && q.kind.replace('_', ' ')].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : 'all tickets';
}

/** The vega-lite spec of the chart: daily opened, acknowledged and response breaches. */
export function chartSpec(report: Report, size: { width: number; height: number } = CHART_SIZE): TopLevelSpec {
  const values = report.daily.flatMap((d) => SERIES.map((s) => ({ day: d.day, series: s.name, count: d[s.field] })));
  const many = report.daily.length > 45;
  // Over a quarter, days are too many to read: sum them by week.
  const weekly = report.daily.length > 92;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: size.width,
    height: size.height,
    autosize: { type: 'fit', contains: 'padding' },
    padding: 12,
    background: '#ffffff',
    title: { text: `Escalations: ${report.period.label}`, subtitle: `${filterLabel(report)} · ${weekly ? 'weekly totals' : 'daily'} · days in ${report.timeZone}`, anchor: 'start', fontSize: 16, subtitleFontSize: 12, color: INK.text, subtitleColor: INK.subtle },
    data: { values },
    mark: { type: 'line', point: !many || (weekly && report.daily.length <= 400), strokeWidth: 2, interpolate: 'linear' },
    encoding: {
      // Days are organisation-local calendar days ('YYYY-MM-DD'): read and shown in UTC so no
      // server time zone shifts them.
      x: { field: 'day', type: 'temporal', timeUnit: weekly ? 'utcyearweek' : 'utcyearmonthdate', title: null, axis: { format: weekly ? '%b %Y' : '%d %b', labelOverlap: true, grid: false, tickCount: Math.min(12, Math.max(1, report.daily.length)) } },
      y: { field: 'count', aggregate: 'sum', type: 'quantitative', title: weekly ? 'tickets per week' : 'tickets per day', axis: { tickMinStep: 1, format: 'd' } },
      color: { field: 'series', type: 'nominal', title: null, sort: SERIES.map((s) => s.name), scale: { domain: SERIES.map((s) => s.name), range: SERIES.map((s) => s.colour) }, legend: { orient: 'top', direction: 'horizontal', labelLimit: 400, symbolType: 'stroke', symbolStrokeWidth: 3 } },
    },
    config: { font: CHART_FONT, view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 11, labelColor: INK.text, titleColor: INK.text, domainColor: INK.axis, tickColor: INK.axis, gridColor: INK.grid }, legend: { labelFontSize: 12, labelColor: INK.text } },
  };
}

/** The chart as SVG text (vega's headless renderer: no DOM, no canvas). */
export async function chartSvg(report: Report, size: { width: number; height: number } = CHART_SIZE): Promise<string> {
  // Loaded on first use: vega-canvas (under vega) has a top-level await, which a CommonJS
  // load of this module (mocha's require of a test file) cannot take; import() can.
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const { spec } = vl.compile(chartSpec(report, size));
  const view = new vega.View(vega.parse(spec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The chart as a PNG of exactly `size` pixels (at 1x). */
export async function chartPng(report: Report, size: { width: number; height: number } = CHART_SIZE, opts: { compact?: boolean } = { compact: true }): Promise<Buffer> {
  const [svg, { Resvg }] = await Promise.all([chartSvg(report, size), import('@resvg/resvg-js')]);
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'width', value: size.width },
    background: '#ffffff',
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
  });
  const image = resvg.render();
  const png = opts.compact
    ? encodeIndexedPng(image.pixels, image.width, image.height, inkPalette([INK.text, INK.subtle, INK.axis, INK.grid, ...SERIES.map((x) => x.colour)]))
    : Buffer.from(image.asPng());
  const got = pngSize(png);
  // autosize 'fit' makes vega's drawing exactly the requested size; anything else is a bug here.
  if (got.width !== size.width || got.height !== size.height) throw new Error(`chart rendered at ${got.width}x${got.height}, expected ${size.width}x${size.height}`);
  return png;
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.length < 24 || png.readUInt32BE(0) !== 0x89504e47 || png.subarray(12, 16).toString('latin1') !== 'IHDR') throw new Error('not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
