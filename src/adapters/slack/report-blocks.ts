import { DateTime } from 'luxon';
import type { App, RespondFn } from '@slack/bolt';
import type { HistoryRow, TicketHistory } from '../../app/use-cases/history.js';
import { localDay } from '../../domain/reports/periods.js';
import type { Report, ReportCsvRow } from '../../domain/reports/report.js';
import { chartPng, filterLabel } from '../report/chart.js';
import { reportCsv, reportFileName } from '../report/csv.js';
import { reportArgsText, reportQueryString } from '../../app/chatops/report-args.js';
import { breakdowns, headlines, periodLine, slowLine } from '../report/format.js';
import type { Block } from './blocks.js';
import { MAX_BLOCKS, MAX_SECTION_TEXT, clip, context, esc, section } from './blocks.js';

/** Block Kit limits kept here (Slack refuses the whole message otherwise). */
export const MAX_HEADER_TEXT = 150;
const MAX_FIELDS = 10;
const MAX_FIELD_TEXT = 2000;

function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: clip(text, MAX_HEADER_TEXT), emoji: true } };
}

function fields(items: { label: string; value: string }[]): Block {
  return { type: 'section', fields: items.slice(0, MAX_FIELDS).map((f) => ({ type: 'mrkdwn', text: clip(`*${esc(f.label)}*\n${esc(f.value)}`, MAX_FIELD_TEXT) })) };
}

/** Lines under a bold title as one section, cut to fit 3,000 characters. */
function listSection(title: string, lines: string[]): Block {
  let text = `*${esc(title)}*`;
  for (const [i, l] of lines.entries()) {
    const more = `\n_…and ${lines.length - i} more_`;
    if (text.length + l.length + 1 > MAX_SECTION_TEXT - more.length) return section(text + more);
    text += `\n${l}`;
  }
  return section(text);
}

/**
 * A report as Block Kit: the headline figures with their change against the previous period,
 * the breakdowns, the slowest tickets and the latest feedback. At most a dozen blocks.
 */
export function reportBlocks(report: Report, opts: { attachments?: string } = {}): Block[] {
  const f = report.figures;
  const blocks: Block[] = [
    header(`Esc report: ${report.period.label}`),
    context(esc(`${filterLabel(report)} · ${periodLine(report)}`)),
    fields(headlines(report).map((h) => ({ label: h.label, value: h.change ? `${h.value}  (${h.change})` : h.value }))),
    { type: 'divider' },
    fields(breakdowns(report)),
  ];
  if (f.slowest.length > 0) {
    blocks.push(
      listSection(
        'Slowest tickets',
        f.slowest.slice(0, 10).map((t) => {
          const l = slowLine(t);
          return `• *${esc(l.key)}* ${esc(clip(t.title.replace(/\s+/g, ' '), 80))} · ${esc(l.text)}`;
        }),
      ),
    );
  }
  if (f.satisfaction.comments.length > 0) {
    blocks.push(listSection('Feedback', f.satisfaction.comments.slice(0, 5).map((c) => `• ${esc(c.key)} ${'★'.repeat(Math.max(0, Math.min(5, Math.round(c.score))))}${'☆'.repeat(Math.max(0, 5 - Math.round(c.score)))} “${esc(clip(c.comment.replace(/\s+/g, ' '), 300))}”`)));
  }
  blocks.push(context(esc(`${opts.attachments ? `${opts.attachments} · ` : ''}generated ${report.generatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`)));
  return blocks.slice(0, MAX_BLOCKS);
}

/** The plain-text fallback of the report message (notifications, screen readers). */
export function reportFallbackText(report: Report): string {
  const h = headlines(report);
  return clip(`Esc report, ${report.period.label} (${filterLabel(report)}): ${h.slice(0, 4).map((x) => `${x.label} ${x.value}`).join('; ')}`, MAX_SECTION_TEXT);
}

const HISTORY_ICONS: Record<HistoryRow['kind'], string> = {
  created: ':new:',
  step: ':bell:',
  notified: ':email:',
  acknowledged: ':white_check_mark:',
  request: ':raising_hand:',
  coordinator: ':busts_in_silhouette:',
  escalation: ':arrow_up:',
  major: ':rotating_light:',
  comment: ':speech_balloon:',
  change: ':arrows_counterclockwise:',
  sla: ':alarm_clock:',
  feedback: ':star:',
  resolved: ':heavy_check_mark:',
  other: ':small_blue_diamond:',
};

/** Lines shown in Slack before the rest is left to the API. */
export const HISTORY_MAX_LINES = 60;

/**
 * A ticket's history as lines for `linesBlocks` (sections of ≤ 3,000 characters, ≤ 50
 * blocks). A long history keeps its first and latest rows and says how many more the API has.
 */
