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
