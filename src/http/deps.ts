// What createApp needs from the worker: live config, logger, metrics, store, health state and the
// protocol service. Built once per worker process (src/worker/), passed down; never global.

import type { Config } from '../config/index.js';
import type { ClusterStatus, RpcClient } from '../ipc.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Protocol } from '../protocol/protocol.js';
import type { InspectionStore } from '../store/inspection/inspection-types.js';
import type { OverridesControl } from '../store/overrides/overrides-control.js';
import type { DelayScheduler } from './fault-injection/injector.js';
import type { RedisLike } from './rate-limit/redis-lease-source.js';

/** Health and lifecycle state of this worker, read by the health routes and the drain guard. */
export interface WorkerState {
  /** Set when the worker stops taking new work (SIGTERM, rolling restart). */
  draining: boolean;
  /** Set in the last phase of a drain: resources are closing; requests get 503. */
  closing: boolean;
  /** The cluster's status as last told by the primary (see ClusterStatus). */
  cluster: ClusterStatus;
  /** True while the L2 store is reachable. */
  storeReady(): boolean;
  startedAt: number;
}

export interface AppDeps {
  /** The live configuration; changes on reload, so read it per request, not once. */
  config(): Config;
  logger: Logger;
  metrics: Metrics;
  state: WorkerState;
  workerId: number;
  /** Present in cluster workers (absent when an app is built in-process for tests). */
  rpc?: RpcClient;
  /** The 3DS logic; absent only in runtime-only tests. */
  protocol?: Protocol;
  /** The store's Redis connection (redis backend), borrowed by the rate limiter for its counters. */
  redis?: RedisLike | undefined;
  /** What /__admin reads and changes (SPEC §17): trails and index, scenario overrides; absent: not served. */
  admin?: { inspection: InspectionStore; overrides: OverridesControl };
  /** The admin token the primary generated in development (none configured); read from the environment when absent. */
  generatedAdminToken?: string | undefined;
  /** How injected delays wait (fault injection); timers unless a test records them. */
  scheduleDelay?: DelayScheduler;
}
