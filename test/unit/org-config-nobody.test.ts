import { expect } from 'chai';
import { OrgFileError, parseOrg } from '../../src/config/org-schema.js';
import { demoDoc } from '../fixtures/demo-variants.js';

const problems = (change: (d: ReturnType<typeof demoDoc>) => void): string[] => {
  const d = demoDoc();
  change(d);
  try {
    parseOrg(d, 'test');
    return [];
  } catch (e) {
    if (e instanceof OrgFileError) return e.problems;
    throw e;
  }
};

describe('org file: issue 14 keys are validated by dotted path', () => {
  it('reports every bad key at once', () => {
    const p = problems((d) => {
      d.plans[0]!.startOn = 'later';
      d.plans[1]!.ackTimeoutMinutes = -5;
      d.slaPolicies[0]!.warnAtPercent = 150;
      d.teams[0]!.channel = { slack: 'general', teams: 'abc' };
      d.elevate = { resolutionFactor: 2 };
      d.alerts = { startOn: 'soon' };
    });
    expect(p.join('\n')).to.match(/plans\.0\.startOn/);
    expect(p.join('\n')).to.match(/plans\.1\.ackTimeoutMinutes/);
    expect(p.join('\n')).to.match(/slaPolicies\.0\.warnAtPercent: .*1 to 99/);
    expect(p.join('\n')).to.match(/teams\.0\.channel/);
    expect(p.join('\n')).to.match(/elevate\.resolutionFactor: .*at most 1/);
    expect(p.join('\n')).to.match(/alerts\.startOn/);
  });

  it('a resolution plan must exist', () => {
    expect(problems((d) => (d.slaPolicies[1]!.resolutionPlan = 'nope'))).to.deep.equal(['slaPolicies.1.resolutionPlan: unknown plan "nope"']);
  });

  it('team channels: Slack, Teams, or both', () => {
    const d = demoDoc();
    d.teams[0]!.channel = 'C0DESK';
    d.teams[1]!.channel = { slack: 'C0INFRA', teams: '19:infra@thread.tacv2' };
    const org = parseOrg(d);
    expect(org.teams.map((t) => [t.channel ?? null, t.teamsChannel ?? null])).to.deep.equal([
      ['C0DESK', null],
      ['C0INFRA', '19:infra@thread.tacv2'],
    ]);
    d.teams[0]!.channel = '19:desk@thread.tacv2';
    expect(parseOrg(d).teams[0]).to.include({ teamsChannel: '19:desk@thread.tacv2' });
  });
});
