// The primary's side of the embedded L2: the primary routes every 'store.op' RPC from its workers to
// `handle`, and owns the store across worker restarts and reload rolls (SPEC §7).
//
// Bounds (issue 10): the records keep nothing on the JS heap (embedded-core.ts), so the primary's heap
// limit does not bound how many it can hold: memory does. store.maxBytes 0 (the default) is a quarter of
// the memory the process may use (the container's limit when there is one, else the machine's), so the
// default configuration fits whatever the machine; store.maxEntries 0 (the default) leaves the count to
// the byte bound.
import os from 'node:os';
import v8 from 'node:v8';
import type { StoreOp, StoreOpResult } from '../ipc.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { EmbeddedCore, MAX_ENTRIES } from './embedded-core.js';

export interface EmbeddedHostOptions {
  /** store.maxEntries (0: no bound but the bytes). */
  maxEntries: number;
  /** store.maxBytes (0 or absent: a quarter of the memory the process may use). */
  maxBytes?: number;
  logger: Logger;
  metrics: Metrics;
  /** Period of the expiry sweep and of the entries gauge (default 1000 ms). */
  sweepIntervalMs?: number;
  /** Clock of the records' TTL (tests); defaults to Date.now. */
  now?: () => number;
  /** The memory the defaults are derived from (tests); defaults to this machine's. */
  machine?: MachineMemory;
}

export interface EmbeddedHost {
  /** The 'store.op' RPC handler; synchronous (throws only for a malformed operation). */
  handle(op: StoreOp): StoreOpResult;
  /** Records held. */
  size(): number;
  /** Applies a new store.maxEntries / store.maxBytes (reload) without losing records that still fit. */
  resize(maxEntries: number, maxBytes?: number): void;
  /** The bounds in force, after deriving the defaults. */
  bounds(): StoreBounds;
  close(): void;
}

export interface MachineMemory {
  /** os.totalmem() */
  totalBytes: number;
  /** process.constrainedMemory(): the container's limit; 0 or absurdly large when there is none. */
  constrainedBytes: number;
  /** v8 heap_size_limit: reported with the bounds, to show they do not depend on it. */
  heapLimitBytes: number;
}

export interface StoreBounds {
  maxEntries: number;
  maxBytes: number;
}

/** Share of the usable memory the embedded store takes by default. */
const DEFAULT_MEMORY_SHARE = 0.25;
const MIN_DEFAULT_BYTES = 16 * 1024 * 1024;

export function machineMemory(): MachineMemory {
  return {
    totalBytes: os.totalmem(),
    constrainedBytes: typeof process.constrainedMemory === 'function' ? (process.constrainedMemory() ?? 0) : 0,
    heapLimitBytes: v8.getHeapStatistics().heap_size_limit,
  };
}

/** The memory the process may use: the container's limit when it has one below the machine's memory. */
function usableMemory(m: MachineMemory): number {
  return m.constrainedBytes > 0 && m.constrainedBytes < m.totalBytes ? m.constrainedBytes : m.totalBytes;
}

/** The bounds in force for configured ones, 0 standing for the derived default. */
export function storeBounds(configured: { maxEntries: number; maxBytes?: number | undefined }, m: MachineMemory): StoreBounds {
  const maxBytes = configured.maxBytes
    ? configured.maxBytes
    : Math.max(MIN_DEFAULT_BYTES, Math.floor(usableMemory(m) * DEFAULT_MEMORY_SHARE));
  const maxEntries = configured.maxEntries > 0 ? Math.min(configured.maxEntries, MAX_ENTRIES) : MAX_ENTRIES;
  return { maxEntries, maxBytes };
}

export function createEmbeddedHost(opts: EmbeddedHostOptions): EmbeddedHost {
  const gauge = entriesGauge(opts.metrics);
  const machine = opts.machine ?? machineMemory();
  let bounds = storeBounds(opts, machine);
  const core = new EmbeddedCore({
    ...bounds,
    sweepIntervalMs: opts.sweepIntervalMs,
    now: opts.now,
    // The gauge follows the sweep rather than every operation: scrapes are seconds apart anyway.
    onSweep: (size) => gauge?.set(size),
  });
  const report = (b: StoreBounds) => {
    const usable = usableMemory(machine);
    opts.logger.debug('embedded store bounds', { ...b, usableMemoryBytes: usable, heapLimitBytes: machine.heapLimitBytes });
    if (b.maxBytes > usable / 2)
      opts.logger.warn('store.maxBytes is above half of the memory this process may use', {
        maxBytes: b.maxBytes,
        usableMemoryBytes: usable,
      });
  };
  report(bounds);
  return {
    handle: (op) => core.handle(op),
    size: () => core.size,
    resize(maxEntries, maxBytes) {
      bounds = storeBounds({ maxEntries, maxBytes: maxBytes ?? opts.maxBytes }, machine);
      core.resize(bounds.maxEntries, bounds.maxBytes);
      report(bounds);
      gauge?.set(core.size);
    },
    bounds: () => bounds,
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
