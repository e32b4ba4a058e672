// Scenario overrides in Redis (SPEC §17, §19): one hash that every instance sharing the Redis reads, a
// version counter, and a pub/sub channel that says "changed". The primary of each instance holds two
// connections of its own (commands, and a subscriber), reloads the hash when told, and pushes it to its
// workers. A message missed while disconnected is caught up by a reload on every reconnect and by a
// cheap version check every few seconds.
//
// Keys (`P` is store.prefix): {P:overrides}:table (hash key → JSON entry) and {P:overrides}:version; the
// hash tag keeps both in one Cluster slot, so one script changes the table, bumps the version and
// publishes, atomically. Channel: P:overrides:changed.
import type { Logger } from '../../logger.js';
import type { OverrideChange, OverrideEntry } from '../../types.js';
import { connectRedis, planRedisConnection, type RedisClient, type RedisConnectionConfig, type RedisPlan } from '../redis-connection.js';
import { type OverridesBackend, type StoredOverrides, sane } from './overrides-backend.js';

// KEYS[1] table, KEYS[2] version; ARGV[1] op (set, delete, clear), ARGV[2] key, ARGV[3] entry JSON,
// ARGV[4] channel. Returns {changed, previous entry JSON or '', removed, version}.
const CHANGE = `
local prev = ''
local removed = 0
if ARGV[1] == 'set' then
  prev = redis.call('HGET', KEYS[1], ARGV[2]) or ''
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
elseif ARGV[1] == 'delete' then
  prev = redis.call('HGET', KEYS[1], ARGV[2]) or ''
  if prev == '' then return {0, '', 0, tonumber(redis.call('GET', KEYS[2]) or '0')} end
  redis.call('HDEL', KEYS[1], ARGV[2])
  removed = 1
else
  removed = redis.call('HLEN', KEYS[1])
  redis.call('DEL', KEYS[1])
end
local v = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[4], v)
local changed = 1
if ARGV[1] == 'clear' and removed == 0 then changed = 0 end
return {changed, prev, removed, v}`;

// KEYS[1] table, KEYS[2] version: both read at one instant.
const LOAD = `return {redis.call('GET', KEYS[2]) or '0', redis.call('HGETALL', KEYS[1])}`;

const POLL_MS = 3000;

interface OverrideScripts {
  m3dsOverridesChange(
    table: string,
    version: string,
    op: string,
    key: string,
    entry: string,
    channel: string,
  ): Promise<[number, string, number, number]>;
  m3dsOverridesLoad(table: string, version: string): Promise<[string, string[]]>;
}

export interface RedisOverridesOptions {
  redis: RedisConnectionConfig;
  prefix: string;
  commandTimeoutMs: number;
  logger: Logger;
}

export function redisOverrides(opts: RedisOverridesOptions): OverridesBackend & { ready(timeoutMs: number): Promise<boolean> } {
  const { logger } = opts;
  const tableKey = `{${opts.prefix}:overrides}:table`;
  const versionKey = `{${opts.prefix}:overrides}:version`;
  const channel = `${opts.prefix}:overrides:changed`;
  const plan = planRedisConnection({
    redis: opts.redis,
    commandTimeoutMs: opts.commandTimeoutMs,
    scripts: {
      m3dsOverridesChange: { lua: CHANGE, numberOfKeys: 2 },
      m3dsOverridesLoad: { lua: LOAD, numberOfKeys: 2, readOnly: true },
    },
  });
  const client: RedisClient = connectRedis(named(plan, 'mock-3ds-overrides'));
  const scripts = client as unknown as OverrideScripts;
  // The subscriber waits for its connection rather than failing (its only command is SUBSCRIBE), and
  // ioredis subscribes again after every reconnect.
  const subPlan = named(plan, 'mock-3ds-overrides-sub');
  const sub: RedisClient = connectRedis({ ...subPlan, options: { ...subPlan.options, enableOfflineQueue: true } } as RedisPlan);
  const listeners: (() => void)[] = [];
  const notify = () => {
    for (const l of listeners) l();
  };
  let lastVersion = '';
  let lastError = '';
  const onError = (err: Error) => {
    if (err.message === lastError) return;
    lastError = err.message;
    logger.warn('redis (scenario overrides) error', { error: err.message });
  };
  client.on('error', onError);
  sub.on('error', onError);
  // A reconnect may have missed messages: reload.
  client.on('ready', () => {
    lastError = '';
    notify();
  });
  sub.on('message', (ch: string, v: string) => {
    if (ch === channel && v !== lastVersion) notify();
  });
  sub.subscribe(channel).catch((err: Error) => onError(err));
  const poll = setInterval(() => {
    if (client.status !== 'ready') return;
    client
      .get(versionKey)
      .then((v) => {
        if ((v ?? '0') !== lastVersion) notify();
      })
      .catch(() => {});
  }, POLL_MS);
  poll.unref();

  return {
    kind: 'redis',
    ready(timeoutMs) {
      if (client.status === 'ready') return Promise.resolve(true);
      return new Promise((resolve) => {
        const t = setTimeout(() => resolve(false), timeoutMs);
        t.unref();
        client.once('ready', () => {
          clearTimeout(t);
          resolve(true);
        });
      });
    },
    async load(): Promise<StoredOverrides> {
      const [version, flat] = await scripts.m3dsOverridesLoad(tableKey, versionKey);
      const raw: unknown[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        try {
          raw.push({ ...(JSON.parse(flat[i + 1] as string) as object), key: flat[i] });
        } catch {
          raw.push(null);
        }
      }
      lastVersion = version;
      return { version: Number(version), entries: sane(raw, logger) };
    },
    async change(c: OverrideChange, now: number) {
      const entry = c.op === 'set' ? JSON.stringify({ scenario: c.scenario, setBy: c.by, setAt: now }) : '';
      const key = c.op === 'clear' ? '' : c.key;
      const [changed, prev, removed, version] = await scripts.m3dsOverridesChange(tableKey, versionKey, c.op, key, entry, channel);
      let previous: OverrideEntry | undefined;
      if (prev) {
        try {
          previous = { ...(JSON.parse(prev) as Omit<OverrideEntry, 'key'>), key };
        } catch {
          previous = undefined;
        }
      }
      return { changed: Number(changed) === 1, ...(previous && { previous }), removed: Number(removed), version: Number(version) };
    },
    onRemoteChange(listener) {
      listeners.push(listener);
    },
    async close() {
      clearInterval(poll);
      await Promise.all([client.quit().catch(() => {}), sub.quit().catch(() => {})]);
      client.disconnect();
      sub.disconnect();
    },
  };
}

/** The plan with its own connection name: CLIENT LIST tells the primary's connections from the workers' ("mock-3ds"). */
function named(plan: RedisPlan, connectionName: string): RedisPlan {
  if (plan.mode === 'cluster')
    return { ...plan, options: { ...plan.options, redisOptions: { ...plan.options.redisOptions, connectionName } } };
  return { ...plan, options: { ...plan.options, connectionName } };
}
