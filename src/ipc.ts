// Typed IPC between the primary and its workers (DESIGN §1 "typed boundaries"): one discriminated union
// of messages, plus a request/response layer (`rpc`) keyed by a request id. Other libraries (prom-client's
// aggregator) share the channel, so both sides ignore messages that are not ours.
import type { Config } from './config/index.js';
import type {
  Detail,
  ListQuery,
  OverrideChange,
  OverrideChangeResult,
  OverridesSnapshot,
  Page,
  ResetOutcome,
  TrailEvent,
} from './types.js';

/**
 * The environment variable through which the primary hands its workers the admin token it generated in
 * development when none is configured (SPEC §17); workers forked later (replacements, rolls) inherit it.
 */
export const GENERATED_TOKEN_ENV = 'M3DS_GENERATED_ADMIN_TOKEN';

/** RPC methods a worker may call on the primary: name → params and result. */
export interface RpcMethods {
  /** Aggregated /metrics text across all workers plus the primary's own series. */
  'metrics.cluster': { params: Record<string, never>; result: { contentType: string; body: string } };
  /** Re-read and apply the configuration (POST /admin/reload). */
  'config.reload': { params: Record<string, never>; result: ReloadOutcome };
  /** Embedded L2 store operation. */
  'store.op': { params: StoreOp; result: StoreOpResult };
  /**
   * Shared rate limit counter (src/http/rate-limit/lease-counters.ts, hosted by the primary): lease up to
   * `want` hits of the key's current window, never more than `max` in all, shrinking with the window's
   * remaining budget (`divisor`). `used` counts every hit granted in the window (this lease included);
   * `resetTime` is epoch ms.
   */
  'ratelimit.lease': {
    params: { key: string; windowMs: number; max: number; want: number; divisor: number };
    result: { granted: number; used: number; resetTime: number };
  };
  /** Forgets the key's window (its next lease opens a new one). */
  'ratelimit.reset': { params: { key: string }; result: Record<string, never> };
  /** Inspection held by the primary (embedded store, SPEC §17): a page of the index of recent transactions. */
  'inspect.list': { params: ListQuery; result: Page };
  /** One transaction's index entry and trail. */
  'inspect.detail': { params: { id: string }; result: Detail };
  /** Forgets the index and every trail. */
  'inspect.reset': { params: Record<string, never>; result: ResetOutcome };
  /** The scenario overrides in force (a worker asks when it starts; changes are pushed, m3ds:overrides). */
  'overrides.get': { params: Record<string, never>; result: OverridesSnapshot };
  /** Changes the overrides; answers once every worker of this instance applies the change. */
  'overrides.change': { params: OverrideChange; result: OverrideChangeResult };
}
export type RpcMethod = keyof RpcMethods;

/**
 * Operations of the L2 store (src/store/l2.ts). The embedded store in the primary receives them over IPC;
 * the Redis backend implements the same operations. Values are JSON strings; the store assigns versions,
 * each larger than every version the ID had before (Versioned in src/store/store.ts). Every read and write
 * refreshes the record's TTL (`ttlSeconds`, sent by the worker).
 */
export type StoreOp =
  | { op: 'get'; id: string; ttlSeconds: number }
  /** The value only when the stored version differs from `version` (L1 validation). */
  | { op: 'getIfNewer'; id: string; version: number; ttlSeconds: number }
  /** Reads the record indexed under this acsTransID. */
  | { op: 'getByIndex'; acsTransID: string; ttlSeconds: number }
  | { op: 'create'; id: string; value: string; ttlSeconds: number; acsTransID?: string }
  /** Compare-and-set: writes (with a new, larger version) when the stored version is expectedVersion. */
  | { op: 'cas'; id: string; expectedVersion: number; value: string; ttlSeconds: number; acsTransID?: string }
  | { op: 'delete'; id: string }
  | { op: 'ping' };

export type StoreFound = { status: 'found'; id: string; value: string; version: number };
export type StoreUnchanged = { status: 'unchanged'; version: number };
export type StoreMissing = { status: 'missing' };
export type StoreWritten = { status: 'written'; version: number };
export type StoreConflict = { status: 'conflict' };
export type StoreDone = { status: 'ok' };

/** What each StoreOp answers. */
export interface StoreOpResults {
  get: StoreFound | StoreMissing;
  getIfNewer: StoreFound | StoreUnchanged | StoreMissing;
  getByIndex: StoreFound | StoreMissing;
  create: StoreWritten | StoreConflict;
  cas: StoreWritten | StoreConflict | StoreMissing;
  delete: StoreDone;
  ping: StoreDone;
}
/** Discriminated by `status`. */
export type StoreOpResult = StoreOpResults[keyof StoreOpResults];
export type StoreResultOf<O extends StoreOp> = StoreOpResults[O['op']];

