/**
 * Where a chat platform said it can be reached: enough to send a proactive message later.
 * Platform-specific detail stays opaque in `reference` (Teams: a Bot Framework ConversationReference).
 */
export interface StoredConversationRef {
  /** 'teams', or another chat platform. */
  platform: string;
  /** The person this is a personal (1:1) chat with; null for group chats and channels. */
  personId: string | null;
  /** The platform's conversation id. */
  conversationId: string;
  /** 'personal' | 'groupChat' | 'channel'. */
  scope: string;
  /** The platform's tenant (organisation) id, when it has one. */
  tenantId: string | null;
  /** The platform's endpoint for this conversation (Teams: serviceUrl). */
  serviceUrl: string;
  /** The platform-specific reference, stored as given. */
  reference: Record<string, unknown>;
  updatedAt: Date;
}

/** Conversation references for proactive messages. */
export interface ConversationRefRepository {
  /** Stores or replaces the reference for (platform, conversationId). Never fails on a repeat. */
  save(ref: StoredConversationRef): Promise<void>;
  /** The person's personal-chat reference on the platform, or null when they never talked to the bot. */
  personal(platform: string, personId: string): Promise<StoredConversationRef | null>;
  /** The reference of one conversation (a team channel or group chat), or null. */
  byConversation(platform: string, conversationId: string): Promise<StoredConversationRef | null>;
  /** The newest reference in the tenant (null: in any tenant); its serviceUrl lets the bot open a new 1:1 chat. */
  anyInTenant(platform: string, tenantId: string | null): Promise<StoredConversationRef | null>;
}
