// The embedded store's key → slot hash tables, chained through the slots (no heap object per key) and grown a few buckets per write (no rehash stall).
import type { KeyBytes } from './key-bytes.js';
import { NONE, type SlotPages } from './slot-pages.js';

/** Old buckets a write moves while a table grows: done long before the table can need to grow again. */
const MIGRATE_STEP = 8;

/**
 * Key → slot, chained through a field of the slots (slot + 1; 0 ends a chain or marks an empty bucket),
 * load ≤ 1; keys are compared against the bytes in the blob (`matches`). Doubling keeps the old bucket
 * array until every write has moved MIGRATE_STEP of its buckets (from the front: an old bucket below the
 * cursor has moved), so no write pays for a rehash.
 */
export class ChainTable {
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
