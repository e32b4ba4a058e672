// createApp(deps): the ordered pipeline and the route table, as data (README draws it). It never listens:
// the worker owns the socket, tests use supertest.
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import type { AppDeps } from './deps.js';
import { accessLog } from './middleware/access-log.js';
import { bodyReader } from './middleware/body-reader.js';
import { responseCompression } from './middleware/compression.js';
import { drainGuard } from './middleware/drain-guard.js';
import { errorHandler } from './middleware/error-handler.js';
import { faultInjection } from './middleware/fault-injection.js';
import { httpMetrics } from './middleware/http-metrics.js';
import { notFound } from './middleware/not-found.js';
import { rateLimiter } from './middleware/rate-limit.js';
import { requestId } from './middleware/request-id.js';
import { securityHeaders } from './middleware/security-headers.js';
import { adminRoutes } from './routes/admin.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { testSupportRoutes } from './routes/test-support.js';
import { acsRoutes } from './routes/acs.js';
import { appChallengeRoutes } from './routes/app-challenge.js';
import { apiRoutes } from './routes/api.js';

export interface PipelineStage {
  name: string;
  handler: RequestHandler | Router;
}

/** The request pipeline in order; each stage is one middleware file. */
export function pipeline(deps: AppDeps): PipelineStage[] {
  const cfg = deps.config;
  const stages: PipelineStage[] = [
    { name: 'request-id', handler: requestId() },
    { name: 'access-log', handler: accessLog({ logger: deps.logger, enabled: () => cfg().logging.accessLog }) },
    { name: 'http-metrics', handler: httpMetrics(deps.metrics) },
    { name: 'drain-guard', handler: drainGuard(deps.state) },
    { name: 'rate-limit', handler: rateLimiter({ config: cfg, logger: deps.logger, metrics: deps.metrics, rpc: deps.rpc }) },
    { name: 'security-headers', handler: securityHeaders({ config: cfg }) },
    { name: 'compression', handler: responseCompression({ config: cfg }) },
    { name: 'body-reader', handler: bodyReader({ limitBytes: () => cfg().http.bodyLimitBytes }) },
    { name: 'fault-injection', handler: faultInjection({ config: cfg, logger: deps.logger }) },
  ];
  return stages;
}

/** The route groups, in match order. */
export function routes(deps: AppDeps): PipelineStage[] {
  const c = deps.config();
  const out: PipelineStage[] = [];
  // First when enabled, so every response (health included) carries X-Worker-Id for the tests.
  if (c.server.testRoutes) out.push({ name: 'test-support', handler: testSupportRoutes(deps) });
  out.push({ name: 'health', handler: healthRoutes(deps, c.monitoring.healthPath) });
  if (c.monitoring.metricsEnabled) out.push({ name: 'metrics', handler: metricsRoutes(deps, c.monitoring.metricsPath) });
  out.push({ name: 'admin', handler: adminRoutes(deps) });
  if (deps.protocol) {
    out.push({ name: 'api', handler: apiRoutes(deps) });
    out.push({ name: 'acs', handler: acsRoutes(deps) });
    out.push({ name: 'app-challenge', handler: appChallengeRoutes(deps) });
  }
  return out;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  applyLiveSettings(app, deps);
  for (const s of pipeline(deps)) app.use(s.handler);
  for (const s of routes(deps)) app.use(s.handler);
  app.use(notFound());
  app.use(errorHandler(deps.logger) as ErrorRequestHandler);
  return app;
}

/** Settings that follow the live config (called again after a reload). */
export function applyLiveSettings(app: Express, deps: AppDeps): void {
  app.set('trust proxy', parseTrustProxy(deps.config().http.trustProxy));
}

export function parseTrustProxy(v: string): boolean | number | string[] {
  if (v === 'true') return true;
  if (v === 'false' || v === '') return false;
  if (/^[0-9]+$/.test(v)) return Number(v);
  return v.split(',').map((s) => s.trim());
}
