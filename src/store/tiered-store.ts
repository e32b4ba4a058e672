// The worker's transaction store: an L1 (lru-cache, per worker) in front of the shared L2 (embedded in
// the primary, or Redis), behind the TransactionStore interface the protocol uses.
//
// Read-your-writes across workers (SPEC §7: once any worker has answered a write, no worker may serve
// an older version of that record). The mechanism is "write-through + serve only the unchangeable":
//   1. Every write goes to L2 synchronously, as a compare-and-set on the version, before it resolves; so
//      once a write is acknowledged, L2 holds that version or a later one. L2 is the one point where
//      versions are ordered; no L1 is ever the only holder of a version.
//   2. L1 answers on its own only for records the protocol declares immutable (`isImmutable`, e.g. a
//      transaction that reached its final state). No later version of such a record can exist, so no
//      acknowledged write can be newer than the copy, whichever worker made it.
//   3. Every other read asks L2 "is version n still current?" (getIfNewer): one round trip that carries
//      the body only when it changed. The answer is read from L2 after the read began, so it reflects
//      every write acknowledged before the read began.
// Why this closes the race where invalidation would not: an invalidation message (pub/sub, or via the
// primary) can arrive after another worker already read its stale copy, and a lost message leaves a
// stale entry forever; here no worker ever trusts a mutable copy without asking L2, so there is no window
// and nothing to lose. The price is one small round trip per read of a mutable record; the gain is no
// body transfer or JSON parse when it did not change, and zero round trips for final records (the bulk
// of reads in a load test: /3ds/final, repeated results). The store refuses to update a record it knows
// to be immutable, so a predicate that is wrong cannot silently break coherence.
//
// Other choices:
// - L1 entries are deep-frozen: callers share them, and an in-place edit (then a lost compare-and-set)
//   would otherwise leave a version in L1 whose content L2 never had. Reads parse what L2 sent once;
//   writes keep the object written (frozen), not a re-parse of the JSON just produced from it.
// - L1 TTL never exceeds L2's and is not refreshed by L1 hits: an L1 copy is at most cache.ttlSeconds
//   old, and L2 refreshed that record's TTL when the copy was taken, so L1 never outlives L2. Hits on
//   final records do not refresh the L2 TTL; such a record may expire up to cache.ttlSeconds earlier than
//   "TTL after the last access", an accepted cost for a record nothing can change any more.
// - acsTransID → ID never changes for a transaction, so that mapping is cached in L1 unvalidated.
// - Metrics: store_l1_hits_total counts reads answered without any L2 round trip; every other read is a
//   miss (whether L2 then sent the body or only confirmed the version).
// - delete() is local plus L2: a final record another worker holds in L1 stays readable there until its
//   L1 TTL ends (deletion is not a version; the protocol never deletes live transactions).
import { LRUCache } from 'lru-cache';
import type { StoreOpResults } from '../ipc.js';
import type { Metrics } from '../metrics.js';
import type { L2 } from './l2.js';
import { deepFreeze, serializeRecord } from './record-codec.js';
import { StoreConflictError, type TransactionStore, type Versioned, type WriteOptions } from './store.js';

export interface TieredStoreOptions<T extends object> {
  l2: L2;
  /** store.ttlSeconds */
  ttlSeconds: number;
  /** cache.* (ttlSeconds is capped at store.ttlSeconds). */
  cache: { maxEntries: number; maxBytes: number; ttlSeconds: number };
  metrics: Metrics;
  /** True when no later version of this record can ever be written (it may then be served from L1). */
  isImmutable?: ((record: T) => boolean) | undefined;
  /** Clock of the L1 TTL (tests; milliseconds, any origin); defaults to lru-cache's performance.now. */
  now?: (() => number) | undefined;
}

interface L1Entry<T> {
  readonly rec: Versioned<T>;
  readonly immutable: boolean;
  readonly size: number;
}

// Per-entry bookkeeping on top of the JSON length, so many tiny records still count against maxBytes.
const ENTRY_OVERHEAD_BYTES = 64;

export class TieredStore<T extends object = Record<string, unknown>> implements TransactionStore<T> {
  private readonly l1: LRUCache<string, L1Entry<T>>;
  private readonly acsIds: LRUCache<string, string>;
  private readonly l2: L2;
  private readonly ttlSeconds: number;
  private readonly isImmutable: (record: T) => boolean;
  private readonly hits;
  private readonly misses;
  private readonly entries;

  constructor(opts: TieredStoreOptions<T>) {
    this.l2 = opts.l2;
    this.ttlSeconds = opts.ttlSeconds;
    this.isImmutable = opts.isImmutable ?? (() => false);
    const ttl = Math.min(opts.cache.ttlSeconds, opts.ttlSeconds) * 1000;
    // A given clock is read on every check: lru-cache's 1 ms caching of "now" would run on real timers.
    const clock = opts.now ? { perf: { now: opts.now }, ttlResolution: 0 } : {};
    this.l1 = new LRUCache<string, L1Entry<T>>({
      max: opts.cache.maxEntries,
      maxSize: opts.cache.maxBytes,
      sizeCalculation: (e) => e.size,
      ttl,
      updateAgeOnGet: false,
      ...clock,
    });
    this.acsIds = new LRUCache<string, string>({ max: opts.cache.maxEntries, ttl, ...clock });
    this.hits = opts.metrics.counter('store_l1_hits_total');
    this.misses = opts.metrics.counter('store_l1_misses_total');
    this.entries = opts.metrics.gauge('store_l1_entries');
  }

