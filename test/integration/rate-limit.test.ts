// The rate limit across real workers (SPEC §11: N workers must not multiply the limit): the built server
// with 2 workers, hammered by 8 concurrent loops on fresh and kept-alive connections; within one window
// the 200s must equal `max` within 1%, both workers must have served, and the next window must grant
// `max` again. Once over the embedded backend (counters in the primary), once over Redis when present,
// where each worker holds one Redis connection (its store's, the limiter borrows it).
import { expect } from 'chai';
import { emptyRound, expectExact, hammer, type Limits, nextWindow, type Round } from '../helpers/rate-limit.js';
import { cli, type RedisServer, requireRedis, startRedis, waitFor } from '../helpers/redis.js';
import { type RunningServer, startServer } from '../helpers/server.js';

const MAX = 500;
const WINDOW_MS = 5000;
const LIMITS: Limits = { max: MAX, windowMs: WINDOW_MS };

function expectBothWorkers(round: Round, what: string): void {
  expectExact(round, LIMITS, what);
  expect(round.pids.size, `${what}: both workers served`).to.equal(2);
}

async function metric(server: RunningServer, name: string): Promise<number> {
  const text = await (await fetch(server.url('/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function exactAcrossWorkers(server: RunningServer): Promise<void> {
  const url = server.url('/__test/config');
  const first = await hammer(url, Date.now(), emptyRound());
  expectBothWorkers(first, 'first window');
  // Operator routes stay open while the client is refused.
  expect((await fetch(server.url('/health'))).status).to.equal(200);
  const { startedAt, round } = await nextWindow(url, LIMITS);
  const second = await hammer(url, startedAt, round);
  expectBothWorkers(second, 'second window');
  expect(await metric(server, 'rate_limited_total')).to.be.at.least(first.refused + second.refused);
}

describe('rate limit across workers (integration)', function () {
  this.timeout(90_000);
  let server: RunningServer | undefined;
  const env = { RATE_LIMIT_MAX: String(MAX), RATE_LIMIT_WINDOW_MS: String(WINDOW_MS), ACCESS_LOG: 'false' };

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('allows max per window within 1% with 2 workers sharing the primary counters', async () => {
    server = await startServer({ workers: 2, env });
    await exactAcrossWorkers(server);
  });

  describe('with the Redis backend', () => {
    let redis: RedisServer | undefined;
    before(async function () {
      requireRedis(this);
      redis = await startRedis({ appendonly: false });
    });
    after(async () => {
      await redis?.close();
    });

    it('allows max per window within 1% with 2 workers sharing Redis counters, over one connection per worker', async () => {
      const r = redis as RedisServer;
      // The workers' connections (ioredis gives them its connectionName; redis-cli's own has none, and the
      // primary's, for the scenario overrides, are named mock-3ds-overrides…).
      const connections = async () =>
        (await cli(r.port, 'CLIENT', 'LIST')).split('\n').filter((l) => /\bname=mock-3ds(\s|$)/.test(l)).length;
      server = await startServer({ workers: 2, env: { ...env, REDIS_URL: r.url } });
      await exactAcrossWorkers(server);
      // The rate limiter leases over its worker's store connection rather than a second one of its own.
      expect(await connections()).to.equal(2);
      await server.stop();
      await waitFor(async () => (await connections()) === 0, 5000, 'the workers to close their connections');
    });
  });
});
