// The worker's long-lived services, built once per process and closed in reverse order of creation:
// the transaction store (L1 over L2), the app channel's crypto service (signing key, Piscina pool),
// then the protocol on top of both. The store's Redis connection (redis backend) is the worker's only
// one: the rate limiter borrows it (deps.redis), so the pipeline must close before these services.
// The ACS signing key and certificate are only read here: the primary prepared them before forking.
import os from 'node:os';
import { type Config, workerCount } from '../config/index.js';
import { type CryptoService, createCryptoService } from '../crypto/crypto-service.js';
import type { RpcClient } from '../ipc.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { createProtocol, type Protocol } from '../protocol/protocol.js';
import type { TransactionRecord } from '../protocol/transaction/record.js';
import { type CreatedStore, createStore } from '../store/create-store.js';

export interface Services {
  store: CreatedStore<TransactionRecord>;
  crypto: CryptoService;
  protocol: Protocol;
  close(): Promise<void>;
}

export interface ServiceOptions {
  config: () => Config;
  logger: Logger;
  metrics: Metrics;
  rpc: RpcClient;
  workerId: number;
}

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
  const protocol = createProtocol({ config: opts.config, store, logger: opts.logger, metrics: opts.metrics, crypto });
  return {
    store,
    crypto,
    protocol,
    async close() {
      await protocol.close();
      await crypto.close();
      await store.close();
    },
  };
}
