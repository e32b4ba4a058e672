// While the worker drains (rolling restart, SIGTERM) requests on connections it already holds are still
// served, with `Connection: close` so the client reconnects to a worker that stays; once resources are
// closing, they get 503 + Retry-After + Connection: close (SPEC §9: no request fails because of a reload).
import { AppError } from '../../errors.js';
import type { WorkerState } from '../deps.js';
import type { Stage } from '../exchange.js';

export function drainGuard(state: WorkerState): Stage {
  return function drainGuardStage(ex, next) {
    if (!state.draining) return next();
    ex.res.setHeader('Connection', 'close');
    if (state.closing) return next(new AppError('SHUTTING_DOWN', 'the worker is shutting down; retry'));
    next();
  };
}
