// GET /metrics: the cluster-wide aggregation lives in the primary (prom-client AggregatorRegistry);
// a worker asks it over IPC. Without a primary (in-process tests) the worker's own registry is served.
import { Router } from 'express';
import type { AppDeps } from '../deps.js';

export function metricsRoutes(deps: AppDeps, path: string): Router {
  const r = Router();
  r.get(path, async (_req, res) => {
    if (deps.rpc) {
      const out = await deps.rpc.call('metrics.cluster', {}, 10_000);
      res.setHeader('Content-Type', out.contentType);
      res.send(out.body);
      return;
    }
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });
  return r;
}
