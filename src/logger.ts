import { inspect } from 'node:util';
import { pino } from 'pino';
import type { LoggerOptions as PinoOptions } from 'pino';
import type { Logger } from './app/deps.js';
import { currentRequest } from './adapters/ops/request-context.js';

/** Bearer tokens, JWTs (Bot Framework, Entra), client secrets and basic-auth passwords in free text. */
const KEYS = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[redacted-jwt]'],
  [/\b(client_secret|password|appPassword|MicrosoftAppPassword|access_token|refresh_token)(["']?\s*[:=]\s*["']?)[^\s"'&,}]+/gi, '$1$2[redacted]'],
  [/(\/\/[^/:@\s]+:)[^@/\s]+@/g, '$1[redacted]@'],
  [/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g, '[pem]'],
] as const;

/**
 * Log text without keys, and without third-party stack frames: a stack keeps its message and
 * our own frames (dist/ or src/), not the dozens of botbuilder / node_modules frames.
 */
export function scrubLogText(s: string): string {
  let out = s;
  for (const [re, rep] of KEYS) out = out.replace(re, rep);
  if (out.includes('\n    at ')) {
    const lines = out.split('\n');
    const kept = lines.filter((l) => !/^\s+at /.test(l) || (!l.includes('node_modules') && !l.includes('node:internal')));
    const dropped = lines.length - kept.length;
    out = kept.join('\n') + (dropped > 0 ? `\n    (${dropped} library frames left out)` : '');
  }
  return out;
}

function scrub(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return scrubLogText(v);
  if (depth > 4 || v === null || typeof v !== 'object') return v;
  if (v instanceof Error) return { type: v.name, message: scrubLogText(v.message), stack: v.stack ? scrubLogText(v.stack) : undefined };
  if (Array.isArray(v)) return v.map((x) => scrub(x, depth + 1));
  if (v instanceof Date || Buffer.isBuffer(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = scrub(x, depth + 1);
  return out;
}

/**
 * Libraries that write to the console themselves (botbuilder prints token errors, signing
 * keys and stack traces with console.error) go through the logger instead: at DEBUG, keys
 * scrubbed, library stack frames left out. Only the production entry point installs this.
 */
export function captureConsole(log: Logger): void {
  const to = (level: string) => (...args: unknown[]) => {
    const text = args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : typeof a === 'string' ? a : inspect(a, { depth: 2, breakLength: Infinity }))).join(' ');
    log.debug({ console: level, text: scrubLogText(text).slice(0, 2000) }, 'library console output');
  };
  console.error = to('error');
  console.warn = to('warn');
  console.log = to('log');
  console.info = to('info');
  console.debug = to('debug');
}

export interface LoggerOptions {
  /** Human-readable lines (pino-pretty) instead of JSON; default: when stdout is a terminal. */
  pretty?: boolean;
  /** Where JSON lines go (tests); default stdout. */
  destination?: NodeJS.WritableStream;
}

/**
 * JSON logs on stdout (pretty on a terminal). Every line written while answering a request
 * carries its `reqId`. Secrets are redacted by path and by pattern as a second line of
 * defence (Secret never prints).
 */
export function createLogger(level: string, opts: LoggerOptions = {}): Logger & { child(b: object): Logger } {
  const pretty = opts.pretty ?? (process.stdout.isTTY === true && !process.env.NO_COLOR);
  const options: PinoOptions = {
    level,
    base: { app: 'esc' },
    redact: { paths: ['token', '*.token', 'authorization', '*.authorization', 'password', '*.password', 'secret', '*.secret', 'apiToken', 'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-slack-signature"]', 'req.headers["x-twilio-signature"]'], censor: '[redacted]' },
    mixin: () => {
      const r = currentRequest();
      return r ? { reqId: r.reqId } : {};
    },
    formatters: { log: (obj) => scrub(obj) as Record<string, unknown> },
    ...(pretty && !opts.destination ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,app' } } } : {}),
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
