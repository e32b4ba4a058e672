// What the primary hosts for its workers: the embedded L2 store (it outlives worker crashes and rolling
// restarts because it lives here) and the shared counters of the rate limiter. Their RPC handlers are
// collected here so primary.ts only dispatches.
import type { Config } from '../config/index.js';
import { RateLimitCounters } from '../http/rate-limit/lease-counters.js';
import type { RpcHandlers } from '../ipc.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { createEmbeddedHost, type EmbeddedHost } from '../store/embedded-host.js';

export class PrimaryServices {
  private readonly store: EmbeddedHost;
  private readonly rateLimits = new RateLimitCounters();

  constructor(
    private config: Config,
    logger: Logger,
    metrics: Metrics,
  ) {
    this.store = createEmbeddedHost({
      maxEntries: config.store.maxEntries,
      maxBytes: config.store.maxBytes,
      logger: logger.child({ component: 'embedded-store' }),
      metrics,
    });
  }

  handlers(): RpcHandlers {
    return {
      'store.op': (op) => this.store.handle(op),
      'ratelimit.lease': (req) => this.rateLimits.lease(req),
      'ratelimit.reset': ({ key }) => {
        this.rateLimits.reset(key);
        return {};
      },
    };
  }

  applyConfig(config: Config): void {
    const s = config.store;
    if (s.maxEntries !== this.config.store.maxEntries || s.maxBytes !== this.config.store.maxBytes)
      this.store.resize(s.maxEntries, s.maxBytes);
    this.config = config;
  }

  close(): void {
    this.rateLimits.close();
    this.store.close();
  }
}
