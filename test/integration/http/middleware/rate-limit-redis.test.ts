// The Redis lease source against a real redis-server: the Lua script grants what the primary's counters
// grant, windows expire in Redis, and lease stores over it are exact across "workers".
import { setImmediate as tick } from 'node:timers/promises';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { loadConfig } from '../../../../src/config.js';
import { connectRateLimitRedis, rateLimitKeyPrefix, redisLeaseSource } from '../../../../src/http/middleware/rate-limit-redis.js';
import { LEASE_TOLERANCE, LeaseStore, leaseDivisor } from '../../../../src/http/middleware/rate-limit-store.js';
import { RateLimitCounters } from '../../../../src/primary/rate-limit-counters.js';
import { type RedisServer, requireRedis, startRedis } from '../../../helpers/redis.js';

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

  it('connects from the store.redis configuration under the store prefix', async () => {
    const config = loadConfig({ env: { NODE_ENV: 'test', REDIS_URL: server.url } }).config;
    const own = connectRateLimitRedis(config);
    try {
      const prefix = rateLimitKeyPrefix(config);
      expect(prefix).to.equal('3ds_transaction:ratelimit:');
      const source = redisLeaseSource(own.redis, prefix);
      const k = key();
      const tryLease = async () => {
        try {
          return await source.lease({ key: k, windowMs: 5000, max: 3, want: 3, divisor: 1 });
        } catch {
          return undefined;
        }
      };
      let g = await tryLease();
      // The connection refuses commands until it is up (no offline queue): retry briefly.
      for (let i = 0; g === undefined && i < 100; i++) {
        await new Promise((r) => setTimeout(r, 20));
        g = await tryLease();
      }
      expect(g?.granted).to.equal(3);
      expect(await redis.exists(`${prefix}${k}`)).to.equal(1);
    } finally {
      await own.close();
    }
  });
});
