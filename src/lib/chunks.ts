/**
 * Splits bulk writes into commands of at most 50 statements. FerretDB 1.24 keeps every
 * statement's read cursor open until the whole update command ends, so a command of more
 * than about 100 statements exhausts its connection pool and never returns (measured: 100
 * ran in 49 ms, 110 hung). MongoDB does not need this; it costs one round trip per 50.
 */
export const BULK_CHUNK = 50;

export function chunks<T>(items: readonly T[], size = BULK_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
