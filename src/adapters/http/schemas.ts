import { z } from 'zod/v4';
import { IMPACTS, PRIORITIES, TICKET_STATUSES } from '../../domain/ticket.js';

/** Request bodies: strict (unknown fields are refused by name), bounded sizes. */
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);
const ref = z.string().max(64);

export const createTicketBody = z.strictObject({
  title: text(200),
  description: z.string().max(10_000).optional(),
  priority: z.enum(PRIORITIES),
  impact: z.enum(IMPACTS).optional(),
  teamId: ref.optional(),
  requesterId: ref.optional(),
  assigneeId: ref.optional(),
  /** Issue 16: only those who may mark a ticket confidential (leads, managers, escalation managers, admins). */
  confidential: z.boolean().optional(),
});

/** In `u` mode a paired surrogate is one code point, so this matches only lone halves (String#isWellFormed, ES2024). */
const LONE_SURROGATE = /\p{Cs}/u;

export const alertBody = z.strictObject({
  // Lone surrogates would collapse to U+FFFD in the database and make distinct keys collide.
  dedupKey: z
    .string()
    .min(1, 'must not be empty')
    .max(255, 'at most 255 characters')
    .refine((k) => !LONE_SURROGATE.test(k), 'must be well-formed Unicode (no lone surrogates)'),
  title: text(200),
  description: z.string().max(10_000).optional(),
  priority: z.enum(PRIORITIES).default('P2'),
  impact: z.enum(IMPACTS).optional(),
  teamId: ref.optional(),
  source: z.string().max(100).optional(),
});

export const noteBody = z.strictObject({ note: z.string().max(2000).optional() }).default({});
export const escalateBody = z.strictObject({ step: z.number().int().min(1).optional(), reason: z.string().max(2000).optional() }).default({});
export const commentBody = z.strictObject({ text: text(5000) });
export const actionBody = z.strictObject({
  action: z.enum(['assign', 'start', 'pend', 'resume', 'close', 'reopen']),
  assigneeId: ref.optional(),
  reason: z.string().max(2000).optional(),
});
export const moveBody = z.strictObject({ teamId: ref.optional(), reason: z.string().max(2000).optional() }).default({});
export const reasonBody = z.strictObject({ reason: z.string().max(2000).optional() }).default({});

const csv = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)));

export const listQuery = z.strictObject({
  status: csv(TICKET_STATUSES).optional(),
  priority: csv(PRIORITIES).optional(),
  team: z.string().max(200).optional(),
  assignee: ref.optional(),
  escalated: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  elevated: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  skip: z.coerce.number().int().min(0).max(100_000).default(0),
});

export const simulateBody = z.strictObject({
  priority: z.enum(PRIORITIES),
  teamId: ref.optional(),
  assigneeId: ref.optional(),
  /** When the ticket opens (ISO 8601 with offset); default now. */
  start: z.string().datetime({ offset: true, message: 'an ISO 8601 date-time with offset, e.g. 2026-11-20T16:55:00-08:00' }).optional(),
  startAt: z.enum(['breach', 'now']).optional(),
});
