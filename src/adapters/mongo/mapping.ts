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
 * faster. `revive` turns its date fields back into Dates (a plain parse, then only those
 * fields: a JSON.parse reviver visits every value and costs three times the parse). A stored
 * object (documents written before issue 18) is returned as it is.
 */
export const jsonText = {
  write: (value: unknown): string => JSON.stringify(value),
  read<T>(stored: unknown, revive: (parsed: T) => T): T {
    return typeof stored === 'string' ? revive(JSON.parse(stored) as T) : (stored as T);
  },
};
