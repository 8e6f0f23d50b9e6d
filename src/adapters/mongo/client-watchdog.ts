import type { MongoClient } from 'mongodb';
import type { Logger } from '../../app/deps.js';

export interface WatchdogOptions {
  log: Logger;
  /** The client's connectTimeoutMS: a check that neither succeeds nor fails within it (plus slack) is stuck. */
  connectTimeoutMS: number;
  /** The client's heartbeatFrequencyMS: an awaited (streaming) check may legitimately wait this long. */
  heartbeatFrequencyMS: number;
  /** How often to look (default 2 s). */
  everyMs?: number;
  /** Slack on top of the timeouts before calling a check stuck (default 5 s). */
  slackMs?: number;
  now?: () => number;
}

interface Check {
  startedAt: number;
  awaited: boolean;
}

/**
 * Revives a MongoDB client whose server monitor got stuck.
 *
 * The Node driver (seen in 7.8 and 7.9.1) can lose a server-monitor check for good when a
 * connection drops at the wrong moment: the check writes to a socket that is already destroyed
 * but whose 'close' event has not run yet, then waits for a 'drain' that never comes. No
 * timeout covers that wait, so the server stays "Unknown" and every operation of the process
 * fails server selection, forever, even after the database is back (found by the outage test:
 * proxy cut while the engine was busy, 10 of 30 pages sent, nothing more).
 *
 * The driver reports every check through its public heartbeat events. A check that got no
 * answer within connectTimeoutMS (+ heartbeatFrequencyMS when awaited, + slack) is stuck: the
 * client is closed (force) and connected again, which builds a fresh topology; mongoose models
 * and Db handles keep working. If the database is really away, connecting again is retried on
 * the next look until it answers.
 */
export class MongoClientWatchdog {
  private readonly checks = new Map<string, Check>();
  private timer: NodeJS.Timeout | null = null;
  private recycling: Promise<void> | null = null;
  private needsConnect = false;
  private readonly now: () => number;
  /** How many times the client was revived (metrics, tests). */
  revivals = 0;

  private readonly onStarted = (e: { connectionId: string; awaited?: boolean }) => {
    this.checks.set(e.connectionId, { startedAt: this.now(), awaited: e.awaited === true });
  };
  private readonly onEnded = (e: { connectionId: string }) => {
    this.checks.delete(e.connectionId);
  };

  constructor(
    private readonly client: MongoClient,
    private readonly opts: WatchdogOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    this.client.on('serverHeartbeatStarted', this.onStarted);
    this.client.on('serverHeartbeatSucceeded', this.onEnded);
    this.client.on('serverHeartbeatFailed', this.onEnded);
    this.timer = setInterval(() => void this.look(), this.opts.everyMs ?? 2000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.client.off('serverHeartbeatStarted', this.onStarted);
    this.client.off('serverHeartbeatSucceeded', this.onEnded);
    this.client.off('serverHeartbeatFailed', this.onEnded);
    await this.recycling?.catch(() => undefined);
  }

  /** The check stuck longest, if any is past its limit. */
  stuck(): { address: string; forMs: number } | null {
    const now = this.now();
    const slack = this.opts.slackMs ?? 5000;
    for (const [address, c] of this.checks) {
      const limit = this.opts.connectTimeoutMS + (c.awaited ? this.opts.heartbeatFrequencyMS : 0) + slack;
      if (now - c.startedAt > limit) return { address, forMs: now - c.startedAt };
    }
    return null;
  }

  private look(): Promise<void> {
    if (this.recycling || !this.timer) return this.recycling ?? Promise.resolve();
    const stuck = this.stuck();
    if (!stuck && !this.needsConnect) return Promise.resolve();
    this.recycling = this.revive(stuck).finally(() => {
      this.recycling = null;
    });
    return this.recycling;
  }

  private async revive(stuck: { address: string; forMs: number } | null): Promise<void> {
    if (stuck) {
      this.opts.log.warn({ server: stuck.address, stuckMs: stuck.forMs }, 'database driver stuck (a server check got no answer); reconnecting the client');
      this.checks.clear();
      await this.client.close(true).catch(() => undefined);
      this.revivals++;
    }
    try {
      await this.client.connect();
      this.needsConnect = false;
    } catch (e) {
      // The database is really away: try again on the next look.
      this.needsConnect = true;
      this.opts.log.debug({ err: (e as Error).message }, 'database client reconnect failed; retrying');
    }
  }
}
