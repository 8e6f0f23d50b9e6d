import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';
import { ConfigError, Secret, loadConfig } from '../../src/config/env.js';
import { OrgFileError, loadOrgFile, parseOrg } from '../../src/config/org-schema.js';
import { DEMO_ORG_FILE } from '../fixtures/domain.js';

/** The demo org as a plain document, and edits to it by dotted path ('plans.1.steps.1.delayMinutes'). */
const demoDoc = (): Record<string, unknown> => parseYaml(readFileSync(DEMO_ORG_FILE, 'utf8')) as Record<string, unknown>;
function get(doc: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], doc);
}
function edit(doc: unknown, changes: Record<string, unknown>): unknown {
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.');
    const last = keys.pop()!;
    (keys.length > 0 ? (get(doc, keys.join('.')) as Record<string, unknown>) : (doc as Record<string, unknown>))[last] = value;
  }
  return doc;
}

function problemsOf(doc: unknown): string[] {
  try {
    parseOrg(doc, 'bad.yaml');
  } catch (e) {
    expect(e).to.be.instanceOf(OrgFileError);
    return (e as OrgFileError).problems;
  }
  return expect.fail('parseOrg accepted a bad org');
}

describe('org file (parseOrg, loadOrgFile)', () => {
  it('loads the demo org with defaults filled in', () => {
    const org = loadOrgFile(DEMO_ORG_FILE);
    expect(org).to.include({ name: 'Demo University ITS', timeZone: 'America/Los_Angeles', defaultTeamId: 'service-desk' });
    expect(org.people.map((p) => p.id)).to.deep.equal(['alice', 'bob', 'carol', 'dana', 'erin', 'frank', 'grace', 'henry', 'ivan', 'judy', 'ken']);
    expect(org.teams.map((t) => [t.id, t.managerId, t.rotationId])).to.deep.equal([
      ['service-desk', 'dana', 'service-desk-oncall'],
      ['infrastructure', 'ivan', 'infra-oncall'],
    ]);
    expect(org.plans.map((p) => p.id)).to.deep.equal(['urgent', 'standard', 'low']);
    expect(org.plans[0]?.repeat).to.deep.equal({ count: 2, fromStep: 3 });
    expect(org.plans[0]?.steps[0]?.targets).to.deep.equal([{ type: 'assignee' }, { type: 'oncall' }]);
    expect(org.slaPolicies.map((s) => [s.id, s.responseMinutes, s.calendarId])).to.deep.equal([
      ['sla-P1', 30, 'always'],
      ['sla-P2', 60, 'business-hours'],
      ['sla-P3', 480, 'business-hours'],
      ['sla-P4', 960, 'business-hours'],
    ]);
    const alice = org.people[0]!;
    expect(alice).to.include({ timeZone: 'America/Los_Angeles', managerId: 'carol' });
    expect(alice.contacts.map((c) => c.kind)).to.deep.equal(['chat', 'sms', 'voice', 'email']);
    expect(org.calendars.find((c) => c.id === 'always')).to.include({ alwaysOpen: true });
    expect(org.rotations[0]).to.include({ handoffTime: '09:00', shiftDays: 7, start: '2026-01-05' });
  });

  it('reports a missing file and bad YAML as OrgFileError naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'esc-org-'));
    expect(() => loadOrgFile(join(dir, 'nope.yaml'))).to.throw(OrgFileError, /cannot read the file/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: [unclosed\n');
    expect(() => loadOrgFile(bad)).to.throw(OrgFileError, /not valid YAML/).with.property('source', bad);
  });

  it('reports every schema problem at once, each by dotted path, unknown keys rejected', () => {
    const problems = problemsOf(
      edit(demoDoc(), {
        colour: 'blue',
        'calendars.0.timeZone': 'America/Los_Angelas',
        'people.0.nickname': 'Al',
        'people.1.phone': '555-0102',
        'teams.0.rotatoin': 'x',
        'slaPolicies.3.priority': 'P5',
        'plans.0.repeat.fromStep': 0,
        'plans.1.steps.1.delayMinutes': -5,
        'plans.1.steps.2.targets': [],
      }),
    );
    const expected = [
      /^\(root\): .*colour/,
      /^calendars\.0\.timeZone: an IANA time zone/,
      /^people\.0: .*nickname/,
      /^people\.1\.phone: a phone number in E\.164 form/,
      /^teams\.0: .*rotatoin/,
      /^slaPolicies\.3\.priority: /,
      /^plans\.0\.repeat\.fromStep: /,
      /^plans\.1\.steps\.1\.delayMinutes: no negative delays/,
      /^plans\.1\.steps\.2\.targets: at least one target/,
    ];
    expect(problems, problems.join('\n')).to.have.length(expected.length);
    for (const re of expected) expect(problems.some((p) => re.test(p)), `${re} in\n${problems.join('\n')}`).to.equal(true);
  });

  it('reports every cross-reference problem at once, each by dotted path', () => {
    const doc = demoDoc();
    const problems = problemsOf(
      edit(doc, {
        defaultTeam: 'nope',
        executives: ['grace', 'zoe'],
        'calendars.0.hours': { start: '17:00', end: '08:00' },
        'people.0.manager': 'nobody',
        'people.11': { id: 'alice', name: 'Alice Two', email: 'alice2@demo.example.edu' },
        'teams.0.members.1': 'bobby',
        'teams.0.escalatesTo': 'networking',
        'teams.1.calendar': 'nine-to-five',
        'rotations.0.overrides': [{ person: 'alice', from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }],
        slaPolicies: (get(doc, 'slaPolicies') as unknown[]).slice(0, 3),
        'plans.0.repeat.fromStep': 9,
        'plans.1.steps.0.targets': [{ person: 'zed' }, { oncall: 'ghost-team' }],
        'plans.1.steps.1.targets.2': { channel: 'C0DESK' },
        'plans.2.id': 'standard',
        'plans.2.match.teams': ['ghosts'],
      }),
    );
    expect(problems).to.have.members([
      'people.11.id: "alice" is used twice',
      'plans.2.id: "standard" is used twice',
      'people.0.manager: unknown person "nobody"',
      'teams.0.members.1: unknown person "bobby"',
      'teams.0.escalatesTo: unknown team "networking"',
      'teams.1.calendar: unknown calendar "nine-to-five"',
      'rotations.0.overrides.0: "to" must be after "from"',
      'calendars.0.hours: end (08:00) must be after start (17:00), within one day',
      'slaPolicies: no policy for P4',
      'plans.0.repeat.fromStep: must be a step number from 1 to 5',
      'plans.1.steps.0.targets.0: unknown person "zed"',
      'plans.1.steps.0.targets.1: unknown team "ghost-team"',
      'plans.1.steps.1.targets.2: a channel target needs channel "chat"',
      'plans.2.match.teams: unknown team "ghosts"',
      'executives.1: unknown person "zoe"',
      'defaultTeam: unknown team "nope"',
    ]);
  });

  it('the error message counts the problems and lists each on its own line', () => {
    const doc = edit(demoDoc(), { 'teams.0.members.1': 'bobby', defaultTeam: 'nope' });
    expect(() => parseOrg(doc, 'org.yaml')).to.throw(OrgFileError, 'org.yaml has 2 problems:\n  - teams.0.members.1: unknown person "bobby"\n  - defaultTeam: unknown team "nope"');
  });

  it('reports schema and cross-reference problems together', () => {
    const problems = problemsOf(edit(demoDoc(), { 'calendars.0.timeZone': 'Mars/Olympus', 'teams.0.members.1': 'bobby' }));
    expect(problems.some((p) => p.startsWith('calendars.0.timeZone:'))).to.equal(true);
    expect(problems).to.include('teams.0.members.1: unknown person "bobby"');
  });

  it('accepts current IANA zone names (Asia/Kolkata, Europe/Kyiv, Etc/UTC)', () => {
    for (const zone of ['Asia/Kolkata', 'Europe/Kyiv', 'Etc/UTC']) {
      const doc = edit(demoDoc(), { 'calendars.0.timeZone': zone });
      expect(() => parseOrg(doc), zone).not.to.throw();
    }
  });
});

describe('environment (loadConfig)', () => {
  const configError = (env: Record<string, string>): ConfigError => {
    try {
      loadConfig(env);
    } catch (e) {
      expect(e).to.be.instanceOf(ConfigError);
      return e as ConfigError;
    }
    return expect.fail('loadConfig accepted a bad environment');
  };

  it('uses the defaults when nothing is set (empty strings count as unset)', () => {
    const c = loadConfig({ PORT: '', LOG_LEVEL: '' });
    expect(c).to.include({
      PORT: 3000,
      HOST: '127.0.0.1',
      loopbackOnly: true,
      ESC_ORG_FILE: 'config/demo-org.yaml',
      ESC_PUBLIC_URL: 'http://localhost:3000',
      LOG_LEVEL: 'info',
      ESC_ENGINE_TICK_MS: 200,
      ESC_ENGINE_LEASE_MS: 15_000,
      ESC_AUDIT_GRACE_MS: 60_000,
      ESC_ENGINE: true,
      ESC_DELIVERY_MAX_ATTEMPTS: 4,
      usingDemoTokens: true,
      mongoUri: null,
    });
    expect(c.apiTokens.map((t) => [t.role, t.personId])).to.deep.equal([
      ['admin', 'erin'],
      ['agent', 'alice'],
      ['monitor', null],
    ]);
  });

  it('parses set values', () => {
    const c = loadConfig({ PORT: '8080', ESC_ENGINE: '0', LOG_LEVEL: 'debug', ESC_API_TOKENS: 'abcdefghijkl-1:agent:bob, abcdefghijkl-2:viewer' });
    expect(c).to.include({ PORT: 8080, ESC_ENGINE: false, LOG_LEVEL: 'debug', usingDemoTokens: false });
    // Tokens are Secrets: compare what they reveal.
    expect(c.apiTokens.map((t) => ({ ...t, token: t.token.reveal() }))).to.deep.equal([
      { token: 'abcdefghijkl-1', role: 'agent', personId: 'bob', name: 'token-1' },
      { token: 'abcdefghijkl-2', role: 'viewer', personId: null, name: 'token-2' },
    ]);
  });

  it('reports several bad variables together, by name, with hints', () => {
    const err = configError({ PORT: 'abc', LOG_LEVEL: 'loud', ESC_ENGINE: 'maybe', ESC_ENGINE_TICK_MS: '5', ESC_PUBLIC_URL: 'not a url' });
    const names = err.problems.map((p) => p.split(':')[0]);
    expect(names).to.have.members(['PORT', 'LOG_LEVEL', 'ESC_ENGINE', 'ESC_ENGINE_TICK_MS', 'ESC_PUBLIC_URL']);
    expect(err.problems.find((p) => p.startsWith('PORT:'))).to.contain('(a TCP port, e.g. 3000)');
    expect(err.message).to.match(/^Esc cannot start: 5 configuration problems:/);
  });

  const secrets: { name: string; env: Record<string, string>; secret: string }[] = [
    { name: 'a MONGODB_URI with the wrong scheme', env: { MONGODB_URI: 'postgres://admin:hunter2-pw@db:5432/esc' }, secret: 'hunter2-pw' },
    { name: 'an ESC_API_TOKENS entry with a bad role', env: { ESC_API_TOKENS: 'tok-very-secret-99:superuser' }, secret: 'tok-very-secret-99' },
    { name: 'an ESC_API_TOKENS entry that is too short', env: { ESC_API_TOKENS: 'shhh-tok:admin' }, secret: 'shhh-tok' },
  ];
  for (const c of secrets) {
    it(`never echoes the value of ${c.name}`, () => {
      const err = configError({ ...c.env, PORT: 'abc' });
      expect(err.problems).to.have.length(2);
      for (const text of [err.message, JSON.stringify(err.problems), inspect(err)]) expect(text).not.to.contain(c.secret);
    });
  }

  it('keeps MONGODB_URI in a Secret that never prints', () => {
    const uri = 'mongodb://esc:hunter2-pw@db.example.com:27017/esc';
    const c = loadConfig({ MONGODB_URI: uri });
    expect(c.mongoUri).to.be.instanceOf(Secret);
    expect(c.mongoUri?.reveal()).to.equal(uri);
    expect(String(c.mongoUri)).to.equal('[redacted]');
    for (const text of [JSON.stringify(c), inspect(c, { depth: 10 }), `${c.mongoUri}`]) expect(text).not.to.contain('hunter2');
  });

  it('never shows ESC_API_TOKENS values in JSON.stringify or util.inspect of the config', () => {
    const c = loadConfig({ ESC_API_TOKENS: 'tok-very-secret-99:admin:erin' });
    for (const text of [JSON.stringify(c), inspect(c, { depth: 10 })]) expect(text).not.to.contain('tok-very-secret-99');
  });
});
