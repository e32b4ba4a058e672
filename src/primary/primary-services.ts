// What the primary hosts for its workers: the embedded L2 store (it outlives worker crashes and rolling
// restarts because it lives here), the shared counters of the rate limiter, and for inspection (SPEC §17)
// the trails and index of the embedded store and the scenario overrides of either store. Their RPC
// handlers are collected here so primary.ts only dispatches.
import type { Worker } from 'node:cluster';
import path from 'node:path';
import { type Config, storeBackend } from '../config/index.js';
import { RateLimitCounters } from '../http/rate-limit/lease-counters.js';
import type { PrimaryToWorker, RpcHandlers } from '../ipc.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { createEmbeddedHost, type EmbeddedHost } from '../store/embedded-host.js';
import { InspectionCore } from '../store/inspection/inspection-core.js';
import { inspectionBounds } from '../store/inspection/inspection-types.js';
import { fileOverrides, type OverridesBackend } from '../store/overrides/overrides-backend.js';
import { redisOverrides } from '../store/overrides/redis-overrides.js';
import type { TrailEvent } from '../types.js';
import { OverridesHub } from './overrides-hub.js';

/** How the primary reaches its workers (the supervisor's), for pushes that need no reply. */
export interface WorkerChannel {
  workers(): Worker[];
  send(worker: Worker, msg: PrimaryToWorker): void;
}

/** The file the embedded store keeps the scenario overrides in. */
export function overridesFile(config: Config): string {
  return path.resolve(config.protocol.signing.dataDir, 'overrides.json');
}

export class PrimaryServices {
  private readonly store: EmbeddedHost;
  private readonly rateLimits = new RateLimitCounters();
  /** Trails and index of the embedded store; the Redis store keeps them in Redis. */
  private readonly inspection: InspectionCore | undefined;
  readonly overrides: OverridesHub;
  /** Redis only: resolves when its connection is up, or false after the bound. */
  private readonly overridesReady: ((timeoutMs: number) => Promise<boolean>) | undefined;

  constructor(
    private config: Config,
    private readonly logger: Logger,
    metrics: Metrics,
    channel: WorkerChannel,
  ) {
    this.store = createEmbeddedHost({
      maxEntries: config.store.maxEntries,
      maxBytes: config.store.maxBytes,
      logger: logger.child({ component: 'embedded-store' }),
      metrics,
    });
    const redis = storeBackend(config) === 'redis';
    if (!redis) this.inspection = new InspectionCore(inspectionBounds(config));
    const olog = logger.child({ component: 'overrides' });
    // Where the overrides live is decided once, at start-up, like the store (a reload that changes
    // store.* rolls the workers but keeps this).
    const backend: OverridesBackend & { ready?(timeoutMs: number): Promise<boolean> } = redis
      ? redisOverrides({
          redis: config.store.redis,
          prefix: config.store.prefix,
          commandTimeoutMs: config.store.operationTimeoutMs,
          logger: olog,
        })
      : fileOverrides(overridesFile(config), olog);
    this.overrides = new OverridesHub({ backend, logger: olog, workers: channel.workers, send: channel.send });
    this.overridesReady = backend.ready ? (ms) => backend.ready?.(ms) ?? Promise.resolve(true) : undefined;
  }

  /** Loads the scenario overrides before workers start; with Redis, waits for it no longer than its connect timeout. */
  async start(): Promise<void> {
    await this.overridesReady?.(this.config.store.redis.connectTimeoutMs);
    await this.overrides.start();
  }

  /** An inspection event from a worker (one-way, embedded store). */
  inspect(ev: TrailEvent): void {
    this.inspection?.apply(ev);
  }

  handlers(): RpcHandlers {
    return {
      'store.op': (op) => this.store.handle(op),
      'ratelimit.lease': (req) => this.rateLimits.lease(req),
      'ratelimit.reset': ({ key }) => {
        this.rateLimits.reset(key);
        return {};
      },
      'inspect.list': (q) => this.inspectionCore().list(q),
      'inspect.detail': ({ id }) => this.inspectionCore().detail(id),
      'inspect.reset': () => this.inspectionCore().reset(),
      'overrides.get': () => this.overrides.get(),
      'overrides.change': (c) => this.overrides.change(c),
    };
  }

  private inspectionCore(): InspectionCore {
    if (!this.inspection) throw new Error('inspection is kept in Redis with this store');
    return this.inspection;
  }

  applyConfig(config: Config): void {
    const s = config.store;
    if (s.maxEntries !== this.config.store.maxEntries || s.maxBytes !== this.config.store.maxBytes)
      this.store.resize(s.maxEntries, s.maxBytes);
    this.inspection?.setBounds(inspectionBounds(config));
    if (storeBackend(config) !== storeBackend(this.config) || overridesFile(config) !== overridesFile(this.config))
      this.logger.warn('scenario overrides stay where they were kept at start-up until the server restarts');
    this.config = config;
  }

  /** Closes what the primary hosts; the overrides' Redis connections say QUIT (bounded: 1 s). */
  async close(): Promise<void> {
    this.rateLimits.close();
    this.inspection?.close();
    const overrides = this.overrides.close().catch(() => {});
    await Promise.race([overrides, new Promise((r) => setTimeout(r, 1000).unref())]);
    this.store.close();
  }
}
