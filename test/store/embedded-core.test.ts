import { expect } from 'chai';
import { BLOB_HEADER_BYTES, EmbeddedCore, type EmbeddedCoreOptions, ENTRY_OVERHEAD_BYTES } from '../../src/store/embedded-core.js';

// A settable clock: the core's expiry is checked without waiting real seconds.
function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe('embedded store core', () => {
  let cores: EmbeddedCore[] = [];
  const make = (maxEntries: number, now?: () => number, more: Partial<EmbeddedCoreOptions> = {}) => {
    const core = new EmbeddedCore({ maxEntries, maxBytes: 1 << 30, now, sweepIntervalMs: 60_000, ...more });
    cores.push(core);
    return core;
  };
  afterEach(() => {
    for (const c of cores) c.close();
    cores = [];
  });

  it('versions records from one sequence: every write the next number, mismatches refused', () => {
    const core = make(10);
    expect(core.create('a', '{"s":1}', 60)).to.deep.equal({ status: 'written', version: 1 });
    expect(core.create('a', '{"s":9}', 60)).to.deep.equal({ status: 'conflict' });
    expect(core.create('b', '{}', 60)).to.deep.equal({ status: 'written', version: 2 });
    expect(core.cas('a', 1, '{"s":2}', 60)).to.deep.equal({ status: 'written', version: 3 });
    expect(core.cas('a', 1, '{"s":3}', 60)).to.deep.equal({ status: 'conflict' });
    expect(core.cas('zz', 1, '{}', 60)).to.deep.equal({ status: 'missing' });
    expect(core.get('a', 60)).to.deep.equal({ status: 'found', id: 'a', value: '{"s":2}', version: 3 });
  });

  it('never gives an ID a version it had before: created again after eviction, expiry or delete', () => {
    // A worker's L1 may still hold the old record at its last version; getIfNewer with that version must
    // send the new record, not answer "unchanged".
    const c = clock();
    const core = make(2, c.now);
    const ways: [string, (id: string) => void][] = [
      [
        'evicted',
        () => {
          for (const x of ['x1', 'x2']) core.create(x, '{}', 60);
        },
      ],
      [
        'expired',
        () => {
          c.t += 61_000;
        },
      ],
      ['deleted', (id) => core.delete(id)],
    ];
    for (const [how, remove] of ways) {
      const id = `rec-${how}`;
      const first = core.create(id, '{"old":1}', 60);
      const old = core.cas(id, (first as { version: number }).version, '{"old":2}', 60) as { version: number };
      remove(id);
      expect(core.get(id, 60).status, how).to.equal('missing');
      const again = core.create(id, '{"new":1}', 60) as { version: number };
      const next = core.cas(id, again.version, '{"new":2}', 60) as { version: number };
      expect(again.version, how).to.be.above(old.version);
      expect(next.version, how).to.be.above(again.version);
      expect(core.getIfNewer(id, old.version, 60), how).to.deep.equal({ status: 'found', id, value: '{"new":2}', version: next.version });
      expect(core.cas(id, old.version, '{"stale":1}', 60), how).to.deep.equal({ status: 'conflict' });
    }
  });

  it('getIfNewer sends the value only when the version differs', () => {
    const core = make(10);
    const v1 = (core.create('a', '{"s":1}', 60) as { version: number }).version;
    expect(core.getIfNewer('a', v1, 60)).to.deep.equal({ status: 'unchanged', version: v1 });
    const v2 = (core.cas('a', v1, '{"s":2}', 60) as { version: number }).version;
    expect(core.getIfNewer('a', v1, 60)).to.deep.equal({ status: 'found', id: 'a', value: '{"s":2}', version: v2 });
    expect(core.getIfNewer('b', v1, 60)).to.deep.equal({ status: 'missing' });
  });

  it('expires a record TTL after its last access, and every access (get, getIfNewer, index) restarts the TTL', () => {
    const c = clock();
    const core = make(10, c.now);
    core.create('a', '{}', 10, 'acs-a');
    core.create('b', '{}', 10);
    c.t += 9_000;
    core.get('a', 10);
    c.t += 9_000;
    core.getIfNewer('a', 1, 10);
    c.t += 9_000;
    core.getByIndex('acs-a', 10);
    c.t += 9_000;
    expect(core.get('b', 10).status).to.equal('missing');
    expect(core.get('a', 10).status).to.equal('found');
    c.t += 10_000;
    expect(core.get('a', 10).status).to.equal('missing');
    expect(core.getByIndex('acs-a', 10).status).to.equal('missing');
  });

  it('lets a record expired in place be created again, at a version above the old one', () => {
    const c = clock();
    const core = make(10, c.now);
    const old = core.create('a', '{"old":1}', 1) as { version: number };
    c.t += 1_000;
    expect(core.create('a', '{"new":1}', 1)).to.deep.equal({ status: 'written', version: old.version + 1 });
  });

  it('evicts the least recently used record beyond maxEntries, with its index entry', () => {
    const core = make(3);
    core.create('a', '{}', 60, 'acs-a');
    core.create('b', '{}', 60);
    core.create('c', '{}', 60);
    core.get('a', 60); // a is now the most recently used; b the least
    core.create('d', '{}', 60);
    expect(core.size).to.equal(3);
    expect(core.get('b', 60).status).to.equal('missing');
    expect(core.getByIndex('acs-a', 60).status).to.equal('found');
    core.create('e', '{}', 60);
    core.create('f', '{}', 60);
    core.create('g', '{}', 60);
    expect(core.getByIndex('acs-a', 60).status).to.equal('missing');
  });

  it('sweeps expired records from the least recently used end and stops at the first live one', () => {
    const c = clock();
    const core = make(100, c.now);
    for (let i = 0; i < 5; i++) core.create(`old${i}`, '{}', 10);
    c.t += 5_000;
    for (let i = 0; i < 3; i++) core.create(`new${i}`, '{}', 10);
    c.t += 6_000;
    expect(core.sweep()).to.equal(5);
    expect(core.size).to.equal(3);
    c.t += 5_000;
    expect(core.sweep()).to.equal(3);
    expect(core.size).to.equal(0);
  });

  it('keeps the index of a record updated without an acsTransID, and moves it when a new one is given', () => {
    const core = make(10);
    const v1 = (core.create('a', '{}', 60, 'acs-1') as { version: number }).version;
    const v2 = (core.cas('a', v1, '{"s":2}', 60) as { version: number }).version;
    expect(core.getByIndex('acs-1', 60)).to.deep.equal({ status: 'found', id: 'a', value: '{"s":2}', version: v2 });
    core.cas('a', v2, '{"s":3}', 60, 'acs-2');
    expect(core.getByIndex('acs-1', 60).status).to.equal('missing');
    expect(core.getByIndex('acs-2', 60).status).to.equal('found');
  });

  it('removes the index entry with the record on delete', () => {
    const core = make(10);
    core.create('a', '{}', 60, 'acs-a');
    core.delete('a');
    expect(core.getByIndex('acs-a', 60).status).to.equal('missing');
    expect(core.size).to.equal(0);
  });

  it('shrinks on resize, least recently used first', () => {
    const core = make(10);
    for (const id of ['a', 'b', 'c', 'd']) core.create(id, '{}', 60);
    core.resize(2);
    expect(core.get('a', 60).status).to.equal('missing');
    expect(core.get('d', 60).status).to.equal('found');
    expect(() => core.resize(0)).to.throw(RangeError);
    expect(() => core.resize(1, 0)).to.throw(RangeError);
  });

  it('bounds the bytes too: blobs (header, keys, value as held) plus the per-record overhead, least recently used first', () => {
    // 'a' + '{}' (too short to pack) after the header.
    const each = BLOB_HEADER_BYTES + 1 + 2 + ENTRY_OVERHEAD_BYTES;
    const core = make(100, undefined, { maxBytes: 3 * each });
    for (const id of ['a', 'b', 'c']) core.create(id, '{}', 60);
    expect(core.stats()).to.include({ entries: 3, bytes: 3 * each });
    core.get('a', 60);
    const d = core.create('d', '{}', 60) as { version: number };
    expect(core.size).to.equal(3);
    expect(core.get('b', 60).status).to.equal('missing');
    // A larger value pushes out as many of the least recently used as it takes.
    core.cas('d', d.version, `{"x":"${'é'.repeat(60)}"}`, 60);
    expect(core.size).to.equal(1);
    expect(core.get('d', 60)).to.deep.include({ status: 'found', value: `{"x":"${'é'.repeat(60)}"}` });
    // The record just written stays even when it alone is over the bound.
    core.create('huge', 'x'.repeat(1000), 60);
    expect(core.size).to.equal(1);
    expect(core.get('huge', 60).status).to.equal('found');
    core.resize(100, 5 * each);
    expect(core.size).to.equal(0);
  });

  it('keeps any UTF-8 in values and keys, records larger than a slab, and refuses keys over 65534 bytes', () => {
    const core = make(100, undefined, { slabBytes: 256 });
    const value = JSON.stringify({ merchantName: 'Café Zürich 🍫', note: '\u0000 and "quotes"' });
    core.create('ключ-🔑', value, 60, 'acs-ü');
    expect(core.get('ключ-🔑', 60)).to.deep.equal({ status: 'found', id: 'ключ-🔑', value, version: 1 });
    expect(core.getByIndex('acs-ü', 60)).to.deep.equal({ status: 'found', id: 'ключ-🔑', value, version: 1 });
    expect(core.get('ключ-', 60).status).to.equal('missing');
    const big = 'y'.repeat(5000);
    core.create('big', big, 60);
    expect(core.get('big', 60)).to.deep.include({ value: big });
    expect(() => core.create('k'.repeat(65535), '{}', 60)).to.throw(RangeError);
  });

  it('finds every key after heavy churn: table growth and deletions keep each probe chain whole', () => {
    const core = make(1_000_000, undefined, { slabBytes: 4096 });
    const n = 20_000;
    const versions: number[] = [];
    for (let i = 0; i < n; i++) versions.push((core.create(`id-${i}`, `{"i":${i}}`, 60, `acs-${i}`) as { version: number }).version);
    for (let i = 0; i < n; i += 3) core.delete(`id-${i}`);
    for (let i = 1; i < n; i += 3)
      versions[i] = (core.cas(`id-${i}`, versions[i] as number, `{"i":${i},"v":2}`, 60, `acs2-${i}`) as { version: number }).version;
    for (let i = 0; i < n; i++) {
      const r = core.get(`id-${i}`, 60);
      if (i % 3 === 0) expect(r.status, `id-${i}`).to.equal('missing');
      else
        expect(r, `id-${i}`).to.deep.equal({
          status: 'found',
          id: `id-${i}`,
          value: i % 3 === 1 ? `{"i":${i},"v":2}` : `{"i":${i}}`,
          version: versions[i],
        });
      const byOld = core.getByIndex(`acs-${i}`, 60).status;
      expect(byOld, `acs-${i}`).to.equal(i % 3 === 2 ? 'found' : 'missing');
      if (i % 3 === 1) expect(core.getByIndex(`acs2-${i}`, 60).status).to.equal('found');
    }
    expect(core.size).to.equal(n - Math.ceil(n / 3));
  });

  it('compacts the arena: rewrites leave at most about 1/8 of garbage, and every record reads back intact', () => {
    const slabBytes = 2048;
    const core = make(100_000, undefined, { slabBytes });
    const value = (i: number, round: number) => JSON.stringify({ i, round, pad: 'p'.repeat((i * 7) % 90) });
    const n = 500;
    for (let i = 0; i < n; i++) core.create(`r${i}`, value(i, 0), 60, `a${i}`);
    for (let round = 1; round <= 20; round++) {
      // Rewrite a shifting subset, so garbage lands in every slab rather than in whole slabs.
      for (let i = round % 3; i < n; i += 3) core.cas(`r${i}`, (core.get(`r${i}`, 60) as { version: number }).version, value(i, round), 60);
      const st = core.stats();
      const live = st.bytes - st.entries * ENTRY_OVERHEAD_BYTES;
      expect(st.arenaBytes, `round ${round}`).to.be.at.most(live * 1.125 + 4 * slabBytes);
    }
    for (let i = 0; i < n; i++) {
      const r = core.getByIndex(`a${i}`, 60);
      expect(r.status === 'found' && JSON.parse(r.value).i, `r${i}`).to.equal(i);
    }
    // Exact accounting: with every record gone, nothing is counted and only the head slab is left.
    for (let i = 0; i < n; i++) core.delete(`r${i}`);
    expect(core.stats()).to.include({ entries: 0, bytes: 0 });
    expect(core.stats().arenaBytes).to.be.at.most(slabBytes);
  });

  /** Runs the same random operations on the core and the model; every answer and the size must agree. */
  function againstModel(o: {
    ids: number;
    acsIds: number;
    maxEntries: number;
    maxBytes?: number;
    steps: number;
    slabBytes: number;
    seed: number;
    tick: number;
    initialBuckets?: number;
  }) {
    const c = clock();
    const model = new ModelStore(o.maxEntries, o.maxBytes ?? Number.POSITIVE_INFINITY, c.now);
    const core = make(o.maxEntries, c.now, {
      maxBytes: o.maxBytes ?? 2 ** 40,
      slabBytes: o.slabBytes,
      ...(o.initialBuckets && { initialBuckets: o.initialBuckets }),
    });
    let seed = o.seed;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let step = 0; step < o.steps; step++) {
      const id = `t${rnd(o.ids)}`;
      const acs = rnd(4) === 0 ? undefined : `acs${rnd(o.acsIds)}`;
      const value = JSON.stringify({ step, pad: 'v'.repeat(rnd(120)) });
      const ttl = 1 + rnd(30);
      const k = rnd(100);
      // Versions come from one sequence: the ID's current one mostly (so writes succeed), else an older one.
      const current = model.versionOf(id);
      const version = current !== undefined && rnd(3) !== 0 ? current : 1 + rnd(Math.max(1, current ?? model.lastVersion));
      const op =
        k < 25
          ? (['create', id, value, ttl, acs] as const)
          : k < 45
            ? (['cas', id, version, value, ttl, rnd(3) === 0 ? acs : undefined] as const)
            : k < 65
              ? (['get', id, ttl] as const)
              : k < 75
                ? (['getIfNewer', id, version, ttl] as const)
                : k < 90
                  ? (['getByIndex', `acs${rnd(o.acsIds)}`, ttl] as const)
                  : k < 95
                    ? (['delete', id] as const)
                    : (['sweep'] as const);
      // biome-ignore lint/suspicious/noExplicitAny: the same operation applied to both
      const apply = (s: any) => (op[0] === 'sweep' ? s.sweep() : s[op[0]](...op.slice(1)));
      expect(apply(core), `step ${step}: ${JSON.stringify(op)}`).to.deep.equal(apply(model));
      expect(core.size, `size after step ${step}`).to.equal(model.size);
      c.t += rnd(o.tick);
    }
  }

  it('behaves like a plain map-and-list model over a random run of operations, bounded by bytes', () => {
    againstModel({ ids: 80, acsIds: 60, maxEntries: 40, maxBytes: 4000, steps: 20_000, slabBytes: 512, seed: 42, tick: 1500 });
  });

  it('behaves like the model while its tables grow: thousands of keys, operations during every migration', () => {
    // Tables from 8 buckets: they grow (and migrate) over and over as the count climbs towards 3,000,
    // and the clock moves slowly enough that records live through many migrations.
    againstModel({ ids: 4000, acsIds: 3500, maxEntries: 3000, steps: 60_000, slabBytes: 4096, seed: 7, tick: 2, initialBuckets: 8 });
  });
});

