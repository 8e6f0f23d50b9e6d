import type { webApi } from '@slack/bolt';
import { ErrorCode, WebClient } from './bolt.js';
import type { Logger } from '../../app/deps.js';
import type { WarRoomMessage, WarRoomOpenArgs, WarRoomPort, WarRoomRef } from '../../app/ports/war-room.js';
import { WarRoomError } from '../../app/ports/war-room.js';
import type { Person } from '../../domain/directory.js';
import type { SlackConfig } from '../../config/slack-env.js';
import { esc } from './blocks.js';
import { boltLogger, webClientOptions } from './web-client.js';

/** Slack errors worth trying again; every other platform error is permanent. */
const RETRYABLE = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);
/** Invite outcomes that mean "this person is not reachable here", not "the call failed". */
const UNREACHABLE = new Set(['user_not_found', 'users_not_found', 'cant_invite', 'user_is_restricted', 'user_is_ultra_restricted', 'ura_max_channels', 'user_disabled', 'cant_invite_self', 'not_allowed_token_type']);
/** A full page is 1,000 channels; past this many pages the name is not worth searching for. */
const MAX_LIST_PAGES = 20;

/** Maps any Web API failure to a WarRoomError: retryable for rate limits, 5xx and the network. */
export function warRoomError(err: unknown, what: string): WarRoomError {
  if (err instanceof WarRoomError) return err;
  const e = err as { code?: string; data?: { error?: string }; statusCode?: number; message?: string };
  const message = `Slack ${what}: ${e.message ?? String(err)}`;
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return new WarRoomError(message, true, 'SLACK_RATE_LIMITED');
    case ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown';
      return new WarRoomError(message, RETRYABLE.has(code), `SLACK_${code.toUpperCase()}`);
    }
    case ErrorCode.HTTPError:
      return new WarRoomError(message, (e.statusCode ?? 500) >= 500, `SLACK_HTTP_${e.statusCode ?? 0}`);
    case ErrorCode.RequestError:
      return new WarRoomError(message, true, 'SLACK_UNREACHABLE');
    default:
      return new WarRoomError(message, true, 'SLACK_ERROR');
  }
}

/** The Slack error string of a platform error, or null. */
function slackCode(err: unknown): string | null {
  const e = err as { code?: string; data?: { error?: string } };
  return e.code === ErrorCode.PlatformError ? (e.data?.error ?? null) : null;
}

/**
 * War rooms as Slack channels (issue 7): conversations.create (public unless configured
 * private), topic, invites, pinned summary, files through the external-upload flow, archive.
 * `open` is idempotent by name: when the name is taken, the existing channel is reused (an
 * archived one is left alone and `-2`, `-3`… are tried instead).
 */
