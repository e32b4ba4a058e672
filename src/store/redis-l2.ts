// The Redis L2 (SPEC §7): one multiplexed ioredis connection per worker, commands auto-pipelined (all
// commands issued in one event-loop turn leave in one write), bounded by commandTimeout.
//
// Keys: `<prefix>:<threeDSServerTransID>` holds the record, `<prefix>:acs:<acsTransID>` holds the ID it
// indexes; both carry store.ttlSeconds, refreshed on access. The record value is JSON that carries its
// version and acsTransID ahead of the record itself:
//     {"v":1764656223000123,"a":"<acsTransID>"|null,"d":<record JSON>}
// so `redis-cli get` still shows readable JSON, while the Lua scripts read the version with one anchored
// pattern match instead of decoding the whole record (cjson would cost a full parse per call).
//
// Versions are a hybrid clock on the server: a write takes Redis's TIME in microseconds, or the record's
// version + 1 when that is not larger. So a record's versions only grow, and a record created again
// under an ID whose record expired, was evicted (maxmemory) or deleted starts above every version the old
// one had: a worker's L1 copy of the old record can never pass getIfNewer as current (versions that
// restart at 1 would, once the new record reached the old copy's number). That holds while the clock of
// the node holding the key does not step back (a failover to a node whose clock is behind can) and one
// key's writes do not outrun the microsecond clock: a node runs scripts one at a time, ~4 µs each
// (measured: 234,000 pipelined script calls/s). The numbers (~1.8e15) stay exact in a float64 until the
// year 2255.
//
// Cluster: the two keys of a record hash to different slots, and no hash tag can put them together (the
// index is looked up by acsTransID alone, before the record's ID is known). So every script touches only
// its one record key, and the index is written as a separate command next to it. That is safe without
// atomicity because an index entry is only a hint: a lookup reads the record and accepts it only when the
// record itself names that acsTransID, so an index written for a write that then lost its race, or left
// over from a deleted record, can never return the wrong transaction. The index TTL follows the record:
// reads refresh it with a fire-and-forget EXPIRE (it rides the next auto-pipelined batch).
import type { StoreFound, StoreMissing, StoreOp, StoreOpResult, StoreResultOf, StoreUnchanged } from '../ipc.js';
import type { Logger } from '../logger.js';
import type { L2 } from './l2.js';
import { connectRedis, planRedisConnection, type RedisClient, type RedisConnectionConfig, type RedisScript } from './redis-connection.js';

// KEYS[1] record; ARGV[1] version the caller holds, ARGV[2] TTL. Refreshes the TTL; returns nil when
// missing, the head (version and acsTransID, no record) when the caller's version is current, else all.
const GET_IF_NEWER = `
local s = redis.call('GET', KEYS[1])
if not s then return false end
redis.call('EXPIRE', KEYS[1], ARGV[2])
local p = string.find(s, ',"d":', 1, true)
if not p then return s end
local head = string.sub(s, 1, p - 1)
if string.match(head, '^{"v":(%d+),') == ARGV[1] then return head end
return s`;

// KEYS[1] record; ARGV[1] expected version, ARGV[2] record JSON, ARGV[3] TTL, ARGV[4] acsTransID as JSON
// or '' to keep the stored one. Returns -1 when missing, 0 on a version mismatch, else the new version.
const CAS = `
local s = redis.call('GET', KEYS[1])
if not s then return -1 end
local v, a = string.match(s, '^{"v":(%d+),"a":(.-),"d":')
if v ~= ARGV[1] then return 0 end
if ARGV[4] ~= '' then a = ARGV[4] end
local t = redis.call('TIME')
local nv = math.max(tonumber(v) + 1, tonumber(t[1]) * 1000000 + tonumber(t[2]))
redis.call('SET', KEYS[1], '{"v":' .. string.format('%.0f', nv) .. ',"a":' .. a .. ',"d":' .. ARGV[2] .. '}', 'EX', ARGV[3])
return nv`;

