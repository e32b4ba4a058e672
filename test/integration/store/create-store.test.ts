// createStore over a real redis-server (test/helpers/redis.ts): the Redis backend, an outage and its
// recovery, a start while Redis is down.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { expect } from 'chai';
import { type Config, loadConfig } from '../../../src/config/index.js';
import { createLogger } from '../../../src/logger.js';
import { createMetrics, type Metrics } from '../../../src/metrics.js';
import { createStore } from '../../../src/store/create-store.js';
import { StoreUnavailableError, type TransactionStore } from '../../../src/store/store.js';
import { expectRejection } from '../../helpers/expect-error.js';
import { cli, type RedisServer, requireRedis, startRedis, waitFor } from '../../helpers/redis.js';

const logger = createLogger('silent');

// Schema defaults plus the variables given: no config files, so other groups' settings cannot interfere.
function config(env: Record<string, string> = {}): Config {
  return loadConfig({ configDir: path.join(import.meta.dirname, 'no-config-files'), env: { NODE_ENV: 'test', ...env } }).config;
}

// Fast-failing settings: a short command timeout and a breaker that opens after 3 failures and stays
// open long enough that only the connection coming back (not a timed trial) closes it during a test.
const OUTAGE_ENV = {
  STORE_OPERATION_TIMEOUT_MS: '500',
  REDIS_CONNECT_TIMEOUT_MS: '500',
  STORE_READ_RETRIES: '1',
  STORE_RETRY_BACKOFF_MS: '10',
  STORE_BREAKER_FAILURES: '3',
  STORE_BREAKER_OPEN_MS: '5000',
};

async function metricValue(metrics: Metrics, name: 'store_l2_errors_total', operation: string): Promise<number> {
  const m = await metrics.counter(name).get();
  return m.values.find((v) => v.labels.operation === operation)?.value ?? 0;
}

async function breakerState(metrics: Metrics): Promise<number> {
  return (await metrics.gauge('store_breaker_state').get()).values[0]?.value ?? -1;
}

describe('createStore with Redis (integration)', function () {
  this.timeout(30_000);
  let server: RedisServer;
  const stores: TransactionStore[] = [];
  const track = (s: TransactionStore) => {
    stores.push(s);
    return s;
  };

  before(async function () {
    requireRedis(this);
    server = await startRedis({ appendonly: true });
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    if (server && !server.running()) await server.restart();
  });
  after(async () => {
    await server?.close();
  });

  it('uses Redis when REDIS_URL is set, under store.prefix', async () => {
    const store = track(
      await createStore({
        config: config({ REDIS_URL: server.url, STORE_PREFIX: 'cs' }),
        logger,
        metrics: createMetrics('worker', { defaults: false }),
      }),
    );
    expect(store.isReady()).to.equal(true);
    const id = randomUUID();
    await store.create(id, { step: 'version' });
    expect((await cli(server.port, 'exists', `cs:${id}`)).trim()).to.equal('1');
  });

  it('turns an outage into fast StoreUnavailableErrors, goes not ready, and recovers with the data', async () => {
    const metrics = createMetrics('worker', { defaults: false });
    const store = track(
      await createStore({ config: config({ REDIS_URL: server.url, ...OUTAGE_ENV }), logger, metrics, probeIntervalMs: 50 }),
    );
    const id = randomUUID();
    const created = await store.create(id, { step: 'acknowledged before the crash' });

    await server.kill('SIGKILL');
    await waitFor(() => !store.isReady(), 5000, 'not ready');
    await expectRejection(store.get(id), StoreUnavailableError);

    // Failures (requests and readiness pings) open the breaker; from then on nothing reaches ioredis.
    await waitFor(async () => (await breakerState(metrics)) === 2, 5000, 'breaker open');
    const attemptsBefore = await metricValue(metrics, 'store_l2_errors_total', 'get');
    for (let i = 0; i < 20; i++) {
      const err = await expectRejection(store.get(id), StoreUnavailableError);
      expect(err.retryAfterSeconds).to.be.at.least(1);
    }
    expect(await metricValue(metrics, 'store_l2_errors_total', 'get')).to.equal(attemptsBefore);
    expect(store.isReady()).to.equal(false);

    await server.restart();
    await waitFor(() => store.isReady(), 10_000, 'ready again');
    expect(await breakerState(metrics)).to.equal(0);
    // A fresh store (empty L1) proves the record came back from Redis's append-only file.
    const fresh = track(
      await createStore({ config: config({ REDIS_URL: server.url }), logger, metrics: createMetrics('worker', { defaults: false }) }),
    );
    expect((await fresh.get(id))?.value).to.deep.equal({ step: 'acknowledged before the crash' });
    const updated = await store.update(id, created.version, { step: 'after recovery' });
    expect(updated.version).to.be.above(created.version);
    expect(await fresh.get(id)).to.deep.equal({ value: { step: 'after recovery' }, version: updated.version });
  });

  it('starts while Redis is down, not ready, and becomes ready when Redis arrives', async () => {
    await server.stop();
    const store = track(
      await createStore({
        config: config({ REDIS_URL: server.url, ...OUTAGE_ENV }),
        logger,
        metrics: createMetrics('worker', { defaults: false }),
        probeIntervalMs: 50,
      }),
    );
    expect(store.isReady()).to.equal(false);
    await expectRejection(store.get(randomUUID()), StoreUnavailableError);

    await server.restart();
    await waitFor(() => store.isReady(), 10_000, 'ready');
    const id = randomUUID();
    const created = await store.create(id, { step: 'version' });
    expect((await store.get(id))?.version).to.equal(created.version);
  });
});
