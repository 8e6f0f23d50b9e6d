import type { ProblemRecord } from '../../domain/problem.js';
import type { ProblemRepository } from '../../app/ports/problems.js';
import type { MajorModels } from './major-models.js';
import { isDuplicateKey } from './models.js';
import { fromDoc, toDoc } from './mapping.js';
import { assertId, assertNumber } from './ids.js';

const FIRST_NUMBER = 1000;

export class MongoProblemRepository implements ProblemRepository {
  constructor(private readonly m: MajorModels) {}

  async nextNumber(): Promise<number> {
    // $inc on one counter document is atomic: concurrent callers get distinct numbers.
    const doc = await this.m.Counter.findOneAndUpdate({ _id: 'problem' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' }).lean();
    return FIRST_NUMBER + Number(doc?.seq) - 1;
  }

  async insert(p: ProblemRecord): Promise<boolean> {
    try {
      await this.m.Problem.collection.insertOne(toDoc(p) as never);
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  }

  async get(id: string) {
    assertId(id, 'problem id');
    return fromDoc<ProblemRecord>(await this.m.Problem.findById(id).lean());
  }

  async getByNumber(number: number) {
    assertNumber(number, 'problem number');
    return fromDoc<ProblemRecord>(await this.m.Problem.findOne({ number }).lean());
  }

  async relate(id: string, ticketId: string) {
    assertId(id, 'problem id');
    assertId(ticketId, 'ticket id');
    await this.m.Problem.updateOne({ _id: id }, { $addToSet: { ticketIds: ticketId } });
    return this.get(id);
  }

  async unrelate(id: string, ticketId: string) {
    assertId(id, 'problem id');
    assertId(ticketId, 'ticket id');
    await this.m.Problem.updateOne({ _id: id }, { $pull: { ticketIds: ticketId } });
    return this.get(id);
  }
}
