// The route template of a finished request, for logs and metric labels: never the raw path (IDs and
// arbitrary client paths would explode label cardinality).
import type { Request } from 'express';

export function routeLabel(req: Request): string {
  const route = req.route as { path?: unknown } | undefined;
  if (route && typeof route.path === 'string') return (req.baseUrl || '') + route.path;
  return 'unmatched';
}
