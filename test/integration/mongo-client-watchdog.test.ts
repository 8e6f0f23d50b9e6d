// The client watchdog: a driver server check that never ends (a MongoDB Node driver hang after a dropped
// connection, seen in 7.8 and 7.9.1) makes Esc reconnect its client instead of failing every operation forever.
// The real outage is staged end to end in engine-db-outage.test.ts; here the check's events are replayed on a
// real client connected to the test database, to pin the limits.
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { MongoClientWatchdog } from '../../src/adapters/mongo/client-watchdog.js';
import { MemoryLogger } from '../support/harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mongo client watchdog', () => {
  let client: MongoClient;
  let dog: MongoClientWatchdog | null = null;
  beforeEach(async () => {
    client = new MongoClient(process.env.MONGODB_URI!, { serverSelectionTimeoutMS: 5000 });
    await client.connect();
  });
  afterEach(async () => {
    await dog?.stop();
    await client.close();
  });

  it('a check with no answer past connectTimeoutMS + slack: one WARN, the client reconnects and works', async () => {
    const log = new MemoryLogger();
    dog = new MongoClientWatchdog(client, { log, connectTimeoutMS: 1500, heartbeatFrequencyMS: 10_000, slackMs: 100, everyMs: 50 });
    dog.start();
    client.emit('serverHeartbeatStarted', { connectionId: 'db.example:27017', awaited: false } as never);
    const t0 = Date.now();
    await sleep(300);
    if (Date.now() - t0 < 1200) expect(dog.revivals, 'not yet: within its time').to.equal(0);
    const end = Date.now() + 5000;
    while (dog.revivals === 0 && Date.now() < end) await sleep(20);
    expect(dog.revivals).to.equal(1);
    const warns = log.lines.filter((l) => l.level === 'warn');
    expect(warns.map((l) => l.msg)).to.deep.equal(['database driver stuck (a server check got no answer); reconnecting the client']);
    expect(warns[0]!.obj).to.include({ server: 'db.example:27017' });
    // The same client object (what mongoose and Agenda hold) works again.
    await sleep(200);
    const r = await client.db('admin').command({ ping: 1 });
    expect(r.ok).to.equal(1);
    await sleep(300);
    expect(dog.revivals, 'once, not again and again').to.equal(1);
  });

  it('checks that end (succeeded or failed) are never counted as stuck; an awaited check gets heartbeatFrequencyMS more', async () => {
    const log = new MemoryLogger();
    dog = new MongoClientWatchdog(client, { log, connectTimeoutMS: 1000, heartbeatFrequencyMS: 2000, slackMs: 100, everyMs: 25 });
    dog.start();
    for (let i = 0; i < 5; i++) {
      client.emit('serverHeartbeatStarted', { connectionId: 'a:1', awaited: false } as never);
      await sleep(100);
      expect(dog.revivals).to.equal(0);
      client.emit(i % 2 ? 'serverHeartbeatFailed' : 'serverHeartbeatSucceeded', { connectionId: 'a:1' } as never);
    }
    client.emit('serverHeartbeatStarted', { connectionId: 'b:1', awaited: true } as never);
    const t0 = Date.now();
    await sleep(1500);
    if (Date.now() - t0 < 3000) {
      expect(dog.stuck(), 'an awaited check within 1000 + 2000 + 100 ms').to.equal(null);
      expect(dog.revivals).to.equal(0);
    }
    const end = Date.now() + 10_000;
    while (dog.revivals === 0 && Date.now() < end) await sleep(20);
    expect(dog.revivals, 'past it').to.equal(1);
  });
});
