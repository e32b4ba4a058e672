// Per-record metadata of the embedded store in typed-array pages: nothing per record on the JS heap, and growth adds a page, never a copy.

/** No slot (and no slab): ends the recency list, the free list and every chain walk. */
export const NONE = -1;

// A slot: 14 int32 words; words 0-3 are two float64s (version, expiry).
const PAGE_BITS = 16;
const PAGE_SLOTS = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SLOTS - 1;
const WORDS = 14;
export const F_VERSION = 0;
export const F_EXPIRES = 1;
export const I_SLAB = 4;
export const I_OFFSET = 5;
export const I_LENGTH = 6;
export const I_PREV = 7;
export const I_NEXT = 8;
export const I_ID_HASH = 9;
export const I_ACS_HASH = 10;
export const I_ID_CHAIN = 11;
export const I_ACS_CHAIN = 12;

/**
 * Slot metadata in pages of PAGE_SLOTS slots (one ArrayBuffer each, int32 and float64 views). A slot is
 * 56 bytes: version, expiry, blob location, LRU links, key hashes and chains; more records add pages,
 * nothing is ever copied to grow.
 */
export class SlotPages {
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
