import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { StoreOp, StoreOpResult } from '../../src/ipc.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import { createEmbeddedL2 } from '../../src/store/embedded-client.js';
import { createEmbeddedHost, type EmbeddedHost } from '../../src/store/embedded-host.js';
import { mutate } from '../../src/store/store.js';
import { TieredStore } from '../../src/store/tiered-store.js';
import { expectRejection } from '../helpers/expect-error.js';
import { storeContract } from './store-contract.js';

const logger = createLogger('silent');
type Rec = Record<string, unknown>;
const CACHE = { maxEntries: 10_000, maxBytes: 16 * 1024 * 1024, ttlSeconds: 60 };

/** A "worker": its own L1 and metrics over the shared host; counts the L2 operations it sends. */
function worker(
  host: EmbeddedHost,
  opts: { ttlSeconds?: number; cache?: typeof CACHE; isImmutable?: (r: Rec) => boolean; now?: () => number } = {},
) {
  const metrics = createMetrics('worker', { defaults: false });
  const ops: StoreOp['op'][] = [];
  // JSON round trip both ways, as over the IPC channel; a macrotask hop so replies interleave as they would.
  const call = (op: StoreOp): Promise<StoreOpResult> =>
    new Promise((resolve, reject) => {
      ops.push(op.op);
      const wire = JSON.parse(JSON.stringify(op)) as StoreOp;
      setImmediate(() => {
        try {
          resolve(JSON.parse(JSON.stringify(host.handle(wire))) as StoreOpResult);
        } catch (err) {
          reject(err);
        }
      });
    });
  const store = new TieredStore<Rec>({
    l2: createEmbeddedL2({ call, timeoutMs: 1000 }),
    ttlSeconds: opts.ttlSeconds ?? 60,
    cache: opts.cache ?? CACHE,
    metrics,
    isImmutable: opts.isImmutable,
    now: opts.now,
  });
  return { store, metrics, ops };
}

async function counter(metrics: Metrics, name: 'store_l1_hits_total' | 'store_l1_misses_total'): Promise<number> {
  return (await metrics.counter(name).get()).values[0]?.value ?? 0;
}

const isFinal = (r: Rec) => r.final === true;

