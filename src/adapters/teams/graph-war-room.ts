import { ActivityTypes, CardFactory } from 'botbuilder';
import type { Activity, ConversationParameters, ConversationReference, TurnContext } from 'botbuilder';
import type { Logger } from '../../app/deps.js';
import type { ConversationRefRepository } from '../../app/ports/conversation-refs.js';
import { WarRoomError } from '../../app/ports/war-room.js';
import type { WarRoomMessage, WarRoomOpenArgs, WarRoomPort, WarRoomRef } from '../../app/ports/war-room.js';
import type { Person } from '../../domain/directory.js';
import { GraphError, odataString } from './graph-client.js';
import type { GraphClient } from './graph-client.js';
import type { WarRoomFileLinks } from './major-files.js';
import type { EscTeamsAdapter } from './teams-adapter.js';
import { warRoomPostCard } from './teams-major-cards.js';
import { ThreadRate } from './thread-rate.js';
import type { ConversationRate } from './thread-rate.js';

/** Teams channel names: at most 50 characters. */
export const TEAMS_CHANNEL_NAME_MAX = 50;
const BOT_FRAMEWORK_AUDIENCE = 'https://api.botframework.com';
/** Teams' global proactive endpoint, used until a conversation tells us the regional one. */
export const DEFAULT_TEAMS_SERVICE_URL = 'https://smba.trafficmanager.net/teams/';
const TEAMS = 'teams';

/** The room name as Teams accepts it (Esc's names are already lower case, digits and dashes). */
export function teamsRoomName(name: string): string {
  return name.slice(0, TEAMS_CHANNEL_NAME_MAX).replace(/-+$/, '');
}

/** Sends bot messages into war rooms. Graph cannot post channel messages with application permissions, so the bot does. */
export interface WarRoomPoster {
  /** Posts a new thread in a channel of a team the bot is installed in; returns the message id when known. */
  toChannel(teamId: string, channelId: string, activity: Partial<Activity>): Promise<string | null>;
  /** Posts in a group chat the bot is installed in; returns the message id (Graph pins by it). */
  toChat(chatId: string, activity: Partial<Activity>): Promise<string | null>;
}

/**
 * Proactive Bot Framework messages, as the Teams notifier sends them: a new conversation
 * (thread) in the channel, or a message in the chat. The service URL comes from any stored
 * conversation in the tenant (Teams gives a regional one), else the global endpoint.
 */
export class BotFrameworkWarRoomPoster implements WarRoomPoster {
  private readonly rate: ConversationRate;

  constructor(private readonly args: { adapter: EscTeamsAdapter; appId: string; tenantId: string | null; refs: () => ConversationRefRepository | null; serviceUrl?: string; rate?: ConversationRate }) {
    this.rate = args.rate ?? new ThreadRate();
  }

  private async serviceUrl(): Promise<string> {
    const seed = await this.args.refs()?.anyInTenant(TEAMS, this.args.tenantId);
    return seed?.serviceUrl ?? this.args.serviceUrl ?? DEFAULT_TEAMS_SERVICE_URL;
  }

  private async slot(conversationId: string): Promise<void> {
    // War rooms get a few messages a minute; waiting under a second beats spending a 429.
    for (let wait = await this.rate.take(conversationId); wait > 0; wait = await this.rate.take(conversationId)) await new Promise((r) => setTimeout(r, wait));
  }

  async toChannel(teamId: string, channelId: string, activity: Partial<Activity>): Promise<string | null> {
    await this.slot(channelId);
    const tenantId = this.args.tenantId ?? undefined;
    const params = { isGroup: true, bot: { id: `28:${this.args.appId}`, name: 'Esc' }, channelData: { channel: { id: channelId }, team: { id: teamId }, tenant: { id: tenantId } }, tenantId, activity } as unknown as ConversationParameters;
    let id: string | null = null;
    await capture(
      async (logic) => this.args.adapter.createConversationAsync(this.args.appId, 'msteams', await this.serviceUrl(), BOT_FRAMEWORK_AUDIENCE, params, logic),
      async (context) => {
        // The new thread is "<channel>;messageid=<id of the first message>".
        id = String(context.activity.conversation?.id ?? '').split(';messageid=')[1] ?? null;
      },
    );
    return id;
  }

