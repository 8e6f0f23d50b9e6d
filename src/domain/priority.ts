/** Ticket priorities, most urgent first (SLA policies, plans and reports key on them). */
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];
