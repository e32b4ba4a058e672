// The embedded L2 (SPEC §7): the default store, held by the primary so records survive worker restarts.
// A plain class with synchronous operations; the primary runs it behind the 'store.op' RPC
// (embedded-host.ts), and tests or single-process tools can use it directly.
//
// Why off-heap (issue 10): a million records held as JS strings in Maps were ~4 KB of primary heap each;
// the heap filled near 900,000 records after full-GC pauses of 4 s. Here nothing per record lives on the
// JS heap, so the garbage collector has nothing per record to mark, move or count against the heap limit:
// - Record bytes sit in an arena of large Buffers (slabs, 1 MiB), one blob per record, compacted as
//   writes go (blob-arena.ts).
// - Per record metadata (version, expiry, blob location, LRU links, key hashes and chains) is a 56-byte
//   slot in pages of typed arrays (slot-pages.ts).
// - ID → slot and acsTransID → slot are hash tables chained through the slots (chain-table.ts); keys are
//   compared against the bytes in the blob, and a table doubles without a stall. The hash is seeded per
//   process (key-bytes.ts), so clients cannot aim IDs at one chain.
// This class composes them and keeps the store's policy: versions, bounds, recency and expiry.
// Bounds: entries, and bytes = the blobs plus ENTRY_OVERHEAD_BYTES per record for slot and table space;
// the least recently used records go first, whichever bound is passed.
//
// Order: the slots form a doubly linked list in recency order, least recently used first. Every access
// moves the record to the end and pushes its expiry to now + TTL; all records of a deployment share one
// TTL, so recency order is expiry order too: the sweep walks from the front and stops at the first live
// record, doing work only for what actually expired. Lookups check expiry themselves, so a record is
// never served late whatever the sweep does.
//
// Versions come from one store-wide sequence: every write takes the next number, whatever the record.
// So a record's versions only grow, and an ID that is created again after its record was evicted,
// expired or deleted starts above every version the old record had. Per-record counters restarting at 1
// would let a worker's L1 copy of the old record (version n) pass getIfNewer as current once the new
// record reached n. The sequence is a float64: exact to 2^53 writes.
//
// The acsTransID index maps to the record and lives exactly as long as it (it is removed with it, and
// an entry only ever points at a record whose blob carries that acsTransID), which is "the same TTL"
// without a second clock.
import { randomBytes } from 'node:crypto';
import type { StoreConflict, StoreFound, StoreMissing, StoreOp, StoreOpResult, StoreUnchanged, StoreWritten } from '../ipc.js';
import { ACS_LEN, BlobArena, HEADER, ID_LEN, NO_ACS } from './blob-arena.js';
import { ChainTable } from './chain-table.js';
import { KeyBytes } from './key-bytes.js';
import {
  F_EXPIRES,
  F_VERSION,
  I_ACS_CHAIN,
  I_ACS_HASH,
  I_ID_CHAIN,
  I_ID_HASH,
  I_LENGTH,
  I_NEXT,
  I_PREV,
  I_SLAB,
  NONE,
  SlotPages,
} from './slot-pages.js';

export { BLOB_HEADER_BYTES } from './blob-arena.js';

export interface EmbeddedCoreOptions {
  /** Bound in records; the least recently used go first. */
  maxEntries: number;
  /** Bound in bytes: records' blobs plus ENTRY_OVERHEAD_BYTES each; the least recently used go first. */
  maxBytes: number;
  /** Size of the arena's slabs (default 1 MiB; a larger record gets a slab of its own). */
  slabBytes?: number;
  /** First size of the key tables, a power of 2 (default 1024; tests start small to grow them often). */
  initialBuckets?: number;
  /** Period of the expiry sweep (default 1000 ms); the timer is unref'd. */
  sweepIntervalMs?: number | undefined;
  /** Most records one sweep removes, so a large expiry wave cannot stall the primary's event loop. */
  sweepBudget?: number;
  /** Clock (tests); defaults to Date.now. */
  now?: (() => number) | undefined;
  /** Called after each sweep with the record count (the host sets its gauge from it). */
  onSweep?: (size: number) => void;
}

