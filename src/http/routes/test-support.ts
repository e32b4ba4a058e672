// Test-only routes (server.testRoutes, refused in production by config validation): a request held
// open for the drain tests, and which worker answered for the coherence tests.
import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { requireJson } from '../middleware/body-reader.js';

export function testSupportRoutes(deps: AppDeps): Router {
  const r = Router();
  r.use((_req, res, next) => {
    res.setHeader('X-Worker-Id', String(deps.workerId));
    res.setHeader('X-Worker-Pid', String(process.pid));
    next();
  });
  r.get('/__test/slow', (req, res) => {
    const ms = Math.min(Number(req.query.ms ?? 1000) || 0, 60_000);
    setTimeout(() => res.json({ slept: ms, pid: process.pid }), ms);
  });
  r.get('/__test/config', (_req, res) => {
    const c = deps.config();
    res.json({ pid: process.pid, logLevel: c.logging.level, bodyLimitBytes: c.http.bodyLimitBytes, workers: c.server.workers });
  });
  r.post('/__test/echo', requireJson, (req, res) => {
    res.json({ body: req.body as unknown });
  });
  r.post('/__test/crash', (_req, res) => {
    res.json({ crashing: process.pid });
    setImmediate(() => process.exit(3));
  });
  r.get('/__test/throw', () => {
    throw new Error('deliberate failure for the error handler test');
  });
  return r;
}
