/**
 * Issue 15: SIGHUP reloads the organisation file of a running Esc (the real entry point in a
 * child process): a valid change is served at once, an invalid file is refused with its problems
 * logged and the running organisation stays; both are on the organisation's audit timeline.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDbUri } from '../support/harness.js';
import { logLines, startEscProcess } from '../support/esc-process.js';
import type { EscProcess } from '../support/esc-process.js';

const ADMIN = { authorization: 'Bearer demo-admin-token' };

async function waitFor<T>(f: () => T | undefined | Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('SIGHUP reloads the organisation file of a running Esc process', function () {
  this.timeout(180_000);
  let p: EscProcess | null = null;

  after(async () => {
    if (p && p.child.exitCode === null) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });

  it('a valid file is served at once; an invalid one is refused (problems logged) and the running organisation stays', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'esc-hup-')), 'org.yaml');
    const demo = readFileSync('config/demo-org.yaml', 'utf8');
    writeFileSync(file, demo);
    p = await startEscProcess({ MONGODB_URI: freshDbUri(), ESC_ORG_FILE: file });
    const onCall = async () => {
      const r = await fetch(`${p!.url}/api/oncall?team=service-desk`, { headers: ADMIN });
      expect(r.status).to.equal(200);
      const body = (await r.json()) as { teams: { layers: { current: { personId: string } | null }[] }[] };
      return body.teams[0]!.layers[0]!.current?.personId;
    };
    const before = await onCall();
    expect(before).to.be.oneOf(['alice', 'bob']);
    const other = before === 'alice' ? 'bob' : 'alice';
    // Swap the rotation's order: whoever was on call hands over to the other.
    const swapped = demo.replace('{ id: service-desk-oncall, members: [alice, bob]', '{ id: service-desk-oncall, members: [bob, alice]');
    expect(swapped).to.not.equal(demo);
    writeFileSync(file, swapped);
    p.child.kill('SIGHUP');
    await waitFor(() => logLines(p!).find((l) => l.msg === 'SIGHUP: organisation reloaded'), 30_000, 'the reload log line');
    expect(await onCall()).to.equal(other);
    // An invalid file: refused, every problem logged by path; the swapped organisation keeps serving.
    writeFileSync(file, swapped.replace('members: [bob, alice]', 'members: [bob, nobody-here]'));
    p.child.kill('SIGHUP');
    const refused = await waitFor(() => logLines(p!).find((l) => l.code === 'ORG_RELOAD_REFUSED'), 30_000, 'the refusal log line');
    expect(refused.level).to.equal(50);
    expect(JSON.stringify(refused.problems)).to.include('nobody-here');
    expect(await onCall()).to.equal(other);
    expect(p.child.exitCode).to.equal(null);
    const tl = await fetch(`${p.url}/api/org/timeline`, { headers: ADMIN });
    const events = ((await tl.json()) as { events: { type: string; actor: { name?: string } }[] }).events;
    expect(events.filter((e) => e.actor.name === 'SIGHUP').map((e) => e.type)).to.include.members(['org.reloaded', 'org.reload_refused']);
    p.child.kill('SIGTERM');
    expect(await p.exited).to.equal(0);
  });
});
