// http_request_duration_seconds and http_requests_total by method, route template and status code.
// Label children are bound once per (method, route, status) and kept (DESIGN §4: no label hashing per
// request); the set is small because routes are templates and statuses few.
import type { Metrics } from '../../metrics.js';
import type { Stage } from '../exchange.js';
import { routeLabel } from '../route-label.js';

interface Bound {
  observe(seconds: number): void;
  inc(): void;
}

export function httpMetrics(metrics: Metrics): Stage {
  const duration = metrics.histogram('http_request_duration_seconds');
  const total = metrics.counter('http_requests_total');
  const bound = new Map<string, Bound>();
  const childFor = (method: string, route: string, status: number): Bound => {
    const key = `${method} ${status} ${route}`;
    let b = bound.get(key);
    if (b === undefined) {
      const labels = { method, route, status_code: String(status) };
      const h = duration.labels(labels);
      const c = total.labels(labels);
      b = { observe: (s) => h.observe(s), inc: () => c.inc() };
      bound.set(key, b);
    }
    return b;
  };
  return function httpMetricsStage(ex, next) {
    ex.res.once('finish', () => {
      const b = childFor(ex.req.method ?? 'GET', routeLabel(ex), ex.res.statusCode);
      b.observe(Number(process.hrtime.bigint() - ex.startedAt) / 1e9);
      b.inc();
    });
    next();
  };
}
