// One structured info line per request (SPEC §10): method, route template, status, duration, request id
// and the transaction id when the route named one (ex.transId). The logger's access line masks the two
// fields a client chooses (request and transaction id) and writes the rest as given.
import type { Logger } from '../../logger.js';
import type { Stage } from '../exchange.js';
import { routeLabel } from '../route-label.js';

export interface AccessLogOptions {
  logger: Logger;
}

export function accessLog(opts: AccessLogOptions): Stage {
  const { logger } = opts;
  return function accessLogStage(ex, next) {
    if (ex.live.accessLog && logger.enabled('info')) {
      ex.res.once('finish', () => {
        const ms = Number(process.hrtime.bigint() - ex.startedAt) / 1e6;
        logger.access({
          method: ex.req.method,
          route: routeLabel(ex),
          status: ex.res.statusCode,
          durationMs: Math.round(ms * 1000) / 1000,
          requestId: ex.id,
          transId: ex.transId,
        });
      });
    }
    next();
  };
}
