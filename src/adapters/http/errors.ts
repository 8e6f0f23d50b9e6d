import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod/v4';
import { isDomainError } from '../../domain/errors.js';
import type { ErrorCode } from '../../domain/errors.js';
import type { Logger } from '../../app/deps.js';

const STATUS: Record<ErrorCode, number> = {
  VALIDATION: 400,
  INVALID_PLAN: 422,
  INVALID_CALENDAR: 422,
  UNKNOWN_PERSON: 422,
  UNKNOWN_TEAM: 422,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INVALID_TRANSITION: 409,
  CONFLICT: 409,
  BUSY: 503,
};

/** An HTTP refusal raised by the transport itself (auth, parsing). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function zodProblems(e: ZodError): { field: string; message: string }[] {
  return e.issues.map((i) => {
    const field = i.path.map(String).join('.');
    if (i.code === 'unrecognized_keys') return { field: i.keys.join(', '), message: `unknown field${i.keys.length > 1 ? 's' : ''}: ${i.keys.join(', ')}` };
    return { field: field || '(body)', message: i.message };
  });
}

/** Maps every error to a JSON answer; user mistakes are 4xx with a reason, never a 5xx. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    void next;
    if (res.headersSent) return;
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'MALFORMED_JSON', message: `The body is not valid JSON: ${e.message}` });
      return;
    }
    if (e?.type === 'entity.too.large') {
      res.status(413).json({ error: 'BODY_TOO_LARGE', message: 'The body is larger than the 64 KB limit.' });
      return;
    }
    if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported' || (e?.status && e.status >= 400 && e.status < 500)) {
      res.status(e.status ?? 400).json({ error: 'BAD_REQUEST', message: e.message ?? 'bad request' });
      return;
    }
    if (err instanceof ZodError) {
      const problems = zodProblems(err);
      res.status(400).json({ error: 'VALIDATION', message: problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems });
      return;
    }
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: err.code, message: err.message, ...err.details });
      return;
    }
    if (isDomainError(err)) {
      if (err.code === 'BUSY') res.set('retry-after', String(err.details.retryAfterSeconds ?? 5));
      res.status(STATUS[err.code] ?? 400).json({ error: err.code, message: err.message, ...err.details });
      return;
    }
    log.error({ err: (err as Error)?.stack ?? String(err), path: req.path }, 'unexpected error answering a request');
    res.status(500).json({ error: 'INTERNAL', message: 'Something went wrong on our side; it was logged.' });
  };
}
