// Inspection in Redis (SPEC §17), over the worker's store connection (no connection of its own). Events
// are queued and written once per event-loop turn, fire-and-forget: per transaction one script call that
// appends its entries and applies the trail's bounds (RPUSH, LPOP while over, PEXPIRE), and one script
// call for every index change of the turn; ioredis auto-pipelining sends them in one write. Nothing on
// the request path waits for them.
//
// Keys (`P` is store.prefix):
//   P:trail:{<id>}          list of the trail's entries (JSON), oldest first
//   P:trail:{<id>}:meta     hash {bytes, dropped}: the byte bound without reading the list
//   {P:inspect}:index       sorted set of IDs by creation time (ms)
//   {P:inspect}:summaries   hash ID → index entry (JSON)
// The hash tags keep each pair in one Cluster slot, so every script touches a single slot. Trails expire
// store.ttlSeconds after their last entry; index entries leave store.ttlSeconds after their creation (and
// the oldest first above inspection.maxTransactions), trimmed by the script that writes them: no key scan.
import { createHash } from 'node:crypto';
import type { Config } from '../../config/index.js';
import type { Logger } from '../../logger.js';
import type { RedisClient } from '../redis-connection.js';
import {
  type Detail,
  type InspectionStore,
  inspectionBounds,
  type ListQuery,
  matches,
  type Page,
  type ResetOutcome,
  type TrailEvent,
  type TransactionSummary,
} from './inspection-types.js';

// KEYS[1] list, KEYS[2] meta; ARGV[1] max entries, ARGV[2] max bytes, ARGV[3] TTL ms, ARGV[4..] entries.
// The newest entry always stays, even alone above the byte bound (the recorder already capped it).
const TRAIL_APPEND = `
local add = 0
for i = 4, #ARGV do add = add + string.len(ARGV[i]) end
local len = redis.call('RPUSH', KEYS[1], unpack(ARGV, 4))
local bytes = redis.call('HINCRBY', KEYS[2], 'bytes', add)
local maxE, maxB = tonumber(ARGV[1]), tonumber(ARGV[2])
local dropped = 0
while len > 1 and (len > maxE or bytes > maxB) do
  local x = redis.call('LPOP', KEYS[1])
  bytes = bytes - string.len(x)
  len = len - 1
  dropped = dropped + 1
end
if dropped > 0 then
  redis.call('HSET', KEYS[2], 'bytes', bytes)
  redis.call('HINCRBY', KEYS[2], 'dropped', dropped)
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return len`;

// KEYS[1] index (sorted set), KEYS[2] summaries (hash); ARGV[1] now ms, ARGV[2] max transactions,
// ARGV[3] max age ms, then triples: ID, createdAt ('' when the event does not open the entry), patch JSON.
// An entry is opened only by an event that carries its creation time; others only update an entry that
// is still there, so a trimmed transaction is never brought back half. Numbers are written with '%.0f':
// Lua would write a millisecond time with an exponent.
const INDEX_UPDATE = `
for i = 4, #ARGV, 3 do
  local id, created, patch = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local cur = redis.call('HGET', KEYS[2], id)
  if cur or created ~= '' then
    local s
    if cur then
      s = cjson.decode(cur)
    else
      s = { threeDSServerTransID = id, createdAt = tonumber(created), updatedAt = tonumber(created) }
      redis.call('ZADD', KEYS[1], created, id)
    end
    for k, v in pairs(cjson.decode(patch)) do
      if k ~= 'createdAt' and k ~= 'threeDSServerTransID' then s[k] = v end
    end
    redis.call('HSET', KEYS[2], id, cjson.encode(s))
  end
end
local oldest = string.format('(%.0f', tonumber(ARGV[1]) - tonumber(ARGV[3]))
while true do
  local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', oldest, 'LIMIT', 0, 500)
  if #old == 0 then break end
  redis.call('HDEL', KEYS[2], unpack(old))
  redis.call('ZREM', KEYS[1], unpack(old))
end
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[2])
while over > 0 do
  local n = math.min(over, 500)
  local ids = redis.call('ZRANGE', KEYS[1], 0, n - 1)
  redis.call('HDEL', KEYS[2], unpack(ids))
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - 1)
  over = over - n
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 0`;

/** IDs read per round trip while paging through the index. */
const CHUNK = 256;
/** Events one turn may queue; beyond that they are dropped (counted), never buffered without bound. */
const MAX_QUEUE = 20_000;

interface Script {
  lua: string;
  sha: string;
}
const script = (lua: string): Script => ({ lua, sha: createHash('sha1').update(lua).digest('hex') });
const TRAIL_SCRIPT = script(TRAIL_APPEND);
const INDEX_SCRIPT = script(INDEX_UPDATE);

export interface RedisInspectionOptions {
  client: RedisClient;
  config: () => Config;
  logger: Logger;
}

