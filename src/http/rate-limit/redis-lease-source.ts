// The rate limiter's shared counters in Redis (storeBackend 'redis'): one key per client window, leased
// from by one Lua script (INCRBY + PEXPIRE, atomic), which applies the same lease size as the primary's
// counters (leaseSize in lease-counters.ts; a test runs both on the same inputs). The window's end comes
// back as a PTTL, so workers on other hosts need no synchronised clock. The commands go over the worker's
// store connection (src/store/create-store.ts hands it out): no connection of its own.
import { createHash } from 'node:crypto';
import type { Config } from '../../config/index.js';
import type { LeaseGrant, LeaseRequest, LeaseSource } from './lease-store.js';

// KEYS[1] counter; ARGV: windowMs, max, want, divisor. Returns {granted, used, pttl}. A key without an
// expiry (new, or one a lease just created) opens a window of windowMs.
const LEASE_SCRIPT = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = redis.call('PTTL', KEYS[1])
local remaining = tonumber(ARGV[2]) - used
local granted = 0
if remaining > 0 then
  granted = math.max(1, math.floor(remaining / math.max(1, tonumber(ARGV[4]))))
  granted = math.min(granted, math.max(1, math.floor(tonumber(ARGV[3]))), remaining)
  used = redis.call('INCRBY', KEYS[1], granted)
end
if ttl < 0 and used > 0 then
  ttl = tonumber(ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return {granted, used, ttl}`;

const LEASE_SHA = createHash('sha1').update(LEASE_SCRIPT).digest('hex');

/** The few commands the lease source needs (an ioredis Redis or Cluster has them). */
export interface RedisLike {
  evalsha(sha1: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

/** Counter keys are `<keyPrefix><client key>`. */
export function redisLeaseSource(redis: RedisLike, keyPrefix: string): LeaseSource {
  const run = async (key: string, args: (string | number)[]): Promise<unknown> => {
    try {
      return await redis.evalsha(LEASE_SHA, 1, key, ...args);
    } catch (err) {
      // The script cache is empty after a restart or failover: send the text once, then EVALSHA again.
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return redis.eval(LEASE_SCRIPT, 1, key, ...args);
    }
  };
  return {
    async lease(req: LeaseRequest): Promise<LeaseGrant> {
      const out = (await run(keyPrefix + req.key, [req.windowMs, req.max, req.want, req.divisor])) as [number, number, number];
      const [granted, used, pttl] = out.map(Number) as [number, number, number];
      return { granted, used, resetTime: Date.now() + Math.max(1, pttl) };
    },
    reset: (key: string) => redis.del(keyPrefix + key),
  };
}

/** Counter key prefix under the configured store prefix, so deployments sharing a Redis stay apart. */
export function rateLimitKeyPrefix(config: Config): string {
  return `${config.store.prefix}:ratelimit:`;
}
