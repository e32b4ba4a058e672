// The worker's view of the embedded L2: each operation is one 'store.op' RPC to the primary. Built over a
// plain `call` function so tests can wire it straight to a host in the same process.
import type { RpcClient, StoreOp, StoreOpResult, StoreResultOf } from '../ipc.js';
import type { L2 } from './l2.js';

export type StoreCall = (op: StoreOp, timeoutMs: number) => Promise<StoreOpResult>;

/** The production caller: the worker's RPC client. */
export function rpcStoreCall(rpc: RpcClient): StoreCall {
  return (op, timeoutMs) => rpc.call('store.op', op, timeoutMs);
}

export interface EmbeddedL2Options {
  call: StoreCall;
  /** store.operationTimeoutMs: bound of one round trip. */
  timeoutMs: number;
  /** Runs on close (an in-process host is owned by its client). */
  onClose?: () => void;
}

export function createEmbeddedL2(opts: EmbeddedL2Options): L2 {
  const { call, timeoutMs } = opts;
  return {
    backend: 'embedded',
    exec: <O extends StoreOp>(op: O) => call(op, timeoutMs) as Promise<StoreResultOf<O>>,
    // The IPC channel has no connection state to watch; the breaker and the readiness probe judge it.
    isReady: () => true,
    onConnectionChange: () => {},
    async close() {
      opts.onClose?.();
    },
  };
}
