import type { TimelineEvent, TimelineRepository } from '../../app/ports/timeline.js';
import type { Models } from './models.js';
import { isDuplicateKey } from './models.js';
import { fromDoc, toDoc } from './mapping.js';

export class MongoTimelineRepository implements TimelineRepository {
  constructor(private readonly m: Models) {}

  async append(events: TimelineEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      await this.m.Timeline.collection.insertMany(events.map(toDoc) as never[], { ordered: false });
    } catch (e) {
      // Duplicate keys are replays of events already stored: that is the point of the key.
      if (!isDuplicateKey(e)) throw e;
    }
  }

  async forTicket(ticketId: string, limit = 5000): Promise<TimelineEvent[]> {
    const docs = await this.m.Timeline.find({ ticketId }).sort({ at: 1, _id: 1 }).limit(limit).lean();
    return docs.map((d) => fromDoc<TimelineEvent>(d)!);
  }

  async byTypes(types: string[], from: Date, to: Date): Promise<TimelineEvent[]> {
    const docs = await this.m.Timeline.find({ type: { $in: types }, at: { $gte: from, $lt: to } }).sort({ at: 1 }).lean();
    return docs.map((d) => fromDoc<TimelineEvent>(d)!);
  }
}
