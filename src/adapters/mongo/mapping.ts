/** Stored documents use `_id`; domain objects use `id`. */
export function fromDoc<T>(doc: Record<string, unknown> | null | undefined): T | null {
  if (!doc) return null;
  const { _id, ...rest } = doc;
  return { id: _id, ...rest } as T;
}

export function toDoc<T extends { id: string }>(obj: T): Record<string, unknown> & { _id: string } {
  const { id, ...rest } = obj;
  return { _id: id, ...rest };
}

/**
 * A nested value nobody queries, stored as JSON text (one string field): a server that converts
 * every field of a document on each write (the FerretDB stand-in) stores and updates it much
 * faster. Reading it back turns the fields named in `dates`, at any depth, into Dates. A stored
 * object (documents written before issue 18) is returned as it is.
 */
export const jsonText = {
  write: (value: unknown): string => JSON.stringify(value),
  read<T>(stored: unknown, dates: readonly string[]): T {
    if (typeof stored !== 'string') return stored as T;
    return JSON.parse(stored, (key, v: unknown) => (typeof v === 'string' && dates.includes(key) ? new Date(v) : v)) as T;
  },
};
