/**
 * Manager escalation requests (seed 000, issue 7). CONTRACT for the chat and HTTP adapters:
 * these exported names and parameter shapes are fixed; the work is split by job under ./coordination/.
 * Every function refuses with DomainError (FORBIDDEN / VALIDATION / NOT_FOUND /
 * INVALID_TRANSITION / CONFLICT) and a sentence a person can read; every success is on the timeline.
 */
export type { RequestResult } from './coordination/support.js';
export { requestEscalation, requestForTicket } from './coordination/request.js';
export { claimRequest } from './coordination/claim.js';
export { engageOwner, informManager, markReviewed, sendEta } from './coordination/checklist.js';
export { advanceUnclaimed, sendLeftovers } from './coordination/timers.js';
