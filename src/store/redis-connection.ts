// One ioredis client per worker, built from the store.redis configuration: standalone (a URL), Sentinel
// or Cluster (a node list). The options make an outage fail fast instead of queueing: the breaker in
// resilient-l2.ts then turns it into immediate 503s, and readiness follows the connection events.
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

export interface RedisConnectionConfig {
  url: string;
  mode: string;
  nodes: readonly string[];
  sentinelName: string;
  password: string;
  connectTimeoutMs: number;
}

export interface RedisScript {
  lua: string;
  numberOfKeys: number;
  readOnly?: boolean;
}

export interface RedisConnectOptions {
  redis: RedisConnectionConfig;
  /** Bound of one command (store.operationTimeoutMs). */
  commandTimeoutMs: number;
  scripts: Record<string, RedisScript>;
  /** Reconnect delay cap (default 2000 ms). */
  maxReconnectDelayMs?: number | undefined;
}

// ioredis types its constructors' options as `RedisOptions & { replyMapping?: M }` while RedisOptions has
// `replyMapping?: ReplyMappingMode | undefined`, so under exactOptionalPropertyTypes a plain RedisOptions
// is refused. Pinning the mapping to 'legacy' (ioredis's default, and what RedisClient is) makes it fit.
type ClientOptions = RedisOptions & { replyMapping?: 'legacy' };
type ClusterClientOptions = ClusterOptions & { redisOptions?: ClientOptions };

export type RedisPlan =
  | { mode: 'standalone'; url: string; options: ClientOptions }
  | { mode: 'sentinel'; options: ClientOptions }
  | { mode: 'cluster'; nodes: { host: string; port: number }[]; options: ClusterClientOptions };

/** Exponential reconnect backoff with jitter (so workers do not reconnect in lockstep), never giving up. */
export function reconnectDelay(times: number, capMs = 2000): number {
  return Math.min(50 * 2 ** Math.min(times - 1, 10), capMs) + Math.floor(Math.random() * 50);
}

/** Works out the client to build; pure, so the mapping from configuration is testable without Redis. */
export function planRedisConnection(o: RedisConnectOptions): RedisPlan {
  const cap = o.maxReconnectDelayMs ?? 2000;
  const r = o.redis;
  const fromUrl = parseUrl(r.url);
  const password = r.password || fromUrl?.password || undefined;
  const common: ClientOptions = {
    connectTimeout: r.connectTimeoutMs,
    commandTimeout: o.commandTimeoutMs,
    // A command in flight when the connection drops fails at once rather than being resent after the
    // reconnect: a resent compare-and-set could apply after its caller was told it failed, or report a
    // conflict for its own write.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectionName: 'mock-3ds',
    password,
  };
  if (r.mode === 'cluster') {
    const seeds = r.nodes.length > 0 ? r.nodes.map(parseHostPort) : fromUrl ? [{ host: fromUrl.host, port: fromUrl.port }] : [];
    if (seeds.length === 0) throw new Error('store.redis.nodes: cluster mode needs at least one node');
    return {
      mode: 'cluster',
      nodes: seeds,
      options: {
        redisOptions: common,
        enableOfflineQueue: false,
        enableAutoPipelining: true,
        clusterRetryStrategy: (times: number) => reconnectDelay(times, cap),
        scripts: o.scripts,
      },
    };
  }
  const single: ClientOptions = {
    ...common,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    retryStrategy: (times: number) => reconnectDelay(times, cap),
    scripts: o.scripts,
  };
  if (r.mode === 'sentinel') {
    if (r.nodes.length === 0) throw new Error('store.redis.nodes: sentinel mode needs the Sentinel addresses');
    return {
      mode: 'sentinel',
      options: { ...single, sentinels: r.nodes.map(parseHostPort), name: r.sentinelName, db: fromUrl?.db ?? 0 },
    };
  }
  return { mode: 'standalone', url: r.url || 'redis://127.0.0.1:6379', options: single };
}

export function connectRedis(plan: RedisPlan): RedisClient {
  if (plan.mode === 'cluster') return new Cluster(plan.nodes, plan.options);
  if (plan.mode === 'sentinel') return new Redis(plan.options);
  return new Redis(plan.url, plan.options);
}

/** "host:port", "[v6]:port" or "host" (port 6379; Sentinel users pass the port explicitly). */
export function parseHostPort(s: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+)(?::(\d+))?$/.exec(s);
  if (!m) throw new Error(`store.redis.nodes: "${s}" is not host:port`);
  return { host: m[1] as string, port: m[2] ? Number(m[2]) : 6379 };
}

function parseUrl(url: string): { host: string; port: number; password: string | undefined; db: number | undefined } | undefined {
  if (!url) return undefined;
  const u = new URL(url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined;
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 6379,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: Number.isInteger(db) ? db : undefined,
  };
}
