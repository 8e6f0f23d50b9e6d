/**
 * Bolt's runtime pieces Esc uses, loaded without what it does not use (issue 18, memory).
 * `@slack/bolt`'s entry point and its App load Socket Mode (with its own copy of undici) and
 * OAuth (jsonwebtoken, semver) at once, about 15-20 MB of RSS, even over HTTP without an
 * installer. Here those two packages are registered as stand-ins that load the real package
 * the first time Bolt touches them (Socket Mode when an app token is set; OAuth never in
 * Esc), so an HTTP-only Esc never loads them. Everything else is Bolt's own code.
 */
import { createRequire } from 'node:module';
import type * as Bolt from '@slack/bolt';

const require = createRequire(import.meta.url);
const boltRequire = createRequire(require.resolve('@slack/bolt'));

/** Puts a stand-in for `name` (as Bolt resolves it) in the module cache, unless it is loaded already. */
function lazily(name: string): void {
  const path = boltRequire.resolve(name);
  if (require.cache[path]) return;
  let real: Record<string | symbol, unknown> | null = null;
  const load = (): Record<string | symbol, unknown> => {
    if (!real) {
      // The real module replaces the stand-in in the cache.
      delete require.cache[path];
      real = boltRequire(name) as Record<string | symbol, unknown>;
    }
    return real;
  };
  const exports = new Proxy({} as Record<string | symbol, unknown>, {
    get: (_, k) => load()[k],
    has: (_, k) => k in load(),
    ownKeys: () => Reflect.ownKeys(load()),
    getOwnPropertyDescriptor: (_, k) => {
      const d = Object.getOwnPropertyDescriptor(load(), k);
      return d ? { ...d, configurable: true } : undefined;
    },
  });
  require.cache[path] = { id: path, filename: path, path, loaded: true, exports, children: [], paths: [] } as unknown as NodeJS.Module;
}

lazily('@slack/socket-mode');
lazily('@slack/oauth');

export const App = (boltRequire('./App.js') as { default: typeof Bolt.App }).default;
export type App = Bolt.App;
export const HTTPResponseAck = (boltRequire('./receivers/HTTPResponseAck.js') as Pick<typeof Bolt, 'HTTPResponseAck'>).HTTPResponseAck;
export const LogLevel = (boltRequire('@slack/logger') as Pick<typeof Bolt, 'LogLevel'>).LogLevel;
export type LogLevel = Bolt.LogLevel;
const web = boltRequire('@slack/web-api') as typeof Bolt.webApi;
export const WebClient = web.WebClient;
export const ErrorCode = web.ErrorCode;
