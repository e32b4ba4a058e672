import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createLogger } from '../../../src/logger.js';
import { createMetrics } from '../../../src/metrics.js';
import { L2Store } from '../../../src/store/l2-store.js';
import { createRedisL2, type RedisL2 } from '../../../src/store/redis-l2.js';
import { TieredStore } from '../../../src/store/tiered-store.js';
import {
  cli,
  type RedisCluster,
  type RedisSentinel,
  type RedisServer,
  requireRedis,
  startRedis,
  startRedisCluster,
  startRedisSentinel,
  waitFor,
} from '../../helpers/redis.js';
import { storeContract } from '../../store/store-contract.js';

const logger = createLogger('silent');
const CACHE = { maxEntries: 10_000, maxBytes: 16 * 1024 * 1024, ttlSeconds: 60 };

function redisConfig(over: { url?: string; mode?: string; nodes?: string[] }) {
  return { url: '', mode: 'standalone', nodes: [], sentinelName: 'mymaster', password: '', connectTimeoutMs: 2000, ...over };
}

async function connected(over: Parameters<typeof redisConfig>[0], prefix = `t${randomUUID().slice(0, 8)}`): Promise<RedisL2> {
  const l2 = createRedisL2({ redis: redisConfig(over), prefix, commandTimeoutMs: 1000, logger });
  await l2.settled(5000);
  await waitFor(() => l2.isReady(), 10_000, 'redis ready');
  return l2;
}

