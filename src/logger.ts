import { pino } from 'pino';
import type { Logger } from './app/deps.js';

/** JSON logs on stdout; secrets are redacted by path as a second line of defence (Secret never prints). */
export function createLogger(level: string): Logger & { child(b: object): Logger } {
  return pino({
    level,
    base: { app: 'esc' },
    redact: { paths: ['token', '*.token', 'authorization', '*.authorization', 'password', '*.password', 'secret', '*.secret', 'apiToken'], censor: '[redacted]' },
  });
}
