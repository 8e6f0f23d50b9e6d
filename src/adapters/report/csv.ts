import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Options } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';
import type { ReportCsvRow } from '../../domain/reports/report.js';
import { REPORT_CSV_COLUMNS } from '../../domain/reports/report.js';

/**
 * The report's rows as CSV (RFC 4180): a header of REPORT_CSV_COLUMNS in that order, CRLF
 * line ends, fields holding a comma, quote or line break quoted with quotes doubled, times in
 * ISO 8601 UTC, booleans as true/false, nothing (null) as an empty field. Text starting
 * with = + - @ is prefixed with ' so a spreadsheet never runs a ticket title as a formula.
 */
const OPTIONS: Options = {
  header: true,
  columns: [...REPORT_CSV_COLUMNS],
  record_delimiter: 'windows',
  quote_record_delimiter: true,
  escape_formulas: true,
  cast: {
    boolean: (v) => (v ? 'true' : 'false'),
    date: (v) => v.toISOString(),
    number: (v) => (Number.isFinite(v) ? String(v) : ''),
  },
};

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8; header=present';

/** The whole CSV as a string (chat uploads, tests). */
export function reportCsv(rows: readonly ReportCsvRow[]): string {
  return stringifySync(rows as ReportCsvRow[], OPTIONS);
}

/** The CSV as a stream, for large exports over HTTP. */
export function reportCsvStream(rows: Iterable<ReportCsvRow> | AsyncIterable<ReportCsvRow>): Readable {
  return Readable.from(rows).pipe(stringify(OPTIONS));
}

/** A file name for the export: esc-report-30d-2026-11-23.csv, named by the period's last organisation-local day ('YYYY-MM-DD'). */
export function reportFileName(kind: 'csv' | 'png', periodName: string, lastDay: string): string {
  return `esc-report-${periodName.replace(/[^a-z0-9.-]+/gi, '-')}-${lastDay}.${kind}`;
}
