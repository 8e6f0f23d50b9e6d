// The database's own pace for a bench baseline: single-document inserts, closed loop.
import type { Db } from 'mongodb';

/** Inserts per second of `concurrency` loops each doing insertOne of a ticket-sized document for `ms`. */
export async function bareInsertRate(db: Db, concurrency: number, ms: number): Promise<number> {
  const col = db.collection('bench_bare_inserts');
  const doc = () => ({ title: 'Load test VB0000', description: 'x'.repeat(200), priority: 'P3', status: 'new', teamId: 'service-desk', requesterId: 'erin', createdAt: new Date(), sla: { responseDueAt: new Date(), resolutionDueAt: new Date() } });
  let n = 0;
  const end = performance.now() + ms;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await col.insertOne(doc());
        n += 1;
      }
    }),
  );
  const rate = n / ((performance.now() - started) / 1000);
  await col.drop().catch(() => undefined);
  return rate;
}
