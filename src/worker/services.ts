// The worker's long-lived services, built once per process and closed in reverse order of creation.
import type { Config } from '../config.js';
import type { RpcClient } from '../ipc.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Protocol } from '../protocol/index.js';

export interface Services {
  store: { isReady(): boolean; close(): Promise<void> };
  protocol?: Protocol;
  close(): Promise<void>;
}

export interface ServiceOptions {
  config: () => Config;
  logger: Logger;
  metrics: Metrics;
  rpc: RpcClient;
  workerId: number;
}

export async function buildServices(_opts: ServiceOptions): Promise<Services> {
  const store = { isReady: () => true, close: async () => {} };
  return {
    store,
    async close() {
      await store.close();
    },
  };
}
