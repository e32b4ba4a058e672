// Test-only routes (server.testRoutes, refused in production by config validation): a request held
// open for the drain tests (logged at debug when it arrives), and which worker answered for the
// coherence tests.
import { Router } from 'express';
import { AppError } from '../../errors.js';
import type { TransactionStore } from '../../store/store.js';
import type { AppDeps } from '../deps.js';
import { existingExchange } from '../exchange.js';

function storeOf(deps: AppDeps): TransactionStore<{ n: number }> {
  const store = deps.protocol?.core.store as unknown as TransactionStore<{ n: number }> | undefined;
  if (!store) throw new AppError('SYSTEM_FAILURE', 'no store in this app');
  return store;
}

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
    // The drain tests wait for this line: the request is then in flight in a worker.
    deps.logger.debug('slow request held', { requestId: existingExchange(req)?.id, ms });
    setTimeout(() => res.json({ slept: ms, pid: process.pid }), ms);
  });
  r.get('/__test/config', (_req, res) => {
    const c = deps.config();
    res.json({ pid: process.pid, logLevel: c.logging.level, bodyLimitBytes: c.http.bodyLimitBytes, workers: c.server.workers });
  });
  r.post('/__test/echo', requireJson, (req, res) => {
    res.json({ body: req.body as unknown });
  });
  // Direct store access for the coherence and outage tests: a counter record bumped by compare-and-set.
  r.post('/__test/store/:id', async (req, res) => {
    const store = storeOf(deps);
    const id = `probe-${req.params.id}`;
    const cur = await store.get(id);
    const out = cur ? await store.update(id, cur.version, { n: cur.value.n + 1 }) : await store.create(id, { n: 1 });
    res.json({ n: out.value.n, version: out.version, worker: deps.workerId });
  });
  r.get('/__test/store/:id', async (req, res) => {
    const rec = await storeOf(deps).get(`probe-${req.params.id}`);
    if (!rec) {
      res.status(404).json({ missing: true, worker: deps.workerId });
      return;
    }
    res.json({ n: rec.value.n, version: rec.version, worker: deps.workerId });
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