  async toChat(chatId: string, activity: Partial<Activity>): Promise<string | null> {
    await this.slot(chatId);
    const reference: Partial<ConversationReference> = {
      channelId: 'msteams',
      serviceUrl: await this.serviceUrl(),
      bot: { id: `28:${this.args.appId}`, name: 'Esc' },
      conversation: { id: chatId, isGroup: true, conversationType: 'groupChat', tenantId: this.args.tenantId ?? undefined, name: '' },
    };
    let id: string | null = null;
    await capture(
      (logic) => this.args.adapter.continueConversationAsync(this.args.appId, reference, logic),
      async (context) => {
        id = (await context.sendActivity(activity))?.id ?? null;
      },
    );
    return id;
  }
}

/** The adapter swallows errors thrown in a turn (onTurnError): keep it and throw it after. */
async function capture(start: (logic: (c: TurnContext) => Promise<void>) => Promise<void>, logic: (c: TurnContext) => Promise<void>): Promise<void> {
  let failure: { error: unknown } | null = null;
  await start(async (context) => {
    try {
      await logic(context);
    } catch (error) {
      failure = { error };
    }
  });
  if (failure) throw (failure as { error: unknown }).error;
}

/** Any failure → WarRoomError: 429, 5xx and the network are worth a retry; the rest need a person. */
export function toWarRoomError(e: unknown, doing: string): WarRoomError {
  if (e instanceof WarRoomError) return e;
  if (e instanceof GraphError) {
    const hint = e.status === 403 ? ' (grant the Graph application permissions listed in the README, then admin-consent them)' : '';
    return new WarRoomError(`Teams war room: could not ${doing}: ${e.message}${hint}`, e.retryable, e.status === null ? 'GRAPH_NETWORK' : `GRAPH_HTTP_${e.status}`);
  }
  const c = (e ?? {}) as { statusCode?: number; status?: number; message?: string };
  const status = c.statusCode ?? c.status;
  const retryable = status === undefined || status === 429 || status === 412 || status >= 500;
  const hint = status === 403 || status === 404 ? ' (is Esc installed in that team or chat?)' : '';
  return new WarRoomError(`Teams war room: could not ${doing}: ${(c.message ?? String(e)).slice(0, 300)}${hint}`, retryable, status === undefined ? 'TEAMS_NETWORK' : `TEAMS_HTTP_${status}`);
}

const isDuplicate = (e: unknown) => e instanceof GraphError && (e.status === 400 || e.status === 409) && (e.code === 'NameAlreadyExists' || /already exist/i.test(e.message));
/** A person Graph does not know, or may not add: reported back, never thrown. */
const isPersonProblem = (e: unknown) => e instanceof GraphError && (e.status === 400 || e.status === 403 || e.status === 404);
const isAlreadyThere = (e: unknown) => e instanceof GraphError && (e.status === 409 || (e.status === 400 && /already/i.test(e.message)));

interface GraphChannel {
  id: string;
  displayName: string;
  membershipType?: string;
  webUrl?: string;
}

/**
 * War rooms in Microsoft Teams (issue 7). With a team configured, each major escalation gets a
 * standard channel in it (created through Graph, found by name when it exists) and the team
 * gains the people it needs; without one, a group chat with the people, with Esc installed in
 * it. Messages always go through the bot: Graph cannot post channel messages with
 * application permissions. Files are served by Esc behind short-lived unguessable links,
 * because a bot cannot attach files in channels or group chats and uploading through Graph
 * would need Files.ReadWrite.All (every SharePoint site and OneDrive in the tenant).
 */
export class GraphWarRoom implements WarRoomPort {
  readonly platform = 'teams' as const;

  constructor(
    private readonly args: {
      graph: GraphClient;
      poster: WarRoomPoster;
      /** TEAMS_WAR_ROOM_TEAM_ID: channels in this team; null: group chats. */
      teamId: string | null;
      /** TEAMS_APP_CATALOG_ID: Esc's id in the tenant app catalog, to install the bot into group chats. */
      appCatalogId: string | null;
      files: () => WarRoomFileLinks | null;
      log: Logger;
      /** The organisation's time zone, for times the cards add (a download link's expiry); UTC when absent. */
      timeZone?: () => string;
    },
  ) {}

