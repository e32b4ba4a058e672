// The embedded L2 (SPEC §7): the default store, held by the primary so records survive worker restarts.
// A plain class with synchronous operations; the primary runs it behind the 'store.op' RPC
// (embedded-host.ts), and tests or single-process tools can use it directly.
//
// Layout: one Map of records in recency order (a Map keeps insertion order, and every access re-inserts
// the entry at the end), so the least recently used record is the first key: O(1) LRU eviction without a
// linked list. Because every access also pushes the expiry to now + TTL, and all records of a deployment
// share one TTL, recency order is expiry order too: the sweep walks from the front and stops at the first
// live record, doing work only for what actually expired. Lookups check expiry themselves, so a record is
// never served late whatever the sweep does.
//
// The acsTransID index maps to the record ID and lives exactly as long as its record (it is removed with
// it, and a lookup checks that the record still carries that acsTransID), which is "the same TTL" without
// a second clock.
import type { StoreFound, StoreMissing, StoreOp, StoreOpResult, StoreUnchanged, StoreWritten, StoreConflict } from '../ipc.js';

interface Entry {
  value: string;
  version: number;
  expiresAt: number;
  acsTransID: string | undefined;
}

export interface EmbeddedCoreOptions {
  /** Bound in records; the least recently used go first. */
  maxEntries: number;
  /** Period of the expiry sweep (default 1000 ms); the timer is unref'd. */
  sweepIntervalMs?: number;
  /** Most records one sweep removes, so a large expiry wave cannot stall the primary's event loop. */
  sweepBudget?: number;
  /** Clock (tests); defaults to Date.now. */
  now?: () => number;
  /** Called after each sweep with the record count (the host sets its gauge from it). */
  onSweep?: (size: number) => void;
}

const MISSING: StoreMissing = Object.freeze({ status: 'missing' });
const CONFLICT: StoreConflict = Object.freeze({ status: 'conflict' });
const OK = Object.freeze({ status: 'ok' as const });
const TTL_OPS: ReadonlySet<string> = new Set(['get', 'getIfNewer', 'getByIndex', 'create', 'cas']);

