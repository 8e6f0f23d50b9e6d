import type { MajorEscalation } from '../../domain/major.js';
import type { MajorRepository } from '../../app/ports/majors.js';
import type { MajorModels } from './major-models.js';
import { isDuplicateKey } from './models.js';
import { fromDoc, toDoc } from './mapping.js';
import { assertId } from './ids.js';

function stored(m: MajorEscalation) {
  // warRoomId: a top-level copy of warRoom.id, so finding the escalation of a war room is an index equality.
  // wakeWatch: the engine has work for it (a closed one only while its closing work is owed).
  return { ...toDoc(m), wakeWatch: !!m.nextWakeAt, warRoomId: m.warRoom?.id ?? null };
}

function map(d: Record<string, unknown> | null | undefined): MajorEscalation | null {
  const m = fromDoc<MajorEscalation & { wakeWatch?: boolean; warRoomId?: string | null }>(d);
  if (!m) return null;
  delete m.wakeWatch;
  delete m.warRoomId;
  return m;
}

export class MongoMajorRepository implements MajorRepository {
  constructor(private readonly m: MajorModels) {}

  async insert(m: MajorEscalation): Promise<boolean> {
    try {
      await this.m.Major.collection.insertOne(stored(m) as never);
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  }

  async get(id: string) {
    assertId(id, 'major escalation id');
    return map(await this.m.Major.findById(id).lean());
  }

  async forTicket(ticketId: string) {
    assertId(ticketId, 'ticket id');
    return map(await this.m.Major.findOne({ ticketId }).lean());
  }

  async byWarRoom(roomId: string) {
    assertId(roomId, 'war room id');
    return map(await this.m.Major.findOne({ warRoomId: roomId }).lean());
  }

  async byRelatedTicket(ticketId: string) {
    assertId(ticketId, 'ticket id');
    const link = await this.m.Link.findById(ticketId).lean();
    return link ? this.get(String(link.majorId)) : null;
  }

  async save(m: MajorEscalation): Promise<MajorEscalation | null> {
    const { _id, ...rest } = stored(m);
    const res = await this.m.Major.collection.updateOne({ _id, version: m.version } as never, { $set: { ...rest, version: m.version + 1 } });
    if (res.matchedCount !== 1) return null;
    // The links follow the winning write (idempotent upserts); a crash in between is repaired by the next save.
    for (const ticketId of m.relatedTicketIds ?? []) await this.m.Link.updateOne({ _id: ticketId }, { $set: { majorId: m.id } }, { upsert: true });
    return { ...m, version: m.version + 1 };
  }

  async due(now: Date, limit: number) {
    const docs = await this.m.Major.find({ wakeWatch: true, nextWakeAt: { $lte: now } }).sort({ nextWakeAt: 1 }).limit(limit).lean();
    return docs.map((d) => map(d)!);
  }
}