/**
 * The store's semantics without any of its layout: a Map in recency order and a Map for the index,
 * bytes counted as the core counts them.
 */
class ModelStore {
  private readonly records = new Map<string, { value: string; version: number; expiresAt: number; acs: string | undefined }>();
  private readonly index = new Map<string, string>();
  /** The store-wide version sequence. */
  lastVersion = 0;
  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
    private readonly now: () => number,
  ) {}
  get size() {
    return this.records.size;
  }
  /** The version the ID's record holds, expired or not, without touching it (to choose operations). */
  versionOf(id: string): number | undefined {
    return this.records.get(id)?.version;
  }
  private bytes(): number {
    let b = 0;
    // The run's values are never smaller packed (no fragment, runs too long to remember): held as they are.
    for (const [id, e] of this.records)
      b += BLOB_HEADER_BYTES + Buffer.byteLength(id) + Buffer.byteLength(e.acs ?? '') + Buffer.byteLength(e.value) + ENTRY_OVERHEAD_BYTES;
    return b;
  }
  private live(id: string) {
    const e = this.records.get(id);
    if (e && e.expiresAt <= this.now()) {
      this.remove(id);
      return undefined;
    }
    return e;
  }
  private remove(id: string) {
    const e = this.records.get(id);
    this.records.delete(id);
    if (e?.acs !== undefined && this.index.get(e.acs) === id) this.index.delete(e.acs);
  }
  private touch(id: string, ttl: number) {
    const e = this.records.get(id) as NonNullable<ReturnType<ModelStore['live']>>;
    e.expiresAt = this.now() + ttl * 1000;
    this.records.delete(id);
    this.records.set(id, e);
  }
  private setIndex(id: string, acs: string | undefined) {
    const e = this.records.get(id) as NonNullable<ReturnType<ModelStore['live']>>;
    if (acs === undefined || acs === e.acs) return;
    if (e.acs !== undefined && this.index.get(e.acs) === id) this.index.delete(e.acs);
    e.acs = acs;
    this.index.set(acs, id);
  }
  private evict(keep: string | undefined) {
    for (const id of this.records.keys()) {
      if (
        !(this.records.size > this.maxEntries || (this.maxBytes !== Number.POSITIVE_INFINITY && this.bytes() > this.maxBytes)) ||
        id === keep
      )
        return;
      this.remove(id);
    }
  }
  get(id: string, ttl: number) {
    const e = this.live(id);
    if (!e) return { status: 'missing' };
    this.touch(id, ttl);
    return { status: 'found', id, value: e.value, version: e.version };
  }
  getIfNewer(id: string, version: number, ttl: number) {
    const e = this.live(id);
    if (!e) return { status: 'missing' };
    this.touch(id, ttl);
    return e.version === version ? { status: 'unchanged', version } : { status: 'found', id, value: e.value, version: e.version };
  }
  getByIndex(acs: string, ttl: number) {
    const id = this.index.get(acs);
    if (id === undefined) return { status: 'missing' };
    const e = this.live(id);
    if (!e || e.acs !== acs) return { status: 'missing' };
    this.touch(id, ttl);
    return { status: 'found', id, value: e.value, version: e.version };
  }
  create(id: string, value: string, ttl: number, acs?: string) {
    if (this.live(id)) return { status: 'conflict' };
    const version = ++this.lastVersion;
    this.records.set(id, { value, version, expiresAt: 0, acs: undefined });
    this.setIndex(id, acs);
    this.touch(id, ttl);
    this.evict(id);
    return { status: 'written', version };
  }
  cas(id: string, expected: number, value: string, ttl: number, acs?: string) {
    const e = this.live(id);
    if (!e) return { status: 'missing' };
    if (e.version !== expected) return { status: 'conflict' };
    e.value = value;
    e.version = ++this.lastVersion;
    this.setIndex(id, acs);
    this.touch(id, ttl);
    this.evict(id);
    return { status: 'written', version: e.version };
  }
  delete(id: string) {
    if (this.records.has(id)) this.remove(id);
  }
  sweep() {
    let removed = 0;
    for (const [id, e] of this.records) {
      if (e.expiresAt > this.now()) break;
      this.remove(id);
      removed++;
    }
    return removed;
  }
}
