// The worker's long-lived services, built once per process and closed in reverse order of creation:
// the transaction store (L1 over L2), the app channel's crypto service (signing key, Piscina pool),
// then the protocol on top of both. The store's Redis connection (redis backend) is the worker's only
// one: the rate limiter borrows it (deps.redis), so the pipeline must close before these services.
// The ACS signing key and certificate are only read here: the primary prepared them before forking.
// Inspection (SPEC §17) rides the same L2: the trail recorder the protocol writes to, the inspection
// store the admin API reads, and the scenario overrides the protocol consults before the configured table.
import os from 'node:os';
import { type Config, workerCount } from '../config/index.js';
import { type CryptoService, createCryptoService } from '../crypto/crypto-service.js';
import type { InspectNote, RpcClient } from '../ipc.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { createProtocol, type Protocol } from '../protocol/protocol.js';
import type { TransactionRecord } from '../protocol/transaction/record.js';
import { type CreatedStore, createStore } from '../store/create-store.js';
import { DueQueue } from '../store/due-queue.js';
import { createInspection } from '../store/inspection/create-inspection.js';
import type { InspectionStore } from '../store/inspection/inspection-types.js';
import { createTrailRecorder } from '../store/inspection/trail-recorder.js';
import { type OverridesControl, primaryOverrides } from '../store/overrides/overrides-control.js';
import type { OverridesView } from '../store/overrides/overrides-view.js';

export interface Services {
  store: CreatedStore<TransactionRecord>;
  crypto: CryptoService;
  protocol: Protocol;
  inspection: InspectionStore;
  overrides: OverridesControl;
  close(): Promise<void>;
}

export interface ServiceOptions {
  config: () => Config;
  logger: Logger;
  metrics: Metrics;
  rpc: RpcClient;
  workerId: number;
  /** The worker's batched sender: inspection events ride it to the primary (embedded store). */
  send: (msg: InspectNote) => boolean;
  /** The worker's copy of the scenario overrides (kept current by the primary's pushes). */
  overrides: OverridesView;
}

/** The start-up read of the overrides is bounded: a worker never waits long for it. */
const OVERRIDES_GET_TIMEOUT_MS = 3000;

export async function buildServices(opts: ServiceOptions): Promise<Services> {
  const store = await createStore<TransactionRecord>({
    config: opts.config(),
    logger: opts.logger,
    metrics: opts.metrics,
    rpc: opts.rpc,
    // Final records can never change again: L1 may serve them without asking L2 (see src/store/).
    isImmutable: (r) => r.final === true,
  });
  let crypto: CryptoService;
  try {
    const config = opts.config();
    crypto = await createCryptoService({
      config,
      logger: opts.logger,
      metrics: opts.metrics,
      workers: workerCount(config, os.availableParallelism()),
    });
  } catch (err) {
    // No signing key (e.g. production without configured PEM files): the worker must not start.
    await store.close();
    throw err;
  }
  const inspection = createInspection({ config: opts.config, logger: opts.logger, redis: store.redis, rpc: opts.rpc, send: opts.send });
  try {
    opts.overrides.apply(await opts.rpc.call('overrides.get', {}, OVERRIDES_GET_TIMEOUT_MS));
  } catch (err) {
    opts.logger.warn('scenario overrides not received at start-up; the next change brings them', { error: (err as Error).message });
  }
  // Redis backend: due work is shared by every instance on it (SPEC §19); embedded: in-process timers.
  const due = store.redis && new DueQueue({ redis: store.redis, prefix: opts.config().store.prefix, logger: opts.logger });
  const protocol = createProtocol({
    config: opts.config,
    store,
    logger: opts.logger,
    metrics: opts.metrics,
    crypto,
    trail: createTrailRecorder({ config: opts.config, store: inspection }),
    overrides: opts.overrides.lookup,
    ...(due && { due }),
  });
  return {
    store,
    crypto,
    protocol,
    inspection,
    overrides: primaryOverrides(opts.overrides, opts.rpc),
    async close() {
      await protocol.close();
      await inspection.close();
      await crypto.close();
      await store.close();
    },
  };
}
