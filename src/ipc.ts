// Typed IPC between the primary and its workers (DESIGN §1 "typed boundaries"): one discriminated union
// of messages, plus a request/response layer (`rpc`) keyed by a request id. Other libraries (prom-client's
// aggregator) share the channel, so both sides ignore messages that are not ours.
import type { Config } from './config.js';

/** RPC methods a worker may call on the primary: name → params and result. */
export interface RpcMethods {
  /** Aggregated /metrics text across all workers plus the primary's own series. */
  'metrics.cluster': { params: Record<string, never>; result: { contentType: string; body: string } };
  /** Re-read and apply the configuration (POST /admin/reload). */
  'config.reload': { params: Record<string, never>; result: ReloadOutcome };
  /** Embedded L2 store operation. */
  'store.op': { params: StoreOp; result: StoreOpResult };
  /** Shared rate limit counter: increment key within the window. */
  'ratelimit.incr': { params: { key: string; windowMs: number }; result: { totalHits: number; resetTime: number } };
  'ratelimit.decr': { params: { key: string }; result: Record<string, never> };
  'ratelimit.reset': { params: { key: string }; result: Record<string, never> };
}
export type RpcMethod = keyof RpcMethods;

/** Operations of the embedded store (the store module defines their semantics). */
export type StoreOp =
  | { op: 'get'; key: string; ttlSeconds: number }
  | { op: 'getIfNewer'; key: string; version: number; ttlSeconds: number }
  | { op: 'create'; key: string; value: string; version: number; ttlSeconds: number; index?: [string, string] }
  | { op: 'cas'; key: string; value: string; expectedVersion: number; version: number; ttlSeconds: number; index?: [string, string] }
  | { op: 'delete'; key: string; index?: string }
  | { op: 'getIndex'; indexKey: string; ttlSeconds: number }
  | { op: 'ping' };

export interface StoreOpResult {
  ok: boolean;
  value?: string | null;
  version?: number;
  conflict?: boolean;
  target?: string | null;
}

export interface ReloadOutcome {
  ok: boolean;
  changed: string[];
  restarted: boolean;
  errors?: string[];
}

export type PrimaryToWorker =
  | { type: 'm3ds:config'; config: Config; reason: 'initial' | 'reload' }
  | { type: 'm3ds:shutdown'; graceMs: number; reason: 'sigterm' | 'roll' }
  | { type: 'm3ds:cluster'; expected: number; alive: number; reloadOk: boolean }
  | { type: 'm3ds:metrics-req'; id: number }
  | { type: 'm3ds:rpc-reply'; id: number; ok: true; result: unknown }
  | { type: 'm3ds:rpc-reply'; id: number; ok: false; error: string; code?: string };

export type WorkerToPrimary =
  | { type: 'm3ds:hello' }
  | { type: 'm3ds:listening'; port: number }
  | { type: 'm3ds:fatal'; message: string }
  | { type: 'm3ds:metrics-res'; id: number; metrics: unknown[] }
  | { type: 'm3ds:rpc'; id: number; method: RpcMethod; params: unknown };

export function isOurs<T extends { type: string }>(msg: unknown): msg is T {
  return typeof msg === 'object' && msg !== null && typeof (msg as { type?: unknown }).type === 'string' && (msg as { type: string }).type.startsWith('m3ds:');
}

export class RpcError extends Error {
  constructor(
    message: string,
    readonly code: string = 'RPC_FAILED',
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** Worker-side RPC client over process.send. */
export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly send: (msg: WorkerToPrimary) => boolean) {}

  call<M extends RpcMethod>(method: M, params: RpcMethods[M]['params'], timeoutMs: number): Promise<RpcMethods[M]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RpcError(`${method} timed out after ${timeoutMs} ms`, 'RPC_TIMEOUT'));
      }, timeoutMs);
      timer.unref();
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      let sent = false;
      try {
        sent = this.send({ type: 'm3ds:rpc', id, method, params });
      } catch {
        sent = false;
      }
      if (!sent && !process.connected) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new RpcError('IPC channel closed', 'RPC_DISCONNECTED'));
      }
    });
  }

  /** Feed every message from the primary here; returns true when it was an RPC reply. */
  handle(msg: PrimaryToWorker): boolean {
    if (msg.type !== 'm3ds:rpc-reply') return false;
    const p = this.pending.get(msg.id);
    if (!p) return true;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new RpcError(msg.error, msg.code));
    return true;
  }

  /** Fails every call in flight (channel lost). */
  failAll(reason: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new RpcError(reason, 'RPC_DISCONNECTED'));
      this.pending.delete(id);
    }
  }
}

export type RpcHandler<M extends RpcMethod> = (params: RpcMethods[M]['params']) => Promise<RpcMethods[M]['result']> | RpcMethods[M]['result'];
export type RpcHandlers = { [M in RpcMethod]?: RpcHandler<M> };
