// Store scenarios (issue 3): the tiered store as a worker uses it — L1 hits, version-validated reads,
// compare-and-set writes — over the embedded L2 (real IPC to a host process) and over Redis, against
// the naive design the original documents start from: a new Redis connection per operation, no L1.
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config.js';
import { type PrimaryToWorker, RpcClient } from '../../src/ipc.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createStore } from '../../src/store/create-store.js';
import type { TransactionStore } from '../../src/store/store.js';
import { startRedis } from '../../test/helpers/redis.js';
import { type BenchGroup, type Measurement, median, type Scenario, type ScenarioGroup } from './harness.js';

type Rec = { n: number; final?: boolean; pad: string };
const PAD = 'x'.repeat(1500); // about the size of a transaction record

/** Scenario names of the group, shared by --help/--only and the scenarios themselves. */
const NAMES = {
  naiveRead: 'store naive Redis read (connection per op, no L1)',
  naiveRmw: 'store naive Redis read-modify-write',
  l1Hit: 'store L1 hit (final record)',
  readEmbedded: 'store read, version-validated (embedded, IPC)',
  readRedis: 'store read, version-validated (Redis)',
  casEmbedded: 'store read+CAS write (embedded, IPC)',
  casRedis: 'store read+CAS write (Redis)',
};

/** Runs `op` from `concurrency` loops for `seconds`; per-op latency and this process's CPU. */
async function drive(seconds: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<Measurement> {
  const lat: number[] = [];
  let errors = 0;
  let i = 0;
  const stopAt = Date.now() + seconds * 1000;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < stopAt) {
        const s = process.hrtime.bigint();
        try {
          await op(i++);
        } catch {
          errors++;
        }
        lat.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  lat.sort((a, b) => a - b);
  return {
    requests: lat.length,
    errors,
    rps: lat.length / elapsed,
    p50ms: median(lat),
    p99ms: lat[Math.floor(lat.length * 0.99)] ?? 0,
    cpuUsPerReq: lat.length ? (cpu.user + cpu.system) / lat.length : 0,
  };
}

async function storeScenarios(root: string): Promise<ScenarioGroup> {
  const redis = await startRedis({ appendonly: false });
  const logger = createLogger('warn');
  const child: ChildProcess = fork(path.join(root, 'scripts/bench/store-host.ts'), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const rpc = new RpcClient((m) => child.send(m));
  child.on('message', (m) => rpc.handle(m as PrimaryToWorker));
  const base = loadConfig({ env: { NODE_ENV: 'development' } }).config;
  const withRedis = loadConfig({ env: { NODE_ENV: 'development', REDIS_URL: redis.url } }).config;
  const isImmutable = (r: Rec) => r.final === true;
  const embedded = await createStore<Rec>({ config: base, logger, metrics: createMetrics('worker', { defaults: false }), rpc, isImmutable });
  const viaRedis = await createStore<Rec>({ config: withRedis, logger, metrics: createMetrics('worker', { defaults: false }), isImmutable });
  const KEYS = 1000;
  const seed = async (s: TransactionStore<Rec>, prefix: string, final: boolean) => {
    for (let k = 0; k < KEYS; k++) await s.create(`${prefix}${k}`, { n: 0, pad: PAD, ...(final ? { final: true } : {}) });
  };
  await seed(embedded, 'm', false);
  await seed(embedded, 'f', true);
  await seed(viaRedis, 'm', false);
  for (let k = 0; k < KEYS; k++) await viaRedis.get(`m${k}`);
  for (let k = 0; k < KEYS; k++) await embedded.get(`f${k}`);
  const naiveKey = (k: number) => `naive:${k}`;
  const seeder = new Redis(redis.url);
  for (let k = 0; k < KEYS; k++) await seeder.set(naiveKey(k), JSON.stringify({ n: 0, pad: PAD }));
  seeder.disconnect();
  // The naive design: connect, one command, quit — per operation.
  const naive = async (fn: (c: Redis) => Promise<unknown>) => {
    const c = new Redis(redis.url, { lazyConnect: true, enableOfflineQueue: true });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      c.disconnect();
    }
  };
  const bump = async (s: TransactionStore<Rec>, id: string) => {
    for (;;) {
      const cur = await s.get(id);
      if (!cur) throw new Error('missing');
      try {
        return await s.update(id, cur.version, { ...cur.value, n: cur.value.n + 1 });
      } catch (err) {
        if ((err as Error).name !== 'StoreConflictError') throw err;
      }
    }
  };
  const C = 32;
  const scenarios: Scenario[] = [
    { name: NAMES.naiveRead, run: (s) => drive(s, C, (i) => naive((c) => c.get(naiveKey(i % KEYS)))) },
    {
      name: NAMES.naiveRmw,
      run: (s) =>
        drive(s, C, (i) =>
          naive(async (c) => {
            const v = JSON.parse((await c.get(naiveKey(i % KEYS))) as string) as Rec;
            await c.set(naiveKey(i % KEYS), JSON.stringify({ ...v, n: v.n + 1 }), 'EX', 1800);
          }),
        ),
    },
    { name: NAMES.l1Hit, baseline: [NAMES.naiveRead], run: (s) => drive(s, C, (i) => embedded.get(`f${i % KEYS}`)) },
    { name: NAMES.readEmbedded, baseline: [NAMES.naiveRead], run: (s) => drive(s, C, (i) => embedded.get(`m${i % KEYS}`)) },
    { name: NAMES.readRedis, baseline: [NAMES.naiveRead], run: (s) => drive(s, C, (i) => viaRedis.get(`m${i % KEYS}`)) },
    { name: NAMES.casEmbedded, baseline: [NAMES.naiveRmw], run: (s) => drive(s, C, (i) => bump(embedded, `m${i % KEYS}`)) },
    { name: NAMES.casRedis, baseline: [NAMES.naiveRmw], run: (s) => drive(s, C, (i) => bump(viaRedis, `m${i % KEYS}`)) },
  ];
  return {
    scenarios,
    async close() {
      await embedded.close();
      await viaRedis.close();
      child.disconnect();
      await redis.close();
    },
  };
}

export const STORE_GROUP: BenchGroup = {
  name: 'store',
  description: 'the tiered store as a worker uses it (embedded over IPC, Redis), against a naive connection-per-operation Redis client',
  needs: ['redis-server'],
  scenarioNames: () => Object.values(NAMES),
  start: storeScenarios,
};
