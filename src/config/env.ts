import { z } from 'zod/v4';

export const API_ROLES = ['admin', 'agent', 'reporter', 'monitor', 'viewer'] as const;
export type ApiRole = (typeof API_ROLES)[number];
export interface ApiToken {
  /** Never printed: JSON and inspection show [redacted]. */
  token: Secret;
  role: ApiRole;
  /** The directory person the token acts as, if any. */
  personId: string | null;
  name: string;
}

/** A secret that never prints: logs, JSON and inspection show [redacted]. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[redacted]';
  }
}

/** Demo tokens used when ESC_API_TOKENS is unset, so a fresh `npm start` can be tried at once. */
export const DEMO_TOKENS = 'demo-admin-token:admin:erin,demo-agent-token:agent:alice,demo-monitor-token:monitor';

const tokenList = z.string().transform((s, ctx) => {
  const out: ApiToken[] = [];
  s.split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .forEach((entry, i) => {
      const [token, role, personId] = entry.split(':');
      if (!token || token.length < 12) ctx.addIssue({ code: 'custom', message: `entry ${i + 1}: the token must be at least 12 characters` });
      else if (!API_ROLES.includes(role as ApiRole)) ctx.addIssue({ code: 'custom', message: `entry ${i + 1}: role must be one of ${API_ROLES.join(', ')}` });
      else out.push({ token: new Secret(token), role: role as ApiRole, personId: personId || null, name: `token-${i + 1}` });
    });
  return out;
});

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const port = z.coerce.number().int().min(0).max(65535);

/** Each variable: its schema and the hint shown when it is wrong. Also documented in .env.example. */
const shape = {
  PORT: port.default(3000),
  /** Unset: 0.0.0.0 with ESC_API_TOKENS, 127.0.0.1 (this machine only) without. */
  HOST: z.string().min(1).optional(),
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional(),
  ESC_ORG_FILE: z.string().default('config/demo-org.yaml'),
  ESC_PUBLIC_URL: z.url().default('http://localhost:3000'),
  ESC_API_TOKENS: tokenList.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ESC_ENGINE_TICK_MS: z.coerce.number().int().min(10).max(60_000).default(200),
  /** Longest pause of an idle engine lane: how soon work written by another process is found (steps known ahead fire on time). */
  ESC_ENGINE_IDLE_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  ESC_ENGINE_LEASE_MS: z.coerce.number().int().min(1000).max(600_000).default(15_000),
  ESC_AUDIT_GRACE_MS: z.coerce.number().int().min(1000).default(60_000),
  ESC_ENGINE: bool.default(true),
  ESC_DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(4),
  ESC_DELIVERY_LEASE_MS: z.coerce.number().int().min(2000).max(600_000).default(20_000),
  /** Bearer token for GET /metrics (unset: admin or monitor API tokens). */
  ESC_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Serve /metrics on this port instead (no token; keep the port private). */
  ESC_METRICS_PORT: port.optional(),
  /** Key of the iCal feed links (unset: a random key made at first use and kept in MongoDB). */
  ESC_ICAL_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
} as const;

const HINTS: Record<string, string> = {
  PORT: 'a TCP port, e.g. 3000',
  MONGODB_URI: 'e.g. mongodb://localhost:27017/esc; leave unset to start the local database',
  ESC_ORG_FILE: 'path to the organisation YAML (see config/demo-org.yaml)',
  ESC_PUBLIC_URL: 'the URL people and providers reach Esc at, e.g. https://esc.example.com',
  ESC_API_TOKENS: 'comma-separated token:role[:personId], e.g. s3cr3t-token-123:agent:alice',
  LOG_LEVEL: 'one of fatal, error, warn, info, debug, trace, silent',
  ESC_METRICS_TOKEN: 'a random string of 16+ characters that Prometheus sends as a bearer token',
  ESC_METRICS_PORT: 'a TCP port for Prometheus only, e.g. 9464',
  ESC_ICAL_SECRET: 'a random string of 16+ characters, e.g. $(openssl rand -hex 32); changing it invalidates every calendar link',
};

const SECRET_KEYS = new Set(['ESC_API_TOKENS', 'MONGODB_URI', 'ESC_METRICS_TOKEN', 'ESC_ICAL_SECRET']);
export const envSchema = z.object(shape);
export type Env = z.output<typeof envSchema>;

export interface Config extends Omit<Env, 'ESC_API_TOKENS' | 'MONGODB_URI' | 'ESC_METRICS_TOKEN' | 'ESC_ICAL_SECRET' | 'HOST'> {
  /** Where to listen; see loadConfig for the safe default. */
  HOST: string;
  /** True when HOST was not set and Esc chose loopback because ESC_API_TOKENS is unset. */
  loopbackOnly: boolean;
  apiTokens: ApiToken[];
  usingDemoTokens: boolean;
  mongoUri: Secret | null;
  metricsToken: Secret | null;
  /** ESC_ICAL_SECRET; null: the key stored in MongoDB. */
  icalSecret: Secret | null;
}

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
export const isLoopback = (host: string) => /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i.test(host.trim());

/** Configuration that cannot be used: every problem by variable name, with a hint. Never echoes values. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Esc cannot start: ${problems.length} configuration problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example for every variable.`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment, reporting every error at once. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const input: Record<string, string | undefined> = {};
  for (const k of Object.keys(shape)) input[k] = env[k] === '' ? undefined : env[k];
  const r = envSchema.safeParse(input);
  if (!r.success) {
    throw new ConfigError(
      r.error.issues.map((i) => {
        const key = String(i.path[0] ?? '');
        const hint = HINTS[key] ? ` (${HINTS[key]})` : '';
        // zod messages never include the value; for secrets we only name the variable.
        return `${key}: ${SECRET_KEYS.has(key) ? i.message.replace(/".*"/, '') : i.message}${hint}`;
      }),
    );
  }
  const { ESC_API_TOKENS, MONGODB_URI, ESC_METRICS_TOKEN, ESC_ICAL_SECRET, HOST, ...rest } = r.data;
  const demo = !ESC_API_TOKENS || ESC_API_TOKENS.length === 0;
  if (demo && HOST && !isLoopback(HOST)) {
    throw new ConfigError([
      `HOST: ${HOST} is reachable from other machines, and ESC_API_TOKENS is not set, so the demo tokens (one of them an admin's) would be accepted. Set ESC_API_TOKENS (comma-separated token:role[:personId], e.g. $(openssl rand -hex 16):admin), or leave HOST unset (or 127.0.0.1) to listen on this machine only`,
    ]);
  }
  return {
    ...rest,
    HOST: HOST ?? (demo ? '127.0.0.1' : '0.0.0.0'),
    loopbackOnly: demo && !HOST,
    metricsToken: ESC_METRICS_TOKEN ? new Secret(ESC_METRICS_TOKEN) : null,
    icalSecret: ESC_ICAL_SECRET ? new Secret(ESC_ICAL_SECRET) : null,
    apiTokens: demo ? (tokenList.parse(DEMO_TOKENS) as ApiToken[]) : ESC_API_TOKENS,
    usingDemoTokens: demo,
    mongoUri: MONGODB_URI ? new Secret(MONGODB_URI) : null,
  };
}
