// createApp(deps): the ordered pipeline and the route tables, as data (README draws it), run by two
// adapters (DESIGN §4): the lean dispatcher for the routes of the 3DS flows, Express for the rest. It
// never listens: the worker owns the socket, tests use supertest.
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import type { AppDeps } from './deps.js';
import { createDispatcher } from './dispatcher.js';
import { exchangeOf, type NamedStage, type Stage } from './exchange.js';
import { faultInjection } from './fault-injection/injector.js';
import { HeldRequests } from './held-requests.js';
import { type Live, liveSnapshots } from './live.js';
import { accessLog } from './middleware/access-log.js';
import { bodyReader } from './middleware/body-reader.js';
import { responseCompression } from './middleware/compression.js';
import { drainGuard } from './middleware/drain-guard.js';
import { sendError } from './middleware/error-handler.js';
import { httpMetrics } from './middleware/http-metrics.js';
import { notFound } from './middleware/not-found.js';
import { requestId } from './middleware/request-id.js';
import { securityHeaders } from './middleware/security-headers.js';
import { type RateLimiter, rateLimiter } from './rate-limit/limiter.js';
import { acsRoutes } from './routes/acs.js';
import { adminRoutes } from './routes/admin.js';
import { adminApiRoutes } from './routes/admin-api.js';
import { apiRoutes } from './routes/api.js';
import { appChallengeRoutes } from './routes/app-challenge.js';
import { consoleRoutes } from './routes/console.js';
import { consoleApiRoutes } from './routes/console-api.js';
import type { FlowRoute } from './routes/flow-route.js';
import { refusedType } from './routes/flow-route.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { netceteraRoutes } from './routes/netcetera.js';
import { openapiRoutes } from './routes/openapi.js';
import { testSupportRoutes } from './routes/test-support.js';

/** The request pipeline in order, shared by both adapters. */
export function pipeline(deps: AppDeps, limiter: RateLimiter = newLimiter(deps)): NamedStage[] {
  return [
    { name: 'request-id', run: requestId() },
    { name: 'access-log', run: accessLog({ logger: deps.logger }) },
    { name: 'http-metrics', run: httpMetrics(deps.metrics) },
    { name: 'drain-guard', run: drainGuard(deps.state) },
    { name: 'rate-limit', run: limiter },
    { name: 'compression', run: responseCompression() },
    { name: 'body-reader', run: bodyReader() },
    {
      name: 'fault-injection',
      run: faultInjection({ logger: deps.logger, ...(deps.scheduleDelay ? { schedule: deps.scheduleDelay } : {}) }),
    },
  ];
}

function newLimiter(deps: AppDeps): RateLimiter {
  return rateLimiter({ config: deps.config, logger: deps.logger, metrics: deps.metrics, rpc: deps.rpc, redis: deps.redis });
}

/** The routes of the 3DS flows (the lean dispatcher's table); `held`: the requests the ACS leaves unanswered. */
function flowRoutes(deps: AppDeps, held: HeldRequests): FlowRoute[] {
  const p = deps.protocol;
  return p ? [...apiRoutes(p), ...netceteraRoutes(p), ...acsRoutes(p, held), ...appChallengeRoutes(p, held)] : [];
}

/** The route groups only Express serves, in match order. */
function expressRoutes(deps: AppDeps): { name: string; handler: Router }[] {
  const c = deps.config();
  const out: { name: string; handler: Router }[] = [];
  // First when enabled, so every response (health included) carries X-Worker-Id for the tests.
  if (c.server.testRoutes) out.push({ name: 'test-support', handler: testSupportRoutes(deps) });
  out.push({ name: 'health', handler: healthRoutes(deps, c.monitoring.healthPath) });
  if (c.monitoring.metricsEnabled) out.push({ name: 'metrics', handler: metricsRoutes(deps, c.monitoring.metricsPath) });
  out.push({ name: 'openapi', handler: openapiRoutes(deps) });
  out.push({ name: 'admin', handler: adminRoutes(deps) });
  out.push({ name: 'admin-api', handler: adminApiRoutes(deps) });
  // The QA console (SPEC §17): its two /__admin routes, then the page, its assets and its notification page.
  out.push({ name: 'console-api', handler: consoleApiRoutes(deps) });
  out.push({ name: 'console', handler: consoleRoutes(deps) });
  return out;
}

/** A stage as Express middleware; a request the lean dispatcher handed over skips the stages it already ran. */
export function stageMiddleware(stage: Stage, live: () => Live, index = Number.POSITIVE_INFINITY): RequestHandler {
  return function stageAdapter(req, res, next) {
    const ex = exchangeOf(req, res, live);
    if (index < ex.passed) return next();
    stage(ex, next);
  };
}

export interface App {
  (req: IncomingMessage, res: ServerResponse): void;
  readonly express: Express;
  /** The live settings in force (rebuilt when the config object changes). */
  live(): Live;
  /**
   * Drops every request held without an answer (test card acs-no-answer), and any later one at once: a
   * draining worker calls it first, so the drain never waits on them.
   */
  releaseHeld(): void;
  /** Closes what the pipeline holds (held requests, the rate limiter's lease store; the Redis connection is the store's). */
  close(): Promise<void>;
}

export function createApp(deps: AppDeps): App {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Express's own `trust proxy` (express-rate-limit's slow path reads req.ip) follows the same snapshot.
  const live = liveSnapshots(deps.config, (l) => app.set('trust proxy', l.trustSetting));
  live();
  const limiter = newLimiter(deps);
  const stages = pipeline(deps, limiter);
  const held = new HeldRequests(deps.logger);
  const flows = flowRoutes(deps, held);

  // The rule lives in security-headers.ts; on the lean path the answer helpers (reply.ts) apply it.
  app.use(securityHeaders({ config: deps.config }));
  stages.forEach((s, i) => {
    app.use(stageMiddleware(s.run, live, i));
  });
  for (const r of expressRoutes(deps)) app.use(r.handler);
  for (const route of flows) {
    app.post(route.path, (req, res, next) => {
      const ex = exchangeOf(req, res, live);
      ex.route = route.path;
      if (route.errorBody) ex.errorBody = route.errorBody;
      const refused = refusedType(route, ex);
      if (refused !== undefined) return next(refused);
      route.handle(ex).catch(next);
    });
  }
  app.use(notFound());
  app.use(((err, req, res, _next) => sendError(exchangeOf(req, res, live), err, deps.logger)) as ErrorRequestHandler);

  const workerHeaders: readonly (readonly [string, string])[] = [
    ['X-Worker-Id', String(deps.workerId)],
    ['X-Worker-Pid', String(process.pid)],
  ];
  const dispatch = createDispatcher({
    stages,
    routes: flows,
    fallback: app,
    live,
    logger: deps.logger,
    workerHeaders: () => (live().testRoutes ? workerHeaders : undefined),
  });
  return Object.assign(dispatch, {
    express: app,
    live,
    releaseHeld: () => held.releaseAll(),
    close: () => {
      held.releaseAll();
      return limiter.close();
    },
  });
}
