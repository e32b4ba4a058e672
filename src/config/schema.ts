// The configuration schema as data (SPEC §9): one convict schema, loaded and validated once in the
// primary (load.ts), then frozen and handed to workers over IPC. Every key has doc, format and default,
// and every key but the two tables (protocol.ranges, protocol.scenarios) an env variable. README's
// configuration table is generated from it (scripts/readme-tables.ts).
import { type CardRangeConfig, type FaultRuleConfig, type ScenarioConfig, validateAdminTokens, validateFaultRules } from './formats.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const ENVIRONMENTS = ['development', 'production', 'test'] as const;

export const configSchema = {
  env: {
    doc: 'Environment: selects config/<env>.json. RUN_MODE is accepted as an alias of NODE_ENV.',
    format: ENVIRONMENTS,
    default: 'development',
    env: 'NODE_ENV',
  },
  server: {
    host: { doc: 'Address to bind.', format: String, default: '0.0.0.0', env: 'HOST' },
    port: { doc: 'TCP port to listen on (0 picks a free port).', format: 'port-number', default: 8080, env: 'PORT' },
    workers: {
      doc: 'Worker processes; 0 means one per CPU core.',
      format: 'non-negative-int',
      default: 0,
      env: 'WORKERS',
    },
    publicUrl: {
      doc: 'Base URL put into every URL the server hands out; empty means http://localhost:<port> (https:// with server.tls.enabled).',
      format: 'url-or-empty',
      default: '',
      env: 'PUBLIC_URL',
    },
    keepAliveTimeoutMs: {
      doc: 'Idle keep-alive timeout of client connections.',
      format: 'positive-int',
      default: 65000,
      env: 'KEEP_ALIVE_TIMEOUT_MS',
    },
    headersTimeoutMs: {
      doc: 'Time allowed to receive request headers.',
      format: 'positive-int',
      default: 66000,
      env: 'HEADERS_TIMEOUT_MS',
    },
    requestTimeoutMs: {
      doc: 'Time allowed to receive a whole request.',
      format: 'positive-int',
      default: 30000,
      env: 'REQUEST_TIMEOUT_MS',
    },
    shutdownGraceMs: {
      doc: 'How long SIGTERM/SIGINT and rolling restarts wait for in-flight requests.',
      format: 'positive-int',
      default: 15000,
      env: 'SHUTDOWN_GRACE_MS',
    },
    restartBackoffMs: {
      doc: 'First delay before replacing a crashed worker after a quick succession of crashes; doubles up to 30 s.',
      format: 'positive-int',
      default: 250,
      env: 'RESTART_BACKOFF_MS',
    },
    crashLoopThreshold: {
      doc: 'Worker exits within crashLoopWindowMs that count as a crash loop (reported, backoff at its maximum).',
      format: 'positive-int',
      default: 5,
      env: 'CRASH_LOOP_THRESHOLD',
    },
    crashLoopWindowMs: {
      doc: 'Window for counting worker crashes.',
      format: 'positive-int',
      default: 60000,
      env: 'CRASH_LOOP_WINDOW_MS',
    },
    testRoutes: {
      doc: 'Expose test-only routes (/__test/*) and X-Worker-Id; refused in production.',
      format: Boolean,
      default: false,
      env: 'TEST_ROUTES',
    },
    tls: {
      enabled: {
        doc: 'Serve HTTPS instead of HTTP on server.port; without certPath/keyPath, development and test generate a self-signed certificate in protocol.signing.dataDir.',
        format: Boolean,
        default: false,
        env: 'TLS_ENABLED',
      },
      certPath: {
        doc: 'PEM certificate of the server (chain after the leaf); with keyPath, required for TLS in production.',
        format: String,
        default: '',
        env: 'TLS_CERT_PATH',
      },
      keyPath: { doc: 'PEM private key of the server certificate (unencrypted).', format: String, default: '', env: 'TLS_KEY_PATH' },
      caPath: {
        doc: 'PEM CA certificate(s) that client certificates must chain to (mTLS).',
        format: String,
        default: '',
        env: 'TLS_CA_PATH',
      },
      clientCert: {
        doc: 'Client certificates: none, request (asked for, never required) or require (no valid one: refused in the handshake).',
        format: ['none', 'request', 'require'] as const,
        default: 'none',
        env: 'TLS_CLIENT_CERT',
      },
    },
  },
  store: {
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
  },
  cache: {
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
  },
  pool: {
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
  },
  http: {
    bodyLimitBytes: { doc: 'Largest accepted request body (413 above).', format: 'positive-int', default: 65536, env: 'BODY_LIMIT_BYTES' },
    compression: {
      enabled: { doc: 'Compress large responses.', format: Boolean, default: true, env: 'COMPRESSION_ENABLED' },
      thresholdBytes: {
        doc: 'Smallest body that is compressed.',
        format: 'positive-int',
        default: 4096,
        env: 'COMPRESSION_THRESHOLD_BYTES',
      },
      types: {
        doc: 'Content types eligible for compression.',
        format: 'string-list',
        default: ['text/html', 'application/json'],
        env: 'COMPRESSION_TYPES',
      },
    },
    rateLimit: {
      enabled: { doc: 'Per-client rate limiting, exact across workers.', format: Boolean, default: true, env: 'RATE_LIMIT_ENABLED' },
      windowMs: { doc: 'Rate limit window.', format: 'positive-int', default: 1000, env: 'RATE_LIMIT_WINDOW_MS' },
      max: {
        doc: 'Requests per client per window (high enough for load tests from one address).',
        format: 'positive-int',
        default: 1000000,
        env: 'RATE_LIMIT_MAX',
      },
      headers: {
        doc: 'RateLimit response headers: draft-7 (RateLimit + RateLimit-Policy), draft-8, or off.',
        format: ['draft-7', 'draft-8', 'off'] as const,
        default: 'draft-7',
        env: 'RATE_LIMIT_HEADERS',
      },
    },
    trustProxy: {
      doc: 'Express trust proxy setting: false, true, a hop count, or addresses/subnets.',
      format: String,
      default: 'false',
      env: 'TRUST_PROXY',
    },
  },
  faults: {
    headersEnabled: {
      doc: 'Honour the X-Mock-Delay, X-Mock-Error and X-Mock-Drop request headers (test clients inject faults).',
      format: Boolean,
      default: false,
      env: 'FAULT_HEADERS_ENABLED',
    },
    maxDelayMs: {
      doc: 'Cap of any injected delay, from a rule or a header.',
      format: 'positive-int',
      default: 60000,
      env: 'FAULT_MAX_DELAY_MS',
    },
    rules: {
      doc: 'Injected faults per route: [{route, method?, probability?, delay?: {kind: fixed|uniform|lognormal, ms|min,max|median,sigma}, error?: {status, errorCode}, drop?}] (JSON in the env variable).',
      // A format function (not a named format) so the env variable is parsed as JSON: convict coerces a
      // string by the type of the default, and [] is an object.
      format: validateFaultRules,
      default: [] as FaultRuleConfig[],
      env: 'FAULT_RULES',
    },
  },
  monitoring: {
    metricsEnabled: { doc: 'Serve Prometheus metrics.', format: Boolean, default: true, env: 'METRICS_ENABLED' },
    metricsPath: { doc: 'Path of the metrics endpoint.', format: String, default: '/metrics', env: 'METRICS_PATH' },
    healthPath: {
      doc: 'Path of the health endpoints (/live and /ready below it).',
      format: String,
      default: '/health',
      env: 'HEALTH_PATH',
    },
  },
  logging: {
    level: { doc: 'Log level.', format: LOG_LEVELS, default: 'info', env: 'LOG_LEVEL' },
    accessLog: { doc: 'One info line per request.', format: Boolean, default: true, env: 'ACCESS_LOG' },
  },
  protocol: {
    supportedVersions: {
      doc: 'Message versions this server speaks.',
      format: 'version-list',
      default: ['2.1.0', '2.2.0', '2.3.1'],
      env: 'PROTOCOL_VERSIONS',
    },
    ranges: {
      doc: 'Card ranges per scheme (start/end PANs, protocol versions); higher priority wins on overlap.',
      format: 'card-ranges',
      default: [] as CardRangeConfig[],
    },
    scenarios: {
      doc: 'Scenario table keyed by the last 4 digits (or a full PAN), "default" for the rest; each entry may have a name.',
      format: Object,
      default: {} as Record<string, ScenarioConfig>,
    },
    scenarioHeaderEnabled: {
      doc:
        'Honour the X-Mock-Scenario request header on /3ds/authenticate and /3ds/authentication (a scenario code or name for that ' +
        'transaction, above the M3DS-SCENARIO message extension and the card). config/production.json turns it off.',
      format: Boolean,
      default: true,
      env: 'SCENARIO_HEADER_ENABLED',
    },
    hangMaxMs: {
      doc:
        'Longest time the ACS of the no-answer test card (acs-no-answer) holds a CReq before it closes the connection without an ' +
        'answer (sooner when the client leaves or the worker drains).',
      format: 'positive-int',
      default: 60000,
      env: 'HANG_MAX_MS',
    },
    otp: { doc: 'The one-time code that completes a challenge.', format: String, default: '1234', env: 'PROTOCOL_OTP', sensitive: true },
    challenge: {
      maxAttempts: { doc: 'Wrong codes before a challenge ends N.', format: 'positive-int', default: 3, env: 'CHALLENGE_MAX_ATTEMPTS' },
      timeoutSeconds: {
        doc: 'A challenge not completed in time ends N (reason 14).',
        format: 'positive-int',
        default: 600,
        env: 'CHALLENGE_TIMEOUT_SECONDS',
      },
    },
    decoupledDelayMs: {
      doc: 'Delay before a decoupled authentication records Y.',
      format: 'non-negative-int',
      default: 5000,
      env: 'DECOUPLED_DELAY_MS',
    },
    slowResponseMs: {
      doc: 'Delay of the slow test card.',
      format: 'non-negative-int',
      default: 3000,
      env: 'SLOW_RESPONSE_MS',
    },
    requireVersionCall: {
      doc: 'Refuse authenticate for IDs no version call opened (Erro 301).',
      format: Boolean,
      default: false,
      env: 'REQUIRE_VERSION_CALL',
    },
    echoFullPan: {
      doc: 'Echo the full PAN in authenticationRequest.acctNumber (existing clients read it).',
      format: Boolean,
      default: true,
      env: 'ECHO_FULL_PAN',
    },
    authValueSecret: {
      doc: 'Secret of the HMAC that derives authentication values from transaction IDs.',
      format: String,
      default: 'mock-3ds-development-secret',
      env: 'AUTH_VALUE_SECRET',
      sensitive: true,
    },
    signing: {
      algorithm: {
        doc: 'JWS algorithm of acsSignedContent.',
        format: ['PS256', 'ES256'] as const,
        default: 'PS256',
        env: 'SIGNING_ALGORITHM',
      },
      keyPath: { doc: 'PEM private key of the ACS (required in production).', format: String, default: '', env: 'SIGNING_KEY_PATH' },
      certPath: { doc: 'PEM certificate of the ACS (required in production).', format: String, default: '', env: 'SIGNING_CERT_PATH' },
      dataDir: {
        doc: 'Where development/test keep the generated key and certificate; with the embedded store, also where the scenario overrides are kept (overrides.json).',
        format: String,
        default: 'data',
        env: 'DATA_DIR',
      },
    },
    sdkReferenceDefaults: {
      cbc: {
        doc: 'PartyVInfo when the AReq has no sdkReferenceNumber, A128CBC-HS256.',
        format: String,
        default: '3DS_LOA_SDK_JTPL_020200_00788',
        env: 'SDK_REFERENCE_DEFAULT_CBC',
      },
      gcm: {
        doc: 'PartyVInfo when the AReq has no sdkReferenceNumber, A128GCM.',
        format: String,
        default: '3DS_LOA_SDK_JTPL_020200_00805',
        env: 'SDK_REFERENCE_DEFAULT_GCM',
      },
    },
  },
  notifications: {
    enabled: {
      doc: 'Push results to merchant.resultsResponseNotificationUrl.',
      format: Boolean,
      default: true,
      env: 'RESULTS_PUSH_ENABLED',
    },
    allowedHosts: {
      doc: 'Hosts results may be pushed to; empty means any.',
      format: 'string-list',
      default: [] as string[],
      env: 'RESULTS_PUSH_ALLOWED_HOSTS',
    },
    timeoutMs: { doc: 'Timeout of one push.', format: 'positive-int', default: 3000, env: 'RESULTS_PUSH_TIMEOUT_MS' },
    tries: { doc: 'Tries per push.', format: 'positive-int', default: 3, env: 'RESULTS_PUSH_TRIES' },
    backoffMs: { doc: 'First backoff between tries (doubles).', format: 'positive-int', default: 500, env: 'RESULTS_PUSH_BACKOFF_MS' },
  },
  security: {
    allowedRedirectOrigins: {
      doc: 'Origins verify-otp may redirect to besides the notificationURL origin.',
      format: 'string-list',
      default: [] as string[],
      env: 'ALLOWED_REDIRECT_ORIGINS',
    },
    adminToken: {
      doc: 'Bearer token of /admin/* and /__admin/* (its name in the audit log: "admin"); with adminTokens empty too, /admin/* does not exist and /__admin/* only in development, with a token generated at start-up.',
      format: String,
      default: '',
      env: 'ADMIN_TOKEN',
      sensitive: true,
    },
    adminTokens: {
      doc: 'Named Bearer tokens of /admin/* and /__admin/*, {"<name>": "<token>"} (JSON in the env variable); the name is logged with every change made.',
      format: validateAdminTokens,
      default: {} as Record<string, string>,
      env: 'ADMIN_TOKENS',
      sensitive: true,
    },
  },
  inspection: {
    enabled: {
      doc: 'Keep the message trail of every transaction and the index of recent ones (/__admin); off for load tests that want no trail cost.',
      format: Boolean,
      default: true,
      env: 'INSPECTION_ENABLED',
    },
    maxTransactions: {
      doc: 'Bound of the index of recent transactions (the oldest leave first); entries also leave store.ttlSeconds after their creation.',
      format: 'positive-int',
      default: 10000,
      env: 'INSPECTION_MAX_TRANSACTIONS',
    },
    trailMaxEntries: {
      doc: "Bound of one transaction's trail in messages (the oldest leave first).",
      format: 'positive-int',
      default: 64,
      env: 'INSPECTION_TRAIL_MAX_ENTRIES',
    },
    trailMaxBytes: {
      doc: "Bound of one transaction's trail in bytes of JSON (the oldest leave first; a larger single message is kept as a stub).",
      format: 'positive-int',
      default: 65536,
      env: 'INSPECTION_TRAIL_MAX_BYTES',
    },
    maxBytes: {
      doc: 'Embedded store only: bound of all trails and index entries held by the primary (the oldest transactions leave first).',
      format: 'positive-int',
      default: 67108864,
      env: 'INSPECTION_MAX_BYTES',
    },
  },
};

// The value type of a key: the members of an enumerated format (so the literal unions survive), else the
// type of its default, widened from the literal of a string default and from the tuple of a list default.
type Leaf<T> = T extends { format: readonly (infer E extends string)[] }
  ? E
  : T extends { default: infer D }
    ? D extends readonly (infer E)[]
      ? E[]
      : D extends string
        ? string
        : D
    : never;
type Shape<S> = { readonly [K in keyof S]: S[K] extends { doc: string } ? Leaf<S[K]> : Shape<S[K]> };
export type Config = Shape<typeof configSchema>;
