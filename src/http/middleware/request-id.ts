// Returns the request's id (the client's X-Request-ID when sane, else a new one: see exchange.ts).
import type { Stage } from '../exchange.js';

export function requestId(): Stage {
  return function requestIdStage(ex, next) {
    ex.res.setHeader('X-Request-ID', ex.id);
    next();
  };
}