describe('tiered store (L1 lru-cache over L2)', () => {
  describe('over the embedded L2', () => {
    storeContract(async ({ ttlSeconds }) => {
      // One clock for L1 and the host, as the TTLs of both run on the machine's.
      let t = 1_000_000;
      const now = () => t;
      const host = createEmbeddedHost({ maxEntries: 10_000, logger, metrics: createMetrics('primary'), now });
      const { store } = worker(host, { ttlSeconds, cache: { ...CACHE, ttlSeconds }, now });
      return {
        store,
        advance: (ms) => {
          t += ms;
        },
        async close() {
          await store.close();
          host.close();
        },
      };
    });
  });

  describe('coherence between workers', () => {
    let host: EmbeddedHost;
    beforeEach(() => {
      host = createEmbeddedHost({ maxEntries: 100_000, logger, metrics: createMetrics('primary') });
    });
    afterEach(() => host.close());

    it('a read on worker B after a write acknowledged on worker A always sees that write (3000 rounds)', async () => {
      const a = worker(host, { isImmutable: isFinal });
      const b = worker(host, { isImmutable: isFinal });
      const id = randomUUID();
      let written = await a.store.create(id, { n: 0 });
      await b.store.get(id); // B's L1 now holds the created version
      for (let i = 1; i <= 3000; i++) {
        written = await a.store.update(id, written.version, { n: i });
        const seen = await b.store.get(id);
        expect(seen?.version, `round ${i}`).to.equal(written.version);
        expect(seen?.value).to.deep.equal({ n: i });
      }
    });

    it('does not serve an L1 copy of a record that L2 evicted and another worker created again', async () => {
      // L2 holds two records: two more push the first one out while B still holds it in its L1.
      const small = createEmbeddedHost({ maxEntries: 2, logger, metrics: createMetrics('primary') });
      try {
        const a = worker(small);
        const b = worker(small);
        const id = randomUUID();
        const old = await a.store.create(id, { life: 1 });
        await a.store.update(id, old.version, { life: 1, step: 2 });
        expect((await b.store.get(id))?.value).to.deep.equal({ life: 1, step: 2 });
        await a.store.create(randomUUID(), {});
        await a.store.create(randomUUID(), {});
        expect(await a.store.get(id), 'evicted from L2').to.equal(null);
        const again = await a.store.create(id, { life: 2 });
        await a.store.update(id, again.version, { life: 2, step: 2 });
        expect((await b.store.get(id))?.value).to.deep.equal({ life: 2, step: 2 });
      } finally {
        small.close();
      }
    });

    it('readers racing a writer never see a version older than the last acknowledged write', async () => {
      const workers = [worker(host), worker(host), worker(host)];
      const id = randomUUID();
      await workers[0]?.store.create(id, { n: 0 });
      let acknowledged = 1;
      let done = false;
      const violations: string[] = [];
      const reader = async (w: (typeof workers)[number]) => {
        while (!done) {
          const floor = acknowledged;
          const r = await w.store.get(id);
          if (!r || r.version < floor) violations.push(`read ${r?.version} after ${floor} was acknowledged`);
          // A store answering from memory would otherwise starve the writer of the event loop.
          await new Promise((resolve) => setImmediate(resolve));
        }
      };
      const readers = workers.flatMap((w) => [reader(w), reader(w)]);
      for (let i = 0; i < 1500; i++) {
        // Writers alternate between workers, so each one's L1 holds versions others have superseded.
        const w = workers[i % workers.length] as (typeof workers)[number];
        const r = await mutate(w.store, id, (cur) => ({ n: (cur.n as number) + 1 }), undefined, 50);
        acknowledged = Math.max(acknowledged, r?.version ?? 0);
      }
      done = true;
      await Promise.all(readers);
      expect(violations).to.deep.equal([]);
      expect((await workers[1]?.store.get(id))?.value).to.deep.equal({ n: 1500 });
    });

    it('serves immutable records from L1 without asking L2, and validates mutable ones every time', async () => {
      const a = worker(host, { isImmutable: isFinal });
      const b = worker(host, { isImmutable: isFinal });
      const id = randomUUID();
      await a.store.create(id, { step: 'challenge' });
      await b.store.get(id);
      const opsBefore = b.ops.length;
      for (let i = 0; i < 10; i++) await b.store.get(id);
      expect(b.ops.length - opsBefore, 'mutable: one validation per read').to.equal(10);
      expect(b.ops.slice(opsBefore).every((op) => op === 'getIfNewer')).to.equal(true);

      const final = await mutate(a.store, id, () => ({ step: 'done', final: true }));
      expect((await b.store.get(id))?.value).to.deep.equal({ step: 'done', final: true });
      const hitsBefore = await counter(b.metrics, 'store_l1_hits_total');
      const opsAtFinal = b.ops.length;
      for (let i = 0; i < 10; i++) expect((await b.store.get(id))?.version).to.equal(final?.version);
      expect(b.ops.length, 'immutable: no L2 round trip').to.equal(opsAtFinal);
      expect((await counter(b.metrics, 'store_l1_hits_total')) - hitsBefore).to.equal(10);
    });

    it('refuses to update a record it holds as immutable', async () => {
      const a = worker(host, { isImmutable: isFinal });
      const id = randomUUID();
      const created = await a.store.create(id, { final: true });
      await expectRejection(a.store.update(id, created.version, { final: false }), Error, /is final: its record cannot change/);
      expect((await a.store.get(id))?.value).to.deep.equal({ final: true });
    });

    it('finds records by acsTransID through L1 once the mapping is known', async () => {
      const a = worker(host, { isImmutable: isFinal });
      const b = worker(host, { isImmutable: isFinal });
      const id = randomUUID();
      const acs = randomUUID();
      await a.store.create(id, { final: true }, { acsTransID: acs });
      expect((await b.store.getByAcsTransID(acs))?.value).to.deep.equal({ final: true });
      const ops = b.ops.length;
      expect((await b.store.getByAcsTransID(acs))?.value).to.deep.equal({ final: true });
      expect(b.ops.length).to.equal(ops);
    });

    it('hands out frozen records, so a caller cannot edit the cached copy in place', async () => {
      const a = worker(host);
      const id = randomUUID();
      await a.store.create(id, { nested: { n: 1 } });
      const r = await a.store.get(id);
      if (!r) throw new Error('record missing');
      expect(Object.isFrozen(r.value)).to.equal(true);
      expect(() => {
        (r.value.nested as Rec).n = 2;
      }).to.throw(TypeError);
      expect((await a.store.get(id))?.value).to.deep.equal({ nested: { n: 1 } });
    });

    it('stays within cache.maxBytes and cache.maxEntries, and reports its entries', async () => {
      const small = worker(host, { cache: { maxEntries: 1000, maxBytes: 4096, ttlSeconds: 60 } });
      const filler = 'x'.repeat(900);
      for (let i = 0; i < 20; i++) await small.store.create(randomUUID(), { filler });
      const entries = (await small.metrics.gauge('store_l1_entries').get()).values[0]?.value ?? 0;
      expect(entries).to.be.greaterThan(0).and.at.most(4);

      const few = worker(host, { cache: { maxEntries: 5, maxBytes: 1 << 20, ttlSeconds: 60 } });
      for (let i = 0; i < 20; i++) await few.store.create(randomUUID(), { i });
      expect((await few.metrics.gauge('store_l1_entries').get()).values[0]?.value).to.equal(5);
    });

    it('counts a read that needed L2 as a miss', async () => {
      const a = worker(host);
      const id = randomUUID();
      await a.store.create(id, { step: 'x' });
      await a.store.get(id);
      await a.store.get(randomUUID());
      expect(await counter(a.metrics, 'store_l1_misses_total')).to.equal(2);
      expect(await counter(a.metrics, 'store_l1_hits_total')).to.equal(0);
    });
  });
});