export interface ReloadOutcome {
  ok: boolean;
  changed: string[];
  restarted: boolean;
  errors?: string[];
}

/**
 * The cluster as the primary sees it: `expected` is the configured worker count, `alive` the slots with a
 * worker that serves (during a roll, the old worker serves until its successor listens), and `ready` the
 * primary's verdict — every configured worker serves and every one of them reaches the store. Workers
 * answer /health/ready from it, so no probe sees 200 before the primary's `ready` log line.
 */
export interface ClusterStatus {
  alive: number;
  expected: number;
  ready: boolean;
}

export type PrimaryToWorker =
  /** `cluster` rides along with the initial config so that a new worker starts with the truth. */
  | { type: 'm3ds:config'; config: Config; reason: 'initial' | 'reload'; cluster?: ClusterStatus }
  | { type: 'm3ds:shutdown'; graceMs: number; reason: 'sigterm' | 'roll' }
  | ({ type: 'm3ds:cluster' } & ClusterStatus)
  | { type: 'm3ds:metrics-req'; id: number }
  /** The scenario overrides changed (SPEC §17); the worker applies them and acknowledges (m3ds:overrides-ack). */
  | { type: 'm3ds:overrides'; snapshot: OverridesSnapshot }
  | RpcReply
  /** RPC replies of one event-loop turn in one write (see batchedSender). */
  | { type: 'm3ds:batch'; msgs: RpcReply[] };

export type RpcReply =
  | { type: 'm3ds:rpc-reply'; id: number; ok: true; result: unknown }
  | { type: 'm3ds:rpc-reply'; id: number; ok: false; error: string; code?: string };

export type WorkerToPrimary =
  | { type: 'm3ds:hello' }
  | { type: 'm3ds:listening'; port: number; storeReady: boolean }
  /** Sent when the worker's store readiness changes after it listens. */
  | { type: 'm3ds:worker-state'; storeReady: boolean }
  | { type: 'm3ds:fatal'; message: string }
  | { type: 'm3ds:metrics-res'; id: number; metrics: unknown[] }
  | { type: 'm3ds:overrides-ack'; seq: number }
  | RpcCall
  | InspectNote
  /** RPC calls (and inspection events) of one event-loop turn in one write (see batchedSender). */
  | { type: 'm3ds:batch'; msgs: (RpcCall | InspectNote)[] };

export type RpcCall = { type: 'm3ds:rpc'; id: number; method: RpcMethod; params: unknown };

/** One inspection event for the primary (embedded store, SPEC §17): one-way, it rides the RPC batches. */
export type InspectNote = { type: 'm3ds:inspect'; ev: TrailEvent };

/**
 * Sends RPC messages in batches: the messages of one event-loop turn (every request the poll phase
 * handled) go out as one IPC write when the turn ends (setImmediate). Under load one write carries many
 * store operations; alone, a message waits for nothing but the end of the current turn. The pipe write
 * per message, not the encoding, was the largest single cost of the embedded store in a profile.
 * Returns false when the channel is closed (as process.send does).
 */
export function batchedSender<M extends RpcCall | RpcReply | InspectNote>(
  write: (msg: M | { type: 'm3ds:batch'; msgs: M[] }) => boolean,
  connected: () => boolean = () => process.connected,
): (msg: M) => boolean {
  let queue: M[] = [];
  const flush = () => {
    const q = queue;
    queue = [];
    try {
      if (q.length === 1) write(q[0] as M);
      else if (q.length > 1) write({ type: 'm3ds:batch', msgs: q });
    } catch {
      // A channel that closed meanwhile, or a message it cannot carry: the calls fail by their own
      // timeouts (RPC_TIMEOUT), as a lost message would; nothing escapes into the event loop.
    }
  };
  return (msg) => {
    if (!connected()) return false;
    if (queue.length === 0) setImmediate(flush);
    queue.push(msg);
    return true;
  };
}

export function isOurs<T extends { type: string }>(msg: unknown): msg is T {
  return (
    typeof msg === 'object' &&
    msg !== null &&
    typeof (msg as { type?: unknown }).type === 'string' &&
    (msg as { type: string }).type.startsWith('m3ds:')
  );
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

  constructor(private readonly send: (msg: RpcCall) => boolean) {}

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
  handle(msg: RpcReply): boolean {
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

export type RpcHandler<M extends RpcMethod> = (
  params: RpcMethods[M]['params'],
) => Promise<RpcMethods[M]['result']> | RpcMethods[M]['result'];
export type RpcHandlers = { [M in RpcMethod]?: RpcHandler<M> };
