// The primary's side of the embedded L2: the primary routes every 'store.op' RPC from its workers to
// `handle`, and owns the store across worker restarts and reload rolls (SPEC §7).
import type { StoreOp, StoreOpResult } from '../ipc.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { EmbeddedCore } from './embedded-core.js';

export interface EmbeddedHostOptions {
  /** store.maxEntries */
  maxEntries: number;
  logger: Logger;
  metrics: Metrics;
  /** Period of the expiry sweep and of the entries gauge (default 1000 ms). */
  sweepIntervalMs?: number;
  /** Clock of the records' TTL (tests); defaults to Date.now. */
  now?: () => number;
}

export interface EmbeddedHost {
  /** The 'store.op' RPC handler; synchronous (throws only for a malformed operation). */
  handle(op: StoreOp): StoreOpResult;
  /** Records held. */
  size(): number;
  /** Applies a new store.maxEntries (reload) without losing records that still fit. */
  resize(maxEntries: number): void;
  close(): void;
}

export function createEmbeddedHost(opts: EmbeddedHostOptions): EmbeddedHost {
  const gauge = entriesGauge(opts.metrics);
  const core = new EmbeddedCore({
    maxEntries: opts.maxEntries,
    sweepIntervalMs: opts.sweepIntervalMs,
    now: opts.now,
    // The gauge follows the sweep rather than every operation: scrapes are seconds apart anyway.
    onSweep: (size) => gauge?.set(size),
  });
  opts.logger.debug('embedded store started', { maxEntries: opts.maxEntries });
  return {
    handle: (op) => core.handle(op),
    size: () => core.size,
    resize(maxEntries) {
      core.resize(maxEntries);
      gauge?.set(core.size);
    },
    close() {
      core.close();
      gauge?.set(0);
    },
  };
}

/** A 'store.op' caller that reaches a host in this process (single-process use and tests). */
export function inProcessStoreCall(host: EmbeddedHost): (op: StoreOp) => Promise<StoreOpResult> {
  return async (op) => host.handle(op);
}

// The gauge is declared for the primary's registry only; a host built inside a worker (no primary, e.g.
// tests or a single-process tool) simply goes without it.
function entriesGauge(metrics: Metrics) {
  try {
    return metrics.gauge('store_embedded_entries');
  } catch {
    return undefined;
  }
}
