// One structured info line per request (SPEC §10): method, route template, status, duration, request id
// and the transaction id when the handler named one (res.locals.transId). Masking happens in the logger.
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../logger.js';
import { routeLabel } from './route-label.js';

export interface AccessLogOptions {
  logger: Logger;
  enabled: () => boolean;
}

export function accessLog(opts: AccessLogOptions) {
  const { logger } = opts;
  return function accessLogMiddleware(req: Request, res: Response, next: NextFunction): void {
    if (opts.enabled() && logger.enabled('info')) {
      res.once('finish', () => {
        const ms = Number(process.hrtime.bigint() - req.startedAt) / 1e6;
        logger.info('request', {
          method: req.method,
          route: routeLabel(req),
          status: res.statusCode,
          durationMs: Math.round(ms * 1000) / 1000,
          requestId: req.id,
          transId: res.locals.transId as string | undefined,
        });
      });
    }
    next();
  };
}
