import express from 'express';
import type { Request, Response, Router } from 'express';
import type { AppDeps } from '../../app/deps.js';
import { ticketHistory } from '../../app/use-cases/history.js';
import { buildReport, reportCsvRows, validateReportQuery } from '../../app/use-cases/reports.js';
import { DomainError, isDomainError } from '../../domain/errors.js';
import { localDay } from '../../domain/reports/periods.js';
import type { ReportQuery } from '../../domain/reports/report.js';
import { requireTicketRef } from '../../domain/ticket-number.js';
import { CHART_SIZE, chartPng } from '../report/chart.js';
import { CSV_CONTENT_TYPE, reportCsvStream, reportFileName } from '../report/csv.js';
import { allow } from './auth.js';
import { ticketView } from './views.js';

type Handler = (req: Request, res: Response) => Promise<void>;
const h = (fn: Handler) => (req: Request, res: Response, next: (e?: unknown) => void) => fn(req, res).catch(next);

/** API query parameter → ReportQuery field. */
const PARAMS: Record<string, string> = { period: 'period', from: 'fromDay', to: 'toDay', team: 'teamId', priority: 'priority', plan: 'planId', channel: 'channel', kind: 'kind' };
const FIELD_TO_PARAM = Object.fromEntries(Object.entries(PARAMS).map(([p, f]) => [f, p]));

/**
 * Query parameters → a validated report query. A bad or unknown parameter is a 400 that names
 * it by its API name (`to`, not the use case's `toDay`).
 */
function queryOf(deps: AppDeps, req: Request): ReportQuery {
  const input: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.query)) {
    // Own properties only: `?constructor=1` must not find Object.prototype.constructor.
    const field = Object.hasOwn(PARAMS, k) ? PARAMS[k] : undefined;
    if (!field) throw new DomainError('VALIDATION', `Unknown query parameter "${k.slice(0, 40)}": use ${Object.keys(PARAMS).join(', ')}.`, { field: k.slice(0, 40) });
    if (typeof v !== 'string') throw new DomainError('VALIDATION', `${k}: give it once, as text.`, { field: k });
    if (v !== '') input[field] = v;
  }
  try {
    return validateReportQuery(deps, input);
  } catch (e) {
    if (!isDomainError(e) || e.code !== 'VALIDATION') throw e;
    const field = typeof e.details?.field === 'string' ? e.details.field : '';
    const param = (Object.hasOwn(FIELD_TO_PARAM, field) ? FIELD_TO_PARAM[field] : undefined) ?? field;
    const message = Object.entries(FIELD_TO_PARAM).reduce((m, [f, p]) => m.replace(new RegExp(`\\b${f}\\b`, 'g'), p), e.message);
    throw new DomainError('VALIDATION', message, { field: param });
  }
}

/**
 * Reports and ticket histories over the API (mounted inside the authenticated /api router).
 * Reports need the reports:read capability (admin, agent and viewer tokens).
 */
export function reportRouter(deps: AppDeps): Router {
  const r = express.Router();

  r.get('/reports', allow('reports:read'), h(async (req, res) => {
    res.json(await buildReport(deps, queryOf(deps, req)));
  }));

  r.get('/reports.csv', allow('reports:read'), h(async (req, res) => {
    const q = queryOf(deps, req);
    // Rows are computed before the first byte, so a failure is still a clean JSON error.
    const rows = await reportCsvRows(deps, q);
    res.status(200).type(CSV_CONTENT_TYPE).attachment(reportFileName('csv', q.period === 'custom' ? `${q.fromDay}..${q.toDay}` : q.period, localDay(deps.clock.now(), deps.directory().org.timeZone)));
    reportCsvStream(rows).pipe(res);
  }));

  r.get('/reports/chart.png', allow('reports:read'), h(async (req, res) => {
    const report = await buildReport(deps, queryOf(deps, req));
    const png = await chartPng(report, CHART_SIZE);
    res.status(200).type('image/png').set('Cache-Control', 'private, no-store').send(png);
  }));

  r.get('/tickets/:ref/history', allow('tickets:read'), h(async (req, res) => {
    const raw = String(req.params.ref);
    const ref = /^[0-9a-f-]{36}$/i.test(raw) ? raw : requireTicketRef(raw);
    const history = await ticketHistory(deps, ref);
    res.json({ ticket: ticketView(history.ticket, deps.directory(), deps.clock.now()), key: history.key, rows: history.rows });
  }));

  return r;
}
