// Store scenarios (issue 3): the tiered store as a worker uses it — L1 hits, version-validated reads,
// compare-and-set writes — over the embedded L2 (real IPC to a host process) and over Redis, against
// the naive design the original documents start from: a new Redis connection per operation, no L1.
// And the embedded store at scale (issue 10): a million transactions streamed through it in a child
// process with default heap settings (store-stream.ts), reporting bytes per record, peak RSS and the
// longest GC pause next to the rate.
// The records are real ones: a browser challenge run through the protocol in-process (authenticate of
// card 4001, the challenge page, the right code) gives the open-challenge record that reads and writes
// use, and the completed (final) record that L1 hits use.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { type Config, loadConfig } from '../../src/config/index.js';
import { batchedSender, RpcClient } from '../../src/ipc.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createProtocol } from '../../src/protocol/protocol.js';
import { isFinalRecord, type TransactionRecord } from '../../src/protocol/transaction/record.js';
import { createStore } from '../../src/store/create-store.js';
import type { TransactionStore } from '../../src/store/store.js';
import { startRedis } from '../../test/helpers/redis.js';
import {
  type BenchGroup,
  lazy,
  type Measurement,
  median,
  quantile,
  type Scenario,
  ScenarioFailure,
  type ScenarioGroup,
} from './harness.js';
import type { StreamFigures } from './store-stream.js';

type Rec = TransactionRecord;

/**
 * Real transaction records, made by the protocol code in this process (its own in-process embedded
 * store): a browser challenge of card 4001 as it stands while open (after authenticate and the
 * challenge page) and once completed with the right code (final, results recorded).
 */
async function realRecords(root: string, config: Config, logger: Logger): Promise<{ open: Rec; final: Rec }> {
  const store = await createStore<Rec>({
    config,
    logger,
    metrics: createMetrics('worker', { defaults: false }),
    isImmutable: isFinalRecord,
  });
  const protocol = createProtocol({ config: () => config, store, logger, metrics: createMetrics('worker', { defaults: false }) });
  try {
    const ctx = { baseUrl: 'http://127.0.0.1:8080' };
    const areq = JSON.parse(readFileSync(path.join(root, 'examples/authenticate-browser.json'), 'utf8')) as Record<string, unknown>;
    const v = await protocol.version({ cardNumber: '4000400040004001' }, ctx);
    const id = v.threeDSServerTransID;
    const ares = await protocol.authenticate({ ...areq, threeDSServerTransID: id }, ctx);
    if (ares.transStatus !== 'C') throw new Error(`authenticate of card 4001 answered ${ares.transStatus}, not C`);
    const page = await protocol.openChallenge({ creq: ares.base64EncodedChallengeRequest, threeDSSessionData: 'order-42' }, ctx);
    if (page.type !== 'challenge') throw new Error(`the challenge did not open (${page.type})`);
    const open = (await store.get(id))?.value;
    const done = await protocol.submitChallenge({ threeDSServerTransID: id, value: config.protocol.otp }, ctx);
    if (done.type === 'challenge') throw new Error('the right code did not complete the challenge');
    const final = (await store.get(id))?.value;
    if (!open || !final || !isFinalRecord(final) || isFinalRecord(open)) throw new Error('the protocol left no open and final records');
    return { open, final };
  } finally {
    await protocol.close();
    await store.close();
  }
}

/** A copy of a record under another ID. */
const copyAs = (rec: Rec, id: string): Rec => ({ ...rec, threeDSServerTransID: id });

/** Scenario names of the group, shared by --help/--only and the scenarios themselves. */
const NAMES = {
  naiveRead: 'store naive Redis read (connection per op, no L1)',
  naiveRmw: 'store naive Redis read-modify-write',
  l1Hit: 'store L1 hit (final record)',
  readEmbedded: 'store read, version-validated (embedded, IPC)',
  readRedis: 'store read, version-validated (Redis)',
  casEmbedded: 'store read+CAS write (embedded, IPC)',
  casRedis: 'store read+CAS write (Redis)',
  stream: 'store stream of 1,000,000 browser challenges (embedded, in one process)',
};

/** Transactions the stream scenario runs: the scale issue 10 sets its targets at. */
const STREAM_TRANSACTIONS = 1_000_000;

/**
 * Runs store-stream.ts in a child with Node's default heap settings (only --expose-gc, for a heap figure
 * taken after the measured window) and turns its figures into a Measurement: one flow is a browser
 * challenge's three store operations (create, read by acsTransID, compare-and-set).
 */
