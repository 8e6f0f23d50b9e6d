import { expect } from 'chai';
import { ACTIONS } from '../../src/adapters/slack/blocks.js';
import { buttonAction } from '../../src/adapters/slack/slack-shell.js';
import { openTicket } from '../../src/app/use-cases/tickets.js';
import { DomainError } from '../../src/domain/errors.js';
import { blockAction, postSlack } from '../far-side/slack-requests.js';
import type { FakeSlack } from '../far-side/fake-slack.js';
import type { TestEsc } from '../support/harness.js';
import { startSlackEsc } from './slack-setup.js';

const ERIN = { personId: 'erin', via: 'api' } as const;
const HOSTILE = [{ $gt: '' }, { $ne: null }, ['x'], 42, null, { $regex: '.*' }] as const;

/** Issue 12 item 6: no repository lookup accepts an object where an id belongs. */
describe('ids are text: hostile button values and repository arguments', () => {
  let esc: TestEsc;
  let fake: FakeSlack;
  let responseUrl: (id?: string) => string;
  before(async () => {
    ({ esc, fake, responseUrl } = await startSlackEsc());
  });
  after(async () => {
    await esc?.stop();
    await fake?.stop();
  });

  it('a signed esc_ack (and claim, rate, resolve) with {"t":{"$gt":""}} acknowledges nothing and says the button is not valid', async () => {
    const t = await openTicket(esc.deps, { title: 'Victim ticket', priority: 'P3', source: 'api', assigneeId: 'alice' }, ERIN);
    const before = (await esc.deps.timeline.forTicket(t.id)).length;
    const clicks: [string, string][] = [
      [ACTIONS.acknowledge, '{"t":{"$gt":""}}'],
      [ACTIONS.resolve, '{"t":{"$ne":null}}'],
      [ACTIONS.history, '{"t":{"$gt":""}}'],
      [ACTIONS.claim, '{"t":{"$gt":""}}'],
      ['esc_rate_5', '{"t":{"$gt":""},"s":5}'],
      [ACTIONS.acknowledge, '{"t":"x","s":{"$gt":0}}'],
      [ACTIONS.acknowledge, 'null'],
    ];
    for (const [actionId, value] of clicks) {
      const id = `inj-${actionId}-${value.length}`;
      const r = await postSlack(esc.baseUrl, blockAction({ userId: 'U0ALICE', actionId, value, channel: 'D0ALICE', ts: '1700000000.000100', responseUrl: responseUrl(id) }));
      expect(r.status).to.equal(200);
      const answer = await fake.waitFor(() => fake.responses.find((x) => x.path === `/response/${id}`));
      expect(String(answer.body.text), `${actionId} ${value}`).to.match(/older version of Esc/);
    }
    expect((await esc.deps.tickets.get(t.id))!.status, 'not acknowledged').to.equal(t.status);
    expect((await esc.deps.timeline.forTicket(t.id)).length).to.equal(before);
    expect(fake.callsOf('chat.update'), 'no message rewritten').to.have.length(0);
  });

  it('every repository lookup by id refuses a non-text id with a VALIDATION error', async () => {
    const d = esc.deps;
    const calls: [string, (v: never) => Promise<unknown>][] = [
      ['tickets.get', (v) => d.tickets.get(v)],
      ['tickets.getByNumber', (v) => d.tickets.getByNumber(v)],
      ['tickets.getMany', (v) => d.tickets.getMany([v])],
      ['tickets.list', (v) => d.tickets.list({ assigneeId: v }, 10)],
      ['escalations.get', (v) => d.escalations.get(v)],
      ['escalations.liveForTicket', (v) => d.escalations.liveForTicket(v)],
      ['escalations.forTicket', (v) => d.escalations.forTicket(v)],
      ['deliveries.get', (v) => d.deliveries.get(v)],
      ['deliveries.byProviderId', (v) => d.deliveries.byProviderId(v)],
      ['deliveries.list', (v) => d.deliveries.list({ ticketId: v }, 10)],
      ['timeline.forTicket', (v) => d.timeline.forTicket(v)],
      ['requests.get', (v) => d.requests.get(v)],
      ['requests.liveForTicket', (v) => d.requests.liveForTicket(v)],
      ['majors.get', (v) => d.majors.get(v)],
      ['majors.forTicket', (v) => d.majors.forTicket(v)],
      ['majors.byWarRoom', (v) => d.majors.byWarRoom(v)],
      ['problems.get', (v) => d.problems.get(v)],
      ['alertKeys.release', (v) => d.alertKeys.release(v, 'x')],
    ];
    for (const [name, call] of calls) {
      for (const v of HOSTILE) {
        if (name.endsWith('getByNumber') && typeof v === 'number') continue;
        if (name === 'tickets.list' && v === null) continue; // an absent filter
        if (name === 'deliveries.list' && v === null) continue;
        let err: unknown = null;
        try {
          await call(v as never);
        } catch (e) {
          err = e;
        }
        expect(err, `${name}(${JSON.stringify(v)})`).to.be.instanceOf(DomainError);
        expect((err as DomainError).code).to.equal('VALIDATION');
      }
    }
  });

  it('button values keep only the shape Esc writes (the shell\'s schema)', () => {
    expect(buttonAction('esc_ack', '{"t":"abc-1","e":"e1"}')).to.deep.equal({ verb: 'ack', data: { ticket: 'abc-1' } });
    expect(buttonAction('esc_rate_3', '{"t":"abc"}')).to.deep.equal({ verb: 'rate.form', data: { ticket: 'abc', score: 3 } });
    for (const bad of ['{"t":{"$gt":""}}', '{"t":""}', '{"t":"a","s":9}', '{"t":"a","e":{}}', '[]', 'null', 'x', undefined, '{"t":"a","s":"5"}']) expect(buttonAction('esc_ack', bad), String(bad)).to.equal(null);
  });
});
