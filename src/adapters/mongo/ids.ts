import { DomainError } from '../../domain/errors.js';

/**
 * Guards for what reaches a MongoDB filter where an id, key or number belongs. An object such
 * as `{"$gt": ""}` (from JSON in a button value, a query string, a token) would otherwise be
 * read as a query operator and match an arbitrary document. Every repository method that takes
 * an id calls these first.
 */
export function assertId(v: unknown, what = 'id'): asserts v is string {
  if (typeof v !== 'string') throw new DomainError('VALIDATION', `The ${what} must be text, not ${v === null ? 'null' : typeof v}.`, { field: what });
}

/** Like assertId, and null passes (optional filters). */
export function assertOptionalId(v: unknown, what = 'id'): asserts v is string | null | undefined {
  if (v !== null && v !== undefined) assertId(v, what);
}

export function assertIds(v: unknown, what = 'ids'): asserts v is string[] {
  if (!Array.isArray(v)) throw new DomainError('VALIDATION', `The ${what} must be a list of text ids.`, { field: what });
  for (const x of v) assertId(x, what);
}

export function assertNumber(v: unknown, what = 'number'): asserts v is number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new DomainError('VALIDATION', `The ${what} must be a number.`, { field: what });
}
