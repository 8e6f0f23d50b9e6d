import { timingSafeEqual, createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { ApiRole, ApiToken } from '../../config/env.js';
import type { Actor } from '../../app/ports/timeline.js';
import { HttpError } from './errors.js';

export type Capability = 'tickets:read' | 'tickets:write' | 'tickets:act' | 'tickets:escalate' | 'alerts:write' | 'plans:read' | 'outbox:read' | 'directory:read' | 'reports:read' | 'admin';

const GRANTS: Record<ApiRole, Capability[]> = {
  admin: ['tickets:read', 'tickets:write', 'tickets:act', 'tickets:escalate', 'alerts:write', 'plans:read', 'outbox:read', 'directory:read', 'reports:read', 'admin'],
  agent: ['tickets:read', 'tickets:write', 'tickets:act', 'tickets:escalate', 'alerts:write', 'plans:read', 'outbox:read', 'directory:read', 'reports:read'],
  reporter: ['tickets:read', 'tickets:write', 'directory:read'],
  monitor: ['alerts:write'],
  viewer: ['tickets:read', 'plans:read', 'directory:read', 'reports:read'],
};

const digest = (s: string) => createHash('sha256').update(s).digest();

declare module 'express-serve-static-core' {
  interface Request {
    apiToken?: ApiToken;
  }
}

/** Bearer-token authentication: 401 without a valid token. Compares digests in constant time. */
export function authenticate(tokens: ApiToken[]): RequestHandler {
  const known = tokens.map((t) => ({ t, d: digest(t.token.reveal()) }));
  return (req, _res, next) => {
    const h = req.header('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    if (!m) return next(new HttpError(401, 'UNAUTHENTICATED', 'Send an API token: "Authorization: Bearer <token>" (tokens are set in ESC_API_TOKENS).'));
    const d = digest(m[1]!);
    const hit = known.find((k) => timingSafeEqual(k.d, d));
    if (!hit) return next(new HttpError(401, 'UNAUTHENTICATED', 'That API token is not valid.'));
    req.apiToken = hit.t;
    next();
  };
}

/** 403 when the token's role may not do this. */
export function allow(cap: Capability): RequestHandler {
  return (req, _res, next) => {
    const role = req.apiToken?.role;
    if (!role || !GRANTS[role].includes(cap)) return next(new HttpError(403, 'FORBIDDEN', `A ${role ?? 'missing'} token may not do this (needs ${cap}).`));
    next();
  };
}

/** A token bound to a person acts with that person's rights; a person-less token with its role's. */
export function actorOf(token: ApiToken | undefined): Actor {
  const personId = token?.personId ?? null;
  return { personId, via: 'api', name: token?.name, ...(personId || !token ? {} : { role: token.role }) };
}
