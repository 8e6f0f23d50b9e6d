import { expect } from 'chai';
import { slackMessage } from '../../src/adapters/slack/slack-render.js';
import { findCommand } from '../../src/app/chatops/catalog.js';
import type { Answer, ChatContext } from '../../src/app/chatops/answer.js';
import type { AppDeps } from '../../src/app/deps.js';
import { Directory } from '../../src/domain/directory.js';
import { demoOrg } from '../fixtures/domain.js';

describe('Chat-ops answers (issue 16): the open form, and actions that are commands', () => {
  const dir = new Directory(demoOrg());
  const carol = dir.person('carol')!;
  const ctx: ChatContext = { person: carol, actor: { personId: carol.id, via: 'slack', name: carol.name }, platform: 'slack', zone: 'UTC', conversationId: null };
  // `ticket` answers its form without reading anything: no dependencies needed.
  const ticket = (words: string[]) => findCommand('ticket')!.invoke({} as AppDeps, ctx, words) as Promise<Answer>;

  it('`ticket confidential <title>` opens the form with Confidential ticked; a title that only starts with the word stays whole when alone', async () => {
    expect((await ticket(['confidential', 'Dean', 'mailbox'])).view).to.deep.equal({ kind: 'form', form: 'ticket', title: 'Dean mailbox', confidential: true });
    expect((await ticket(['confidential', 'Dean', 'mailbox'])).text).to.equal('Fill in the form to open a confidential ticket.');
    expect((await ticket(['VPN', 'down'])).view).to.deep.equal({ kind: 'form', form: 'ticket', title: 'VPN down' });
    expect((await ticket(['confidential'])).view).to.deep.equal({ kind: 'form', form: 'ticket', title: 'confidential' });
  });

  it('a `run` answer (a More choice with its words) renders in Slack as the command to type', () => {
    const m = slackMessage({ text: 'Running `/esc note ESC-12 called the user`', view: { kind: 'run', command: 'note ESC-12 called the user' }, ok: true }, dir, new Date());
    expect(m.text).to.equal('Running `/esc note ESC-12 called the user`');
    expect(JSON.stringify(m.blocks)).to.include('`/esc note ESC-12 called the user`');
  });
});
