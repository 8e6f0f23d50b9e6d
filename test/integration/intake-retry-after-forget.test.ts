// Issue 18: a retried ticket request stored again right after its first record was forgotten
// (the group's later deletes still running) is opened and forgotten at once: never left in
// ticket_intake for recovery to find a minute later and answer a second time.
import { expect } from 'chai';
import { ticketIdForView } from '../../src/adapters/slack/slack-shell.js';
import { MongoIntakeStore } from '../../src/adapters/mongo/intake-repo.js';
import type { IntakeRecord } from '../../src/app/ports/intake.js';
import type { OpenedRecord } from '../../src/app/use-cases/ticket-intake.js';
import { TicketIntake } from '../../src/app/use-cases/ticket-intake.js';
import { startTestEsc } from '../support/harness.js';
import type { TestEsc } from '../support/harness.js';

/** The real store; after its first delete it lets the test act, as a retry landing then would. */
class StoreWithAPause extends MongoIntakeStore {
  afterFirstDelete: (() => Promise<void>) | null = null;
  override async doneMany(ids: string[]): Promise<void> {
    await super.doneMany(ids);
    const act = this.afterFirstDelete;
    this.afterFirstDelete = null;
    if (act) await act();
  }
}

describe('ticket intake: a retry stored again after its record was forgotten', function () {
  this.timeout(60_000);
  let esc: TestEsc;
  afterEach(async () => esc?.stop());

  it('is opened again (one ticket, no second answer) and forgotten: ticket_intake ends empty', async () => {
    esc = await startTestEsc({ listen: false });
    const store = new StoreWithAPause(() => esc.conn, 'ticket_intake_retry_test');
    const answers: OpenedRecord[] = [];
    // One group of 200: its records are forgotten in two deletes of 100.
    const intake = new TicketIntake(esc.deps, store, (group) => void answers.push(...group), { openGroup: 200 });
    const recs: IntakeRecord[] = Array.from({ length: 200 }, (_, i) => ({
      id: ticketIdForView(`retry-after-forget-${i}`),
      input: { title: `Request ${i}`, priority: 'P3' },
      actor: { personId: 'alice', via: 'slack' },
      reply: { userId: 'U1', channel: 'C1' },
      at: new Date(),
    }));
    let retried = false;
    // Between the two deletes: the retry of request 0 (whose record the first delete removed) is stored again.
    store.afterFirstDelete = async () => {
      await intake.submit({ ...recs[0]!, at: new Date() });
      retried = true;
    };
    await Promise.all(recs.map((r) => intake.submit(r)));
    await intake.stop();
    expect(retried, 'the retry landed between the deletes').to.equal(true);
    const db = esc.conn.db!;
    expect(await db.collection('ticket_intake_retry_test').countDocuments({}), 'records left for recovery').to.equal(0);
    expect(await db.collection('tickets').countDocuments({ _id: { $in: recs.map((r) => r.id) } } as never)).to.equal(200);
    const forFirst = answers.filter((a) => a.rec.id === recs[0]!.id);
    expect(forFirst.map((a) => a.answer), 'answered once, the retry opened without an answer').to.deep.equal([true, false]);
    expect(answers.filter((a) => a.answer)).to.have.length(200);
  });
});
