import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';

/** A phone number that told the carrier to stop Esc's SMS (a STOP reply, or Twilio error 21610). */
export interface SmsOptOut {
  /** The phone number, E.164. */
  _id: string;
  keyword: string;
  at: Date;
}

/** Twilio's default opt-out, opt-in and help keywords (a reply that is just the word). */
export const OPT_OUT_WORDS = ['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit'] as const;
export const OPT_IN_WORDS = ['start', 'yes', 'unstop'] as const;

/** What an inbound SMS is as a consent keyword, or null for an ordinary reply. */
export function consentKeyword(body: string, optOutType?: string): 'opt_out' | 'opt_in' | null {
  const t = (optOutType ?? '').toUpperCase();
  if (t === 'STOP') return 'opt_out';
  if (t === 'START') return 'opt_in';
  const w = body.trim().toLowerCase().replace(/[.!]+$/, '');
  if ((OPT_OUT_WORDS as readonly string[]).includes(w)) return 'opt_out';
  if ((OPT_IN_WORDS as readonly string[]).includes(w)) return 'opt_in';
  return null;
}

/** Opted-out phone numbers in MongoDB, shared by every Esc process. */
export class SmsOptOutStore {
  private model: Model<SmsOptOut> | null = null;
  constructor(private readonly connection: () => Connection) {}

  private m(): Model<SmsOptOut> {
    const conn = this.connection();
    this.model ??= conn.models.SmsOptOut ?? conn.model<SmsOptOut>('SmsOptOut', new Schema<SmsOptOut>({ _id: String, keyword: String, at: Date }, { versionKey: false }), 'sms_opt_outs');
    return this.model;
  }

  /** Records the opt-out: true when it is new (the number was not opted out before). */
  async optOut(phone: string, keyword: string, at: Date): Promise<boolean> {
    const r = await this.m().updateOne({ _id: phone }, { $setOnInsert: { keyword, at } }, { upsert: true });
    return r.upsertedCount > 0;
  }

  /** Clears it (START): true when there was one. */
  async optIn(phone: string): Promise<boolean> {
    return (await this.m().deleteOne({ _id: phone })).deletedCount > 0;
  }

  async isOptedOut(phone: string): Promise<boolean> {
    return (await this.m().exists({ _id: String(phone) })) !== null;
  }
}
