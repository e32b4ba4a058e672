// The contract between the store front ends (tiered L1+L2, or L2 alone) and an L2 backend (the embedded
// store in the primary, or Redis). Every backend speaks the same operations (StoreOp in ipc.ts), so the
// resilience layer can wrap any of them and the embedded client is a plain pass-through over IPC.
import type { StoreOp, StoreResultOf } from '../ipc.js';

export type L2BackendName = 'embedded' | 'redis';

export interface L2 {
  readonly backend: L2BackendName;
  /** Runs one operation; rejects when the backend cannot be reached (never for conflicts or misses). */
  exec<O extends StoreOp>(op: O): Promise<StoreResultOf<O>>;
  /**
   * Whether the backend is reachable as far as it knows: a Redis connection that is up and ready;
   * the resilience layer adds its breaker state on top.
   */
  isReady(): boolean;
  /** Called when the transport comes up (true) or goes down (false). */
  onConnectionChange(listener: (up: boolean) => void): void;
  close(): Promise<void>;
}

/** Operations safe to repeat: a retry cannot apply anything twice. */
export const IDEMPOTENT_OPS: ReadonlySet<StoreOp['op']> = new Set(['get', 'getIfNewer', 'getByIndex', 'delete', 'ping']);
