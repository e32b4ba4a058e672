// The store keys of the configuration schema (SPEC §7: L1 over L2; the crypto pool), part of configSchema
// in schema.ts, which README's configuration table is generated from.

export const storeSchema = {
  backend: {
    doc: 'L2 backend: auto (redis when store.redis.url or nodes are set, else embedded), embedded or redis.',
    format: ['auto', 'embedded', 'redis'] as const,
    default: 'auto',
    env: 'STORE_BACKEND',
  },
  ttlSeconds: {
    doc: 'Lifetime of a transaction record, refreshed by each access.',
    format: 'positive-int',
    default: 1800,
    env: 'STORE_TTL_SECONDS',
  },
  prefix: { doc: 'Key prefix of transaction records.', format: String, default: '3ds_transaction', env: 'STORE_PREFIX' },
  maxEntries: {
    doc: 'Bound of the embedded store in records (least recently used go first); 0: none but store.maxBytes.',
    format: 'non-negative-int',
    default: 0,
    env: 'STORE_MAX_ENTRIES',
  },
  maxBytes: {
    doc:
      'Bound of the embedded store in bytes (least recently used go first): each record as held off the JS heap (packed to a third to a ' +
      'half of its JSON, with its keys and a 16-byte header) plus 96 bytes of slot and tables; between compactions the arena holds up to ' +
      '1/8 more. 0: a quarter of the memory the process may use (the container limit, else the machine memory).',
    format: 'non-negative-int',
    default: 0,
    env: 'STORE_MAX_BYTES',
  },
  operationTimeoutMs: {
    doc: 'Timeout of one L2 operation (Redis command or IPC round trip).',
    format: 'positive-int',
    default: 1000,
    env: 'STORE_OPERATION_TIMEOUT_MS',
  },
  readRetries: { doc: 'Retries of a failed L2 read.', format: 'non-negative-int', default: 2, env: 'STORE_READ_RETRIES' },
  retryBackoffMs: {
    doc: 'First backoff between read retries (doubles).',
    format: 'positive-int',
    default: 20,
    env: 'STORE_RETRY_BACKOFF_MS',
  },
  breaker: {
    failureThreshold: {
      doc: 'Consecutive L2 failures that open the circuit breaker.',
      format: 'positive-int',
      default: 5,
      env: 'STORE_BREAKER_FAILURES',
    },
    openMs: {
      doc: 'How long the breaker stays open before a trial request.',
      format: 'positive-int',
      default: 2000,
      env: 'STORE_BREAKER_OPEN_MS',
    },
  },
  redis: {
    url: { doc: 'Redis URL (standalone), e.g. redis://localhost:6379/0.', format: 'url-or-empty', default: '', env: 'REDIS_URL' },
    mode: {
      doc: 'Redis topology: standalone, sentinel or cluster.',
      format: ['standalone', 'sentinel', 'cluster'] as const,
      default: 'standalone',
      env: 'REDIS_MODE',
    },
    nodes: {
      doc: 'host:port list of Sentinels (sentinel) or seed nodes (cluster).',
      format: 'string-list',
      default: [] as string[],
      env: 'REDIS_NODES',
    },
    sentinelName: { doc: 'Master group name for Sentinel.', format: String, default: 'mymaster', env: 'REDIS_SENTINEL_NAME' },
    password: { doc: 'Redis password (if not in the URL).', format: String, default: '', env: 'REDIS_PASSWORD', sensitive: true },
    connectTimeoutMs: {
      doc: 'Redis connect timeout.',
      format: 'positive-int',
      default: 2000,
      env: 'REDIS_CONNECT_TIMEOUT_MS',
    },
  },
};

export const cacheSchema = {
  // 10,000 records cover several seconds of a worker's transactions at full load (an L1 hit is a final
  // record read again soon after: /3ds/final, a repeated results call); 50,000 held ~4 KB of heap each
  // and put a worker near 560 MB of RSS after 60 s at full load (measured).
  maxEntries: { doc: 'L1 (per worker) bound in records.', format: 'positive-int', default: 10000, env: 'CACHE_MAX_ENTRIES' },
  maxBytes: {
    doc: 'L1 (per worker) bound in bytes of serialized records.',
    format: 'positive-int',
    default: 16777216,
    env: 'CACHE_MAX_BYTES',
  },
  ttlSeconds: {
    doc: 'L1 lifetime of a record; never above store.ttlSeconds.',
    format: 'positive-int',
    default: 300,
    env: 'CACHE_TTL_SECONDS',
  },
};

export const poolSchema = {
  threads: {
    doc: 'Piscina threads per worker; 0 sizes it so workers x threads stays near the core count.',
    format: 'non-negative-int',
    default: 0,
    env: 'POOL_THREADS',
  },
  maxQueue: { doc: 'Tasks queued per pool before new ones are refused.', format: 'positive-int', default: 1024, env: 'POOL_MAX_QUEUE' },
  offload: {
    doc: 'Which CPU work runs in the pool: any of sign, ecdh, jwe.',
    format: 'string-list',
    default: [] as string[],
    env: 'POOL_OFFLOAD',
  },
};