describe('Redis L2', function () {
  this.timeout(30_000);
  let server: RedisServer;

  before(async function () {
    requireRedis(this);
    server = await startRedis();
  });
  after(async () => {
    await server?.close();
  });

  describe('standalone', () => {
    storeContract(async ({ ttlSeconds }) => {
      const store = new L2Store(await connected({ url: server.url }), ttlSeconds);
      return { store, close: () => store.close() };
    });
  });

  describe('tiered (L1 over Redis)', () => {
    storeContract(async ({ ttlSeconds }) => {
      const store = new TieredStore({
        l2: await connected({ url: server.url }),
        ttlSeconds,
        cache: { ...CACHE, ttlSeconds },
        metrics: createMetrics('worker', { defaults: false }),
      });
      return { store, close: () => store.close() };
    });

    it('keeps read-your-writes between two workers over Redis (1000 rounds)', async () => {
      const prefix = `t${randomUUID().slice(0, 8)}`;
      const make = async () =>
        new TieredStore({
          l2: await connected({ url: server.url }, prefix),
          ttlSeconds: 60,
          cache: CACHE,
          metrics: createMetrics('worker', { defaults: false }),
        });
      const a = await make();
      const b = await make();
      const id = randomUUID();
      let w = await a.create(id, { n: 0 });
      await b.get(id);
      for (let i = 1; i <= 1000; i++) {
        w = await a.update(id, w.version, { n: i });
        const r = await b.get(id);
        expect(r?.version, `round ${i}`).to.equal(w.version);
        expect(r?.value).to.deep.equal({ n: i });
      }
      await a.close();
      await b.close();
    });

    it('does not serve an L1 copy of a record Redis dropped (eviction) once another worker created it again', async () => {
      const prefix = `t${randomUUID().slice(0, 8)}`;
      const make = async () =>
        new TieredStore({
          l2: await connected({ url: server.url }, prefix),
          ttlSeconds: 60,
          cache: CACHE,
          metrics: createMetrics('worker', { defaults: false }),
        });
      const a = await make();
      const b = await make();
      const id = randomUUID();
      const old = await a.create(id, { life: 1 });
      await a.update(id, old.version, { life: 1, step: 2 });
      expect((await b.get(id))?.value).to.deep.equal({ life: 1, step: 2 });
      // What maxmemory eviction does: the key is gone, nothing tells the workers.
      expect((await cli(server.port, 'del', `${prefix}:${id}`)).trim()).to.equal('1');
      const again = await a.create(id, { life: 2 });
      await a.update(id, again.version, { life: 2, step: 2 });
      expect((await b.get(id))?.value).to.deep.equal({ life: 2, step: 2 });
      await a.close();
      await b.close();
    });
  });

  describe('key layout', () => {
    it('stores <prefix>:<id> as readable JSON and <prefix>:acs:<acsTransID> → id, both with the TTL', async () => {
      const prefix = `layout${randomUUID().slice(0, 8)}`;
      const store = new L2Store(await connected({ url: server.url }, prefix), 120);
      const id = randomUUID();
      const acs = randomUUID();
      const created = await store.create(id, { threeDSServerTransID: id, messageVersion: '2.2.0' }, { acsTransID: acs });
      const updated = await store.update(id, created.version, { threeDSServerTransID: id, messageVersion: '2.2.0', transStatus: 'Y' });
      const raw = (await cli(server.port, 'get', `${prefix}:${id}`)).trim();
      expect(JSON.parse(raw)).to.deep.equal({
        v: updated.version,
        a: acs,
        d: { threeDSServerTransID: id, messageVersion: '2.2.0', transStatus: 'Y' },
      });
      // The version is written as digits (Lua would write a number this large with an exponent).
      expect(raw).to.match(/^\{"v":[0-9]+,"a":/);
      expect((await cli(server.port, 'get', `${prefix}:acs:${acs}`)).trim()).to.equal(id);
      for (const key of [`${prefix}:${id}`, `${prefix}:acs:${acs}`]) {
        const ttl = Number((await cli(server.port, 'ttl', key)).trim());
        expect(ttl, key).to.be.within(100, 120);
      }
      await store.close();
    });

    it('uses the default prefix 3ds_transaction', async () => {
      const l2 = createRedisL2({ redis: redisConfig({ url: server.url }), prefix: '3ds_transaction', commandTimeoutMs: 1000, logger });
      await waitFor(() => l2.isReady(), 10_000, 'redis ready');
      const id = randomUUID();
      await new L2Store(l2, 60).create(id, { x: 1 });
      expect((await cli(server.port, 'exists', `3ds_transaction:${id}`)).trim()).to.equal('1');
      await l2.close();
    });
  });

  describe('sentinel', () => {
    let sentinel: RedisSentinel;
    before(async () => {
      sentinel = await startRedisSentinel(server.port, 'm3ds');
    });
    after(async () => {
      await sentinel?.close();
    });

    storeContract(async ({ ttlSeconds }) => {
      const l2 = createRedisL2({
        redis: { ...redisConfig({ mode: 'sentinel', nodes: [sentinel.node] }), sentinelName: 'm3ds' },
        prefix: `s${randomUUID().slice(0, 8)}`,
        commandTimeoutMs: 1000,
        logger,
      });
      await waitFor(() => l2.isReady(), 10_000, 'redis ready through sentinel');
      const store = new L2Store(l2, ttlSeconds);
      return { store, close: () => store.close() };
    });
  });

  describe('cluster (3 masters)', () => {
    let cluster: RedisCluster;
    before(async function () {
      this.timeout(40_000);
      cluster = await startRedisCluster(3);
    });
    after(async () => {
      await cluster?.close();
    });

    storeContract(async ({ ttlSeconds }) => {
      const store = new L2Store(await connected({ mode: 'cluster', nodes: cluster.nodes }), ttlSeconds);
      return { store, close: () => store.close() };
    });

    it('spreads records over the nodes (keys are not forced into one slot)', async () => {
      const prefix = `spread${randomUUID().slice(0, 8)}`;
      const store = new L2Store(await connected({ mode: 'cluster', nodes: cluster.nodes }, prefix), 60);
      for (let i = 0; i < 30; i++) await store.create(randomUUID(), { i });
      const perNode = await Promise.all(
        cluster.nodes.map(
          async (n) => (await cli(Number(n.split(':')[1]), '--scan', '--pattern', `${prefix}:*`)).split('\n').filter(Boolean).length,
        ),
      );
      expect(perNode.reduce((x, y) => x + y, 0)).to.equal(30);
      expect(perNode.filter((c) => c > 0).length).to.equal(3);
      await store.close();
    });
  });
});
