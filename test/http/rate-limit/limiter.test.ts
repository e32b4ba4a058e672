// The rate limiter in the pipeline (supertest against createApp) and as two "workers" sharing the
// primary's counters class: the 429 envelope, Retry-After, RateLimit headers, exempt routes, live
// reconfiguration and client addresses under trust proxy.
import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { loadConfig } from '../../../src/config/index.js';
import { createApp, stageMiddleware } from '../../../src/http/app.js';
import { liveSnapshots } from '../../../src/http/live.js';
import { RateLimitCounters } from '../../../src/http/rate-limit/lease-counters.js';
import { rateLimiter } from '../../../src/http/rate-limit/limiter.js';
import { createMetrics } from '../../../src/metrics.js';
import { testDeps } from '../../helpers/app-deps.js';

const cfg = (env: Record<string, string>) => loadConfig({ env: { NODE_ENV: 'test', ...env } }).config;

async function refusedCount(deps: ReturnType<typeof testDeps>): Promise<number> {
  return (await deps.metrics.counter('rate_limited_total').get()).values[0]?.value ?? 0;
}

describe('rate limit middleware', () => {
  it('refuses the request after max with 429, the SPEC §8 envelope, Retry-After and RateLimit headers', async () => {
    const deps = testDeps({ RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' });
    const app = createApp(deps);
    for (let i = 1; i <= 3; i++) {
      const ok = await request(app).get('/__test/config');
      expect(ok.status).to.equal(200);
      expect(ok.headers.ratelimit).to.match(new RegExp(`^limit=3, remaining=${3 - i}, reset=\\d+$`));
      expect(ok.headers['ratelimit-policy']).to.equal('3;w=60');
    }
    const res = await request(app).get('/__test/config');
    expect(res.status).to.equal(429);
    expect(res.headers['content-type']).to.match(/application\/json/);
    expect(Number(res.headers['retry-after'])).to.be.within(1, 60);
    expect(res.headers.ratelimit).to.match(/^limit=3, remaining=0, reset=\d+$/);
    expect(res.body.error).to.match(/^Too many requests/);
    expect(res.body.errorDetails).to.include({
      messageType: 'Erro',
      errorCode: '405',
      errorComponent: 'S',
      errorDescription: 'Too many requests',
    });
    expect(await refusedCount(deps)).to.equal(1);
  });

  it('never limits health, metrics or admin routes', async () => {
    const deps = testDeps({ RATE_LIMIT_MAX: '1' });
    const app = createApp(deps);
    await request(app).get('/__test/config');
    expect((await request(app).get('/__test/config')).status).to.equal(429);
    for (const path of ['/health', '/health/live', '/health/ready', '/metrics', '/admin/reload']) {
      const res = await request(app).get(path);
      expect(res.status, path).to.not.equal(429);
      expect(res.headers, path).to.not.have.property('ratelimit');
    }
    expect(await refusedCount(deps)).to.equal(1);
  });

  it('follows enabled, max, window and header changes of the live config without a restart', async () => {
    const deps = testDeps({ RATE_LIMIT_MAX: '2' });
    const app = createApp(deps);
    await request(app).get('/__test/config');
    await request(app).get('/__test/config');
    expect((await request(app).get('/__test/config')).status).to.equal(429);
    deps.setConfig(cfg({ RATE_LIMIT_MAX: '2', RATE_LIMIT_ENABLED: 'false' }));
    const off = await request(app).get('/__test/config');
    expect(off.status).to.equal(200);
    expect(off.headers).to.not.have.property('ratelimit');
    // Same limits again in a new config object: the window already spent stays spent.
    deps.setConfig(cfg({ RATE_LIMIT_MAX: '2' }));
    expect((await request(app).get('/__test/config')).status).to.equal(429);
    deps.setConfig(cfg({ RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_MS: '30000', RATE_LIMIT_HEADERS: 'draft-8' }));
    const raised = await request(app).get('/__test/config');
    expect(raised.status).to.equal(200);
    expect(raised.headers.ratelimit).to.match(/^"5-in-30sec"; r=4; t=\d+$/);
    expect(raised.headers['ratelimit-policy']).to.match(/^"5-in-30sec"; q=5; w=30; pk=:[A-Za-z0-9+/=]+:$/);
    deps.setConfig(cfg({ RATE_LIMIT_MAX: '1', RATE_LIMIT_HEADERS: 'off' }));
    expect((await request(app).get('/__test/config')).headers).to.not.have.property('ratelimit');
    const refused = await request(app).get('/__test/config');
    expect(refused.status).to.equal(429);
    expect(refused.headers).to.not.have.property('ratelimit');
    expect(Number(refused.headers['retry-after'])).to.be.at.least(1);
  });

  it('keys clients by req.ip: X-Forwarded-For counts only when trust proxy says so', async () => {
    const trusting = createApp(testDeps({ RATE_LIMIT_MAX: '1', TRUST_PROXY: 'loopback' }));
    expect((await request(trusting).get('/__test/config').set('X-Forwarded-For', '203.0.113.1')).status).to.equal(200);
    expect((await request(trusting).get('/__test/config').set('X-Forwarded-For', '203.0.113.2')).status).to.equal(200);
    expect((await request(trusting).get('/__test/config').set('X-Forwarded-For', '203.0.113.1')).status).to.equal(429);
    const direct = createApp(testDeps({ RATE_LIMIT_MAX: '1', TRUST_PROXY: 'false' }));
    expect((await request(direct).get('/__test/config').set('X-Forwarded-For', '203.0.113.1')).status).to.equal(200);
    expect((await request(direct).get('/__test/config').set('X-Forwarded-For', '203.0.113.2')).status).to.equal(429);
  });

  it('writes the same RateLimit headers whether a request took the fast path or the library path', async () => {
    const counters = new RateLimitCounters();
    const deps = testDeps();
    let config = cfg({ RATE_LIMIT_MAX: '1000', RATE_LIMIT_WINDOW_MS: '60000' });
    const limiter = rateLimiter({ config: () => config, logger: deps.logger, metrics: deps.metrics, source: counters, processes: 1 });
    const app = express();
    app.use(
      stageMiddleware(
        limiter,
        liveSnapshots(() => config),
      ),
    );
    app.get('/x', (_req, res) => {
      res.json({ ok: true });
    });
    try {
      // D = 200 for one process: leases of 5 hits, so requests 2-5 are answered from the lease.
      for (let i = 1; i <= 12; i++) {
        const res = await request(app).get('/x');
        expect(res.status).to.equal(200);
        expect(res.headers['ratelimit-policy']).to.equal('1000;w=60');
        expect(res.headers.ratelimit).to.match(new RegExp(`^limit=1000, remaining=${1000 - i}, reset=(59|60)$`));
      }
      config = cfg({ RATE_LIMIT_MAX: '1000', RATE_LIMIT_WINDOW_MS: '60000', RATE_LIMIT_HEADERS: 'off' });
      expect((await request(app).get('/x')).headers).to.not.have.property('ratelimit');
      config = cfg({ RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000', RATE_LIMIT_HEADERS: 'draft-8' });
      const last = await request(app).get('/x');
      expect(last.status).to.equal(429);
      expect(last.headers.ratelimit).to.match(/^"3-in-1min"; r=0; t=\d+$/);
    } finally {
      await limiter.close();
      counters.close();
    }
  });

  it('groups IPv6 clients by /56 on the fast path as the library does', async () => {
    const counters = new RateLimitCounters();
    const deps = testDeps();
    const config = cfg({ RATE_LIMIT_MAX: '1000', RATE_LIMIT_WINDOW_MS: '60000' });
    const limiter = rateLimiter({ config: () => config, logger: deps.logger, metrics: deps.metrics, source: counters, processes: 1 });
    const app = express();
    app.set('trust proxy', 'loopback');
    app.use(
      stageMiddleware(
        limiter,
        liveSnapshots(() => config),
      ),
    );
    app.get('/x', (_req, res) => {
      res.json({ ok: true });
    });
    const remaining = async (xff: string) => {
      const res = await request(app).get('/x').set('X-Forwarded-For', xff);
      return Number(/remaining=(\d+)/.exec(res.headers.ratelimit as string)?.[1]);
    };
    try {
      const seen: number[] = [];
      for (let i = 0; i < 4; i++) seen.push(await remaining('2001:db8:0:1::1'), await remaining('2001:db8:0:2::7'));
      expect(seen).to.deep.equal([999, 998, 997, 996, 995, 994, 993, 992]);
      expect(await remaining('2001:db8:0:100::1')).to.equal(999);
      expect(await remaining('::ffff:198.51.100.7')).to.equal(999);
      expect(await remaining('198.51.100.7')).to.equal(998);
    } finally {
      await limiter.close();
      counters.close();
    }
  });

  it('is exact across two workers sharing the counters (lease store path)', async () => {
    const counters = new RateLimitCounters();
    const config = cfg({ RATE_LIMIT_MAX: '40', RATE_LIMIT_WINDOW_MS: '60000' });
    const deps = testDeps();
    const workers = [0, 1].map(() => {
      const app = express();
      app.set('trust proxy', false);
      const limiter = rateLimiter({
        config: () => config,
        logger: deps.logger,
        metrics: createMetrics('worker', { defaults: false }),
        source: counters,
        processes: 2,
      });
      app.use(
        stageMiddleware(
          limiter,
          liveSnapshots(() => config),
        ),
      );
      app.get('/x', (_req, res) => {
        res.json({ ok: true });
      });
      return { app, limiter };
    });
    try {
      const statuses = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          request((workers[i % 2] as (typeof workers)[0]).app)
            .get('/x')
            .then((r) => r.status),
        ),
      );
      expect(statuses.filter((s) => s === 200)).to.have.length(40);
      expect(statuses.filter((s) => s === 429)).to.have.length(60);
    } finally {
      for (const w of workers) await w.limiter.close();
      counters.close();
    }
  });
});
