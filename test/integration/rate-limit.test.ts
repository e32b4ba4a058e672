// The rate limit across real workers (SPEC §11: N workers must not multiply the limit): the built server
// with 2 workers, hammered by 8 concurrent loops on fresh and kept-alive connections; within one window
// the 200s must equal `max` within 1%, both workers must have served, and the next window must grant
// `max` again. Once over the embedded backend (counters in the primary), once over Redis when present,
// where each worker holds one Redis connection (its store's, the limiter borrows it).
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { cli, type RedisServer, requireRedis, startRedis, waitFor } from '../helpers/redis.js';
import { type RunningServer, startServer } from '../helpers/server.js';

const MAX = 500;
const WINDOW_MS = 5000;
const LOOPS = 8;
const REFUSALS_TO_SEE = 400;

interface Round {
  ok: number;
  refused: number;
  pids: Set<number>;
  elapsedMs: number;
  refusal?: { status: number; retryAfter: string | null; rateLimit: string | null; body: { errorDetails?: { errorCode?: string } } };
}

/** Hammers a rate-limited route until enough 429s were seen; counts every answer. */
async function hammer(server: RunningServer, startedAt: number, round: Round): Promise<Round> {
  let stop = false;
  const loops = Array.from({ length: LOOPS }, async (_, i) => {
    // Half the loops open a connection per request (spread over the workers by the primary), half keep theirs.
    const headers: Record<string, string> = i % 2 === 0 ? { connection: 'close' } : {};
    while (!stop) {
      const res = await fetch(server.url('/__test/config'), { headers, signal: AbortSignal.timeout(5000) });
      if (res.status === 200) {
        round.ok++;
        round.pids.add(((await res.json()) as { pid: number }).pid);
      } else if (res.status === 429) {
        round.refused++;
        const body = (await res.json()) as NonNullable<Round['refusal']>['body'];
        round.refusal ??= { status: res.status, retryAfter: res.headers.get('retry-after'), rateLimit: res.headers.get('ratelimit'), body };
        if (round.refused >= REFUSALS_TO_SEE) stop = true;
      } else {
        stop = true;
        throw new Error(`unexpected HTTP ${res.status}: ${await res.text()}`);
      }
    }
  });
  await Promise.all(loops);
  round.elapsedMs = Date.now() - startedAt;
  return round;
}

const emptyRound = (): Round => ({ ok: 0, refused: 0, pids: new Set(), elapsedMs: 0 });

/** Polls until a request is allowed again (a new window opened); that request is the round's first. */
async function nextWindow(server: RunningServer): Promise<{ startedAt: number; round: Round }> {
  const deadline = Date.now() + WINDOW_MS + 5000;
  while (Date.now() < deadline) {
    const startedAt = Date.now();
    const res = await fetch(server.url('/__test/config'), { headers: { connection: 'close' } });
    if (res.status === 200) {
      const round = emptyRound();
      round.ok = 1;
      round.pids.add(((await res.json()) as { pid: number }).pid);
      return { startedAt, round };
    }
    await res.arrayBuffer();
    await sleep(50);
  }
  throw new Error('no new rate-limit window opened');
}

function expectExact(round: Round, what: string): void {
  // Every counted request must fall in one window, or the count says nothing.
  expect(round.elapsedMs, `${what}: the hammering outlasted the ${WINDOW_MS} ms window; inconclusive`).to.be.below(WINDOW_MS);
  expect(round.ok, `${what}: allowed requests`).to.be.at.most(MAX);
  expect(round.ok, `${what}: allowed requests`).to.be.at.least(Math.floor(MAX * 0.99));
  expect(round.refused).to.be.at.least(REFUSALS_TO_SEE);
  expect(round.pids.size, `${what}: both workers served`).to.equal(2);
  expect(round.refusal?.body.errorDetails?.errorCode).to.equal('405');
  expect(Number(round.refusal?.retryAfter)).to.be.within(1, WINDOW_MS / 1000);
  expect(round.refusal?.rateLimit).to.match(new RegExp(`^limit=${MAX}, remaining=0, reset=\\d+$`));
}

async function metric(server: RunningServer, name: string): Promise<number> {
  const text = await (await fetch(server.url('/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function exactAcrossWorkers(server: RunningServer): Promise<void> {
  const first = await hammer(server, Date.now(), emptyRound());
  expectExact(first, 'first window');
  // Operator routes stay open while the client is refused.
  expect((await fetch(server.url('/health'))).status).to.equal(200);
  const { startedAt, round } = await nextWindow(server);
  const second = await hammer(server, startedAt, round);
  expectExact(second, 'second window');
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
