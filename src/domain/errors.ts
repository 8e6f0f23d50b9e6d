/**
 * Every refusal the domain makes carries a stable code, so adapters can map it to a
 * 4xx, an ephemeral Slack message or a card, and operators can grep for it.
 */
export const ErrorCodes = {
  INVALID_TRANSITION: 'INVALID_TRANSITION',
  NOT_FOUND: 'NOT_FOUND',
  VALIDATION: 'VALIDATION',
  FORBIDDEN: 'FORBIDDEN',
  CONFLICT: 'CONFLICT',
  INVALID_PLAN: 'INVALID_PLAN',
  INVALID_CALENDAR: 'INVALID_CALENDAR',
  UNKNOWN_PERSON: 'UNKNOWN_PERSON',
  UNKNOWN_TEAM: 'UNKNOWN_TEAM',
  /** Held for a moment by another process (e.g. an alert key whose ticket is still being opened): retry. */
  BUSY: 'BUSY',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** A refusal by the domain: a stable code, a message a person can act on, optional details. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
