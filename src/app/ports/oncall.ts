import type { Actor } from '../../domain/timeline.js';
import type { Person } from '../../domain/directory.js';

/** An override made from chat or the API: who carries a layer's pager instead, who decided, why. */
export interface StoredOverride {
  id: string;
  rotationId: string;
  teamId: string;
  /** The layer's role (primary, secondary). */
  layer: string;
  personId: string;
  from: Date;
  to: Date;
  reason: string;
  createdBy: Actor;
  createdAt: Date;
  /** The cover request it came from, when a colleague took one. */
  coverId?: string;
  cancelledAt?: Date;
  cancelledBy?: Actor;
}

/** A request for someone to carry the pager for a while; the first taker wins. */
export interface CoverRequest {
  id: string;
  teamId: string;
  rotationId: string;
  layer: string;
  requesterId: string;
  from: Date;
  to: Date;
  status: 'open' | 'taken' | 'cancelled';
  takenBy?: string;
  takenAt?: Date;
  overrideId?: string;
  cancelledAt?: Date;
  cancelledBy?: Actor;
  createdAt: Date;
}

/** One entry of a rotation's (or the organisation's) audit timeline. */
export interface OnCallEvent {
  id: string;
  /** A rotation id, or `org` for organisation reloads. */
  subject: string;
  type: 'override.created' | 'override.cancelled' | 'cover.requested' | 'cover.taken' | 'cover.cancelled' | 'org.reloaded' | 'org.reload_refused';
  at: Date;
  actor: Actor;
  data: Record<string, unknown>;
}

/** What a person set for themselves from chat, or what Esc learnt about them (chat ids by email). */
export interface PersonSettings {
  personId: string;
  phone?: string;
  quietHours?: { start: string; end: string };
  slackId?: string;
  teamsId?: string;
  /** A requester Esc added when they first wrote (nobody in the file had their email). */
  added?: Pick<Person, 'id' | 'name' | 'email' | 'timeZone'>;
  updatedAt: Date;
}

/** Overrides, cover requests, the on-call audit timeline, self-service settings and shift notices. */
export interface OnCallRepository {
  /** Stores a new override (idempotent on id). */
  addOverride(o: StoredOverride): Promise<void>;
  /** Overrides not cancelled that end after `after`, newest first. */
  activeOverrides(after: Date): Promise<StoredOverride[]>;
  getOverride(id: string): Promise<StoredOverride | null>;
  /** Cancels once (compare-and-set); null when it was already cancelled or does not exist. */
  cancelOverride(id: string, by: Actor, now: Date): Promise<StoredOverride | null>;
  addCover(c: CoverRequest): Promise<void>;
  getCover(id: string): Promise<CoverRequest | null>;
  /** Marks an open cover request taken by `personId` (compare-and-set): null when someone else was first. */
  takeCover(id: string, personId: string, overrideId: string, now: Date): Promise<CoverRequest | null>;
  /** Marks an open cover request cancelled (compare-and-set): null when it was taken or cancelled first. */
  cancelCover(id: string, by: Actor, now: Date): Promise<CoverRequest | null>;
  /** Open cover requests whose span has not ended, newest first. */
  openCovers(now: Date): Promise<CoverRequest[]>;
  /** Appends to the audit timeline. */
  record(e: OnCallEvent): Promise<void>;
  /** The audit timeline of a rotation (or `org`), oldest first. */
  events(subject: string, limit?: number): Promise<OnCallEvent[]>;
  /** Merges settings for a person. */
  saveSettings(personId: string, patch: Omit<PersonSettings, 'personId' | 'updatedAt'>, now: Date): Promise<void>;
  allSettings(): Promise<PersonSettings[]>;
  /** Claims a notice key once (unique index): true for the first caller only. */
  claimNotice(key: string, now: Date): Promise<boolean>;
  /** Keeps a copy of every on-call message (the outbox, and what tests read), with where it was posted. */
  keepMessage(m: OnCallMessage, sent: boolean, now: Date, posted?: PostedMessage): Promise<void>;
  /** Where the posts of a cover request went (to edit them when it is taken or cancelled). */
  coverPosts(coverId: string): Promise<PostedMessage[]>;
  /** The kept messages, oldest first. */
  messages(limit?: number): Promise<(OnCallMessage & { sent: boolean; at: Date })[]>;
}

/** A message about on-call (cover request, shift notice, hand-off) to a chat channel or a person. */
export interface OnCallMessage {
  /** Who it goes to: a chat channel (Slack channel / Teams conversation id) or a person (DM). */
  to: { channelId: string } | { personId: string };
  text: string;
  /** A cover request carries a Take button. */
  take?: { coverId: string };
  /** Unique per message: a retry never posts twice. */
  key: string;
}

/** Where a chat platform put a message, so it can be edited later; opaque to the core. */
export interface PostedMessage {
  /** 'slack' or 'teams'. */
  platform: string;
  /** Slack channel id, Teams conversation id. */
  conversationId: string;
  /** Slack ts, Teams activity id. */
  messageId: string;
}

/** Posts on-call messages where people read them; the default keeps them in the outbox (sent: false). */
export interface OnCallMessenger {
  /** Posts one message; failures are logged by the caller and never undo the change they tell about. */
  post(m: OnCallMessage, person: Person | undefined): Promise<{ sent: boolean; posted?: PostedMessage }>;
  /** Replaces a posted message (a cover request taken or cancelled: no Take button any more). False when this messenger cannot. */
  update?(posted: PostedMessage, m: Pick<OnCallMessage, 'text' | 'take'>): Promise<boolean>;
}
