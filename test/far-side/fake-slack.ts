import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  /** Form fields, with `blocks`, `view`, `attachments` parsed from their JSON strings. */
  params: Record<string, unknown>;
  token: string | null;
}

/** A channel of the local Slack (war rooms); the bot is the member 'UBOT'. */
export interface FakeChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  topic: string;
  members: Set<string>;
  archived: boolean;
  /** Pinned message timestamps. */
  pins: string[];
  messages: { ts: string; text: string }[];
}

type Fault = { status: number; body: Record<string, unknown>; headers?: Record<string, string>; times: number };

/**
 * A local Slack Web API: records every call, checks the bot token, answers the methods Esc
 * uses, and receives response_url POSTs at /response/<id>.
 */
export class FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly responses: { path: string; body: Record<string, unknown> }[] = [];
  /** Files uploaded the current way (files.getUploadURLExternal → POST to upload_url → files.completeUploadExternal), by file id. */
  readonly files = new Map<string, { id: string; filename: string; length: number; bytes: Buffer | null; contentType: string | null; title: string | null; channelId: string | null; initialComment: string | null }>();
  /** Channels made with conversations.create (or seeded by a test), by id: war rooms (issue 7). */
  readonly channels = new Map<string, FakeChannel>();
  /** User ids Slack does not know (deactivated, other workspace): invites of them fail with user_not_found. */
  readonly unknownUsers = new Set<string>();
  /** conversations.list returns at most this many per page (Slack may return fewer than `limit`). */
  listPageSize = 1000;
  private server: Server | null = null;
  private seq = 0;
  private readonly faults = new Map<string, Fault>();
  url = '';

  constructor(readonly botToken = 'xoxb-test-token', readonly users: Record<string, string> = {}) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void read(req).then((bytes) => {
        if (req.url?.startsWith('/upload/')) {
          const reply = this.receiveUpload(req, bytes);
          res.writeHead(reply.status, { 'content-type': 'text/plain' });
          res.end(reply.text);
          return;
        }
        const reply = this.handle(req, bytes.toString('utf8'));
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return `${this.url}/api/`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** The next `times` calls of `method` fail this way (e.g. 429 with Retry-After). */
  fail(method: string, fault: Omit<Fault, 'times'> & { times?: number }): void {
    this.faults.set(method, { times: 1, ...fault });
  }

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Waits until `pred` holds over the calls (listeners run after the ack). */
  async waitFor<T>(pred: () => T | undefined | false | null, ms = 5000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = pred();
      if (v) return v;
      if (Date.now() > end) throw new Error(`fake Slack: condition not met in ${ms} ms; calls: ${this.calls.map((c) => c.method).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** A channel that already exists (e.g. from an earlier run), as if made by someone else; the bot is not in it unless `botMember`. */
  seedChannel(name: string, opts: { isPrivate?: boolean; archived?: boolean; botMember?: boolean } = {}): FakeChannel {
    const id = `${opts.isPrivate ? 'G' : 'C'}${String(++this.seq).padStart(8, '0')}`;
    const ch: FakeChannel = { id, name, isPrivate: opts.isPrivate ?? false, topic: '', members: new Set(opts.botMember ? ['UBOT'] : []), archived: opts.archived ?? false, pins: [], messages: [] };
    this.channels.set(id, ch);
    return ch;
  }

  channelNamed(name: string): FakeChannel | undefined {
    return [...this.channels.values()].find((c) => c.name === name);
  }

  /** conversations.* and pins.add (issue 7 war rooms); null when `method` is not one of them. */
  private conversations(method: string, params: Record<string, unknown>): Record<string, unknown> | null {
    const err = (error: string, extra: Record<string, unknown> = {}) => ({ ok: false, error, ...extra });
    const view = (c: FakeChannel) => ({ id: c.id, name: c.name, is_channel: !c.isPrivate, is_group: c.isPrivate, is_private: c.isPrivate, is_archived: c.archived, is_member: c.members.has('UBOT'), topic: { value: c.topic }, num_members: c.members.size });
    const ch = typeof params.channel === 'string' ? this.channels.get(params.channel) : undefined;
    switch (method) {
      case 'conversations.create': {
        const name = String(params.name ?? '');
        if (!name) return err('invalid_name_required');
        if (name.length > 80) return err('invalid_name_maxlength');
        if (!/^[a-z0-9_-]+$/.test(name)) return err('invalid_name_specials');
        if (this.channelNamed(name)) return err('name_taken');
        const c = this.seedChannel(name, { isPrivate: params.is_private === 'true' || params.is_private === true, botMember: true });
        return { ok: true, channel: view(c) };
      }
      case 'conversations.list': {
        const types = String(params.types ?? 'public_channel').split(',');
        const all = [...this.channels.values()].filter((c) => (c.isPrivate ? types.includes('private_channel') && c.members.has('UBOT') : types.includes('public_channel'))).filter((c) => !(params.exclude_archived === 'true' && c.archived));
        const limit = Math.min(Number(params.limit ?? 100) || 100, this.listPageSize);
        const start = Number(params.cursor ? String(params.cursor).replace(/^next_/, '') : 0);
        const page = all.slice(start, start + limit);
        const next = start + limit < all.length ? `next_${start + limit}` : '';
        return { ok: true, channels: page.map(view), response_metadata: { next_cursor: next } };
      }
      case 'conversations.join':
        if (!ch) return err('channel_not_found');
        if (ch.archived) return err('is_archived');
        if (ch.isPrivate) return err('method_not_supported_for_channel_type');
        ch.members.add('UBOT');
        return { ok: true, channel: view(ch) };
      case 'conversations.setTopic':
        if (!ch) return err('channel_not_found');
        if (ch.archived) return err('is_archived');
        if (!ch.members.has('UBOT')) return err('not_in_channel');
        if (String(params.topic ?? '').length > 250) return err('too_long');
        ch.topic = String(params.topic ?? '');
        return { ok: true, channel: view(ch) };
      case 'conversations.invite': {
        if (!ch) return err('channel_not_found');
        if (ch.archived) return err('is_archived');
        if (!ch.members.has('UBOT')) return err('not_in_channel');
        const users = String(params.users ?? '').split(',').map((u) => u.trim()).filter(Boolean);
        if (users.length === 0) return err('no_user');
        if (users.length > 1000) return err('too_many_users');
        // Like Slack: one bad user fails the whole call (with force, the good ones still join); the errors list says who.
        const errors = users.map((u) => ({ user: u, ok: false, error: this.unknownUsers.has(u) || !/^U[A-Z0-9]+$/.test(u) ? 'user_not_found' : u === 'UBOT' ? 'cant_invite_self' : ch.members.has(u) ? 'already_in_channel' : '' })).filter((e) => e.error);
        const force = params.force === 'true' || params.force === true;
        if (errors.length === 0 || force) for (const u of users) if (!errors.some((e) => e.user === u)) ch.members.add(u);
        if (errors.length > 0) return err(errors[0]!.error, { errors });
        return { ok: true, channel: view(ch) };
      }
      case 'conversations.archive':
        if (!ch) return err('channel_not_found');
        if (ch.archived) return err('already_archived');
        ch.archived = true;
        return { ok: true };
      case 'pins.add': {
        if (!ch) return err('channel_not_found');
        if (ch.archived) return err('is_archived');
        const ts = String(params.timestamp ?? '');
        if (!ch.messages.some((m) => m.ts === ts)) return err('message_not_found');
        if (ch.pins.includes(ts)) return err('already_pinned');
        ch.pins.push(ts);
        return { ok: true };
      }
      default:
        return null;
    }
  }

  /** The bytes POSTed to an upload_url: Slack answers 200 "OK - <length>" (the upload_url is its own credential). */
  private receiveUpload(req: IncomingMessage, bytes: Buffer): { status: number; text: string } {
    const f = this.files.get((req.url ?? '').slice('/upload/'.length).split('?')[0]!);
    if (!f || req.method !== 'POST') return { status: 404, text: 'not found' };
    f.bytes = bytes;
    f.contentType = req.headers['content-type'] ?? null;
    return { status: 200, text: `OK - ${bytes.length}` };
  }

  private handle(req: IncomingMessage, raw: string): { status: number; body: Record<string, unknown>; headers?: Record<string, string> } {
    const path = req.url ?? '/';
    if (path.startsWith('/response/')) {
      this.responses.push({ path, body: JSON.parse(raw || '{}') as Record<string, unknown> });
      return { status: 200, body: { ok: true } };
    }
    const method = path.replace(/^\/api\//, '').split('?')[0]!;
    const params: Record<string, unknown> = req.headers['content-type']?.startsWith('application/json') ? (JSON.parse(raw || '{}') as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(raw));
    for (const k of ['blocks', 'view', 'attachments', 'files']) if (typeof params[k] === 'string') params[k] = JSON.parse(params[k]);
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : typeof params.token === 'string' ? params.token : null;
    this.calls.push({ method, params, token });
    const fault = this.faults.get(method);
    if (fault && fault.times > 0) {
      fault.times -= 1;
      return fault;
    }
    if (token !== this.botToken) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
    const ts = () => `${1_700_000_000 + ++this.seq}.000${String(this.seq).padStart(3, '0')}`;
    switch (method) {
      case 'auth.test':
        return { status: 200, body: { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T0TEST', user: 'esc' } };
      case 'conversations.open':
        return { status: 200, body: { ok: true, channel: { id: `D${String(params.users)}` } } };
      case 'chat.postMessage': {
        if (String(params.channel).startsWith('CMISSING')) return { status: 200, body: { ok: false, error: 'channel_not_found' } };
        const room = this.channels.get(String(params.channel));
        if (room?.archived) return { status: 200, body: { ok: false, error: 'is_archived' } };
        if (room && !room.members.has('UBOT')) return { status: 200, body: { ok: false, error: 'not_in_channel' } };
        const at = ts();
        room?.messages.push({ ts: at, text: String(params.text ?? '') });
        return { status: 200, body: { ok: true, channel: params.channel, ts: at } };
      }
      case 'chat.update':
        return { status: 200, body: { ok: true, channel: params.channel, ts: params.ts } };
      case 'views.open':
        return { status: 200, body: { ok: true, view: { id: `V${++this.seq}` } } };
      case 'views.publish':
        // The App Home (issue 16): Slack answers with the view it stored.
        if (!params.user_id) return { status: 200, body: { ok: false, error: 'invalid_arguments' } };
        return { status: 200, body: { ok: true, view: { id: `V${++this.seq}`, type: 'home' } } };
      case 'files.getUploadURLExternal': {
        const length = Number(params.length);
        if (!params.filename || !Number.isInteger(length) || length <= 0) return { status: 200, body: { ok: false, error: 'invalid_arguments' } };
        const id = `F${String(++this.seq).padStart(8, '0')}`;
        this.files.set(id, { id, filename: String(params.filename), length, bytes: null, contentType: null, title: null, channelId: null, initialComment: null });
        return { status: 200, body: { ok: true, upload_url: `${this.url}/upload/${id}`, file_id: id } };
      }
      case 'files.completeUploadExternal': {
        const list = Array.isArray(params.files) ? (params.files as { id?: string; title?: string }[]) : [];
        const found = list.map((f) => this.files.get(String(f.id)));
        if (list.length === 0 || found.some((f) => !f || !f.bytes)) return { status: 200, body: { ok: false, error: 'file_not_found' } };
        const channel = typeof params.channel_id === 'string' ? params.channel_id : null;
        if (channel?.startsWith('CMISSING')) return { status: 200, body: { ok: false, error: 'not_in_channel' } };
        const room = channel ? this.channels.get(channel) : undefined;
        if (room && (room.archived || !room.members.has('UBOT'))) return { status: 200, body: { ok: false, error: room.archived ? 'is_archived' : 'not_in_channel' } };
        found.forEach((f, i) => Object.assign(f!, { title: list[i]!.title ?? f!.filename, channelId: channel, initialComment: typeof params.initial_comment === 'string' ? params.initial_comment : null }));
        return { status: 200, body: { ok: true, files: found.map((f) => ({ id: f!.id, title: f!.title, name: f!.filename })) } };
      }
      case 'users.info': {
        // The same directory as users.lookupByEmail, read the other way round.
        const email = Object.entries(this.users).find(([, id]) => id === String(params.user))?.[0];
        return { status: 200, body: email ? { ok: true, user: { id: params.user, real_name: email.split('@')[0], tz: 'Europe/Berlin', profile: { email, real_name: email.split('@')[0] } } } : { ok: false, error: 'user_not_found' } };
      }
      case 'users.lookupByEmail': {
        const id = this.users[String(params.email)];
        return { status: 200, body: id ? { ok: true, user: { id } } : { ok: false, error: 'users_not_found' } };
      }
      default: {
        const body = this.conversations(method, params);
        return { status: 200, body: body ?? { ok: false, error: 'unknown_method' } };
      }
    }
  }
}

function read(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}
