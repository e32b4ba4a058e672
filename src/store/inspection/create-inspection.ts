// Builds a worker's inspection store (SPEC §17) next to its transaction store, on the same L2: Redis over
// the store's own connection, else the primary over IPC, else (no primary: tests, tools) a core held in
// this process.
import { type Config, storeBackend } from '../../config/index.js';
import type { InspectNote, RpcClient } from '../../ipc.js';
import type { Logger } from '../../logger.js';
import type { RedisClient } from '../redis-connection.js';
import { createEmbeddedInspection, localInspection } from './embedded-inspection.js';
import { InspectionCore } from './inspection-core.js';
import { type InspectionStore, inspectionBounds } from './inspection-types.js';
import { createRedisInspection } from './redis-inspection.js';

export interface CreateInspectionOptions {
  config: () => Config;
  logger: Logger;
  /** The store's Redis connection (redis backend). */
  redis?: RedisClient | undefined;
  /** The worker's RPC client and batched sender (embedded backend in a cluster worker). */
  rpc?: RpcClient | undefined;
  send?: ((msg: InspectNote) => boolean) | undefined;
}

export function createInspection(opts: CreateInspectionOptions): InspectionStore {
  const config = opts.config();
  if (storeBackend(config) === 'redis' && opts.redis) {
    return createRedisInspection({ client: opts.redis, config: opts.config, logger: opts.logger.child({ component: 'inspection' }) });
  }
  if (opts.rpc && opts.send) return createEmbeddedInspection({ send: opts.send, rpc: opts.rpc });
  return localInspection(new InspectionCore(inspectionBounds(config)));
}