// KEYS[1] record; ARGV[1] acsTransID as JSON or 'null', ARGV[2] record JSON, ARGV[3] TTL. Returns 0 when
// the record exists, else its version (the clock: see the header). '%.0f', because Lua writes numbers
// this large with an exponent.
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local t = redis.call('TIME')
local v = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('SET', KEYS[1], '{"v":' .. string.format('%.0f', v) .. ',"a":' .. ARGV[1] .. ',"d":' .. ARGV[2] .. '}', 'EX', ARGV[3])
return v`;

const SCRIPTS: Record<string, RedisScript> = {
  m3dsGetIfNewer: { lua: GET_IF_NEWER, numberOfKeys: 1 },
  m3dsCas: { lua: CAS, numberOfKeys: 1 },
  m3dsCreate: { lua: CREATE, numberOfKeys: 1 },
};

/** The script commands defineCommand adds (ioredis runs them with EVALSHA, falling back to EVAL once). */
interface ScriptCommands {
  m3dsGetIfNewer(key: string, version: number, ttl: number): Promise<string | null>;
  m3dsCas(key: string, expected: number, json: string, ttl: number, acsJson: string): Promise<number>;
  m3dsCreate(key: string, acsJson: string, json: string, ttl: number): Promise<number>;
}

export interface RedisL2Options {
  redis: RedisConnectionConfig;
  /** store.prefix */
  prefix: string;
  /** store.operationTimeoutMs */
  commandTimeoutMs: number;
  logger: Logger;
  /** Reconnect delay cap (default 2000 ms). */
  maxReconnectDelayMs?: number;
}

export interface RedisL2 extends L2 {
  /** Resolves once the first connection attempt succeeded or failed (bounded by timeoutMs). */
  settled(timeoutMs: number): Promise<void>;
  /** The connection, shared with the worker's other users of this Redis (the rate limiter); close() ends it. */
  readonly client: RedisClient;
}

interface Envelope {
  version: number;
  acsTransID: string | null;
  value: string;
}

export function createRedisL2(opts: RedisL2Options): RedisL2 {
  const { prefix, logger } = opts;
  const plan = planRedisConnection({
    redis: opts.redis,
    commandTimeoutMs: opts.commandTimeoutMs,
    scripts: SCRIPTS,
    maxReconnectDelayMs: opts.maxReconnectDelayMs,
  });
  const client: RedisClient = connectRedis(plan);
  const scripts = client as unknown as ScriptCommands;
  const recordKey = (id: string) => `${prefix}:${id}`;
  const indexKey = (acs: string) => `${prefix}:acs:${acs}`;
  const listeners: ((up: boolean) => void)[] = [];
  let up = false;
  let closing = false;
  let lastErrorLogged = '';

  const setUp = (next: boolean) => {
    if (next === up) return;
    up = next;
    if (!closing) {
      if (next) logger.info('redis connected', { mode: plan.mode });
      else logger.warn('redis connection lost', { mode: plan.mode });
    }
    for (const l of listeners) l(next);
  };
  client.on('ready', () => {
    lastErrorLogged = '';
    setUp(true);
  });
  client.on('close', () => setUp(false));
  client.on('end', () => setUp(false));
  // ioredis reports every failed reconnect attempt; log a cause once per outage, not once per attempt.
  client.on('error', (err: Error) => {
    if (closing || err.message === lastErrorLogged) return;
    lastErrorLogged = err.message;
    logger.warn('redis error', { mode: plan.mode, error: err.message });
  });

  const settledOnce = new Promise<void>((resolve) => {
    const done = () => resolve();
    client.once('ready', done);
    client.once('error', done);
    client.once('end', done);
  });

  const refreshIndex = (acs: string | null, ttl: number) => {
    if (acs !== null) client.expire(indexKey(acs), ttl).catch(() => {});
  };

  const found = (id: string, e: Envelope): StoreFound => ({ status: 'found', id, value: e.value, version: e.version });

  async function get(id: string, ttl: number): Promise<StoreFound | StoreMissing> {
    const s = await client.getex(recordKey(id), 'EX', ttl);
    if (s === null) return { status: 'missing' };
    const e = decode(s);
    refreshIndex(e.acsTransID, ttl);
    return found(id, e);
  }

  async function getIfNewer(id: string, version: number, ttl: number): Promise<StoreFound | StoreUnchanged | StoreMissing> {
    const s = await scripts.m3dsGetIfNewer(recordKey(id), version, ttl);
    if (s === null) return { status: 'missing' };
    if (s.includes(',"d":')) {
      const e = decode(s);
      refreshIndex(e.acsTransID, ttl);
      return found(id, e);
    }
    const head = decodeHead(s);
    refreshIndex(head.acsTransID, ttl);
    return { status: 'unchanged', version: head.version };
  }

  async function getByIndex(acs: string, ttl: number): Promise<StoreFound | StoreMissing> {
    const id = await client.getex(indexKey(acs), 'EX', ttl);
    if (id === null) return { status: 'missing' };
    const s = await client.getex(recordKey(id), 'EX', ttl);
    if (s === null) return { status: 'missing' };
    const e = decode(s);
    return e.acsTransID === acs ? found(id, e) : { status: 'missing' };
  }

  async function exec(op: StoreOp): Promise<StoreOpResult> {
    switch (op.op) {
      case 'get':
        return get(op.id, op.ttlSeconds);
      case 'getIfNewer':
        return getIfNewer(op.id, op.version, op.ttlSeconds);
      case 'getByIndex':
        return getByIndex(op.acsTransID, op.ttlSeconds);
      case 'create': {
        const acs = op.acsTransID;
        const [res] = await Promise.all([
          scripts.m3dsCreate(recordKey(op.id), acs === undefined ? 'null' : JSON.stringify(acs), op.value, op.ttlSeconds),
          acs === undefined ? null : client.set(indexKey(acs), op.id, 'EX', op.ttlSeconds),
        ]);
        return res === 0 ? { status: 'conflict' } : { status: 'written', version: Number(res) };
      }
      case 'cas': {
        const acs = op.acsTransID;
        const [res] = await Promise.all([
          scripts.m3dsCas(recordKey(op.id), op.expectedVersion, op.value, op.ttlSeconds, acs === undefined ? '' : JSON.stringify(acs)),
          acs === undefined ? null : client.set(indexKey(acs), op.id, 'EX', op.ttlSeconds),
        ]);
        if (res === -1) return { status: 'missing' };
        if (res === 0) return { status: 'conflict' };
        return { status: 'written', version: Number(res) };
      }
      case 'delete': {
        const s = await client.getdel(recordKey(op.id));
        const acs = s === null ? null : decodeHead(s).acsTransID;
        if (acs !== null) await client.del(indexKey(acs));
        return { status: 'ok' };
      }
      case 'ping':
        await client.ping();
        return { status: 'ok' };
      default:
        throw new Error(`unknown store operation ${JSON.stringify((op as { op?: unknown }).op)}`);
    }
  }

  return {
    backend: 'redis',
    client,
    exec: <O extends StoreOp>(op: O) => exec(op) as Promise<StoreResultOf<O>>,
    isReady: () => up,
    onConnectionChange(listener) {
      listeners.push(listener);
    },
    async settled(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        timer.unref();
      });
      await Promise.race([settledOnce, timeout]);
      clearTimeout(timer);
    },
    async close() {
      closing = true;
      if (up) await client.quit().catch(() => {});
      client.disconnect();
      setUp(false);
    },
  };
}

/** Version and acsTransID from a value or from the head the script returns; throws on foreign data. */
function decodeHead(s: string): { version: number; acsTransID: string | null } {
  const end = s.indexOf(',"d":');
  const head = JSON.parse(`${end === -1 ? s : s.slice(0, end)}}`) as { v?: unknown; a?: unknown };
  if (!Number.isInteger(head.v) || (head.a !== null && typeof head.a !== 'string')) throw new Error('malformed record in Redis');
  return { version: head.v as number, acsTransID: head.a as string | null };
}

function decode(s: string): Envelope {
  const end = s.indexOf(',"d":');
  if (end === -1 || !s.endsWith('}')) throw new Error('malformed record in Redis');
  const head = decodeHead(s);
  return { ...head, value: s.slice(end + 5, -1) };
}
