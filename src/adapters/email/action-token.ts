import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';

/** What a one-click email link may do. */
export interface ActionClaims {
  /** The ticket id. */
  t: string;
  /** acknowledge | escalate | resolve | claim (a manager escalation request) | rate (satisfaction, with `s`) */
  a: 'acknowledge' | 'escalate' | 'resolve' | 'claim' | 'rate';
  /** The satisfaction score 1–5 of a `rate` link. */
  s?: number;
  /** The person the email went to: the actor. */
  p: string | null;
  /** The delivery the link came in. */
  d: string;
  /** Expiry, unix seconds. */
  exp: number;
  /** Nonce: what makes each link single use. */
  n: string;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** Signs claims: base64url(JSON).base64url(HMAC-SHA256). */
export function signAction(secret: string, claims: Omit<ActionClaims, 'n'> & { n?: string }): string {
  const body = b64(JSON.stringify({ ...claims, n: claims.n ?? randomBytes(9).toString('base64url') }));
  return `${body}.${b64(createHmac('sha256', secret).update(body).digest())}`;
}

export type VerifyResult = { ok: true; claims: ActionClaims } | { ok: false; reason: 'invalid' | 'expired' };

/** Checks the signature (constant time) and the expiry. */
export function verifyAction(secret: string, token: string, now: Date): VerifyResult {
  const [body, sig] = token.split('.');
  if (!body || !sig) return { ok: false, reason: 'invalid' };
  const want = createHmac('sha256', secret).update(body).digest();
  const got = Buffer.from(sig, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, reason: 'invalid' };
  let claims: ActionClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as ActionClaims;
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

interface UsedDoc {
  _id: string;
  at: Date;
}

/** Used link nonces under a unique key: a link works once, even when clicked twice at once. */
export class UsedTokenStore {
  private model: Model<UsedDoc> | null = null;
  constructor(private readonly connection: () => Connection) {}

  private m(): Model<UsedDoc> {
    const conn = this.connection();
    this.model ??= conn.models.EmailUsedToken ?? conn.model<UsedDoc>('EmailUsedToken', new Schema<UsedDoc>({ _id: String, at: Date }, { versionKey: false }), 'email_used_tokens');
    return this.model;
  }

  /** Marks the nonce used: true the first time, false after. */
  async use(nonce: string, at: Date): Promise<boolean> {
    try {
      await this.m().create({ _id: nonce, at });
      return true;
    } catch (e) {
      if ((e as { code?: number }).code === 11000) return false;
      throw e;
    }
  }

  /** Whether the nonce was already used (reading only: a GET of the link must not use it up). */
  async isUsed(nonce: string): Promise<boolean> {
    if (typeof nonce !== 'string') return true;
    return (await this.m().exists({ _id: nonce })) !== null;
  }

  /** Frees a nonce whose action failed, so the person can try again. */
  async release(nonce: string): Promise<void> {
    await this.m().deleteOne({ _id: nonce });
  }
}