  private userBind(aadId: string): string {
    return `${this.args.graph.baseUrl}/users(${odataString(aadId)})`;
  }

  /**
   * A private room (confidential ticket) is a group chat when Esc can be installed in one
   * (TEAMS_APP_CATALOG_ID: only its members see it, the summary is pinned), else a private
   * channel of the war-room team (only its members see it, whatever the team's membership).
   */
  async open(args: WarRoomOpenArgs): Promise<WarRoomRef> {
    const name = teamsRoomName(args.name);
    try {
      if (args.private && (this.args.appCatalogId || !this.args.teamId)) return { ...(await this.openChat(name, args.members)), private: true };
      return this.args.teamId ? await this.openChannel(this.args.teamId, name, args.topic, args.members, !!args.private) : await this.openChat(name, args.members);
    } catch (e) {
      throw toWarRoomError(e, `open the war room "${name}"`);
    }
  }

  private async openChannel(teamId: string, name: string, topic: string, members: Person[], isPrivate: boolean): Promise<WarRoomRef> {
    const g = this.args.graph;
    let channel: GraphChannel | null;
    try {
      channel = (await g.request<GraphChannel>('POST', `/teams/${encodeURIComponent(teamId)}/channels`, isPrivate ? await this.privateChannelBody(teamId, name, topic, members) : { displayName: name, description: topic.slice(0, 1024), membershipType: 'standard' })).body;
    } catch (e) {
      if (!isDuplicate(e)) throw e;
      const found = await g.request<{ value: GraphChannel[] }>('GET', `/teams/${encodeURIComponent(teamId)}/channels?$filter=${encodeURIComponent(`displayName eq ${odataString(name)}`)}`);
      channel = found.body?.value.find((c) => c.displayName.toLowerCase() === name.toLowerCase()) ?? null;
      if (!channel) throw new WarRoomError(`Teams says a channel named "${name}" exists in the team, but it cannot be found (deleted channels keep their name for a while): rename or restore it.`, false, 'WAR_ROOM_NAME_TAKEN');
      if (isPrivate && channel.membershipType !== 'private') throw new WarRoomError(`A standard channel named "${name}" exists in the war-room team; a confidential ticket's room must be private: rename or delete that channel.`, false, 'WAR_ROOM_NOT_PRIVATE');
      this.args.log.info({ room: channel.id, name }, 'teams: war room exists, reused');
    }
    if (!channel?.id) throw new WarRoomError('Graph created the channel but returned no id.', true, 'GRAPH_BAD_RESPONSE');
    const room: WarRoomRef = { platform: 'teams', id: channel.id, name, teamId, ...(isPrivate ? { private: true } : {}), url: channel.webUrl ?? null };
    const { unreachable } = await this.invite(room, members);
    if (unreachable.length) this.args.log.info({ room: room.id, unreachable: unreachable.map((p) => p.id) }, 'teams: some people could not be added to the war room team');
    return room;
  }

  /**
   * Graph creates a private channel only with an owner in the body (application permissions),
   * and channel members must belong to the team: the first reachable member joins the team,
   * then owns the channel; `invite` adds the others.
   */
  private async privateChannelBody(teamId: string, name: string, topic: string, members: Person[]): Promise<Record<string, unknown>> {
    const owner = members.find((p) => p.teamsId);
    if (!owner) throw new WarRoomError('A private Teams channel needs an owner with a Teams id (teamsId in the org file); no member of this escalation has one.', false, 'WAR_ROOM_TOO_FEW_PEOPLE');
    await this.addToTeam(teamId, owner.teamsId!);
    const member = { '@odata.type': '#microsoft.graph.aadUserConversationMember', roles: ['owner'], 'user@odata.bind': this.userBind(owner.teamsId!) };
    return { displayName: name, description: topic.slice(0, 1024), membershipType: 'private', members: [member] };
  }

  private async addToTeam(teamId: string, aadId: string): Promise<void> {
    try {
      await this.args.graph.request('POST', `/teams/${encodeURIComponent(teamId)}/members`, { '@odata.type': '#microsoft.graph.aadUserConversationMember', roles: [], 'user@odata.bind': this.userBind(aadId) });
    } catch (e) {
      if (!isAlreadyThere(e)) throw e;
    }
  }

