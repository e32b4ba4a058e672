// The route template of a finished request, for logs and metric labels: never the raw path (IDs and
// arbitrary client paths would explode label cardinality). Flow routes name theirs on the exchange;
// routes Express matched leave it on the request (req.route, req.baseUrl).
import type { Exchange } from './exchange.js';

export function routeLabel(ex: Exchange): string {
  if (ex.route !== undefined) return ex.route;
  const req = ex.req as { route?: { path?: unknown }; baseUrl?: string };
  if (req.route && typeof req.route.path === 'string') return (req.baseUrl || '') + req.route.path;
  return 'unmatched';
}