export class EmbeddedCore {
  private readonly records = new Map<string, Entry>();
  private readonly index = new Map<string, string>();
  private maxEntries: number;
  private readonly now: () => number;
  private readonly sweepBudget: number;
  private readonly onSweep: ((size: number) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(opts: EmbeddedCoreOptions) {
    if (!Number.isInteger(opts.maxEntries) || opts.maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
    this.maxEntries = opts.maxEntries;
    this.now = opts.now ?? Date.now;
    this.sweepBudget = opts.sweepBudget ?? 50_000;
    this.onSweep = opts.onSweep;
    this.timer = setInterval(() => this.sweep(), opts.sweepIntervalMs ?? 1000);
    this.timer.unref();
  }

  get size(): number {
    return this.records.size;
  }

  /** Runs one operation (the body of the 'store.op' RPC). */
  handle(op: StoreOp): StoreOpResult {
    // Operations arrive over IPC: a TTL that is not a positive number would make a record immortal.
    if (TTL_OPS.has(op.op) && !(typeof (op as { ttlSeconds?: unknown }).ttlSeconds === 'number' && (op as { ttlSeconds: number }).ttlSeconds > 0)) {
      throw new Error(`store operation ${op.op}: ttlSeconds must be a positive number`);
    }
    switch (op.op) {
      case 'get':
        return this.get(op.id, op.ttlSeconds);
      case 'getIfNewer':
        return this.getIfNewer(op.id, op.version, op.ttlSeconds);
      case 'getByIndex':
        return this.getByIndex(op.acsTransID, op.ttlSeconds);
      case 'create':
        return this.create(op.id, op.value, op.ttlSeconds, op.acsTransID);
      case 'cas':
        return this.cas(op.id, op.expectedVersion, op.value, op.ttlSeconds, op.acsTransID);
      case 'delete':
        this.delete(op.id);
        return OK;
      case 'ping':
        return OK;
      default:
        throw new Error(`unknown store operation ${JSON.stringify((op as { op?: unknown }).op)}`);
    }
  }

  get(id: string, ttlSeconds: number): StoreFound | StoreMissing {
    const e = this.live(id);
    if (!e) return MISSING;
    this.touch(id, e, ttlSeconds);
    return { status: 'found', id, value: e.value, version: e.version };
  }

  /** The value only when the stored version differs from the caller's: the cheap validation of an L1 copy. */
  getIfNewer(id: string, version: number, ttlSeconds: number): StoreFound | StoreUnchanged | StoreMissing {
    const e = this.live(id);
    if (!e) return MISSING;
    this.touch(id, e, ttlSeconds);
    if (e.version === version) return { status: 'unchanged', version };
    return { status: 'found', id, value: e.value, version: e.version };
  }

  getByIndex(acsTransID: string, ttlSeconds: number): StoreFound | StoreMissing {
    const id = this.index.get(acsTransID);
    if (id === undefined) return MISSING;
    const e = this.live(id);
    if (!e || e.acsTransID !== acsTransID) {
      this.index.delete(acsTransID);
      return MISSING;
    }
    this.touch(id, e, ttlSeconds);
    return { status: 'found', id, value: e.value, version: e.version };
  }

  create(id: string, value: string, ttlSeconds: number, acsTransID?: string): StoreWritten | StoreConflict {
    if (this.live(id)) return CONFLICT;
    const e: Entry = { value, version: 1, expiresAt: 0, acsTransID: undefined };
    this.setIndex(id, e, acsTransID);
    this.touch(id, e, ttlSeconds);
    this.evictOverflow();
    return { status: 'written', version: 1 };
  }

  /** Compare-and-set; an update without acsTransID keeps the record's index entry. */
  cas(id: string, expectedVersion: number, value: string, ttlSeconds: number, acsTransID?: string): StoreWritten | StoreConflict | StoreMissing {
    const e = this.live(id);
    if (!e) return MISSING;
    if (e.version !== expectedVersion) return CONFLICT;
    e.value = value;
    e.version = expectedVersion + 1;
    this.setIndex(id, e, acsTransID);
    this.touch(id, e, ttlSeconds);
    return { status: 'written', version: e.version };
  }

  delete(id: string): void {
    const e = this.records.get(id);
    if (e) this.remove(id, e);
  }

  /** Changes the bound (a reload); evicts at once when it shrank. */
  resize(maxEntries: number): void {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
    this.maxEntries = maxEntries;
    this.evictOverflow();
  }

  /** Removes expired records from the front (least recently used) until the first live one. */
  sweep(): number {
    const now = this.now();
    let removed = 0;
    for (const [id, e] of this.records) {
      if (e.expiresAt > now || removed >= this.sweepBudget) break;
      this.remove(id, e);
      removed++;
    }
    this.onSweep?.(this.records.size);
    return removed;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.records.clear();
    this.index.clear();
  }

  private live(id: string): Entry | undefined {
    const e = this.records.get(id);
    if (e && e.expiresAt <= this.now()) {
      this.remove(id, e);
      return undefined;
    }
    return e;
  }

  /** Refreshes the TTL and moves the record to the most recently used end. */
  private touch(id: string, e: Entry, ttlSeconds: number): void {
    e.expiresAt = this.now() + ttlSeconds * 1000;
    this.records.delete(id);
    this.records.set(id, e);
  }

  private setIndex(id: string, e: Entry, acsTransID: string | undefined): void {
    if (acsTransID === undefined || acsTransID === e.acsTransID) return;
    if (e.acsTransID !== undefined && this.index.get(e.acsTransID) === id) this.index.delete(e.acsTransID);
    e.acsTransID = acsTransID;
    this.index.set(acsTransID, id);
  }

  private remove(id: string, e: Entry): void {
    this.records.delete(id);
    if (e.acsTransID !== undefined && this.index.get(e.acsTransID) === id) this.index.delete(e.acsTransID);
  }

  private evictOverflow(): void {
    while (this.records.size > this.maxEntries) {
      const first = this.records.entries().next();
      if (first.done) return;
      this.remove(first.value[0], first.value[1]);
    }
  }
}
