// Per-client rate limiting with express-rate-limit (SPEC §11), exact across workers through a LeaseStore
// over shared counters: the primary's (embedded backend, over RPC) or Redis (redis backend). The key is
// the client address as Express sees it (req.ip under `http.trustProxy`, IPv6 grouped by /56).
// Fast path: express-rate-limit's per-request machinery (an async chain of awaits) measured ~7-9 µs of
// CPU per request on a ~42 µs minimal Express request, while the limit is nowhere near. So a request
// whose client has an unspent lease in this worker is counted synchronously here, with the same draft-7
// headers the library writes; acquiring a lease, refusing (429) and draft-8 headers go through the library.
// Live: enabled, windowMs, max and headers follow deps.config(); a change builds a new limiter at the
// next request. Health, metrics and admin routes are never limited. A refusal is the SPEC §8 envelope with
// status 429, Retry-After (seconds to the window's end) and the RateLimit headers of the chosen draft.
import type { ServerResponse } from 'node:http';
import os from 'node:os';
import type { Request, RequestHandler, Response } from 'express';
import { type ClientRateLimitInfo, ipKeyGenerator, MemoryStore, type RateLimitInfo, rateLimit, type Store } from 'express-rate-limit';
import { type Config, storeBackend, workerCount } from '../../config/index.js';
import { AppError, errorEnvelope } from '../../errors.js';
import type { RpcClient } from '../../ipc.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import { clientIp, type Stage } from '../exchange.js';
import { type LeaseSource, LeaseStore, leaseDivisor, rpcLeaseSource } from './lease-store.js';
import { type RedisLike, rateLimitKeyPrefix, redisLeaseSource } from './redis-lease-source.js';

export interface RateLimiterOptions {
  config: () => Config;
  logger: Logger;
  metrics: Metrics;
  /** The worker's RPC client: counters in the primary (embedded backend). */
  rpc?: RpcClient | undefined;
  /**
   * The worker's Redis connection (the store's, redis backend): counters in Redis. The limiter only
   * borrows it; its owner closes it after the limiter.
   */
  redis?: RedisLike | undefined;
  /** Counters to use whatever the backend (tests). */
  source?: LeaseSource;
  /** Processes sharing the counters (default: the configured worker count). */
  processes?: number;
}

/** The stage, plus close(): stops its lease store's timer and lets go of the counters (it owns no connection). */
export type RateLimiter = Stage & { close(): Promise<void> };

type Limits = Config['http']['rateLimit'];
type HeaderWriter = (res: ServerResponse, hit: ClientRateLimitInfo) => void;

interface Limiter {
  limits: Limits;
  store: Store;
  handler: RequestHandler;
  /** Defined when the fast path can answer: a lease store and headers it can write. */
  lease: LeaseStore | undefined;
  headers: HeaderWriter | undefined;
}

// IPv6 keys are /56 networks, which ipKeyGenerator computes with an address library: remember them.
const v6Keys = new Map<string, string>();

/** The key express-rate-limit's default keyGenerator computes for this address. */
function clientKey(ip: string): string {
  if (!ip.includes(':')) return ip;
  let key = v6Keys.get(ip);
  if (key === undefined) {
    if (v6Keys.size >= 10_000) v6Keys.clear();
    key = ipKeyGenerator(ip, 56);
    v6Keys.set(ip, key);
  }
  return key;
}

/** The library's draft-7 headers (and none when off); undefined for draft-8, which stays on its path. */
function fastHeaders(l: Limits): HeaderWriter | undefined {
  if (l.headers === 'off') return () => {};
  if (l.headers !== 'draft-7') return undefined;
  const policy = `${l.max};w=${Math.ceil(l.windowMs / 1000)}`;
  const prefix = `limit=${l.max}, remaining=`;
  return (res, hit) => {
    const reset = Math.max(0, Math.ceil(((hit.resetTime?.getTime() ?? Date.now() + l.windowMs) - Date.now()) / 1000));
    res.setHeader('RateLimit-Policy', policy);
    res.setHeader('RateLimit', `${prefix}${Math.max(0, l.max - hit.totalHits)}, reset=${reset}`);
  };
}

