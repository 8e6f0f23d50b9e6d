import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call Esc made to the local Graph (token requests included, path without the query). */
export interface GraphCall {
  method: string;
  path: string;
  query: Record<string, string>;
  auth: string;
  body: Record<string, unknown>;
}

export interface FakeChannel {
  id: string;
  displayName: string;
  description: string;
  membershipType: string;
  isArchived: boolean;
  /** Private channels only: their own members (AAD ids), each of whom must be a team member. */
  members?: string[];
}

export interface FakeChat {
  id: string;
  topic: string;
  chatType: string;
  members: string[];
  installedApps: string[];
  pinned: string[];
}

interface FakeTeam {
  id: string;
  channels: FakeChannel[];
  members: Set<string>;
}

/** `https://graph.microsoft.com/v1.0/users('id')` or `…/users/id` → id. */
function userFromBind(bind: unknown): string | null {
  const m = /\/users(?:\('([^']+)'\)|\/([^/?]+))$/.exec(String(bind ?? ''));
  return m ? (m[1] ?? m[2] ?? null) : null;
}

/** `displayName eq 'it''s'` → it's (the only $filter shape Esc sends). */
function eqFilter(filter: string | undefined, field: string): string | null {
  const m = new RegExp(`^${field} eq '((?:[^']|'')*)'$`).exec(filter ?? '');
  return m ? m[1]!.replace(/''/g, "'") : null;
}

/**
 * A local stand-in for Microsoft Graph and the Entra ID token endpoint: the OAuth2
 * client-credentials grant at `{url}/{tenant}/oauth2/v2.0/token`, and the Teams endpoints Esc's
 * war rooms call under `{url}/v1.0`. It checks the client secret and the bearer token on every
 * call, keeps teams, channels, members and chats in memory, and records each call.
 */
export class FakeGraph {
  readonly calls: GraphCall[] = [];
  readonly teams = new Map<string, FakeTeam>();
  readonly chats = new Map<string, FakeChat>();
  /** AAD object ids of the tenant's users; anyone else is "not found". */
  readonly users = new Set<string>();
  /** Answer the channel archive action with 404, as a tenant without it would (the adapter renames instead). */
  archiveSupported = true;
  tokensIssued = 0;
  private readonly token = `graph-${randomBytes(12).toString('hex')}`;
  private failures: { status: number; headers?: Record<string, string>; match?: RegExp }[] = [];
  private server: Server | null = null;
  private seq = 0;
  url = '';

  constructor(readonly tenant: string, readonly clientId: string, readonly clientSecret: string) {}

  /** GRAPH_BASE_URL for Esc. */
  get baseUrl(): string {
    return `${this.url}/v1.0`;
  }
  /** GRAPH_AUTHORITY_HOST for Esc. */
  get authorityHost(): string {
    return this.url;
  }

  addTeam(id: string, members: string[] = []): FakeTeam {
    const team = { id, channels: [{ id: `19:general-${id}@thread.tacv2`, displayName: 'General', description: '', membershipType: 'standard', isArchived: false }], members: new Set(members) };
    this.teams.set(id, team);
    return team;
  }

  /** The next Graph calls (not token requests) whose "METHOD path" matches fail with these statuses. */
  failNext(...f: { status: number; headers?: Record<string, string>; match?: RegExp }[]): void {
    this.failures.push(...f);
  }

  /** Graph calls (token requests left out), optionally with this method and a path matching. */
  graphCalls(method?: string, path?: RegExp): GraphCall[] {
    return this.calls.filter((c) => c.path.startsWith('/v1.0/') && (!method || c.method === method) && (!path || path.test(c.path)));
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://local');
        const json = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
          if (body === undefined) res.writeHead(status, headers).end();
          else res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
        };
        const error = (status: number, code: string, message: string, headers: Record<string, string> = {}) => json(status, { error: { code, message, innerError: { 'request-id': `req-${++this.seq}` } } }, headers);
        const method = req.method ?? 'GET';
        const path = decodeURIComponent(u.pathname);
        const query = Object.fromEntries(u.searchParams.entries());
        const auth = String(req.headers.authorization ?? '');

