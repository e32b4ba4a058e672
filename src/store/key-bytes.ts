// A store key as UTF-8 bytes in a reused buffer with a seeded hash: probes compare bytes in place, and clients cannot aim keys at one chain.

/** Key lengths are u16s in a blob's header, and 0xffff there means "no acsTransID" (blob-arena.ts). */
const MAX_KEY_BYTES = 0xfffe;

/** A key's UTF-8 bytes in a reusable buffer, and its hash. */
export class KeyBytes {
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
