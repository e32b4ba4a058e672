// What the primary hosts for its workers: the embedded L2 store and the shared rate-limit counters.
// Their RPC handlers are collected here so primary.ts only dispatches.
import type { Config } from '../config.js';
import type { RpcHandlers } from '../ipc.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

export class PrimaryServices {
  constructor(
    private config: Config,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  handlers(): RpcHandlers {
    void this.logger;
    void this.metrics;
    return {};
  }

  applyConfig(config: Config): void {
    this.config = config;
  }

  close(): void {
    void this.config;
  }
}
