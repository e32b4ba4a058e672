// Baseline for the browser flow: the naive design the seeds started from — the same protocol steps
// (this repository's protocol code and pages, so the work per step is the same) on a bare node:http
// cluster, with a transaction store that opens a new Redis connection for every operation and keeps no
// L1. Only the five routes of the browser challenge flow; errors answer the status of the AppError.
import cluster from 'node:cluster';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/index.js';
import { AppError } from '../../src/errors.js';
import { autoPostPage } from '../../src/http/views/auto-post-page.js';
import { challengePage } from '../../src/http/views/challenge-page.js';
import { newNonce, renderPage } from '../../src/http/views/page.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import type { AcsResult } from '../../src/protocol/flows/browser-challenge/browser-challenge.js';
import { createProtocol } from '../../src/protocol/protocol.js';
import type { TransactionRecord } from '../../src/protocol/transaction/record.js';
import { PATHS } from '../../src/protocol/wire/paths.js';
import { StoreConflictError, type TransactionStore, type Versioned } from '../../src/store/store.js';

const port = Number(process.env.PORT ?? 8091);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TTL = 1800;

/** Connect, one command, quit — per operation (the naive design). */
async function once<T>(fn: (c: Redis) => Promise<T>): Promise<T> {
  const c = new Redis(redisUrl, { lazyConnect: true, enableOfflineQueue: true, maxRetriesPerRequest: 0 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    c.disconnect();
  }
}

const CREATE =
  "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end redis.call('HSET', KEYS[1], 'v', 1, 'r', ARGV[1]) redis.call('EXPIRE', KEYS[1], ARGV[2]) return 1";
const UPDATE =
  "local v = redis.call('HGET', KEYS[1], 'v') if not v then return -1 end if tonumber(v) ~= tonumber(ARGV[1]) then return 0 end redis.call('HSET', KEYS[1], 'v', tonumber(v) + 1, 'r', ARGV[2]) redis.call('EXPIRE', KEYS[1], ARGV[3]) return 1";

function naiveStore(): TransactionStore<TransactionRecord> {
  const key = (id: string) => `naive:tx:${id}`;
  const read = async (id: string): Promise<Versioned<TransactionRecord> | null> => {
    const [v, r] = await once((c) => c.hmget(key(id), 'v', 'r'));
    return v && r ? { version: Number(v), value: JSON.parse(r) as TransactionRecord } : null;
  };
  return {
    async create(id, value, opts) {
      if ((await once((c) => c.eval(CREATE, 1, key(id), JSON.stringify(value), TTL))) !== 1) throw new StoreConflictError(id);
      if (opts?.acsTransID) await once((c) => c.set(`naive:acs:${opts.acsTransID}`, id, 'EX', TTL));
      return { version: 1, value };
    },
    get: read,
    async update(id, expectedVersion, value, opts) {
      if ((await once((c) => c.eval(UPDATE, 1, key(id), expectedVersion, JSON.stringify(value), TTL))) !== 1)
        throw new StoreConflictError(id);
      if (opts?.acsTransID) await once((c) => c.set(`naive:acs:${opts.acsTransID}`, id, 'EX', TTL));
      return { version: expectedVersion + 1, value };
    },
    async getByAcsTransID(acsTransID) {
      const id = await once((c) => c.get(`naive:acs:${acsTransID}`));
      return id ? read(id) : null;
    },
    async delete(id) {
      await once((c) => c.del(key(id)));
    },
    isReady: () => true,
    async close() {},
  };
}

function serve(): void {
  const { config } = loadConfig({ env: { NODE_ENV: 'development', LOG_LEVEL: 'warn' }, configDir: path.resolve(process.cwd(), 'config') });
  const protocol = createProtocol({
    config: () => config,
    store: naiveStore(),
    logger: createLogger('warn'),
    metrics: createMetrics('worker', { defaults: false }),
  });
  const ctx = { baseUrl: `http://127.0.0.1:${port}` };
  const page = (r: AcsResult): [number, string, string] => {
    if (r.type === 'challenge') return [200, 'text/html; charset=utf-8', renderPage(challengePage(r.view), newNonce())];
    if (r.type === 'post') return [200, 'text/html; charset=utf-8', renderPage(autoPostPage(r.action, r.fields), newNonce())];
    if (r.type === 'redirect') return [302, 'text/plain', r.location];
    // The no-answer test card is not part of the benchmark's flows.
    return [500, 'text/plain', 'test card acs-no-answer'];
  };
  const routes: Record<string, (body: string) => Promise<[number, string, string]>> = {
    [PATHS.version]: async (b) => [200, 'application/json', JSON.stringify(await protocol.version(JSON.parse(b), ctx))],
    [PATHS.authenticate]: async (b) => [200, 'application/json', JSON.stringify(await protocol.authenticate(JSON.parse(b), ctx))],
    [PATHS.final]: async (b) => [200, 'application/json', JSON.stringify(await protocol.final(JSON.parse(b), ctx))],
    [PATHS.acsChallenge]: async (b) => {
      const f = Object.fromEntries(new URLSearchParams(b));
      return page(await protocol.openChallenge({ creq: f.creq, threeDSSessionData: f.threeDSSessionData }, ctx));
    },
    [PATHS.acsSubmit]: async (b) => {
      const f = Object.fromEntries(new URLSearchParams(b));
      const value = f.challengeDataEntry ?? f.otp;
      return page(
        await protocol.submitChallenge({ threeDSServerTransID: f.threeDSServerTransID, ...(value !== undefined && { value }) }, ctx),
      );
    },
  };
  http
    .createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const route = req.method === 'POST' ? routes[req.url ?? ''] : undefined;
        const answer = route
          ? route(Buffer.concat(chunks).toString('utf8')).catch((err: Error): [number, string, string] =>
              err instanceof AppError
                ? [err.spec.status, 'application/json', JSON.stringify({ error: err.message })]
                : [500, 'text/plain', String(err.message)],
            )
          : Promise.resolve<[number, string, string]>([404, 'text/plain', 'not found']);
        void answer.then(([status, type, body]) => {
          res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
          res.end(body);
        });
      });
    })
    .listen(port, '127.0.0.1');
}

if (cluster.isPrimary) {
  const workers = Number(process.env.WORKERS ?? os.availableParallelism());
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    process.exit(0);
  });
} else {
  serve();
}
