import type { Connection } from 'mongoose';
import { ExpiringKeys } from '../mongo/expiring-keys.js';
import type { ThreadStore } from './slack-chat-notifier.js';

/** Escalations rarely run longer; after this a later step starts a new DM thread. */
const THREAD_TTL_MS = 14 * 24 * 3_600_000;

/**
 * The DM thread map in MongoDB: whichever Esc process sends an escalation's later steps, they
 * reply in the thread the first DM started.
 */
export class MongoThreadStore implements ThreadStore {
  private readonly keys: ExpiringKeys;
  constructor(
    connection: () => Connection,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.keys = new ExpiringKeys(connection, 'slack_dm_threads');
  }

  get(key: string): Promise<{ channel: string; ts: string } | null> {
    return this.keys.get<{ channel: string; ts: string }>(key, this.now());
  }

  /** The first thread for a key wins (a unique key); later puts are ignored. */
  async put(key: string, value: { channel: string; ts: string }): Promise<void> {
    await this.keys.claim(key, this.now(), THREAD_TTL_MS, value);
  }
}
