import { z } from 'zod/v4';

/**
 * The JSON in a Slack button's `value`, as Esc writes it (see blocks.ts): `t` the ticket id,
 * `e` the escalation id, `s` a satisfaction score. Checked at the point it is parsed, so an
 * object where an id belongs (`{"t":{"$gt":""}}`) never reaches a use case or a query.
 */
export const buttonValueSchema = z.object({
  t: z.string().min(1).max(100),
  e: z.string().max(100).nullable().optional(),
  s: z.number().int().min(1).max(5).optional(),
});
export type ParsedButtonValue = z.infer<typeof buttonValueSchema>;

/** The button value, or null when it is not JSON or not of that shape. */
export function parseButtonValue(raw: unknown): ParsedButtonValue | null {
  if (typeof raw !== 'string' || raw.length > 2000) return null;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const r = buttonValueSchema.safeParse(json);
  return r.success ? r.data : null;
}
