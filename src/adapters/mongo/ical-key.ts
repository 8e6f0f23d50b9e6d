/**
 * The key iCal feed links are signed with (issue 15). Its own secret, so rotating the API
 * tokens leaves calendar subscriptions working: ESC_ICAL_SECRET when set, else a random key
 * made at first use and kept in MongoDB (`esc_secrets`, one document), so every Esc process
 * signs and checks the same links. Changing the secret, or deleting that document, makes every
 * existing link answer 403 ("ask Esc for a new one").
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { Secret } from '../../config/env.js';

const DOC_ID = 'ical-feed-key';

export function icalKeySource(secret: Secret | null, conn: Connection): () => Promise<Buffer> {
  if (secret) {
    const key = createHash('sha256').update(`esc-ical\n${secret.reveal()}`).digest();
    return async () => key;
  }
  let cached: Promise<Buffer> | null = null;
  const read = async () => {
    const col = conn.collection<{ _id: string; key: string; createdAt: Date }>('esc_secrets');
    // Insert-if-absent: the first process to ask makes the key; the others read that one.
    try {
      await col.updateOne({ _id: DOC_ID }, { $setOnInsert: { key: randomBytes(32).toString('base64'), createdAt: new Date() } }, { upsert: true });
    } catch (e) {
      if ((e as { code?: number }).code !== 11000) throw e; // two processes at once: the other's key won
    }
    const doc = await col.findOne({ _id: DOC_ID });
    if (!doc?.key) throw new Error('the iCal feed key could not be read from MongoDB');
    return Buffer.from(doc.key, 'base64');
  };
  return () => {
    cached ??= read().catch((e: unknown) => {
      cached = null; // a database hiccup is retried on the next request
      throw e;
    });
    return cached;
  };
}
