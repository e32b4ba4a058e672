// The Redis lease source against a real redis-server: the Lua script grants what the primary's counters
// grant, windows expire in Redis, lease stores over it are exact across "workers", and in the pipeline it
// runs over the store's connection (CLIENT LIST: one connection per worker, not two).
import { setImmediate as tick } from 'node:timers/promises';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import request from 'supertest';
import { loadConfig } from '../../../../src/config/index.js';
import { createApp } from '../../../../src/http/app.js';
import { RateLimitCounters } from '../../../../src/http/rate-limit/lease-counters.js';
import { LEASE_TOLERANCE, LeaseStore, leaseDivisor } from '../../../../src/http/rate-limit/lease-store.js';
import { rateLimitKeyPrefix, redisLeaseSource } from '../../../../src/http/rate-limit/redis-lease-source.js';
import { createStore } from '../../../../src/store/create-store.js';
import { testDeps } from '../../../helpers/app-deps.js';
import { cli, type RedisServer, requireRedis, startRedis, waitFor } from '../../../helpers/redis.js';

describe('rate limit leases in Redis', function () {
  this.timeout(20_000);
  let server: RedisServer;
  let redis: Redis;
  let n = 0;
  const key = () => `test-${process.pid}-${++n}`;

  before(async function () {
    requireRedis(this);
    server = await startRedis({ appendonly: false });
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  after(async () => {
    await redis?.quit();
    await server?.close();
  });

  it('grants the same leases as the primary counters for the same requests', async () => {
    const source = redisLeaseSource(redis, 'rl:');
    const counters = new RateLimitCounters();
    try {
      const k = key();
      const fromRedis: number[] = [];
      const fromPrimary: number[] = [];
      for (let i = 0; i < 400; i++) {
        const wants = [1000, 3, 50][i % 3] as number;
        const req = { key: k, windowMs: 60_000, max: 1500, want: wants, divisor: 40 };
        fromRedis.push((await source.lease(req)).granted);
        fromPrimary.push(counters.lease(req).granted);
      }
      expect(fromRedis).to.deep.equal(fromPrimary);
      expect(fromRedis.reduce((a, b) => a + b, 0)).to.equal(1500);
      expect(fromRedis.at(-1)).to.equal(0);
    } finally {
      counters.close();
    }
  });

  it('opens the window with PEXPIRE and reports its end; reset deletes the key', async () => {
    const source = redisLeaseSource(redis, 'rl:');
    const k = key();
    const before = Date.now();
    const g = await source.lease({ key: k, windowMs: 30_000, max: 10, want: 10, divisor: 1 });
    expect(g).to.include({ granted: 10, used: 10 });
    expect(g.resetTime).to.be.within(before + 25_000, Date.now() + 30_000);
    const pttl = await redis.pttl(`rl:${k}`);
    expect(pttl).to.be.within(1, 30_000);
    expect((await source.lease({ key: k, windowMs: 30_000, max: 10, want: 10, divisor: 1 })).granted).to.equal(0);
    await source.reset(k);
    expect(await redis.exists(`rl:${k}`)).to.equal(0);
    expect((await source.lease({ key: k, windowMs: 30_000, max: 10, want: 10, divisor: 1 })).granted).to.equal(10);
  });

  it('loads the script again after SCRIPT FLUSH (NOSCRIPT)', async () => {
    const source = redisLeaseSource(redis, 'rl:');
    const k = key();
    await source.lease({ key: k, windowMs: 30_000, max: 10, want: 1, divisor: 1 });
    await redis.script('FLUSH');
    expect((await source.lease({ key: k, windowMs: 30_000, max: 10, want: 1, divisor: 1 })).used).to.equal(2);
  });

  it('keeps two lease stores (workers on their own connections) within the bound', async () => {
    const max = 1000;
    const other = new Redis(server.url, { maxRetriesPerRequest: 1 });
    const divisor = leaseDivisor(2);
    const stores = [
      new LeaseStore({ source: redisLeaseSource(redis, 'rl:'), windowMs: 60_000, max, divisor }),
      new LeaseStore({ source: redisLeaseSource(other, 'rl:'), windowMs: 60_000, max, divisor }),
    ];
    try {
      const k = key();
      let ok = 0;
      await Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
          let refusals = 0;
          for (let j = 0; refusals < 10; j++) {
            const r = await (stores[(i + j) % 2] as LeaseStore).increment(k);
            if (r.totalHits <= max) ok++;
            else refusals++;
            if (j % 7 === 0) await tick();
          }
        }),
      );
      expect(ok).to.be.at.most(max);
      expect(ok).to.be.at.least(max * (1 - LEASE_TOLERANCE));
      expect(Number(await redis.get(`rl:${k}`))).to.equal(max);
    } finally {
      for (const s of stores) s.shutdown();
      await other.quit();
    }
  });

  it('runs over the store connection: no connection of its own, and the store (not the limiter) ends it', async () => {
    const config = loadConfig({ env: { NODE_ENV: 'test', REDIS_URL: server.url } }).config;
    const prefix = rateLimitKeyPrefix(config);
    expect(prefix).to.equal('3ds_transaction:ratelimit:');
    // Connections the server made (ioredis names them; this test's own connection has no name).
    const ours = async () => (await cli(server.port, 'CLIENT', 'LIST')).split('\n').filter((l) => /\bname=mock-3ds\b/.test(l)).length;
    expect(await ours()).to.equal(0);
    const deps = testDeps({ REDIS_URL: server.url });
    const store = await createStore({ config, logger: deps.logger, metrics: deps.metrics });
    deps.redis = store.redis;
    const app = createApp(deps);
    try {
      expect(store.redis).to.not.equal(undefined);
      // A lease taken (the first request of a client) and spent (the second).
      for (let i = 0; i < 2; i++) expect((await request(app).get('/__test/config')).status).to.equal(200);
      expect(await redis.keys(`${prefix}*`)).to.have.length(1);
      expect(await ours()).to.equal(1);
      await app.close();
      expect(await ours()).to.equal(1);
    } finally {
      await app.close();
      await store.close();
    }
    await waitFor(async () => (await ours()) === 0, 5000, 'the store connection to end');
  });
});
