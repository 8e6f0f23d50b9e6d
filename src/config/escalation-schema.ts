/** The org file's `coordination:` (seed 000) and `major:` (seed 001) sections, with their defaults. */
import { z } from 'zod/v4';
import { DEFAULT_COORDINATION, DEFAULT_MAJOR } from '../domain/org-config.js';
import { PRIORITIES } from '../domain/ticket.js';
import { id } from './schema-atoms.js';

const personList = z.array(id).default([]);
export const coordinationSection = z
  .strictObject({
    claimWithinMinutes: z.number().positive().max(10_080).default(30),
    reminders: z.number().int().min(0).max(20).default(2),
  })
  .default(() => ({ ...DEFAULT_COORDINATION }));
const minutes = z.number().positive().max(100_000);
export const majorSection = z
  .strictObject({
    updateCadenceMinutes: z.strictObject({ P1: minutes.default(60), P2: minutes.default(120), P3: minutes.default(240), P4: minutes.default(480) }).default({ P1: 60, P2: 120, P3: 240, P4: 480 }),
    taskReminderMinutes: minutes.default(30),
    executiveCriteria: z
      .strictObject({ priorities: z.array(z.enum(PRIORITIES)).default(['P1']), vipRequester: z.boolean().default(true), openLongerThanMinutes: minutes.nullable().default(240) })
      .default({ priorities: ['P1'], vipRequester: true, openLongerThanMinutes: 240 }),
    notifyAlso: personList,
    stakeholders: personList,
    aarRecipients: personList,
    warrantyDays: z.number().positive().max(365).default(7),
    satisfactionReminderDays: z.number().positive().max(365).default(2),
    satisfactionTimeoutDays: z.number().positive().max(365).default(5),
  })
  .default(() => structuredClone(DEFAULT_MAJOR));