  private async openChat(name: string, members: Person[]): Promise<WarRoomRef> {
    const g = this.args.graph;
    if (!this.args.appCatalogId) throw new WarRoomError('Teams war rooms need TEAMS_WAR_ROOM_TEAM_ID (a channel per escalation) or TEAMS_APP_CATALOG_ID (a group chat with Esc installed).', false, 'WAR_ROOM_NOT_CONFIGURED');
    const people = [...new Map(members.filter((p) => p.teamsId).map((p) => [p.teamsId!, p])).values()];
    if (people.length < 2) throw new WarRoomError(`A Teams group chat needs at least two people with a Teams id (teamsId in the org file); ${people.length} of ${members.length} have one. Set TEAMS_WAR_ROOM_TEAM_ID to use a channel instead.`, false, 'WAR_ROOM_TOO_FEW_PEOPLE');
    // Graph has no "find chat by name" for an app; the chats of the first person, filtered by topic, are the closest.
    const existing = await g.request<{ value: { id: string; topic: string | null; webUrl?: string }[] }>('GET', `/users/${encodeURIComponent(people[0]!.teamsId!)}/chats?$filter=${encodeURIComponent(`topic eq ${odataString(name)}`)}`);
    let chat = existing.body?.value.find((c) => c.topic === name) ?? null;
    const reused = !!chat;
    if (!chat) {
      const body = {
        chatType: 'group',
        topic: name,
        members: people.map((p) => ({ '@odata.type': '#microsoft.graph.aadUserConversationMember', roles: ['owner'], 'user@odata.bind': this.userBind(p.teamsId!) })),
      };
      chat = (await g.request<{ id: string; topic: string; webUrl?: string }>('POST', '/chats', body)).body;
      if (!chat?.id) throw new WarRoomError('Graph created the chat but returned no id.', true, 'GRAPH_BAD_RESPONSE');
    } else {
      this.args.log.info({ room: chat.id, name }, 'teams: war-room chat exists, reused');
    }
    try {
      await g.request('POST', `/chats/${encodeURIComponent(chat.id)}/installedApps`, { 'teamsApp@odata.bind': `${g.baseUrl}/appCatalogs/teamsApps/${encodeURIComponent(this.args.appCatalogId)}` });
    } catch (e) {
      if (!isAlreadyThere(e)) throw e;
    }
    const room: WarRoomRef = { platform: 'teams', id: chat.id, name, teamId: null, url: chat.webUrl ?? null };
    if (reused) await this.invite(room, members);
    return room;
  }

  async invite(room: WarRoomRef, members: Person[]): Promise<{ unreachable: Person[] }> {
    const g = this.args.graph;
    const unreachable: Person[] = [];
    const seen = new Set<string>();
    for (const p of members) {
      if (!p.teamsId) {
        unreachable.push(p);
        continue;
      }
      if (seen.has(p.teamsId)) continue;
      seen.add(p.teamsId);
      // Team members see every standard channel; chat members are added with the whole history (the pinned summary).
      // A private channel's members must be in the team first, then in the channel itself.
      const path = room.teamId ? (room.private ? `/teams/${encodeURIComponent(room.teamId)}/channels/${encodeURIComponent(room.id)}/members` : `/teams/${encodeURIComponent(room.teamId)}/members`) : `/chats/${encodeURIComponent(room.id)}/members`;
      const body = room.teamId
        ? { '@odata.type': '#microsoft.graph.aadUserConversationMember', roles: [], 'user@odata.bind': this.userBind(p.teamsId) }
        : { '@odata.type': '#microsoft.graph.aadUserConversationMember', roles: ['owner'], visibleHistoryStartDateTime: '0001-01-01T00:00:00Z', 'user@odata.bind': this.userBind(p.teamsId) };
      try {
        if (room.teamId && room.private) await this.addToTeam(room.teamId, p.teamsId);
        await g.request('POST', path, body);
      } catch (e) {
        if (isAlreadyThere(e)) continue;
        if (isPersonProblem(e)) {
          this.args.log.info({ room: room.id, personId: p.id, reason: (e as Error).message }, 'teams: could not add a person to the war room');
          unreachable.push(p);
          continue;
        }
        throw toWarRoomError(e, `add ${p.name} to the war room`);
      }
    }
    return { unreachable };
  }

