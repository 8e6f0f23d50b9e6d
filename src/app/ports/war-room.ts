import type { Person } from '../../domain/directory.js';
import type { WarRoomRef } from '../../domain/war-room.js';

export type { WarRoomRef } from '../../domain/war-room.js';

export interface WarRoomOpenArgs {
  name: string;
  topic: string;
  members: Person[];
  /** Only members may see the room (confidential tickets); default false (the platform's configured default). */
  private?: boolean;
}

export interface WarRoomMessage {
  /** Plain text / mrkdwn-light text; adapters render it (Slack mrkdwn, Teams HTML or card). */
  text: string;
  /** Pin it (Slack pins.add; Teams: a pinned/tab-less fallback is fine, say so in the adapter). */
  pin?: boolean;
  /** A file to attach (the after-action PDF, a chart PNG). */
  file?: { name: string; contentType: string; data: Buffer; title?: string };
}

/**
 * Creates and runs war-room conversations for major escalations (issue 7). Slack:
 * conversations.create + invite + chat.postMessage + pins.add + files upload + archive.
 * Teams: a channel in the configured team through Microsoft Graph, or a group chat when no
 * team is configured. Implementations must be idempotent on `open` for the same name
 * (reuse the room that exists) and must throw WarRoomError (never a raw SDK error) on failure.
 */
export interface WarRoomPort {
  readonly platform: WarRoomRef['platform'];
  /**
   * Creates the room (or finds the one with this name) and invites the people it can reach.
   * `private` (a confidential ticket's room): only its members can find or read it (Slack
   * private channel; Teams group chat, or a private channel of the war-room team); a room of
   * that name that is not private is never reused.
   */
  open(args: WarRoomOpenArgs): Promise<WarRoomRef>;
  /** Adds people; people the platform cannot reach are returned, not thrown. */
  invite(room: WarRoomRef, members: Person[]): Promise<{ unreachable: Person[] }>;
  post(room: WarRoomRef, message: WarRoomMessage): Promise<void>;
  /** Archives (Slack) or marks read-only/renames (Teams) the room when the escalation closes. */
  archive(room: WarRoomRef): Promise<void>;
}

export class WarRoomError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly code = 'WAR_ROOM_FAILED',
  ) {
    super(message);
    this.name = 'WarRoomError';
  }
}

/** Slack and Teams channel names: lower case, digits, dashes; at most 80 characters. */
export function warRoomName(ticketKey: string, title: string): string {
  const slug = `${ticketKey}-${title}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `war-${slug}`.slice(0, 80).replace(/-+$/, '');
}
