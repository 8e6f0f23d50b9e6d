import { mkdirSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { REPORT_CSV_COLUMNS } from '../../src/domain/reports/report.js';
import type { FakeSlack } from '../far-side/fake-slack.js';
import { commandBody, postSlack } from '../far-side/slack-requests.js';
import { api } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';
import { startSlackEsc } from './slack-setup.js';

type Block = { type: string; text?: { type: string; text: string }; fields?: { text: string }[]; elements?: { text: string }[] };

describe('Slack: /esc report', () => {
  let esc: TestEsc;
  let fake: FakeSlack;
  let responseUrl: (id?: string) => string;
  before(async function () {
    this.timeout(30_000);
    ({ esc, fake, responseUrl } = await startSlackEsc());
    for (const [title, priority] of [['Projector dead, room 101', 'P1'], ['VPN "flaky"', 'P2'], ['Printer jam', 'P1']] as const) {
      expect((await api(esc.baseUrl, 'POST', '/api/tickets', { title, priority, teamId: 'service-desk', assigneeId: 'alice' })).status).to.equal(201);
    }
    esc.clock.advanceMinutes(45);
    await esc.settle();
  });
  after(async () => {
    await esc.stop();
    await fake.stop();
  });

  it('a team lead gets the figures in the channel, then the chart PNG and the CSV uploaded there', async function () {
    this.timeout(30_000);
    const url = responseUrl('report');
    const uploadsBefore = fake.files.size;
    const r = await postSlack(esc.baseUrl, commandBody({ text: 'report 7d team:service-desk', userId: 'U0CAROL', responseUrl: url, channelId: 'C0HELPDESK' }));
    expect(r.status).to.equal(200);
    const answer = await fake.waitFor(() => fake.responses.find((x) => x.path === '/response/report'), 15_000);
    expect(answer.body.response_type).to.equal('in_channel');
    const blocks = answer.body.blocks as Block[];
    expect(blocks.length).to.be.at.most(50);
    expect(blocks[0]!.type).to.equal('header');
    expect(blocks[0]!.text!.text).to.match(/^Esc report: 7 days to /);
    expect(blocks[0]!.text!.text.length).to.be.at.most(150);
    for (const b of blocks) {
      if (b.text) expect(b.text.text.length).to.be.at.most(3000);
      if (b.fields) expect(b.fields.length).to.be.at.most(10);
    }
    const text = JSON.stringify(blocks);
    for (const want of ['Response SLA', 'Resolution SLA', 'Breaches', 'Time to acknowledge', 'Time to resolve', 'Escalations by level', 'Escalations by kind', 'Acknowledged at', 'Acknowledged through', 'Acknowledged by (top 5)', 'Coordinator response', 'Satisfaction', 'Slowest tickets', 'team service-desk']) expect(text).to.include(want);
    expect(text).to.match(/3 opened, 0 resolved {2}\(↑ 3\)/);

    // Slack's upload flow: getUploadURLExternal ×2 → bytes to the upload_url → one completeUploadExternal.
    const complete = await fake.waitFor(() => fake.callsOf('files.completeUploadExternal')[0], 15_000);
    expect(fake.callsOf('files.getUploadURLExternal')).to.have.length(2);
    expect(complete.params.channel_id).to.equal('C0HELPDESK');
    expect(String(complete.params.initial_comment)).to.include('/esc report 7d team:service-desk');
    const files = [...fake.files.values()].slice(uploadsBefore);
    const png = files.find((f) => f.filename.endsWith('.png'))!;
    const csv = files.find((f) => f.filename.endsWith('.csv'))!;
    // Named by the period's last local day (Mon 23 Nov in Los Angeles), not the UTC date of its exclusive end.
    expect([png.filename, csv.filename]).to.deep.equal(['esc-report-7d-2026-11-23.png', 'esc-report-7d-2026-11-23.csv']);
    expect(png.channelId).to.equal('C0HELPDESK');
    expect(png.bytes!.length).to.equal(png.length);
    expect(png.bytes!.subarray(12, 16).toString('latin1')).to.equal('IHDR');
    expect([png.bytes!.readUInt32BE(16), png.bytes!.readUInt32BE(20)]).to.deep.equal([800, 400]);
    const lines = csv.bytes!.toString('utf8').split('\r\n').filter(Boolean);
    expect(lines[0]).to.equal(REPORT_CSV_COLUMNS.join(','));
    expect(lines).to.have.length(4);
    expect(csv.bytes!.toString('utf8')).to.include('"VPN ""flaky"""');
    mkdirSync('test-artifacts/reports', { recursive: true });
    writeFileSync('test-artifacts/reports/slack-upload.png', png.bytes!);
  });

  it('refuses a technician with a clear ephemeral message, and builds nothing', async () => {
    const before = fake.callsOf('files.getUploadURLExternal').length;
    const r = await postSlack(esc.baseUrl, commandBody({ text: 'report 30d', userId: 'U0ALICE', responseUrl: responseUrl('refused-report') }));
    expect(r.status).to.equal(200);
    const body = (await fake.waitFor(() => fake.responses.find((x) => x.path === '/response/refused-report'))).body as { response_type: string; text: string };
    expect(body.response_type).to.equal('ephemeral');
    expect(body.text).to.match(/^You can't run reports: only team leads, managers, escalation coordinators, escalation managers, executives or admins can\./);
    await new Promise((res) => setTimeout(res, 200));
    expect(fake.callsOf('files.getUploadURLExternal').length).to.equal(before);
  });

  it('says what is wrong with the arguments (ephemeral, with the usage)', async () => {
    const bad = await postSlack(esc.baseUrl, commandBody({ text: 'report 2026-11-30..2026-11-01', userId: 'U0DANA', responseUrl: responseUrl() }));
    expect(JSON.parse(bad.text).text).to.match(/starts after it ends[\s\S]*Usage: `\/esc report/);
    const url = responseUrl('noteam');
    await postSlack(esc.baseUrl, commandBody({ text: 'report team:nope', userId: 'U0DANA', responseUrl: url }));
    const answer = await fake.waitFor(() => fake.responses.find((x) => x.path === '/response/noteam'));
    expect(answer.body.response_type).to.equal('ephemeral');
    expect(String(answer.body.text)).to.match(/There is no team "nope"\. Teams: .*service-desk/);
  });

  it('when Esc may not post files in the channel, sends them to the person directly and says why', async function () {
    this.timeout(30_000);
    const url = responseUrl('dm');
    const before = fake.callsOf('files.completeUploadExternal').length;
    await postSlack(esc.baseUrl, commandBody({ text: 'report today', userId: 'U0ERIN', responseUrl: url, channelId: 'CMISSING01' }));
    await fake.waitFor(() => fake.responses.filter((x) => x.path === '/response/dm').length >= 2, 15_000);
    const [figures, notice] = fake.responses.filter((x) => x.path === '/response/dm');
    expect(figures!.body.response_type).to.equal('in_channel');
    expect(notice!.body.response_type).to.equal('ephemeral');
    expect(String(notice!.body.text)).to.include('not_in_channel').and.include('sent them to you directly');
    const completes = fake.callsOf('files.completeUploadExternal').slice(before);
    expect(completes.map((c) => c.params.channel_id)).to.deep.equal(['CMISSING01', 'DU0ERIN']);
  });
});