export function rateLimiter(opts: RateLimiterOptions): RateLimiter {
  const { logger } = opts;
  const initial = opts.config();
  const refused = opts.metrics.counter('rate_limited_total');
  const divisor = leaseDivisor(opts.processes ?? workerCount(initial, os.availableParallelism()));
  let source = opts.source;
  if (!source && storeBackend(initial) === 'redis') {
    if (opts.redis) source = redisLeaseSource(opts.redis, rateLimitKeyPrefix(initial));
  } else if (!source && opts.rpc) {
    const rpc = opts.rpc;
    source = rpcLeaseSource(rpc, () => opts.config().store.operationTimeoutMs);
  }
  // Without shared counters (an app built in-process, one process) express-rate-limit's own store is exact.
  const newStore = (l: Limits): Store =>
    source ? new LeaseStore({ source, windowMs: l.windowMs, max: l.max, divisor, logger }) : new MemoryStore();

  // express-rate-limit reports misconfigurations (e.g. X-Forwarded-For without trust proxy) once each.
  const libLogger = {
    error: (err: unknown, message?: string) =>
      logger.warn(message ?? 'rate limiter', { err: err instanceof Error ? err.message : String(err) }),
    warn: (err: unknown, message?: string) =>
      logger.warn(message ?? 'rate limiter', { err: err instanceof Error ? err.message : String(err) }),
  };

  function build(l: Limits): Limiter {
    const store = newStore(l);
    const refuse = (req: Request, res: Response): void => {
      refused.inc();
      const info = (req as Request & { rateLimit?: RateLimitInfo }).rateLimit;
      const msLeft = info?.resetTime ? info.resetTime.getTime() - Date.now() : l.windowMs;
      // Sent here rather than through the error handler: its Retry-After is the registry's constant, and
      // a client told to come back before the window ends only gets refused again.
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(msLeft / 1000))));
      const err = new AppError('RATE_LIMITED', `more than ${l.max} requests within ${l.windowMs} ms from this client`);
      res.status(err.spec.status).json(errorEnvelope(err));
    };
    const handler = rateLimit({
      windowMs: l.windowMs,
      limit: l.max,
      standardHeaders: l.headers === 'off' ? false : l.headers,
      legacyHeaders: false,
      store,
      handler: refuse,
      passOnStoreError: true,
      logger: libLogger,
      // A reload builds the next limiter inside a request, on purpose.
      validate: { creationStack: false },
    });
    return { limits: l, store, handler, lease: store instanceof LeaseStore ? store : undefined, headers: fastHeaders(l) };
  }

  let current = build(initial.http.rateLimit);
  const refresh = (l: Limits) => {
    const c = current.limits;
    if (l.windowMs === c.windowMs && l.max === c.max && l.headers === c.headers) {
      // Same values in a new config object (every reload sends one): keep the leases.
      current.limits = l;
      return;
    }
    void current.store.shutdown?.();
    current = build(l);
  };

  const stage = function rateLimitStage(ex, next) {
    const live = ex.live;
    const l = live.config.http.rateLimit;
    if (!l.enabled || live.isControlPath(ex.path)) return next();
    if (l !== current.limits) refresh(l);
    const { lease, headers } = current;
    if (lease !== undefined && headers !== undefined) {
      const hit = lease.trySpend(clientKey(clientIp(ex)));
      if (hit !== undefined) {
        headers(ex.res, hit);
        return next();
      }
    }
    // The library's path (a new lease, a refusal, draft-8 headers) runs on Express's request and response.
    if (ex.handOff) return ex.handOff();
    void current.handler(ex.req as Request, ex.res as Response, next);
  } as RateLimiter;
  stage.close = async () => {
    await current.store.shutdown?.();
  };
  return stage;
}
