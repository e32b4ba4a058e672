// The embedded L2 (SPEC §7): the default store, held by the primary so records survive worker restarts.
// A plain class with synchronous operations; the primary runs it behind the 'store.op' RPC
// (embedded-host.ts), and tests or single-process tools can use it directly.
//
// Why off-heap (issue 10): a million records held as JS strings in Maps were ~4 KB of primary heap each;
// the heap filled near 900,000 records after full-GC pauses of 4 s. Here nothing per record lives on the
// JS heap, so the garbage collector has nothing per record to mark, move or count against the heap limit:
// - Record bytes sit in an arena of large Buffers (slabs, 1 MiB). A write appends one blob: a 16-byte
//   header (slot, stored length, unpacked length or 0, key lengths), the ID, the acsTransID, and the
//   value packed by record-codec.ts (a third to a half of its JSON). The blob it replaces is garbage; when
//   garbage passes 1/8 of the live bytes (plus two slabs), that write also moves the live blobs of the
//   emptiest slab to the head and frees it: the arena stays within ~1/8 of what it holds, and one write
//   never copies more than a slab.
// - Per record metadata (version, expiry, blob location, LRU links, key hashes and chains) is a 56-byte
//   slot in pages of typed arrays: more records add pages, nothing is ever copied to grow.
// - ID → slot and acsTransID → slot are hash tables chained through the slots (an Int32Array of buckets,
//   load ≤ 1); keys are compared against the bytes in the blob. A table doubles without a stall: each
//   write moves a few buckets of the old array to the new one. The hash is seeded per process, so clients
//   cannot aim IDs at one chain.
// Bounds: entries, and bytes = the blobs plus ENTRY_OVERHEAD_BYTES per record for slot and table space;
// the least recently used records go first, whichever bound is passed.
//
// Order: the slots form a doubly linked list in recency order, least recently used first. Every access
// moves the record to the end and pushes its expiry to now + TTL; all records of a deployment share one
// TTL, so recency order is expiry order too: the sweep walks from the front and stops at the first live
// record, doing work only for what actually expired. Lookups check expiry themselves, so a record is
// never served late whatever the sweep does.
//
// The acsTransID index maps to the record and lives exactly as long as it (it is removed with it, and
// an entry only ever points at a record whose blob carries that acsTransID), which is "the same TTL"
// without a second clock.
import { randomBytes } from 'node:crypto';
import type { StoreConflict, StoreFound, StoreMissing, StoreOp, StoreOpResult, StoreUnchanged, StoreWritten } from '../ipc.js';
import { packedBound, packRecord, unpackRecord } from './record-codec.js';

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
  sweepIntervalMs?: number;
  /** Most records one sweep removes, so a large expiry wave cannot stall the primary's event loop. */
  sweepBudget?: number;
  /** Clock (tests); defaults to Date.now. */
  now?: () => number;
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
/** Bytes before a blob's keys: slot, stored length, unpacked length (0: stored as is), key lengths. */
export const BLOB_HEADER_BYTES = 16;
/** Largest record count (slot numbers stay positive int32s). */
export const MAX_ENTRIES = 2 ** 28;

const HEADER = BLOB_HEADER_BYTES;
const STORED_LEN = 4;
const RAW_LEN = 8;
const ID_LEN = 12;
const ACS_LEN = 14;
const NO_ACS = 0xffff;
const MAX_KEY_BYTES = 0xfffe;
const DEFAULT_SLAB = 1 << 20;
const SPARE_SLABS = 2;
const NONE = -1;

// A slot: 14 int32 words; words 0-3 are two float64s (version, expiry).
const PAGE_BITS = 16;
const PAGE_SLOTS = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SLOTS - 1;
const WORDS = 14;
const F_VERSION = 0;
const F_EXPIRES = 1;
const I_SLAB = 4;
const I_OFFSET = 5;
const I_LENGTH = 6;
const I_PREV = 7;
const I_NEXT = 8;
const I_ID_HASH = 9;
const I_ACS_HASH = 10;
const I_ID_CHAIN = 11;
const I_ACS_CHAIN = 12;

const INITIAL_BUCKETS = 1024;
/** Old buckets a write moves while a table grows: done long before the table can need to grow again. */
const MIGRATE_STEP = 8;

