/** `report`: SLA compliance, time to acknowledge, escalation figures, with a chart and CSV. */
import { authorize } from '../../authorize.js';
import { buildReport, reportCsvRows } from '../../use-cases/reports.js';
import { REPORT_USAGE, parseReportArgs } from '../report-args.js';
import { say } from '../answer.js';
import { command, Usage } from '../spec.js';

export const reportCommand = command({
  name: 'report',
  group: 'Reports (team leads, managers, coordinators, executives)',
  usage: REPORT_USAGE,
  summary: 'SLA figures, chart and CSV',
  example: 'report 7d team:service-desk',
  parse: (words) => {
    const r = parseReportArgs(words);
    return r.ok ? { query: r.query } : new Usage(`${r.problem}\nUsage: \`/esc ${REPORT_USAGE}\``);
  },
  run: async (deps, ctx, a) => {
    authorize(deps, ctx.actor, 'run_reports');
    const [report, rows] = await Promise.all([buildReport(deps, a.query), reportCsvRows(deps, a.query)]);
    return say(`Report: ${report.period.label}`, { kind: 'report', report, rows });
  },
});