  async post(room: WarRoomRef, message: WarRoomMessage): Promise<void> {
    let link: { url: string; expiresAt: Date; name: string } | null = null;
    if (message.file) {
      const files = this.args.files();
      try {
        if (!files) throw new Error('the file store is not ready');
        link = { ...(await files.put(message.file)), name: message.file.title ?? message.file.name };
      } catch (e) {
        throw new WarRoomError(`Teams war room: could not store ${message.file.name} for download: ${(e as Error).message}`, true, 'WAR_ROOM_FILE_FAILED');
      }
    }
    // Channels have no pin API for bots or Graph: the summary is the channel's first post instead, and says it is the summary.
    const card = warRoomPostCard({ text: message.text, pinned: !!message.pin, link, header: room.teamId ? 'Summary' : 'Summary (pinned)', timeZone: this.args.timeZone?.() });
    const activity: Partial<Activity> = { type: ActivityTypes.Message, summary: message.text.split('\n')[0]!.slice(0, 100), attachments: [CardFactory.adaptiveCard(card)] };
    let messageId: string | null;
    try {
      messageId = room.teamId ? await this.args.poster.toChannel(room.teamId, room.id, activity) : await this.args.poster.toChat(room.id, activity);
    } catch (e) {
      throw toWarRoomError(e, `post in ${room.name}`);
    }
    if (message.pin && !room.teamId && messageId) {
      try {
        await this.args.graph.request('POST', `/chats/${encodeURIComponent(room.id)}/pinnedMessages`, { 'message@odata.bind': `${this.args.graph.baseUrl}/chats/${room.id}/messages/${messageId}` });
      } catch (e) {
        // The message is posted; throwing would post it twice on retry. A missing pin is cosmetic.
        this.args.log.warn({ room: room.id, code: toWarRoomError(e, 'pin').code, err: (e as Error).message }, 'teams: could not pin the war-room summary');
      }
    }
  }

  /**
   * The name of a war room by its conversation id (a channel of the war-room team or a group
   * chat), for commands typed inside it without a ticket; null when Graph does not know it.
   */
  async roomName(conversationId: string): Promise<string | null> {
    try {
      if (this.args.teamId && conversationId.endsWith('@thread.tacv2')) {
        const r = await this.args.graph.request<{ displayName?: string }>('GET', `/teams/${encodeURIComponent(this.args.teamId)}/channels/${encodeURIComponent(conversationId)}`);
        return r.body?.displayName ?? null;
      }
      if (conversationId.endsWith('@thread.v2')) return (await this.args.graph.request<{ topic?: string | null }>('GET', `/chats/${encodeURIComponent(conversationId)}`)).body?.topic ?? null;
    } catch (e) {
      this.args.log.debug({ err: (e as Error).message }, 'teams: war-room name lookup failed');
    }
    return null;
  }

  async archive(room: WarRoomRef): Promise<void> {
    const g = this.args.graph;
    try {
      if (room.teamId) {
        const base = `/teams/${encodeURIComponent(room.teamId)}/channels/${encodeURIComponent(room.id)}`;
        try {
          await g.request('POST', `${base}/archive`, { shouldSetSpoSiteReadOnlyForMembers: true });
          return;
        } catch (e) {
          // Clouds or tenants without channel archiving, or a channel without an owner: mark it closed by name.
          if (!(e instanceof GraphError) || e.retryable) throw e;
          this.args.log.info({ room: room.id, reason: e.message }, 'teams: channel archive refused, renaming it closed-…');
        }
        await g.request('PATCH', base, { displayName: teamsRoomName(`closed-${room.name}`) });
      } else {
        await g.request('PATCH', `/chats/${encodeURIComponent(room.id)}`, { topic: `[closed] ${room.name}`.slice(0, 250) });
      }
    } catch (e) {
      throw toWarRoomError(e, `archive ${room.name}`);
    }
  }
}