const MISSING: StoreMissing = Object.freeze({ status: 'missing' });
const CONFLICT: StoreConflict = Object.freeze({ status: 'conflict' });
const OK = Object.freeze({ status: 'ok' as const });
const TTL_OPS: ReadonlySet<string> = new Set(['get', 'getIfNewer', 'getByIndex', 'create', 'cas']);

interface Slab {
  buf: Buffer;
  /** Bytes appended so far. */
  used: number;
  /** Bytes of the blobs in it that records still point at. */
  live: number;
}

/** A key's UTF-8 bytes in a reusable buffer, and its hash. */
class KeyBytes {
  buf = Buffer.allocUnsafeSlow(256);
  n = 0;
  hash = 0;

  constructor(private readonly seed: number) {}

  set(key: string): this {
    const n = Buffer.byteLength(key);
    if (n > MAX_KEY_BYTES) throw new RangeError(`store key of ${n} bytes: at most ${MAX_KEY_BYTES}`);
    if (n > this.buf.length) this.buf = Buffer.allocUnsafeSlow(Math.max(n, this.buf.length * 2));
    this.n = this.buf.write(key, 0, 'utf8');
    this.hash = hashBytes(this.buf, this.n, this.seed);
    return this;
  }

  /** Takes the bytes from a blob instead of a string. */
  copyFrom(src: Buffer, start: number, n: number, hash: number): this {
    if (n > this.buf.length) this.buf = Buffer.allocUnsafeSlow(Math.max(n, this.buf.length * 2));
    src.copy(this.buf, 0, start, start + n);
    this.n = n;
    this.hash = hash;
    return this;
  }
}