export class SlackWarRoom implements WarRoomPort {
  readonly platform = 'slack' as const;
  private readonly emailToUser = new Map<string, string | null>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly opts: { privateChannels?: boolean; log?: Logger; fetch?: typeof fetch } = {},
  ) {}

  async open(args: WarRoomOpenArgs): Promise<WarRoomRef> {
    const isPrivate = !!args.private || (this.opts.privateChannels ?? false);
    const channel = await this.createOrReuse(args.name, isPrivate, !!args.private);
    const room: WarRoomRef = { platform: 'slack', id: channel.id, name: channel.name, teamId: null, ...(isPrivate ? { private: true } : {}), url: `https://slack.com/app_redirect?channel=${channel.id}` };
    if (args.topic && channel.topic !== args.topic.slice(0, 250)) {
      try {
        await this.client.conversations.setTopic({ channel: room.id, topic: args.topic.slice(0, 250) });
      } catch (err) {
        throw warRoomError(err, `conversations.setTopic ${room.name}`);
      }
    }
    const { unreachable } = await this.invite(room, args.members);
    if (unreachable.length > 0) this.opts.log?.warn({ code: 'WAR_ROOM_UNREACHABLE', room: room.name, people: unreachable.map((p) => p.id) }, 'slack war room: some people could not be invited');
    return room;
  }

  async invite(room: WarRoomRef, members: Person[]): Promise<{ unreachable: Person[] }> {
    const unreachable: Person[] = [];
    const byUser = new Map<string, Person>();
    for (const p of members) {
      const id = await this.userIdOf(p);
      if (id) byUser.set(id, p);
      else unreachable.push(p);
    }
    if (byUser.size === 0) return { unreachable };
    try {
      await this.client.conversations.invite({ channel: room.id, users: [...byUser.keys()].join(',') });
      return { unreachable };
    } catch (err) {
      const code = slackCode(err);
      // One bad or already-present user fails the whole call: ask one by one to learn who.
      if (!code || !(UNREACHABLE.has(code) || code === 'already_in_channel')) throw warRoomError(err, `conversations.invite ${room.name}`);
    }
    for (const [user, person] of byUser) {
      try {
        await this.client.conversations.invite({ channel: room.id, users: user });
      } catch (err) {
        const code = slackCode(err);
        if (code === 'already_in_channel') continue;
        if (code && UNREACHABLE.has(code)) unreachable.push(person);
        else throw warRoomError(err, `conversations.invite ${room.name}`);
      }
    }
    return { unreachable };
  }

  async post(room: WarRoomRef, message: WarRoomMessage): Promise<void> {
    // The port's text is plain (mrkdwn-light: *bold*, _italic_): & < > would read as Slack markup.
    const text = esc(message.text).slice(0, 39_000);
    const withFile = message.file && !message.pin;
    if (!withFile) {
      let ts: string | undefined;
      try {
        ts = (await this.client.chat.postMessage({ channel: room.id, text, mrkdwn: true, unfurl_links: false })).ts;
      } catch (err) {
        throw warRoomError(err, `chat.postMessage ${room.name}`);
      }
      if (message.pin && ts) {
        try {
          await this.client.pins.add({ channel: room.id, timestamp: ts });
        } catch (err) {
          if (slackCode(err) !== 'already_pinned') throw warRoomError(err, `pins.add ${room.name}`);
        }
      }
    }
    if (message.file) await this.upload(room, message.file, withFile ? text : undefined);
  }

  async archive(room: WarRoomRef): Promise<void> {
    try {
      await this.client.conversations.archive({ channel: room.id });
    } catch (err) {
      if (slackCode(err) !== 'already_archived') throw warRoomError(err, `conversations.archive ${room.name}`);
    }
  }

  /** files.getUploadURLExternal → POST the bytes to upload_url → files.completeUploadExternal into the channel. */
  private async upload(room: WarRoomRef, file: NonNullable<WarRoomMessage['file']>, comment?: string): Promise<void> {
    let target: { url: string; id: string };
    try {
      const r = await this.client.files.getUploadURLExternal({ filename: file.name, length: file.data.length });
      if (!r.upload_url || !r.file_id) throw new WarRoomError('Slack files.getUploadURLExternal returned no upload_url', true, 'SLACK_UPLOAD_URL_MISSING');
      target = { url: r.upload_url, id: r.file_id };
    } catch (err) {
      throw warRoomError(err, `files.getUploadURLExternal ${file.name}`);
    }
    let res: Response;
    try {
      res = await (this.opts.fetch ?? fetch)(target.url, { method: 'POST', headers: { 'content-type': file.contentType }, body: new Uint8Array(file.data), signal: AbortSignal.timeout(30_000) });
      await res.arrayBuffer();
    } catch (err) {
      throw new WarRoomError(`Slack upload of ${file.name}: ${err instanceof Error ? err.message : String(err)}`, true, 'SLACK_UPLOAD_UNREACHABLE');
    }
    if (!res.ok) throw new WarRoomError(`Slack upload of ${file.name}: HTTP ${res.status}`, res.status >= 500 || res.status === 429, `SLACK_UPLOAD_HTTP_${res.status}`);
    try {
      await this.client.files.completeUploadExternal({ files: [{ id: target.id, title: file.title ?? file.name }], channel_id: room.id, ...(comment ? { initial_comment: comment } : {}) });
    } catch (err) {
      throw warRoomError(err, `files.completeUploadExternal ${file.name}`);
    }
  }

  /** `mustBePrivate`: a public channel of that name is never reused (a confidential ticket's room). */
  private async createOrReuse(base: string, isPrivate: boolean, mustBePrivate: boolean): Promise<{ id: string; name: string; topic: string }> {
    for (let i = 1; i <= 5; i++) {
      const name = i === 1 ? base : `${base.slice(0, 77)}-${i}`;
      try {
        const r = await this.client.conversations.create({ name, is_private: isPrivate });
        if (!r.channel?.id) throw new WarRoomError('Slack conversations.create returned no channel', true, 'SLACK_NO_CHANNEL');
        return { id: r.channel.id, name: r.channel.name ?? name, topic: '' };
      } catch (err) {
        if (slackCode(err) !== 'name_taken') throw warRoomError(err, `conversations.create ${name}`);
      }
      const found = await this.findByName(name);
      if (found && !found.archived && (found.private || !mustBePrivate)) {
        if (!found.member) await this.join(found.id, name);
        return found;
      }
      // Archived (a closed escalation's room), not visible to the bot (someone's private channel) or public when it must be private: try the next name.
    }
    throw new WarRoomError(`Slack: the channel names ${base} to ${base}-5 are all taken by archived or private channels`, false, 'SLACK_NAME_TAKEN');
  }

  private async join(id: string, name: string): Promise<void> {
    try {
      await this.client.conversations.join({ channel: id });
    } catch (err) {
      throw warRoomError(err, `conversations.join ${name}`);
    }
  }

  private async findByName(name: string): Promise<{ id: string; name: string; topic: string; archived: boolean; member: boolean; private: boolean } | null> {
    let cursor: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      let r: webApi.ConversationsListResponse;
      try {
        r = await this.client.conversations.list({ types: 'public_channel,private_channel', exclude_archived: false, limit: 1000, ...(cursor ? { cursor } : {}) });
      } catch (err) {
        throw warRoomError(err, 'conversations.list');
      }
      const c = r.channels?.find((x) => x.name === name);
      if (c?.id) return { id: c.id, name, topic: c.topic?.value ?? '', archived: !!c.is_archived, member: !!c.is_member || !!c.is_private, private: !!c.is_private };
      cursor = r.response_metadata?.next_cursor || undefined;
      if (!cursor) return null;
    }
    return null;
  }

  private async userIdOf(p: Person): Promise<string | null> {
    if (p.slackId) return p.slackId;
    const email = p.email.toLowerCase();
    if (this.emailToUser.has(email)) return this.emailToUser.get(email)!;
    try {
      const id = (await this.client.users.lookupByEmail({ email })).user?.id ?? null;
      this.emailToUser.set(email, id);
      return id;
    } catch (err) {
      const code = slackCode(err);
      if (code === 'users_not_found' || code === 'user_not_found') {
        this.emailToUser.set(email, null);
        return null;
      }
      throw warRoomError(err, `users.lookupByEmail for ${p.id}`);
    }
  }
}

/** The war-room adapter with its own Web client: short retries, rate limits returned as retryable errors. */
export function createSlackWarRoom(log: Logger, config: SlackConfig): SlackWarRoom {
  const client = new WebClient(config.botToken.reveal(), webClientOptions(config.apiUrl, boltLogger(log), true));
  return new SlackWarRoom(client, { privateChannels: config.warRoomPrivate, log });
}
