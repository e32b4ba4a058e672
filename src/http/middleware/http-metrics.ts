// http_request_duration_seconds and http_requests_total by method, route template and status code.
import type { NextFunction, Request, Response } from 'express';
import type { Metrics } from '../../metrics.js';
import { routeLabel } from './route-label.js';

export function httpMetrics(metrics: Metrics) {
  const duration = metrics.histogram('http_request_duration_seconds');
  const total = metrics.counter('http_requests_total');
  return function httpMetricsMiddleware(req: Request, res: Response, next: NextFunction): void {
    res.once('finish', () => {
      const labels = { method: req.method, route: routeLabel(req), status_code: String(res.statusCode) };
      duration.observe(labels, Number(process.hrtime.bigint() - req.startedAt) / 1e9);
      total.inc(labels);
    });
    next();
  };
}
