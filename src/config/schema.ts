// The configuration schema as data (SPEC §9): one convict schema, loaded and validated once in the
// primary (load.ts), then frozen and handed to workers over IPC. Every key has doc, format and default,
// and every key but the two tables (protocol.ranges, protocol.scenarios) an env variable. README's
// configuration table is generated from it (scripts/readme-tables.ts). The store and protocol sections
// live in schema-store.ts and schema-protocol.ts.
import { type FaultRuleConfig, validateAdminTokens, validateFaultRules } from './formats.js';
import { notificationsSchema, protocolSchema } from './schema-protocol.js';
import { cacheSchema, poolSchema, storeSchema } from './schema-store.js';

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
  store: storeSchema,
  cache: cacheSchema,
  pool: poolSchema,
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
  protocol: protocolSchema,
  notifications: notificationsSchema,
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
