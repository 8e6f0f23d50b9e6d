import { expect } from 'chai';
import { ChatRouter, reachesOnSlack, reachesOnTeams } from '../../src/adapters/chat-router.js';
import type { Delivery } from '../../src/app/ports/deliveries.js';
import type { Person } from '../../src/domain/directory.js';
import { RecordingNotifier } from '../support/counting-notifier.js';

const person = (p: Partial<Person>): Person => ({ id: 'x', name: 'X', email: 'x@x.test', timeZone: 'UTC', roles: [], contacts: [], ...p });
const delivery = (channelId: string | null = null) => ({ key: 'k', recipient: { personId: channelId ? null : 'x', channelId, name: null } }) as unknown as Delivery;

describe('ChatRouter: Slack and Teams side by side', () => {
  const slack = new RecordingNotifier('chat');
  const teams = new RecordingNotifier('chat');
  const router = new ChatRouter([
    { notifier: slack, reaches: reachesOnSlack },
    { notifier: teams, reaches: reachesOnTeams },
  ]);
  const cases: [string, Delivery, Person | undefined, 'slack' | 'teams'][] = [
    ['a person with a Slack id', delivery(), person({ slackId: 'U1' }), 'slack'],
    ['a person with only a Teams id', delivery(), person({ teamsId: 'aad-1' }), 'teams'],
    ['a person on both: the first configured', delivery(), person({ slackId: 'U1', teamsId: 'aad-1' }), 'slack'],
    ['nobody known: the first, which records its own failure', delivery(), person({}), 'slack'],
    ['a Slack channel', delivery('C0123'), undefined, 'slack'],
    ['a Teams conversation', delivery('19:abc@thread.tacv2'), undefined, 'teams'],
  ];
  for (const [name, d, p, want] of cases) {
    it(`routes ${name} to ${want}`, async () => {
      const before = { slack: slack.sent.length, teams: teams.sent.length };
      await router.send(d, p);
      expect(slack.sent.length - before.slack).to.equal(want === 'slack' ? 1 : 0);
      expect(teams.sent.length - before.teams).to.equal(want === 'teams' ? 1 : 0);
    });
  }
});
