// The one place errors become responses (DESIGN §2): AppError → its registry status and the SPEC §8 envelope;
// store outages → 503 + Retry-After; anything unexpected → logged with the request id, answered 500
// without internals. Never rethrows: a bad request must not take the worker down.
import { AppError, errorEnvelope } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { StoreConflictError, StoreUnavailableError } from '../../store/store.js';
import type { Exchange } from '../exchange.js';
import { sendJson } from '../reply.js';

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof StoreUnavailableError) return new AppError('STORE_UNAVAILABLE', err.message);
  if (err instanceof StoreConflictError) return new AppError('CONFLICTING_REPEAT', 'the transaction was changed concurrently; retry');
  // Express's router refuses some requests itself (a malformed %-escape in a path parameter: status 400).
  const status = (err as { status?: unknown } | undefined)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new AppError('MESSAGE_NOT_RECOGNISED', 'request could not be parsed');
  return new AppError('SYSTEM_FAILURE', 'unexpected server error');
}

/**
 * Answers `err` in the SPEC §8 envelope, or in the shape of the route's API (the Netcetera-shaped API's
 * `{errorDetails}`, SPEC §16); the one place errors become responses, for both adapters.
 */
export function sendError(ex: Exchange, err: unknown, logger: Logger): void {
  const appErr = toAppError(err);
  if (appErr.spec.status === 503) {
    // Outages and drains are expected states with their own metrics; one short line each, no stack.
    logger.warn('request refused: service unavailable', { requestId: ex.id, kind: appErr.kind, detail: appErr.detail });
  } else if (appErr.spec.status >= 500) {
    logger.error('request failed', { requestId: ex.id, route: ex.path.slice(0, 200), err: err instanceof Error ? err : String(err) });
  } else if (logger.enabled('debug')) {
    logger.debug('request refused', { requestId: ex.id, kind: appErr.kind, detail: appErr.detail });
  }
  let retryAfter: string | undefined;
  if (appErr.spec.retryAfter !== undefined) {
    retryAfter = String(err instanceof StoreUnavailableError ? err.retryAfterSeconds : appErr.spec.retryAfter);
  }
  const body = ex.errorBody ? ex.errorBody(appErr) : errorEnvelope(appErr);
  sendJson(ex, appErr.spec.status, body, retryAfter === undefined ? undefined : { 'Retry-After': retryAfter });
}
