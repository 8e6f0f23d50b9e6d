import { expect } from 'chai';
import { createSlackWarRoom, SlackWarRoom } from '../../src/adapters/slack/slack-war-room.js';
import { WarRoomError, warRoomName } from '../../src/app/ports/war-room.js';
import type { WarRoomRef } from '../../src/app/ports/war-room.js';
import { loadSlackConfig } from '../../src/config/slack-env.js';
import type { Person } from '../../src/domain/directory.js';
import { FakeSlack } from '../far-side/fake-slack.js';
import { MemoryLogger } from '../support/harness.js';

const person = (id: string, extra: Partial<Person> = {}): Person => ({ id, name: id[0]!.toUpperCase() + id.slice(1), email: `${id}@demo.example.edu`, timeZone: 'UTC', roles: [], contacts: [], ...extra });

describe('Slack: war-room channels (against the local Slack API)', () => {
  let fake: FakeSlack;
  let apiUrl: string;
  const make = (env: Record<string, string> = {}) => createSlackWarRoom(new MemoryLogger(), loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: 'a'.repeat(32), SLACK_API_URL: apiUrl, ...env })!);
  const team = [person('erin', { slackId: 'U0ERIN' }), person('henry', { slackId: 'U0HENRY' }), person('vendor', { email: 'rep@vendor.example.com' })];
  before(async () => {
    fake = new FakeSlack('xoxb-test-token', { 'rep@vendor.example.com': 'U0VENDOR' });
    apiUrl = await fake.start();
  });
  after(() => fake.stop());

  it('opens a public channel named after the ticket, sets the topic and invites everyone (Slack id, else looked up by email)', async () => {
    const name = warRoomName('ESC-1042', 'Exam portal down');
    const room = await make().open({ name, topic: 'ESC-1042 major escalation · Erin Park', members: team });
    expect(room).to.deep.include({ platform: 'slack', name: 'war-esc-1042-exam-portal-down' });
    expect(room.id).to.match(/^C/);
    expect(room.url).to.include(room.id);
    const ch = fake.channels.get(room.id)!;
    expect(ch).to.deep.include({ isPrivate: false, topic: 'ESC-1042 major escalation · Erin Park' });
    expect([...ch.members].sort()).to.deep.equal(['U0ERIN', 'U0HENRY', 'U0VENDOR', 'UBOT']);
    expect(fake.callsOf('conversations.create').at(-1)!.params).to.include({ name, is_private: 'false' });
    expect(fake.callsOf('users.lookupByEmail').map((c) => c.params.email)).to.include('rep@vendor.example.com');
    expect(fake.calls.every((c) => c.token === 'xoxb-test-token')).to.equal(true);
  });

  it('is idempotent by name: name_taken finds the existing channel (across list pages) and reuses it', async () => {
    for (let i = 0; i < 5; i++) fake.seedChannel(`other-${i}`);
    const before = fake.channels.size;
    fake.listPageSize = 2;
    const wr = make();
    const again = await wr.open({ name: 'war-esc-1042-exam-portal-down', topic: 'ESC-1042 major escalation · Erin Park', members: team });
    expect(fake.channels.size).to.equal(before);
    const late = fake.seedChannel('war-esc-1043-late', { botMember: true });
    const listed2 = fake.callsOf('conversations.list').length;
    expect((await wr.open({ name: late.name, topic: 't', members: [] })).id).to.equal(late.id);
    expect(fake.callsOf('conversations.list').length - listed2, 'found on a later page').to.be.greaterThan(1);
    fake.listPageSize = 1000;
    expect(again.id).to.equal(fake.channelNamed('war-esc-1042-exam-portal-down')!.id);
    // Everyone was already in: the batch fails with already_in_channel and the one-by-one pass is quiet.
    expect(fake.channels.get(again.id)!.members.size).to.equal(4);
    // A channel someone else made (bot not a member) is joined; an archived one is left alone.
    const theirs = fake.seedChannel('war-esc-7-printer');
    const joined = await wr.open({ name: 'war-esc-7-printer', topic: 't', members: [] });
    expect(joined.id).to.equal(theirs.id);
    expect(theirs.members.has('UBOT')).to.equal(true);
    fake.seedChannel('war-esc-8-old', { archived: true, botMember: true });
    const fresh = await wr.open({ name: 'war-esc-8-old', topic: 't', members: [] });
    expect(fresh.name).to.equal('war-esc-8-old-2');
    expect(await wr.open({ name: 'war-esc-8-old', topic: 't', members: [] })).to.deep.include({ id: fresh.id, name: 'war-esc-8-old-2' });
  });

  it('private channels when SLACK_WAR_ROOM_PRIVATE=true', async () => {
    const room = await make({ SLACK_WAR_ROOM_PRIVATE: 'true' }).open({ name: 'war-esc-9-secret', topic: 'x', members: [] });
    expect(fake.channels.get(room.id)!.isPrivate).to.equal(true);
    expect(() => loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'a'.repeat(32), SLACK_WAR_ROOM_PRIVATE: 'yes' })).to.throw(/SLACK_WAR_ROOM_PRIVATE/);
  });

  it('returns the people it cannot reach instead of throwing; the others are invited', async () => {
    const wr = make();
    const room = await wr.open({ name: 'war-esc-10-invites', topic: 't', members: [] });
    fake.unknownUsers.add('U0GONE');
    const gone = person('gone', { slackId: 'U0GONE' });
    const noSlack = person('nobody', { email: 'nobody@elsewhere.example.org' });
    const r = await wr.invite(room, [team[0]!, gone, noSlack, team[1]!]);
    expect(r.unreachable.map((p) => p.id).sort()).to.deep.equal(['gone', 'nobody']);
    expect([...fake.channels.get(room.id)!.members].sort()).to.deep.equal(['U0ERIN', 'U0HENRY', 'UBOT']);
    expect((await wr.invite(room, [noSlack])).unreachable.map((p) => p.id)).to.deep.equal(['nobody']);
  });

  it('posts mrkdwn, pins the summary, uploads a file the current way into the channel', async () => {
    const wr = make();
    const room = await wr.open({ name: 'war-esc-11-post', topic: 't', members: [] });
    await wr.post(room, { text: '*ESC-11* summary: exam portal down', pin: true });
    const post = fake.callsOf('chat.postMessage').at(-1)!;
    expect(post.params).to.include({ channel: room.id, text: '*ESC-11* summary: exam portal down', mrkdwn: 'true' });
    const ch = fake.channels.get(room.id)!;
    expect(ch.pins).to.deep.equal([ch.messages[0]!.ts]);
    const pdf = Buffer.from('%PDF-1.7 after-action report bytes');
    await wr.post(room, { text: 'After-action report for ESC-11', file: { name: 'aar-esc-11.pdf', contentType: 'application/pdf', data: pdf, title: 'After-action report ESC-11' } });
    expect(fake.callsOf('files.getUploadURLExternal').at(-1)!.params).to.include({ filename: 'aar-esc-11.pdf', length: String(pdf.length) });
    const complete = fake.callsOf('files.completeUploadExternal').at(-1)!;
    expect(complete.params).to.include({ channel_id: room.id, initial_comment: 'After-action report for ESC-11' });
    const file = [...fake.files.values()].find((f) => f.filename === 'aar-esc-11.pdf')!;
    expect(file.bytes!.equals(pdf)).to.equal(true);
    expect(file).to.include({ contentType: 'application/pdf', title: 'After-action report ESC-11', channelId: room.id });
    // Pinned and with a file: the text is posted and pinned, the file follows.
    await wr.post(room, { text: 'Pinned with a chart', pin: true, file: { name: 'chart.png', contentType: 'image/png', data: Buffer.from([137, 80, 78, 71]) } });
    expect(ch.pins).to.have.length(2);
    expect([...fake.files.values()].find((f) => f.filename === 'chart.png')).to.include({ channelId: room.id, initialComment: null });
  });

  it('archives (twice is fine); posting to the archived room is a permanent WarRoomError', async () => {
    const wr = make();
    const room = await wr.open({ name: 'war-esc-12-archive', topic: 't', members: [] });
    await wr.archive(room);
    await wr.archive(room);
    expect(fake.channels.get(room.id)!.archived).to.equal(true);
    const err = await wr.post(room, { text: 'too late' }).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(WarRoomError);
    expect(err).to.include({ retryable: false, code: 'SLACK_IS_ARCHIVED' });
  });

  it('maps Slack errors: rate limits, 5xx and the network are retryable; auth and bad names are not', async function () {
    this.timeout(20_000);
    const wr = make();
    const room: WarRoomRef = { platform: 'slack', id: 'C404', name: 'gone' };
    const fail = async (p: Promise<unknown>) => (await p.then(() => null, (e: unknown) => e)) as WarRoomError;

    fake.fail('conversations.create', { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '1' } });
    expect(await fail(wr.open({ name: 'war-rl', topic: 't', members: [] }))).to.include({ retryable: true, code: 'SLACK_RATE_LIMITED' });

    fake.fail('chat.postMessage', { status: 503, body: { ok: false }, times: 10 });
    const e5 = await fail(wr.post({ ...room, id: fake.channelNamed('war-esc-11-post')!.id }, { text: 'x' }));
    expect(e5).to.include({ retryable: true, code: 'SLACK_HTTP_503' });
    fake.fail('chat.postMessage', { status: 200, body: { ok: true }, times: 0 });

    expect(await fail(wr.open({ name: 'War Room!', topic: 't', members: [] }))).to.include({ retryable: false, code: 'SLACK_INVALID_NAME_SPECIALS' });
    expect(await fail(wr.archive(room))).to.include({ retryable: false, code: 'SLACK_CHANNEL_NOT_FOUND' });
    const badToken = new SlackWarRoom(new (await import('@slack/bolt')).webApi.WebClient('xoxb-wrong', { slackApiUrl: apiUrl, retryConfig: { retries: 0 } }));
    expect(await fail(badToken.open({ name: 'war-x', topic: 't', members: [] }))).to.include({ retryable: false, code: 'SLACK_INVALID_AUTH' });

    const down = createSlackWarRoom(new MemoryLogger(), loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: 'a'.repeat(32), SLACK_API_URL: 'http://127.0.0.1:9/api/' })!);
    const net = await fail(down.archive(room));
    expect(net).to.be.instanceOf(WarRoomError);
    expect(net).to.include({ retryable: true, code: 'SLACK_UNREACHABLE' });
    expect(net.message).to.match(/conversations\.archive/);
  });
});