export interface EmbeddedCoreStats {
  entries: number;
  /** What the byte bound counts: blobs plus ENTRY_OVERHEAD_BYTES per record. */
  bytes: number;
  /** Bytes of the arena's slabs, live or not. */
  arenaBytes: number;
  /** Bytes of the slot pages and bucket arrays. */
  tableBytes: number;
}

/**
 * What a record costs besides its blob: its 56-byte slot, and a bucket in each of two tables at load
 * 1/2 to 1 (8 to 16 bytes), with room for the pages and tables that are not full yet.
 */
export const ENTRY_OVERHEAD_BYTES = 96;
/** Largest record count (slot numbers stay positive int32s). */
export const MAX_ENTRIES = 2 ** 28;

const DEFAULT_SLAB = 1 << 20;
const INITIAL_BUCKETS = 1024;

const MISSING: StoreMissing = Object.freeze({ status: 'missing' });
const CONFLICT: StoreConflict = Object.freeze({ status: 'conflict' });
const OK = Object.freeze({ status: 'ok' as const });
const TTL_OPS: ReadonlySet<string> = new Set(['get', 'getIfNewer', 'getByIndex', 'create', 'cas']);

export class EmbeddedCore {
  private maxEntries: number;
  private maxBytes: number;
  private readonly now: () => number;
  private readonly sweepBudget: number;
  private readonly onSweep: ((size: number) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly seed = randomBytes(4).readInt32LE(0);
  private readonly idKey = new KeyBytes(this.seed);
  private readonly acsKey = new KeyBytes(this.seed);

  // Slots.
  private readonly slots = new SlotPages();
  private nextSlot = 0;
  /** Free slots, chained through I_NEXT. */
  private freeSlot = NONE;
  private lruHead = NONE;
  private lruTail = NONE;
  private count = 0;
  /** The last version handed out (the store-wide sequence). */
  private lastVersion = 0;

  private readonly arena: BlobArena;
  private readonly ids: ChainTable;
  private readonly acs: ChainTable;

  constructor(opts: EmbeddedCoreOptions) {
    checkBounds(opts.maxEntries, opts.maxBytes);
    this.maxEntries = opts.maxEntries;
    this.maxBytes = opts.maxBytes;
    this.arena = new BlobArena(this.slots, opts.slabBytes ?? DEFAULT_SLAB);
    const buckets = opts.initialBuckets ?? INITIAL_BUCKETS;
    if (!Number.isInteger(Math.log2(buckets))) throw new RangeError('initialBuckets must be a power of 2');
    this.ids = new ChainTable(
      this.slots,
      I_ID_HASH,
      I_ID_CHAIN,
      (s, k) => this.arena.sameBytes(s, HEADER, this.arena.u16(s, ID_LEN), k),
      buckets,
    );
    this.acs = new ChainTable(
      this.slots,
      I_ACS_HASH,
      I_ACS_CHAIN,
      (s, k) => {
        const n = this.arena.u16(s, ACS_LEN);
        return n !== NO_ACS && this.arena.sameBytes(s, HEADER + this.arena.u16(s, ID_LEN), n, k);
      },
      buckets,
    );
    this.now = opts.now ?? Date.now;
    this.sweepBudget = opts.sweepBudget ?? 50_000;
    this.onSweep = opts.onSweep;
    this.timer = setInterval(() => this.sweep(), opts.sweepIntervalMs ?? 1000);
    this.timer.unref();
  }

  get size(): number {
    return this.count;
  }

  stats(): EmbeddedCoreStats {
    return {
      entries: this.count,
      bytes: this.bytes(),
      arenaBytes: this.arena.arenaBytes,
      tableBytes: this.slots.bytes + this.ids.bytes + this.acs.bytes,
    };
  }

  /** Runs one operation (the body of the 'store.op' RPC). */
  handle(op: StoreOp): StoreOpResult {
    // Operations arrive over IPC: a TTL that is not a positive number would make a record immortal.
    if (
      TTL_OPS.has(op.op) &&
      !(typeof (op as { ttlSeconds?: unknown }).ttlSeconds === 'number' && (op as { ttlSeconds: number }).ttlSeconds > 0)
    ) {
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
    const s = this.live(id);
    if (s === NONE) return MISSING;
    this.touch(s, ttlSeconds);
    return { status: 'found', id, value: this.arena.valueOf(s), version: this.slots.f(s, F_VERSION) };
  }

  /** The value only when the stored version differs from the caller's: the cheap validation of an L1 copy. */
  getIfNewer(id: string, version: number, ttlSeconds: number): StoreFound | StoreUnchanged | StoreMissing {
    const s = this.live(id);
    if (s === NONE) return MISSING;
    this.touch(s, ttlSeconds);
    const v = this.slots.f(s, F_VERSION);
    if (v === version) return { status: 'unchanged', version };
    return { status: 'found', id, value: this.arena.valueOf(s), version: v };
  }

  getByIndex(acsTransID: string, ttlSeconds: number): StoreFound | StoreMissing {
    const s = this.acs.find(this.acsKey.set(acsTransID));
    if (s === NONE) return MISSING;
    if (this.slots.f(s, F_EXPIRES) <= this.now()) {
      this.removeSlot(s);
      return MISSING;
    }
    this.touch(s, ttlSeconds);
    const at = this.arena.blobStart(s) + HEADER;
    const id = this.arena.slabAt(s).buf.toString('utf8', at, at + this.arena.u16(s, ID_LEN));
    return { status: 'found', id, value: this.arena.valueOf(s), version: this.slots.f(s, F_VERSION) };
  }

  create(id: string, value: string, ttlSeconds: number, acsTransID?: string): StoreWritten | StoreConflict {
    if (this.live(id) !== NONE) return CONFLICT;
    // live() left the ID's bytes and hash in idKey.
    const s = this.allocSlot();
    const version = ++this.lastVersion;
    this.slots.setF(s, F_VERSION, version);
    const acsKey = acsTransID === undefined ? undefined : this.acsKey.set(acsTransID);
    this.arena.writeBlob(s, this.idKey, acsKey, value);
    this.ids.put(this.idKey, s);
    if (acsKey) this.acs.put(acsKey, s);
    this.count++;
    this.touch(s, ttlSeconds);
    this.evictOverflow(s);
    this.arena.compactStep();
    return { status: 'written', version };
  }

  /** Compare-and-set; an update without acsTransID keeps the record's index entry. */
  cas(
    id: string,
    expectedVersion: number,
    value: string,
    ttlSeconds: number,
    acsTransID?: string,
  ): StoreWritten | StoreConflict | StoreMissing {
    const s = this.live(id);
    if (s === NONE) return MISSING;
    if (this.slots.f(s, F_VERSION) !== expectedVersion) return CONFLICT;
    const idLen = this.arena.u16(s, ID_LEN);
    const oldAcsLen = this.arena.u16(s, ACS_LEN);
    const oldAcsHash = this.slots.i(s, I_ACS_HASH);
    // An acsTransID that replaces the record's (or gives it one); undefined keeps what it has.
    let replacing: KeyBytes | undefined;
    if (acsTransID !== undefined) {
      const k = this.acsKey.set(acsTransID);
      if (!(oldAcsLen !== NO_ACS && oldAcsHash === k.hash && this.arena.sameBytes(s, HEADER + idLen, oldAcsLen, k))) replacing = k;
    }
    if (replacing && oldAcsLen !== NO_ACS) this.acs.remove(s);
    const carried =
      replacing ??
      (oldAcsLen === NO_ACS
        ? undefined
        : this.acsKey.copyFrom(this.arena.slabAt(s).buf, this.arena.blobStart(s) + HEADER + idLen, oldAcsLen, oldAcsHash));
    const oldSlab = this.slots.i(s, I_SLAB);
    const oldLength = this.slots.i(s, I_LENGTH);
    this.arena.writeBlob(s, this.idKey, carried, value);
    this.arena.releaseBlob(oldSlab, oldLength);
    if (replacing) this.acs.put(replacing, s);
    const version = ++this.lastVersion;
    this.slots.setF(s, F_VERSION, version);
    this.touch(s, ttlSeconds);
    this.evictOverflow(s);
    this.arena.compactStep();
    return { status: 'written', version };
  }

  delete(id: string): void {
    const s = this.ids.find(this.idKey.set(id));
    if (s !== NONE) this.removeSlot(s);
  }

  /** Changes the bounds (a reload); evicts at once when they shrank. */
  resize(maxEntries: number, maxBytes: number = this.maxBytes): void {
    checkBounds(maxEntries, maxBytes);
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.evictOverflow(NONE);
  }

  /** Removes expired records from the front (least recently used) until the first live one. */
  sweep(): number {
    const now = this.now();
    let removed = 0;
    while (this.lruHead !== NONE && this.slots.f(this.lruHead, F_EXPIRES) <= now && removed < this.sweepBudget) {
      this.removeSlot(this.lruHead);
      removed++;
    }
    this.onSweep?.(this.count);
    return removed;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.ids.clear();
    this.acs.clear();
    this.slots.clear();
    this.nextSlot = 0;
    this.freeSlot = NONE;
    this.lruHead = this.lruTail = NONE;
    this.count = 0;
    this.arena.clear();
  }

  private bytes(): number {
    return this.arena.liveBytes + this.count * ENTRY_OVERHEAD_BYTES;
  }

  /** The record's slot, or NONE (an expired record is removed on the way); leaves the ID in idKey. */
  private live(id: string): number {
    const s = this.ids.find(this.idKey.set(id));
    if (s !== NONE && this.slots.f(s, F_EXPIRES) <= this.now()) {
      this.removeSlot(s);
      return NONE;
    }
    return s;
  }

  /** Refreshes the TTL and moves the record to the most recently used end. */
  private touch(s: number, ttlSeconds: number): void {
    this.slots.setF(s, F_EXPIRES, this.now() + ttlSeconds * 1000);
    if (this.lruTail === s) return;
    this.unlink(s);
    this.slots.setI(s, I_PREV, this.lruTail);
    this.slots.setI(s, I_NEXT, NONE);
    if (this.lruTail !== NONE) this.slots.setI(this.lruTail, I_NEXT, s);
    else this.lruHead = s;
    this.lruTail = s;
  }

  private unlink(s: number): void {
    const p = this.slots.i(s, I_PREV);
    const n = this.slots.i(s, I_NEXT);
    if (p !== NONE) this.slots.setI(p, I_NEXT, n);
    else if (this.lruHead === s) this.lruHead = n;
    if (n !== NONE) this.slots.setI(n, I_PREV, p);
    else if (this.lruTail === s) this.lruTail = p;
    this.slots.setI(s, I_PREV, NONE);
    this.slots.setI(s, I_NEXT, NONE);
  }

  private removeSlot(s: number): void {
    this.unlink(s);
    this.ids.remove(s);
    if (this.arena.u16(s, ACS_LEN) !== NO_ACS) this.acs.remove(s);
    this.arena.releaseBlob(this.slots.i(s, I_SLAB), this.slots.i(s, I_LENGTH));
    this.slots.setI(s, I_SLAB, NONE);
    this.slots.setI(s, I_NEXT, this.freeSlot);
    this.freeSlot = s;
    this.count--;
  }

  /** Evicts the least recently used records while a bound is passed, never the one just written. */
  private evictOverflow(keep: number): void {
    while ((this.count > this.maxEntries || this.bytes() > this.maxBytes) && this.lruHead !== NONE && this.lruHead !== keep) {
      this.removeSlot(this.lruHead);
    }
  }

  private allocSlot(): number {
    let s = this.freeSlot;
    if (s !== NONE) {
      this.freeSlot = this.slots.i(s, I_NEXT);
    } else {
      if (this.nextSlot >= MAX_ENTRIES) throw new RangeError(`the embedded store holds at most ${MAX_ENTRIES} records`);
      if (this.nextSlot === this.slots.capacity) this.slots.addPage();
      s = this.nextSlot++;
    }
    this.slots.setI(s, I_PREV, NONE);
    this.slots.setI(s, I_NEXT, NONE);
    this.slots.setI(s, I_ID_CHAIN, 0);
    this.slots.setI(s, I_ACS_CHAIN, 0);
    return s;
  }
}

function checkBounds(maxEntries: number, maxBytes: number): void {
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new RangeError('maxBytes must be a positive integer');
}
