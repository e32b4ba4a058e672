// The one place errors become responses (DESIGN §2): AppError → its registry status and the §8 envelope;
// store outages → 503 + Retry-After; anything unexpected → logged with the request id, answered 500
// without internals. Never rethrows: a bad request must not take the worker down.
import type { NextFunction, Request, Response } from 'express';
import { AppError, errorEnvelope } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { StoreConflictError, StoreUnavailableError } from '../../store/store.js';

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof StoreUnavailableError) return new AppError('STORE_UNAVAILABLE', err.message);
  if (err instanceof StoreConflictError) return new AppError('CONFLICTING_REPEAT', 'the transaction was changed concurrently; retry');
  const e = err as { type?: string; status?: number } | undefined;
  if (e?.type === 'entity.too.large' || e?.status === 413) return new AppError('BODY_TOO_LARGE');
  if (e?.type === 'entity.parse.failed') return new AppError('MALFORMED_JSON');
  return new AppError('SYSTEM_FAILURE', 'unexpected server error');
}

export function errorHandler(logger: Logger) {
  return function errorHandlerMiddleware(err: unknown, req: Request, res: Response, _next: NextFunction): void {
    const appErr = toAppError(err);
    if (appErr.spec.status === 503) {
      // Outages and drains are expected states with their own metrics; one short line each, no stack.
      logger.warn('request refused: service unavailable', { requestId: req.id, kind: appErr.kind, detail: appErr.detail });
    } else if (appErr.spec.status >= 500) {
      logger.error('request failed', { requestId: req.id, route: req.path.slice(0, 200), err: err instanceof Error ? err : String(err) });
    } else if (logger.enabled('debug')) {
      logger.debug('request refused', { requestId: req.id, kind: appErr.kind, detail: appErr.detail });
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (appErr.spec.retryAfter !== undefined) {
      const ra = err instanceof StoreUnavailableError ? err.retryAfterSeconds : appErr.spec.retryAfter;
      res.setHeader('Retry-After', String(ra));
    }
    res.status(appErr.spec.status).json(errorEnvelope(appErr));
  };
}
