// Alert tickets of a crash test as Esc shows them and as stored (issue 18): repeats are counted
// on the dedup key and folded into the stored ticket later, so the API shows the whole count at
// once and the stored tickets once folded.
import type { Document, MongoClient, WithId } from 'mongodb';

export interface AlertTicketViews {
  /** The stored tickets with alertCount as GET /api/tickets/:id shows it. */
  shown: WithId<Document>[];
  /** The stored tickets once their counts are folded (or after `foldWithinMs`, for the check to report). */
  stored: WithId<Document>[];
}

export async function alertTicketViews(db: MongoClient, baseUrl: string, keyPrefix: string, foldWithinMs = 15_000): Promise<AlertTicketViews> {
  const read = () => db.db().collection('tickets').find({ alertKey: { $regex: `^${keyPrefix}` } }).toArray();
  const first = await read();
  const shown = await Promise.all(
    first.map(async (t) => {
      const res = await fetch(`${baseUrl}/api/tickets/${String(t._id)}`, { headers: { authorization: 'Bearer demo-admin-token' } });
      return { ...t, alertCount: Number(((await res.json()) as { alertCount: number }).alertCount) };
    }),
  );
  const want = new Map(shown.map((t) => [String(t._id), t.alertCount]));
  const until = Date.now() + foldWithinMs;
  let stored = await read();
  while (!stored.every((t) => Number(t.alertCount) === want.get(String(t._id))) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 200));
    stored = await read();
  }
  return { shown, stored };
}