export function createRedisInspection(opts: RedisInspectionOptions): InspectionStore & { readonly dropped: number } {
  const { client, logger } = opts;
  const prefix = () => opts.config().store.prefix;
  const trailKey = (id: string) => `${prefix()}:trail:{${id}}`;
  const metaKey = (id: string) => `${trailKey(id)}:meta`;
  const indexKey = () => `{${prefix()}:inspect}:index`;
  const summariesKey = () => `{${prefix()}:inspect}:summaries`;
  let queue: TrailEvent[] = [];
  let dropped = 0;
  let lastWarn = 0;

  const run = async (s: Script, keys: string[], args: (string | number)[]): Promise<unknown> => {
    try {
      return await client.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (err) {
      // The script cache is empty after a restart or failover: send the text once, then EVALSHA again.
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return client.eval(s.lua, keys.length, ...keys, ...args);
    }
  };
  const failed = (n: number) => (err: unknown) => {
    dropped += n;
    const now = Date.now();
    if (now - lastWarn > 10_000) {
      lastWarn = now;
      logger.warn('inspection events not written to Redis (dropped)', { events: n, droppedSoFar: dropped, error: (err as Error).message });
    }
  };

  function flush(): void {
    const q = queue;
    queue = [];
    const b = inspectionBounds(opts.config());
    const trails = new Map<string, string[]>();
    const patches = new Map<string, { created: number | undefined; patch: Record<string, unknown> }>();
    for (const ev of q) {
      if (ev.entry !== undefined) {
        const list = trails.get(ev.id);
        if (list) list.push(ev.entry);
        else trails.set(ev.id, [ev.entry]);
      }
      let p = patches.get(ev.id);
      if (!p) {
        p = { created: undefined, patch: {} };
        patches.set(ev.id, p);
      }
      if (ev.patch) {
        if (p.created === undefined && ev.patch.createdAt !== undefined) p.created = ev.patch.createdAt;
        Object.assign(p.patch, ev.patch);
      }
      p.patch.updatedAt = ev.at;
    }
    for (const [id, entries] of trails) {
      run(TRAIL_SCRIPT, [trailKey(id), metaKey(id)], [b.trailMaxEntries, b.trailMaxBytes, b.ttlMs, ...entries]).catch(
        failed(entries.length),
      );
    }
    if (patches.size > 0) {
      const args: (string | number)[] = [Date.now(), b.maxTransactions, b.ttlMs];
      for (const [id, p] of patches) args.push(id, p.created === undefined ? '' : p.created, JSON.stringify(p.patch));
      run(INDEX_SCRIPT, [indexKey(), summariesKey()], args).catch(failed(patches.size));
    }
  }

  return {
    get dropped() {
      return dropped;
    },

    append(ev) {
      if (queue.length >= MAX_QUEUE) {
        dropped++;
        return;
      }
      if (queue.length === 0) setImmediate(flush);
      queue.push(ev);
    },

    async list(q: ListQuery): Promise<Page> {
      const items: TransactionSummary[] = [];
      let max = q.until ?? Number.POSITIVE_INFINITY;
      if (q.cursor && q.cursor.createdAt < max) max = q.cursor.createdAt;
      const min = q.since ?? Number.NEGATIVE_INFINITY;
      const bound = (n: number) => (n === Number.POSITIVE_INFINITY ? '+inf' : n === Number.NEGATIVE_INFINITY ? '-inf' : String(n));
      // Newest first; equal times in descending ID order, as the cursor compares them.
      for (let offset = 0; ; offset += CHUNK) {
        const raw = await client.zrevrangebyscore(indexKey(), bound(max), bound(min), 'WITHSCORES', 'LIMIT', offset, CHUNK);
        if (raw.length === 0) return { items };
        const ids: string[] = [];
        for (let i = 0; i < raw.length; i += 2) {
          const id = raw[i] as string;
          const score = Number(raw[i + 1]);
          if (q.cursor && score === q.cursor.createdAt && id >= q.cursor.id) continue;
          ids.push(id);
        }
        const jsons = ids.length > 0 ? await client.hmget(summariesKey(), ...ids) : [];
        for (const json of jsons) {
          if (json === null) continue;
          const s = JSON.parse(json) as TransactionSummary;
          if (!matches(s, q)) continue;
          if (items.length === q.limit) {
            const last = items[items.length - 1] as TransactionSummary;
            return { items, next: { createdAt: last.createdAt, id: last.threeDSServerTransID } };
          }
          items.push(s);
        }
        if (raw.length < CHUNK * 2) return { items };
      }
    },

    async detail(id: string): Promise<Detail> {
      const [summary, entries, meta] = await Promise.all([
        client.hget(summariesKey(), id),
        client.lrange(trailKey(id), 0, -1),
        client.hget(metaKey(id), 'dropped'),
      ]);
      return {
        summary: summary === null ? null : (JSON.parse(summary) as TransactionSummary),
        trail: entries.length === 0 ? null : { entries, dropped: Number(meta ?? 0) },
      };
    },

    async reset(): Promise<ResetOutcome> {
      const ids = await client.zrange(indexKey(), '0', '-1');
      let trails = 0;
      for (let i = 0; i < ids.length; i += CHUNK) {
        const chunk = ids.slice(i, i + CHUNK);
        // One DEL per key: in a Cluster the trails of different transactions live in different slots.
        const removed = await Promise.all(chunk.map((id) => client.del(trailKey(id), metaKey(id))));
        for (const n of removed) if (n > 0) trails++;
      }
      await client.del(indexKey(), summariesKey());
      return { transactions: ids.length, trails };
    },

    async close() {
      // The connection is the store's, which closes it; a last partial turn is flushed while it is open.
      if (queue.length > 0) flush();
    },
  };
}
