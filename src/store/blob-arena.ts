// Record bytes of the embedded store, as blobs in large Buffer slabs compacted a slab at a time: off the JS heap, with garbage bounded.
import type { KeyBytes } from './key-bytes.js';
import { packedBound, packRecord, unpackRecord } from './record-codec.js';
import { I_LENGTH, I_OFFSET, I_SLAB, NONE, type SlotPages } from './slot-pages.js';

/** Bytes before a blob's keys: slot, stored length, unpacked length (0: stored as is), key lengths. */
export const BLOB_HEADER_BYTES = 16;

export const HEADER = BLOB_HEADER_BYTES;
const STORED_LEN = 4;
const RAW_LEN = 8;
export const ID_LEN = 12;
export const ACS_LEN = 14;
/** An acsTransID length that says the record has none (keys are at most 0xfffe bytes, key-bytes.ts). */
export const NO_ACS = 0xffff;
const SPARE_SLABS = 2;

interface Slab {
  buf: Buffer;
  /** Bytes appended so far. */
  used: number;
  /** Bytes of the blobs in it that records still point at. */
  live: number;
}

/**
 * Record bytes in slabs. A write appends one blob: a 16-byte header (slot, stored length, unpacked length
 * or 0, key lengths), the ID, the acsTransID, and the value packed by record-codec.ts (a third to a half
 * of its JSON). The blob it replaces is garbage; when garbage passes 1/8 of the live bytes (plus two
 * slabs), that write also moves the live blobs of the emptiest slab to the head and frees it: the arena
 * stays within ~1/8 of what it holds, and one write never copies more than a slab. Each blob's location
 * is kept in its record's slot.
 */
export class BlobArena {
  private slabs: (Slab | undefined)[] = [];
  private freeSlabIds: number[] = [];
  private spares: Buffer[] = [];
  private head = NONE;
  /** Bytes of the slabs, live or not. */
  arenaBytes = 0;
  /** Bytes of the blobs records point at. */
  liveBytes = 0;
  /** A value's UTF-8 (writes) or unpacked bytes (reads), and its packed form. */
  private text = Buffer.allocUnsafeSlow(8192);
  private packed = Buffer.allocUnsafeSlow(8192);

  constructor(
    private readonly slots: SlotPages,
    private readonly slabBytes: number,
  ) {}

  slabAt(s: number): Slab {
    return this.slabs[this.slots.i(s, I_SLAB)] as Slab;
  }

  blobStart(s: number): number {
    return this.slots.i(s, I_OFFSET);
  }

  u16(s: number, field: typeof ID_LEN | typeof ACS_LEN): number {
    const buf = this.slabAt(s).buf;
    const at = this.blobStart(s) + field;
    return (buf[at] as number) | ((buf[at + 1] as number) << 8);
  }

  sameBytes(s: number, from: number, n: number, key: KeyBytes): boolean {
    if (n !== key.n) return false;
    const buf = this.slabAt(s).buf;
    const at = this.blobStart(s) + from;
    const k = key.buf;
    for (let i = 0; i < n; i++) if (buf[at + i] !== k[i]) return false;
    return true;
  }

  valueOf(s: number): string {
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

  /** Appends slot `s`'s blob (the value packed when that makes it smaller) and points the slot at it. */
  writeBlob(s: number, id: KeyBytes, acsKey: KeyBytes | undefined, value: string): void {
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

  releaseBlob(slabId: number, length: number): void {
    const slab = this.slabs[slabId] as Slab;
    slab.live -= length;
    this.liveBytes -= length;
    if (slab.live === 0 && slabId !== this.head) this.freeSlab(slabId);
  }

  /**
   * When garbage passes 1/8 of the live bytes (plus two slabs of slack), moves the live blobs of the
   * emptiest slab to the head and frees it: one slab per write at most.
   */
  compactStep(): void {
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

  clear(): void {
    this.liveBytes = this.arenaBytes = 0;
    this.slabs = [];
    this.freeSlabIds = [];
    this.spares = [];
    this.head = NONE;
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
}