  async create(id: string, value: T, opts?: WriteOptions): Promise<Versioned<T>> {
    const json = serializeRecord(value);
    const acsTransID = opts?.acsTransID;
    const r = await this.l2.exec({
      op: 'create',
      id,
      value: json,
      ttlSeconds: this.ttlSeconds,
      ...(acsTransID !== undefined && { acsTransID }),
    });
    if (r.status !== 'written') throw new StoreConflictError(id);
    if (acsTransID !== undefined) this.acsIds.set(acsTransID, id);
    return this.rememberWritten(id, value, json, r.version);
  }

  async get(id: string): Promise<Versioned<T> | null> {
    const cached = this.l1.get(id);
    if (cached?.immutable) {
      this.hits.inc();
      return cached.rec;
    }
    this.misses.inc();
    if (cached) {
      const r = await this.l2.exec({ op: 'getIfNewer', id, version: cached.rec.version, ttlSeconds: this.ttlSeconds });
      if (r.status === 'unchanged') return cached.rec;
      if (r.status === 'missing') {
        this.forget(id);
        return null;
      }
      return this.remember(id, r.value, r.version);
    }
    const r = await this.l2.exec({ op: 'get', id, ttlSeconds: this.ttlSeconds });
    return r.status === 'found' ? this.remember(id, r.value, r.version) : null;
  }

  async update(id: string, expectedVersion: number, value: T, opts?: WriteOptions): Promise<Versioned<T>> {
    const cached = this.l1.peek(id);
    if (cached?.immutable && cached.rec.version === expectedVersion) {
      throw new Error(`transaction ${id} is final: its record cannot change`);
    }
    const json = serializeRecord(value);
    const acsTransID = opts?.acsTransID;
    let r: StoreOpResults['cas'];
    try {
      r = await this.l2.exec({
        op: 'cas',
        id,
        expectedVersion,
        value: json,
        ttlSeconds: this.ttlSeconds,
        ...(acsTransID !== undefined && { acsTransID }),
      });
    } catch (err) {
      // The write may or may not have been applied; the next read must ask L2.
      this.forget(id);
      throw err;
    }
    if (r.status !== 'written') {
      this.forget(id);
      throw new StoreConflictError(id);
    }
    if (acsTransID !== undefined) this.acsIds.set(acsTransID, id);
    return this.rememberWritten(id, value, json, r.version);
  }

  async getByAcsTransID(acsTransID: string): Promise<Versioned<T> | null> {
    const id = this.acsIds.get(acsTransID);
    if (id !== undefined) {
      const rec = await this.get(id);
      if (!rec) this.acsIds.delete(acsTransID);
      return rec;
    }
    this.misses.inc();
    const r = await this.l2.exec({ op: 'getByIndex', acsTransID, ttlSeconds: this.ttlSeconds });
    if (r.status !== 'found') return null;
    this.acsIds.set(acsTransID, r.id);
    return this.remember(r.id, r.value, r.version);
  }

  async delete(id: string): Promise<void> {
    this.forget(id);
    await this.l2.exec({ op: 'delete', id });
    // A read that raced the delete may have refilled L1 meanwhile.
    this.forget(id);
  }

  isReady(): boolean {
    return this.l2.isReady();
  }

  async close(): Promise<void> {
    this.l1.clear();
    this.acsIds.clear();
    this.entries.set(0);
    await this.l2.close();
  }

  /**
   * Puts what L2 sent into L1 and returns it. A read keeps a newer copy that a concurrent call already
   * stored (replies of concurrent reads can arrive out of order); writes go through rememberWritten.
   */
  private remember(id: string, json: string, version: number): Versioned<T> {
    const value = deepFreeze(JSON.parse(json) as T);
    const rec: Versioned<T> = Object.freeze({ value, version });
    const current = this.l1.peek(id);
    if (!current || current.rec.version < version) {
      this.l1.set(id, { rec, immutable: this.isImmutable(value), size: json.length + ENTRY_OVERHEAD_BYTES });
      this.entries.set(this.l1.size);
    }
    return rec;
  }

  /**
   * Puts a record this worker wrote into L1 as the object it wrote, frozen, instead of parsing the JSON
   * it just produced (~85 µs per authenticate, measured). Records are built of JSON values only (the
   * protocol's record builders spread optional fields in only when present), so the object and its
   * JSON hold the same data.
   */
  private rememberWritten(id: string, value: T, json: string, version: number): Versioned<T> {
    const rec: Versioned<T> = Object.freeze({ value: deepFreeze(value), version });
    this.l1.set(id, { rec, immutable: this.isImmutable(value), size: json.length + ENTRY_OVERHEAD_BYTES });
    this.entries.set(this.l1.size);
    return rec;
  }

  private forget(id: string): void {
    if (this.l1.delete(id)) this.entries.set(this.l1.size);
  }
}
