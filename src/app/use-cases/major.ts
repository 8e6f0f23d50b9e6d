/**
 * Major escalations (seed 001, issue 7). CONTRACT for the chat and HTTP adapters: these
 * exported names and parameter shapes are fixed; the work is split by job under ./major/.
 * Every function refuses with DomainError (FORBIDDEN / VALIDATION / NOT_FOUND /
 * INVALID_TRANSITION / CONFLICT) and a sentence a person can read; every success is on the timeline.
 */
export type { MajorResult } from './major/support.js';
export { declareMajor } from './major/declare.js';
export { assignRole } from './major/roles.js';
export { addTask, closeTask } from './major/tasks.js';
export { postUpdate } from './major/updates.js';
export { linkProblem } from './major/problems.js';
export { linkRecurrence } from './major/recurrence.js';
export { recordSatisfaction } from './major/close-out.js';
export type { AfterActionReport } from './major/aar.js';
export { afterActionReport } from './major/aar.js';
export { majorForTicket, majorForWarRoom } from './major/queries.js';
export { advanceMajor } from './major/timers.js';
