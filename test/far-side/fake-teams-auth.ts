import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ServiceClientCredentialsFactory } from 'botframework-connector';
import type { ServiceClientCredentials } from 'botframework-connector';

/** The issuer of Bot Framework channel tokens. */
export const CHANNEL_ISSUER = 'https://api.botframework.com';

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/** An RSA signing key as the Bot Framework publishes it: a JWK with a kid and channel endorsements. */
export class SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  constructor(kid = randomUUID()) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.kid = kid;
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }
  jwk(): Record<string, unknown> {
    const { n, e } = this.publicKey.export({ format: 'jwk' });
    return { kty: 'RSA', use: 'sig', kid: this.kid, n, e, endorsements: ['msteams'] };
  }
}

export interface TokenClaims {
  aud?: string;
  iss?: string;
  serviceurl?: string;
  exp?: number;
  nbf?: number;
  [k: string]: unknown;
}

/** Signs an RS256 JWT with `key` (header kid = `kid`, default the key's own). */
export function signToken(key: SigningKey, claims: TokenClaims, kid = key.kid): string {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid, x5t: kid }));
  const payload = b64url(JSON.stringify({ iss: CHANNEL_ISSUER, nbf: now - 60, exp: now + 3600, iat: now, ...claims }));
  const signer = createSign('RSA-SHA256');
  signer.update(`${header}.${payload}`);
  return `${header}.${payload}.${b64url(signer.sign(key.privateKey))}`;
}

/**
 * Outbound credentials that need no Entra ID: every call to the connector carries a fixed
 * bearer token the fake connector checks.
 */
export class FakeCredentialsFactory extends ServiceClientCredentialsFactory {
  static readonly TOKEN = 'fake-outbound-token';
  constructor(private readonly appId: string) {
    super();
  }
  async isValidAppId(appId: string): Promise<boolean> {
    return appId === this.appId;
  }
  async isAuthenticationDisabled(): Promise<boolean> {
    return false;
  }
  async createCredentials(): Promise<ServiceClientCredentials> {
    return {
      signRequest: async (req) => {
        req.headers.set('authorization', `Bearer ${FakeCredentialsFactory.TOKEN}`);
        return req;
      },
    };
  }
}
