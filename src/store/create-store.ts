// Builds a worker's transaction store from the configuration: the L2 backend storeBackend() selects
// (Redis, or the embedded store in the primary reached over IPC), wrapped in the resilience layer, behind
// the per-worker L1. Never throws because L2 is down: the store starts not ready and becomes ready when
// L2 arrives (ioredis keeps reconnecting with backoff; the readiness probe keeps asking).
import { type Config, storeBackend } from '../config/index.js';
import type { RpcClient } from '../ipc.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { createEmbeddedL2, rpcStoreCall } from './embedded-client.js';
import { createEmbeddedHost, inProcessStoreCall } from './embedded-host.js';
import type { L2 } from './l2.js';
import type { RedisClient } from './redis-connection.js';
import { createRedisL2 } from './redis-l2.js';
import { ResilientL2 } from './resilient-l2.js';
import type { TransactionStore } from './store.js';
import { TieredStore } from './tiered-store.js';

export interface CreateStoreOptions<T extends object> {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** The worker's RPC client (embedded backend). Without it the embedded L2 lives in this process. */
  rpc?: RpcClient;
  /** Records for which this is true can never change again and are served from L1 without asking L2. */
  isImmutable?: (record: T) => boolean;
  /** Period of the readiness ping (default 1000 ms). */
  probeIntervalMs?: number;
}

/**
 * The store, and with the redis backend its connection: the worker's other users of that Redis (the rate
 * limiter's counters) share it rather than open their own. The store owns it: close() ends it.
 */
export type CreatedStore<T extends object> = TransactionStore<T> & { readonly redis?: RedisClient };

export async function createStore<T extends object = Record<string, unknown>>(opts: CreateStoreOptions<T>): Promise<CreatedStore<T>> {
  const { config, metrics } = opts;
  const s = config.store;
  const backend = storeBackend(config);
  const logger = opts.logger.child({ component: 'store', backend });
  let l2: L2;
  let redisClient: RedisClient | undefined;
  if (backend === 'redis') {
    const redis = createRedisL2({ redis: s.redis, prefix: s.prefix, commandTimeoutMs: s.operationTimeoutMs, logger });
    // Wait for the first connection attempt (bounded) so readiness is right from the start.
    await redis.settled(s.redis.connectTimeoutMs);
    l2 = redis;
    redisClient = redis.client;
  } else if (opts.rpc) {
    l2 = createEmbeddedL2({ call: rpcStoreCall(opts.rpc), timeoutMs: s.operationTimeoutMs });
  } else {
    const host = createEmbeddedHost({ maxEntries: s.maxEntries, maxBytes: s.maxBytes, logger, metrics });
    l2 = createEmbeddedL2({ call: inProcessStoreCall(host), timeoutMs: s.operationTimeoutMs, onClose: () => host.close() });
  }
  const resilient = new ResilientL2(l2, {
    readRetries: s.readRetries,
    retryBackoffMs: s.retryBackoffMs,
    breaker: s.breaker,
    probeIntervalMs: opts.probeIntervalMs,
    logger,
    metrics,
  });
  await resilient.probe();
  if (resilient.isReady()) logger.info('transaction store ready');
  else logger.warn('transaction store not reachable yet; starting not ready and retrying');
  const store = new TieredStore<T>({
    l2: resilient,
    ttlSeconds: s.ttlSeconds,
    cache: config.cache,
    metrics,
    isImmutable: opts.isImmutable,
  });
  return redisClient === undefined ? store : Object.assign(store, { redis: redisClient });
}