/** A 32-bit seeded FNV-1a with a murmur3 finalizer (FNV alone mixes the low bits poorly). */
function hashBytes(b: Uint8Array, n: number, seed: number): number {
  let h = (seed ^ n) | 0;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** Slot metadata in pages of PAGE_SLOTS slots (one ArrayBuffer each, int32 and float64 views). */
class SlotPages {
  private i32s: Int32Array[] = [];
  private f64s: Float64Array[] = [];

  get capacity(): number {
    return this.i32s.length * PAGE_SLOTS;
  }

  get bytes(): number {
    return this.i32s.length * PAGE_SLOTS * WORDS * 4;
  }

  addPage(): void {
    const buf = new ArrayBuffer(PAGE_SLOTS * WORDS * 4);
    this.i32s.push(new Int32Array(buf));
    this.f64s.push(new Float64Array(buf));
  }

  i(s: number, field: number): number {
    return (this.i32s[s >>> PAGE_BITS] as Int32Array)[(s & PAGE_MASK) * WORDS + field] as number;
  }

  setI(s: number, field: number, v: number): void {
    (this.i32s[s >>> PAGE_BITS] as Int32Array)[(s & PAGE_MASK) * WORDS + field] = v;
  }

  f(s: number, field: number): number {
    return (this.f64s[s >>> PAGE_BITS] as Float64Array)[(s & PAGE_MASK) * (WORDS / 2) + field] as number;
  }

  setF(s: number, field: number, v: number): void {
    (this.f64s[s >>> PAGE_BITS] as Float64Array)[(s & PAGE_MASK) * (WORDS / 2) + field] = v;
  }

  clear(): void {
    this.i32s = [];
    this.f64s = [];
  }
}

/**
 * Key → slot, chained through a field of the slots (slot + 1; 0 ends a chain or marks an empty bucket),
 * load ≤ 1. Doubling keeps the old bucket array until every write has moved MIGRATE_STEP of its
 * buckets (from the front: an old bucket below the cursor has moved), so no write pays for a rehash.
 */
class ChainTable {
  private buckets: Int32Array;
  private old: Int32Array | undefined;
  private cursor = 0;
  /** The bucket index locate() found. */
  private at = 0;
  count = 0;

  constructor(
    private readonly slots: SlotPages,
    private readonly hashField: number,
    private readonly chainField: number,
    /** Whether `slot`'s blob carries the key. */
    private readonly matches: (slot: number, key: KeyBytes) => boolean,
    private readonly initialBuckets: number,
  ) {
    this.buckets = new Int32Array(initialBuckets);
  }

  get bytes(): number {
    return (this.buckets.length + (this.old?.length ?? 0)) * 4;
  }

  find(key: KeyBytes): number {
    const t = this.locate(key.hash);
    for (let s = (t[this.at] as number) - 1; s !== NONE; s = this.slots.i(s, this.chainField) - 1) {
      if (this.slots.i(s, this.hashField) === key.hash && this.matches(s, key)) return s;
    }
    return NONE;
  }

  /** Points `key` at `slot` (which must not be in the table), replacing the slot another record had for it. */
  put(key: KeyBytes, slot: number): void {
    this.migrate();
    const previous = this.find(key);
    if (previous === NONE) this.count++;
    else this.unlink(previous, key.hash);
    const t = this.locate(key.hash);
    this.slots.setI(slot, this.hashField, key.hash);
    this.slots.setI(slot, this.chainField, t[this.at] as number);
    t[this.at] = slot + 1;
    if (!this.old && this.count > this.buckets.length) {
      this.old = this.buckets;
      this.buckets = new Int32Array(this.old.length * 2);
      this.cursor = 0;
    }
  }

  /** Removes `slot` if the table points at it (its key may point at another record since). */
  remove(slot: number): void {
    this.migrate();
    if (this.unlink(slot, this.slots.i(slot, this.hashField))) this.count--;
  }

  clear(): void {
    this.buckets = new Int32Array(this.initialBuckets);
    this.old = undefined;
    this.count = 0;
  }

  /** The bucket array holding `hash`'s chain; the bucket's index is left in `at`. */
  private locate(hash: number): Int32Array {
    const old = this.old;
    if (old) {
      const b = hash & (old.length - 1);
      if (b >= this.cursor) {
        this.at = b;
        return old;
      }
    }
    this.at = hash & (this.buckets.length - 1);
    return this.buckets;
  }

  private unlink(slot: number, hash: number): boolean {
    const t = this.locate(hash);
    let prev = NONE;
    for (let s = (t[this.at] as number) - 1; s !== NONE; prev = s, s = this.slots.i(s, this.chainField) - 1) {
      if (s !== slot) continue;
      const next = this.slots.i(s, this.chainField);
      if (prev === NONE) t[this.at] = next;
      else this.slots.setI(prev, this.chainField, next);
      this.slots.setI(s, this.chainField, 0);
      return true;
    }
    return false;
  }

  private migrate(): void {
    const old = this.old;
    if (!old) return;
    const mask = this.buckets.length - 1;
    for (let k = 0; k < MIGRATE_STEP && this.cursor < old.length; k++, this.cursor++) {
      let s = (old[this.cursor] as number) - 1;
      old[this.cursor] = 0;
      while (s !== NONE) {
        const next = this.slots.i(s, this.chainField) - 1;
        const b = this.slots.i(s, this.hashField) & mask;
        this.slots.setI(s, this.chainField, this.buckets[b] as number);
        this.buckets[b] = s + 1;
        s = next;
      }
    }
    if (this.cursor === old.length) this.old = undefined;
  }
}

export class EmbeddedCore {
  private maxEntries: number;
  private maxBytes: number;
  private readonly slabBytes: number;
  private readonly now: () => number;
  private readonly sweepBudget: number;
  private readonly onSweep: ((size: number) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly seed = randomBytes(4).readInt32LE(0);
  private readonly idKey = new KeyBytes(this.seed);
  private readonly acsKey = new KeyBytes(this.seed);
  /** A value's UTF-8 (writes) or unpacked bytes (reads), and its packed form. */
  private text = Buffer.allocUnsafeSlow(8192);
  private packed = Buffer.allocUnsafeSlow(8192);

  // Slots.
  private readonly slots = new SlotPages();
  private nextSlot = 0;
  /** Free slots, chained through I_NEXT. */
  private freeSlot = NONE;
  private lruHead = NONE;
  private lruTail = NONE;
  private count = 0;
  private liveBytes = 0;

  // Arena.
  private slabs: (Slab | undefined)[] = [];
  private freeSlabIds: number[] = [];
  private spares: Buffer[] = [];
  private head = NONE;
  private arenaBytes = 0;

  private readonly ids: ChainTable;
  private readonly acs: ChainTable;

  constructor(opts: EmbeddedCoreOptions) {
    checkBounds(opts.maxEntries, opts.maxBytes);
    this.maxEntries = opts.maxEntries;
    this.maxBytes = opts.maxBytes;
    this.slabBytes = opts.slabBytes ?? DEFAULT_SLAB;
    const buckets = opts.initialBuckets ?? INITIAL_BUCKETS;
    if (!Number.isInteger(Math.log2(buckets))) throw new RangeError('initialBuckets must be a power of 2');
    this.ids = new ChainTable(this.slots, I_ID_HASH, I_ID_CHAIN, (s, k) => this.sameBytes(s, HEADER, this.u16(s, ID_LEN), k), buckets);
    this.acs = new ChainTable(
      this.slots,
      I_ACS_HASH,
      I_ACS_CHAIN,
      (s, k) => {
        const n = this.u16(s, ACS_LEN);
        return n !== NO_ACS && this.sameBytes(s, HEADER + this.u16(s, ID_LEN), n, k);
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
    return { entries: this.count, bytes: this.bytes(), arenaBytes: this.arenaBytes, tableBytes: this.slots.bytes + this.ids.bytes + this.acs.bytes };
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
    const s = this.live(id);
    if (s === NONE) return MISSING;
    this.touch(s, ttlSeconds);
    return { status: 'found', id, value: this.valueOf(s), version: this.slots.f(s, F_VERSION) };
  }

  /** The value only when the stored version differs from the caller's: the cheap validation of an L1 copy. */
  getIfNewer(id: string, version: number, ttlSeconds: number): StoreFound | StoreUnchanged | StoreMissing {
    const s = this.live(id);
    if (s === NONE) return MISSING;
    this.touch(s, ttlSeconds);
    const v = this.slots.f(s, F_VERSION);
    if (v === version) return { status: 'unchanged', version };
    return { status: 'found', id, value: this.valueOf(s), version: v };
  }

  getByIndex(acsTransID: string, ttlSeconds: number): StoreFound | StoreMissing {
    const s = this.acs.find(this.acsKey.set(acsTransID));
    if (s === NONE) return MISSING;
    if (this.slots.f(s, F_EXPIRES) <= this.now()) {
      this.removeSlot(s);
      return MISSING;
    }
    this.touch(s, ttlSeconds);
    const at = this.blobStart(s) + HEADER;
    const id = this.slabAt(s).buf.toString('utf8', at, at + this.u16(s, ID_LEN));
    return { status: 'found', id, value: this.valueOf(s), version: this.slots.f(s, F_VERSION) };
  }

  create(id: string, value: string, ttlSeconds: number, acsTransID?: string): StoreWritten | StoreConflict {
    if (this.live(id) !== NONE) return CONFLICT;
    // live() left the ID's bytes and hash in idKey.
    const s = this.allocSlot();
    this.slots.setF(s, F_VERSION, 1);
    const acsKey = acsTransID === undefined ? undefined : this.acsKey.set(acsTransID);
    this.writeBlob(s, acsKey, value);
    this.ids.put(this.idKey, s);
    if (acsKey) this.acs.put(acsKey, s);
    this.count++;
    this.touch(s, ttlSeconds);
    this.evictOverflow(s);
    this.compactStep();
    return { status: 'written', version: 1 };
  }

  /** Compare-and-set; an update without acsTransID keeps the record's index entry. */
  cas(id: string, expectedVersion: number, value: string, ttlSeconds: number, acsTransID?: string): StoreWritten | StoreConflict | StoreMissing {
    const s = this.live(id);
    if (s === NONE) return MISSING;
    if (this.slots.f(s, F_VERSION) !== expectedVersion) return CONFLICT;
    const idLen = this.u16(s, ID_LEN);
    const oldAcsLen = this.u16(s, ACS_LEN);
    const oldAcsHash = this.slots.i(s, I_ACS_HASH);
    // An acsTransID that replaces the record's (or gives it one); undefined keeps what it has.
    let replacing: KeyBytes | undefined;
    if (acsTransID !== undefined) {
      const k = this.acsKey.set(acsTransID);
      if (!(oldAcsLen !== NO_ACS && oldAcsHash === k.hash && this.sameBytes(s, HEADER + idLen, oldAcsLen, k))) replacing = k;
    }
    if (replacing && oldAcsLen !== NO_ACS) this.acs.remove(s);
    const carried =
      replacing ?? (oldAcsLen === NO_ACS ? undefined : this.acsKey.copyFrom(this.slabAt(s).buf, this.blobStart(s) + HEADER + idLen, oldAcsLen, oldAcsHash));
    const oldSlab = this.slots.i(s, I_SLAB);
    const oldLength = this.slots.i(s, I_LENGTH);
    this.writeBlob(s, carried, value);
    this.releaseBlob(oldSlab, oldLength);
    if (replacing) this.acs.put(replacing, s);
    this.slots.setF(s, F_VERSION, expectedVersion + 1);
    this.touch(s, ttlSeconds);
    this.evictOverflow(s);
    this.compactStep();
    return { status: 'written', version: expectedVersion + 1 };
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
    this.count = this.liveBytes = this.arenaBytes = 0;
    this.slabs = [];
    this.freeSlabIds = [];
    this.spares = [];
    this.head = NONE;
  }

  private bytes(): number {
    return this.liveBytes + this.count * ENTRY_OVERHEAD_BYTES;
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
    if (this.u16(s, ACS_LEN) !== NO_ACS) this.acs.remove(s);
    this.releaseBlob(this.slots.i(s, I_SLAB), this.slots.i(s, I_LENGTH));
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

  // Blobs.

  private slabAt(s: number): Slab {
    return this.slabs[this.slots.i(s, I_SLAB)] as Slab;
  }

  private blobStart(s: number): number {
    return this.slots.i(s, I_OFFSET);
  }

  private u16(s: number, field: typeof ID_LEN | typeof ACS_LEN): number {
    const buf = this.slabAt(s).buf;
    const at = this.blobStart(s) + field;
    return (buf[at] as number) | ((buf[at + 1] as number) << 8);
  }

  private sameBytes(s: number, from: number, n: number, key: KeyBytes): boolean {
    if (n !== key.n) return false;
    const buf = this.slabAt(s).buf;
    const at = this.blobStart(s) + from;
    const k = key.buf;
    for (let i = 0; i < n; i++) if (buf[at + i] !== k[i]) return false;
    return true;
  }

  private valueOf(s: number): string {
    const buf = this.slabAt(s).buf;
    const at = this.blobStart(s);
    const stored = buf.readUInt32LE(at + STORED_LEN);
    const raw = buf.readUInt32LE(at + RAW_LEN);
    const acsLen = this.u16(s, ACS_LEN);
    const from = at + HEADER + this.u16(s, ID_LEN) + (acsLen === NO_ACS ? 0 : acsLen);
    if (raw === 0) return buf.toString('utf8', from, from + stored);
    if (this.text.length < raw) this.text = Buffer.allocUnsafeSlow(Math.max(raw, this.text.length * 2));
    return this.text.toString('utf8', 0, unpackRecord(buf, from, from + stored, this.text));
  }

  /** Appends slot `s`'s blob (the ID from idKey; the value packed when that makes it smaller) and points the slot at it. */
  private writeBlob(s: number, acsKey: KeyBytes | undefined, value: string): void {
    const id = this.idKey;
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    if (this.text.length < value.length * 3) this.text = Buffer.allocUnsafeSlow(Math.max(value.length * 3, this.text.length * 2));
    const raw = this.text.write(value, 0, 'utf8');
    if (this.packed.length < packedBound(raw)) this.packed = Buffer.allocUnsafeSlow(Math.max(packedBound(raw), this.packed.length * 2));
    const packedLen = packRecord(this.text, raw, this.packed);
    const isPacked = packedLen >= 0 && packedLen < raw;
    const stored = isPacked ? packedLen : raw;
    const acsLen = acsKey ? acsKey.n : 0;
    const length = HEADER + id.n + acsLen + stored;
    const slabId = this.reserve(length);
    const slab = this.slabs[slabId] as Slab;
    const at = slab.used - length;
    const buf = slab.buf;
    buf.writeUInt32LE(s, at);
    buf.writeUInt32LE(stored, at + STORED_LEN);
    buf.writeUInt32LE(isPacked ? raw : 0, at + RAW_LEN);
    buf.writeUInt16LE(id.n, at + ID_LEN);
    buf.writeUInt16LE(acsKey ? acsLen : NO_ACS, at + ACS_LEN);
    id.buf.copy(buf, at + HEADER, 0, id.n);
    if (acsKey) acsKey.buf.copy(buf, at + HEADER + id.n, 0, acsLen);
    (isPacked ? this.packed : this.text).copy(buf, at + HEADER + id.n + acsLen, 0, stored);
    this.place(s, slabId, at, length);
  }

  private place(s: number, slabId: number, at: number, length: number): void {
    (this.slabs[slabId] as Slab).live += length;
    this.liveBytes += length;
    this.slots.setI(s, I_SLAB, slabId);
    this.slots.setI(s, I_OFFSET, at);
    this.slots.setI(s, I_LENGTH, length);
  }

  /** Makes room for `length` bytes at the head slab's end; returns the slab's id (its `used` includes them). */
  private reserve(length: number): number {
    let slab = this.head === NONE ? undefined : this.slabs[this.head];
    if (!slab || slab.used + length > slab.buf.length) {
      const old = this.head;
      this.head = this.openSlab(Math.max(this.slabBytes, length));
      if (slab && slab.live === 0) this.freeSlab(old);
      slab = this.slabs[this.head] as Slab;
    }
    slab.used += length;
    return this.head;
  }

  private openSlab(size: number): number {
    const buf = size === this.slabBytes ? (this.spares.pop() ?? Buffer.allocUnsafeSlow(size)) : Buffer.allocUnsafeSlow(size);
    const id = this.freeSlabIds.pop() ?? this.slabs.length;
    this.slabs[id] = { buf, used: 0, live: 0 };
    this.arenaBytes += buf.length;
    return id;
  }

  private freeSlab(id: number): void {
    const slab = this.slabs[id] as Slab;
    this.slabs[id] = undefined;
    this.freeSlabIds.push(id);
    this.arenaBytes -= slab.buf.length;
    if (slab.buf.length === this.slabBytes && this.spares.length < SPARE_SLABS) this.spares.push(slab.buf);
  }

  private releaseBlob(slabId: number, length: number): void {
    const slab = this.slabs[slabId] as Slab;
    slab.live -= length;
    this.liveBytes -= length;
    if (slab.live === 0 && slabId !== this.head) this.freeSlab(slabId);
  }

  /**
   * When garbage passes 1/8 of the live bytes (plus two slabs of slack), moves the live blobs of the
   * emptiest slab to the head and frees it: one slab per write at most.
   */
  private compactStep(): void {
    const headSlab = this.slabs[this.head] as Slab;
    const garbage = this.arenaBytes - this.liveBytes - (headSlab.buf.length - headSlab.used);
    if (garbage <= this.liveBytes / 8 + 2 * this.slabBytes) return;
    let victim = NONE;
    let least = Number.POSITIVE_INFINITY;
    for (let id = 0; id < this.slabs.length; id++) {
      const slab = this.slabs[id];
      if (slab && id !== this.head && slab.live < least) {
        least = slab.live;
        victim = id;
      }
    }
    if (victim === NONE) return;
    const from = this.slabs[victim] as Slab;
    for (let at = 0; at < from.used; ) {
      const buf = from.buf;
      const s = buf.readUInt32LE(at);
      const acsLen = buf.readUInt16LE(at + ACS_LEN);
      const length = HEADER + buf.readUInt16LE(at + ID_LEN) + (acsLen === NO_ACS ? 0 : acsLen) + buf.readUInt32LE(at + STORED_LEN);
      if (this.slots.i(s, I_SLAB) === victim && this.slots.i(s, I_OFFSET) === at) {
        const to = this.reserve(length);
        const dest = this.slabs[to] as Slab;
        buf.copy(dest.buf, dest.used - length, at, at + length);
        from.live -= length;
        this.liveBytes -= length;
        this.place(s, to, dest.used - length, length);
      }
      at += length;
    }
    this.freeSlab(victim);
  }
}

function checkBounds(maxEntries: number, maxBytes: number): void {
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new RangeError('maxBytes must be a positive integer');
}