        if (method === 'POST' && path === `/${this.tenant}/oauth2/v2.0/token`) {
          const form = new URLSearchParams(raw);
          this.calls.push({ method, path, query, auth, body: Object.fromEntries(form.entries()) });
          if (form.get('grant_type') !== 'client_credentials') return json(400, { error: 'unsupported_grant_type', error_description: 'AADSTS70003: only client_credentials here.' });
          if (form.get('client_id') !== this.clientId || form.get('client_secret') !== this.clientSecret) return json(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
          if (form.get('scope') !== 'https://graph.microsoft.com/.default') return json(400, { error: 'invalid_scope', error_description: 'AADSTS1002012: The provided value for scope is not valid.' });
          this.tokensIssued++;
          return json(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: this.token });
        }
        if (/\/oauth2\//.test(path)) return json(400, { error: 'invalid_request', error_description: `AADSTS90002: Tenant '${path.split('/')[1]}' not found.` });

        let body: Record<string, unknown>;
        try {
          body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
        } catch {
          return error(400, 'BadRequest', 'Unable to read JSON request payload.');
        }
        this.calls.push({ method, path, query, auth, body });
        if (!path.startsWith('/v1.0/')) return error(404, 'BadRequest', `Resource not found for the segment '${path}'.`);
        if (auth !== `Bearer ${this.token}`) return error(401, 'InvalidAuthenticationToken', 'Access token is empty or invalid.');
        const fi = this.failures.findIndex((f) => !f.match || f.match.test(`${method} ${path}`));
        if (fi >= 0) {
          const [f] = this.failures.splice(fi, 1);
          return error(f!.status, f!.status === 429 ? 'TooManyRequests' : 'ServiceError', `scripted ${f!.status}`, f!.headers);
        }
        return this.route(method, path.slice('/v1.0'.length), query, body, json, error);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private route(
    method: string,
    path: string,
    query: Record<string, string>,
    body: Record<string, unknown>,
    json: (status: number, body?: unknown, headers?: Record<string, string>) => void,
    error: (status: number, code: string, message: string) => void,
  ): void {
    let m: RegExpExecArray | null;
    if ((m = /^\/teams\/([^/]+)\/channels$/.exec(path))) {
      const team = this.teams.get(m[1]!);
      if (!team) return error(404, 'NotFound', 'No team found with Group Id');
      if (method === 'GET') {
        const name = eqFilter(query.$filter, 'displayName');
        return json(200, { value: team.channels.filter((c) => name === null || c.displayName === name) });
      }
      if (method === 'POST') {
        const displayName = String(body.displayName ?? '');
        if (!displayName || displayName.length > 50 || /[~#%&*{}+/\\:<>?|'",]/.test(displayName)) return error(400, 'BadRequest', 'Channel name contains invalid characters or is too long.');
        const membershipType = String(body.membershipType ?? 'standard');
        if (membershipType !== 'standard' && membershipType !== 'private') return error(400, 'BadRequest', 'Only standard and private channels here.');
        // Graph with application permissions: a private channel needs an owner in the body, who must already be in the team.
        let owners: string[] = [];
        if (membershipType === 'private') {
          const given = (body.members as Record<string, unknown>[] | undefined) ?? [];
          owners = given.filter((x) => Array.isArray(x.roles) && (x.roles as string[]).includes('owner')).map((x) => userFromBind(x['user@odata.bind'])).filter((x): x is string => !!x);
          if (owners.length === 0) return error(400, 'BadRequest', 'A private channel created with application permissions needs at least one owner in members.');
          if (owners.some((o) => !team.members.has(o))) return error(400, 'BadRequest', 'The owner of a private channel must be a member of the team.');
        }
        // Teams compares channel names case-insensitively, and a deleted or archived name stays taken.
        if (team.channels.some((c) => c.displayName.toLowerCase() === displayName.toLowerCase())) return error(400, 'NameAlreadyExists', 'Channel name already existed, please use other name.');
        const ch: FakeChannel = { id: `19:${randomBytes(8).toString('hex')}@thread.tacv2`, displayName, description: String(body.description ?? ''), membershipType, isArchived: false, ...(membershipType === 'private' ? { members: owners } : {}) };
        team.channels.push(ch);
        return json(201, { ...ch, webUrl: `https://teams.microsoft.com/l/channel/${encodeURIComponent(ch.id)}/${encodeURIComponent(displayName)}?groupId=${team.id}` });
      }
    }
    if ((m = /^\/teams\/([^/]+)\/channels\/([^/]+)\/members$/.exec(path)) && method === 'POST') {
      const team = this.teams.get(m[1]!);
      const ch = team?.channels.find((c) => c.id === m![2]);
      if (!team || !ch) return error(404, 'NotFound', 'Channel not found');
      if (ch.membershipType !== 'private') return error(400, 'BadRequest', 'Members can be added only to private and shared channels.');
      const user = userFromBind(body['user@odata.bind']);
      if (!user || !this.users.has(user)) return error(404, 'NotFound', `User '${user ?? ''}' was not found in the tenant.`);
      if (!team.members.has(user)) return error(400, 'BadRequest', 'The user must be a member of the team to be added to a private channel.');
      if (ch.members!.includes(user)) return error(409, 'Conflict', 'The user is already a member of the channel.');
      ch.members!.push(user);
      return json(201, { '@odata.type': '#microsoft.graph.aadUserConversationMember', id: `mem-${user}`, userId: user, roles: body.roles ?? [] });
    }
    if ((m = /^\/teams\/([^/]+)\/channels\/([^/]+)(\/archive)?$/.exec(path))) {
      const team = this.teams.get(m[1]!);
      const ch = team?.channels.find((c) => c.id === m![2]);
      if (!team || !ch) return error(404, 'NotFound', 'Channel not found');
      if (m[3] && method === 'POST') {
        if (!this.archiveSupported) return error(404, 'UnknownError', 'Resource not found for the segment archive.');
        ch.isArchived = true;
        return json(202, undefined, { location: `/teams('${team.id}')/operations('op-${++this.seq}')` });
      }
      if (!m[3] && method === 'GET') return json(200, ch);
      if (!m[3] && method === 'PATCH') {
        if (typeof body.displayName === 'string') {
          if (body.displayName.length > 50) return error(400, 'BadRequest', 'Channel name is too long.');
          ch.displayName = body.displayName;
        }
        return json(204);
      }
    }
    if ((m = /^\/teams\/([^/]+)\/members$/.exec(path)) && method === 'POST') {
      const team = this.teams.get(m[1]!);
      if (!team) return error(404, 'NotFound', 'No team found with Group Id');
      const user = userFromBind(body['user@odata.bind']);
      if (!user || !this.users.has(user)) return error(404, 'NotFound', `User '${user ?? ''}' was not found in the tenant.`);
      team.members.add(user);
      return json(201, { '@odata.type': '#microsoft.graph.aadUserConversationMember', id: `mem-${user}`, userId: user, roles: body.roles ?? [] });
    }
    if (path === '/chats' && method === 'POST') {
      if (body.chatType !== 'group') return error(400, 'BadRequest', 'Only group chats here.');
      const members = ((body.members as Record<string, unknown>[] | undefined) ?? []).map((x) => userFromBind(x['user@odata.bind']));
      if (members.length < 2) return error(400, 'BadRequest', 'A group chat needs at least two members.');
      const missing = members.find((x) => !x || !this.users.has(x));
      if (missing !== undefined) return error(404, 'NotFound', `User '${missing ?? ''}' was not found in the tenant.`);
      const chat: FakeChat = { id: `19:${randomBytes(8).toString('hex')}@thread.v2`, topic: String(body.topic ?? ''), chatType: 'group', members: members as string[], installedApps: [], pinned: [] };
      this.chats.set(chat.id, chat);
      return json(201, { id: chat.id, topic: chat.topic, chatType: 'group', webUrl: `https://teams.microsoft.com/l/chat/${encodeURIComponent(chat.id)}/0` });
    }
    if ((m = /^\/users\/([^/]+)\/chats$/.exec(path)) && method === 'GET') {
      const topic = eqFilter(query.$filter, 'topic');
      const uid = m[1]!;
      return json(200, { value: [...this.chats.values()].filter((c) => c.members.includes(uid) && (topic === null || c.topic === topic)).map((c) => ({ id: c.id, topic: c.topic, chatType: c.chatType })) });
    }
    if ((m = /^\/chats\/([^/]+)(\/[a-zA-Z]+)?$/.exec(path))) {
      const chat = this.chats.get(m[1]!);
      if (!chat) return error(404, 'NotFound', 'Chat not found');
      const sub = m[2] ?? '';
      if (sub === '' && method === 'GET') return json(200, { id: chat.id, topic: chat.topic, chatType: chat.chatType });
      if (sub === '' && method === 'PATCH') {
        if (typeof body.topic === 'string') chat.topic = body.topic;
        return json(200, { id: chat.id, topic: chat.topic });
      }
      if (sub === '/installedApps' && method === 'POST') {
        const app = /\/appCatalogs\/teamsApps\/([^/]+)$/.exec(String(body['teamsApp@odata.bind'] ?? ''))?.[1];
        if (!app) return error(400, 'BadRequest', 'teamsApp@odata.bind is required.');
        if (chat.installedApps.includes(app)) return error(409, 'Conflict', 'App is already installed.');
        chat.installedApps.push(app);
        return json(201);
      }
      if (sub === '/members' && method === 'POST') {
        const user = userFromBind(body['user@odata.bind']);
        if (!user || !this.users.has(user)) return error(404, 'NotFound', `User '${user ?? ''}' was not found in the tenant.`);
        if (!chat.members.includes(user)) chat.members.push(user);
        return json(201, { id: `mem-${user}`, userId: user });
      }
      if (sub === '/pinnedMessages' && method === 'POST') {
        const bind = /\/chats\/([^/]+)\/messages\/([^/]+)$/.exec(String(body['message@odata.bind'] ?? ''));
        const msg = bind && bind[1] === chat.id ? bind[2] : null;
        if (!msg) return error(400, 'BadRequest', 'message@odata.bind must name a message of this chat.');
        chat.pinned.push(msg);
        return json(201, { id: msg });
      }
    }
    return error(404, 'BadRequest', `Resource not found for the segment '${path}' (${method}).`);
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
  }
}
