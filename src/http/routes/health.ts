// Health probes (SPEC §10): /health in the existing mock's shape, /health/live (process up),
// /health/ready (L2 reachable, not draining, every configured worker serving).
import { Router } from 'express';
import type { AppDeps } from '../deps.js';

const SERVICE = 'mock-3ds-server';

export function healthRoutes(deps: AppDeps, basePath: string): Router {
  const r = Router();
  r.get(basePath, (_req, res) => {
    res.json({ status: 'healthy', timestamp: new Date().toISOString(), service: SERVICE });
  });
  r.get(`${basePath}/live`, (_req, res) => {
    res.json({ status: 'live', pid: process.pid, uptimeSeconds: Math.round(process.uptime()) });
  });
  r.get(`${basePath}/ready`, (_req, res) => {
    const { state } = deps;
    const store = state.storeReady();
    // The primary's verdict (every configured worker serves and reaches the store) and this worker's own view.
    const ready = state.cluster.ready && store && !state.draining;
    res.status(ready ? 200 : 503);
    if (!ready) res.setHeader('Retry-After', '1');
    res.json({
      status: ready ? 'ready' : 'not ready',
      checks: {
        store: store ? 'up' : 'down',
        draining: state.draining,
        workers: { alive: state.cluster.alive, expected: state.cluster.expected },
      },
    });
  });
  return r;
}