async function streamRun(root: string, recordsFile: string): Promise<Measurement> {
  const child = fork(
    path.join(root, 'scripts/bench/store-stream.ts'),
    ['--records', recordsFile, '--transactions', String(STREAM_TRANSACTIONS)],
    {
      execArgv: ['--import', 'tsx', '--expose-gc'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    process.stderr.write(d);
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  if (code !== 0) throw new ScenarioFailure(`the store stream exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`);
  const f = JSON.parse(out.trim().split('\n').pop() as string) as StreamFigures;
  const mib = (b: number) => Math.round(b / 2 ** 20);
  process.stderr.write(
    `  ${f.held.toLocaleString('en-US')} records held of ${f.recordBytes} bytes JSON; ${f.rssBytesPerRecord} B/record RSS, ${f.heapBytesPerRecord} B/record heap; ` +
      `peak RSS ${mib(f.peakRssBytes)} MiB (heap limit ${mib(f.heapLimitBytes)} MiB); longest GC pause ${f.maxGcPauseMs.toFixed(1)} ms (${f.gcCount} GCs)\n`,
  );
  return {
    requests: f.transactions,
    rps: f.tps,
    p50ms: f.p50us / 1000,
    p99ms: f.p99us / 1000,
    cpuUsPerReq: f.cpuUs / f.transactions,
    extra: {
      heldRecords: f.held,
      recordBytes: f.recordBytes,
      rssBytesPerRecord: f.rssBytesPerRecord,
      heapBytesPerRecord: f.heapBytesPerRecord,
      peakRssBytes: f.peakRssBytes,
      maxGcPauseMs: f.maxGcPauseMs,
      gcTotalMs: f.gcTotalMs,
      maxTransactionUs: f.maxUs,
    },
  };
}

/** Runs `op` from `concurrency` loops for `seconds`; per-op latency and this process's CPU. */
async function drive(seconds: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<Measurement> {
  const lat: number[] = [];
  let errors = 0;
  let firstError: unknown;
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
        } catch (err) {
          errors++;
          firstError ??= err;
        }
        lat.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  lat.sort((a, b) => a - b);
  if (errors > 0)
    throw new ScenarioFailure(
      `${errors} of ${lat.length} operations failed; first: ${(firstError as Error)?.message ?? String(firstError)}`,
    );
  return {
    requests: lat.length,
    rps: lat.length / elapsed,
    p50ms: median(lat),
    p99ms: quantile(lat, 0.99),
    cpuUsPerReq: lat.length ? (cpu.user + cpu.system) / lat.length : 0,
  };
}

async function storeScenarios(root: string): Promise<ScenarioGroup> {
  const closers: (() => Promise<void>)[] = [];
  const KEYS = 1000;
  const naiveKey = (k: number) => `naive:${k}`;
  const logger = createLogger('warn');
  const configDir = path.join(root, 'config');
  const base = loadConfig({ env: { NODE_ENV: 'development' }, configDir }).config;
  const records = lazy(async () => {
    const made = await realRecords(root, base, logger);
    process.stderr.write(
      `store records: ${Buffer.byteLength(JSON.stringify(made.open))} bytes open challenge, ${Buffer.byteLength(JSON.stringify(made.final))} bytes completed (final)\n`,
    );
    return made;
  });
  // The stream child reads the records from a file.
  const recordsFile = lazy(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'm3ds-stream-'));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'records.json');
    writeFileSync(file, JSON.stringify(await records()));
    return file;
  });
  // Started when a store scenario first runs (so --only of another group's scenario starts nothing here).
  const env = lazy(async () => {
    const { open, final } = await records();
    const redis = await startRedis({ appendonly: false });
    closers.push(() => redis.close());
    // The channel as the cluster sets it up (src/primary/primary.ts): V8 serialization, batched RPCs.
    const child: ChildProcess = fork(path.join(root, 'scripts/bench/store-host.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
      serialization: 'advanced',
    });
    closers.push(async () => {
      child.disconnect();
    });
    const rpc = new RpcClient(
      batchedSender(
        (m) => child.send(m),
        () => child.connected,
      ),
    );
    // Replies one by one, or batched as the primary may send them (ipc.ts).
    child.on('message', (m: { type?: string; msgs?: unknown[] }) => {
      for (const reply of m?.type === 'm3ds:batch' ? (m.msgs ?? []) : [m]) rpc.handle(reply as Parameters<RpcClient['handle']>[0]);
    });
    const withRedis = loadConfig({ env: { NODE_ENV: 'development', REDIS_URL: redis.url }, configDir }).config;
    const embedded = await createStore<Rec>({
      config: base,
      logger,
      metrics: createMetrics('worker', { defaults: false }),
      rpc,
      isImmutable: isFinalRecord,
    });
    closers.push(() => embedded.close());
    const viaRedis = await createStore<Rec>({
      config: withRedis,
      logger,
      metrics: createMetrics('worker', { defaults: false }),
      isImmutable: isFinalRecord,
    });
    closers.push(() => viaRedis.close());
    const seed = async (s: TransactionStore<Rec>, prefix: string, rec: Rec) => {
      for (let k = 0; k < KEYS; k++) await s.create(`${prefix}${k}`, copyAs(rec, `${prefix}${k}`));
    };
    await seed(embedded, 'm', open);
    await seed(embedded, 'f', final);
    await seed(viaRedis, 'm', open);
    for (let k = 0; k < KEYS; k++) await viaRedis.get(`m${k}`);
    for (let k = 0; k < KEYS; k++) await embedded.get(`f${k}`);
    const seeder = new Redis(redis.url);
    for (let k = 0; k < KEYS; k++) await seeder.set(naiveKey(k), JSON.stringify(copyAs(open, naiveKey(k))));
    seeder.disconnect();
    return { redisUrl: redis.url, embedded, viaRedis };
  });
  // The naive design: connect, one command, quit — per operation.
  const naive = async <T>(fn: (c: Redis) => Promise<T>): Promise<T> => {
    const c = new Redis((await env()).redisUrl, { lazyConnect: true, enableOfflineQueue: true });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      c.disconnect();
    }
  };
  /** A read that must find the record (a miss would be a cheap wrong answer). */
  const found = async <T>(p: Promise<T | null>): Promise<T> => {
    const r = await p;
    if (r === null) throw new Error('record missing');
    return r;
  };
  const bump = async (s: TransactionStore<Rec>, id: string) => {
    for (;;) {
      const cur = await found(s.get(id));
      try {
        return await s.update(id, cur.version, { ...cur.value, updatedAt: cur.value.updatedAt + 1 });
      } catch (err) {
        if ((err as Error).name !== 'StoreConflictError') throw err;
      }
    }
  };
  const C = 32;
  const run = (op: (e: Awaited<ReturnType<typeof env>>, i: number) => Promise<unknown>) => async (seconds: number) => {
    const e = await env();
    return drive(seconds, C, (i) => op(e, i));
  };
  const scenarios: Scenario[] = [
    { name: NAMES.naiveRead, short: 'naive read', unit: 'op', run: run((_e, i) => naive((c) => found(c.get(naiveKey(i % KEYS))))) },
    {
      name: NAMES.naiveRmw,
      short: 'naive read-modify-write',
      unit: 'op',
      run: run((_e, i) =>
        naive(async (c) => {
          const v = JSON.parse(await found(c.get(naiveKey(i % KEYS)))) as Rec;
          await c.set(naiveKey(i % KEYS), JSON.stringify({ ...v, updatedAt: v.updatedAt + 1 }), 'EX', 1800);
        }),
      ),
    },
    { name: NAMES.l1Hit, unit: 'op', baseline: [NAMES.naiveRead], run: run((e, i) => found(e.embedded.get(`f${i % KEYS}`))) },
    { name: NAMES.readEmbedded, unit: 'op', baseline: [NAMES.naiveRead], run: run((e, i) => found(e.embedded.get(`m${i % KEYS}`))) },
    { name: NAMES.readRedis, unit: 'op', baseline: [NAMES.naiveRead], run: run((e, i) => found(e.viaRedis.get(`m${i % KEYS}`))) },
    { name: NAMES.casEmbedded, unit: 'op', baseline: [NAMES.naiveRmw], run: run((e, i) => bump(e.embedded, `m${i % KEYS}`)) },
    { name: NAMES.casRedis, unit: 'op', baseline: [NAMES.naiveRmw], run: run((e, i) => bump(e.viaRedis, `m${i % KEYS}`)) },
    // Bounded by its count, not by --seconds: the targets are set at a million records.
    { name: NAMES.stream, unit: 'flow', run: async () => streamRun(root, await recordsFile()) },
  ];
  return {
    scenarios,
    async close() {
      for (const c of closers.reverse()) await c();
    },
  };
}

export const STORE_GROUP: BenchGroup = {
  name: 'store',
  description:
    'the tiered store as a worker uses it (embedded over IPC, Redis), against a naive connection-per-operation Redis client; and a million browser challenges streamed through the embedded store (bytes per record, peak RSS, longest GC pause)',
  needs: ['redis-server'],
  scenarioNames: () => Object.values(NAMES),
  start: storeScenarios,
};