export function historyLinesFor(h: TicketHistory, max = HISTORY_MAX_LINES): string[] {
  const zone = h.zone || 'UTC';
  const line = (r: HistoryRow) => clip(`${HISTORY_ICONS[r.kind]} \`${DateTime.fromJSDate(r.at, { zone }).toFormat('MM-dd HH:mm')}\` ${esc(r.text)}`, 900);
  const head = `*History of ${h.key}: ${esc(clip(h.ticket.title, 150))}* (times ${DateTime.fromJSDate(h.rows[h.rows.length - 1]?.at ?? h.ticket.createdAt, { zone }).toFormat('ZZZZ')}, ${zone})`;
  if (h.rows.length <= max) return [head, ...h.rows.map(line)];
  const first = 5;
  const last = max - first;
  const hidden = h.rows.length - first - last;
  return [head, ...h.rows.slice(0, first).map(line), `_… ${hidden} more — see the API: GET /api/tickets/${h.key}/history_`, ...h.rows.slice(-last).map(line)];
}

type SlackClient = App['client'];

/** One file to upload: its name, title and bytes. */
export interface SlackFile {
  filename: string;
  title: string;
  bytes: Buffer;
}

/**
 * Slack's current upload flow: files.getUploadURLExternal for each file, the bytes POSTed to
 * the upload_url it returns, then one files.completeUploadExternal sharing them all to the
 * channel with a comment. Throws the Web API error (e.g. not_in_channel) when sharing fails.
 */
export async function uploadFiles(client: SlackClient, channelId: string, files: SlackFile[], initialComment: string): Promise<string[]> {
  const done: { id: string; title: string }[] = [];
  for (const f of files) {
    const r = await client.files.getUploadURLExternal({ filename: f.filename, length: f.bytes.length });
    if (!r.upload_url || !r.file_id) throw new Error('files.getUploadURLExternal returned no upload_url');
    const res = await fetch(r.upload_url, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: f.bytes, signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`upload to Slack failed: HTTP ${res.status}`);
    done.push({ id: r.file_id, title: f.title });
  }
  const [first, ...rest] = done;
  if (!first) return [];
  await client.files.completeUploadExternal({ files: [first, ...rest], channel_id: channelId, initial_comment: clip(initialComment, 3000) });
  return done.map((d) => d.id);
}

const slackErrorCode = (err: unknown) => (err as { data?: { error?: string } })?.data?.error ?? (err instanceof Error ? err.message : String(err));

/**
 * Posts a report where `/esc report` was typed: the figures as blocks in the channel, then the
 * chart PNG and the CSV uploaded there. When Esc may not post files in that channel, they go
 * to the person's DM instead and the person is told why.
 */
export async function postSlackReport(args: { client: SlackClient; respond: RespondFn; channelId: string; userId: string; report: Report; rows: readonly ReportCsvRow[] }): Promise<{ uploadedTo: string | null }> {
  const { client, respond, report } = args;
  const period = report.query.period === 'custom' ? `${report.query.fromDay}..${report.query.toDay}` : report.query.period;
  await respond({ response_type: 'in_channel', replace_original: false, text: reportFallbackText(report), blocks: reportBlocks(report, { attachments: 'chart and CSV below' }) as never });
  // Named by the last day in the period, in the organisation's time zone (`to` is the next midnight).
  const lastDay = localDay(report.period.to.getTime() - 1, report.timeZone);
  const files: SlackFile[] = [
    { filename: reportFileName('png', period, lastDay), title: `Escalations: ${report.period.label}`, bytes: await chartPng(report) },
    { filename: reportFileName('csv', period, lastDay), title: `Tickets: ${report.period.label} (CSV)`, bytes: Buffer.from(reportCsv(args.rows), 'utf8') },
  ];
  const comment = `Chart and CSV for \`/esc report ${reportArgsText(report.query)}\`: ${report.period.label}, ${filterLabel(report)}.`;
  try {
    await uploadFiles(client, args.channelId, files, comment);
    return { uploadedTo: args.channelId };
  } catch (err) {
    const why = slackErrorCode(err);
    try {
      const dm = await client.conversations.open({ users: args.userId });
      const dmId = dm.channel?.id;
      if (!dmId) throw err;
      await uploadFiles(client, dmId, files, comment);
      await respond({ response_type: 'ephemeral', replace_original: false, text: `I could not post the chart and CSV in this channel (${why}); I sent them to you directly. Invite me to the channel to share them here.` });
      return { uploadedTo: dmId };
    } catch {
      await respond({ response_type: 'ephemeral', replace_original: false, text: `I could not upload the chart and CSV (${why}). Get them from the API: GET /api/reports/chart.png?${reportQueryString(report.query)} and GET /api/reports.csv?${reportQueryString(report.query)}` });
      return { uploadedTo: null };
    }
  }
}
