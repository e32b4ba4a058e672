// Fault injection through real sockets: every fault kind from headers and from rules, header faults
// ignored when disabled, operator routes exempt, live rules. Delays are checked only as "not before".
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { loadConfig } from '../../../src/config/index.js';
import { createApp, stageMiddleware } from '../../../src/http/app.js';
import { type DelayScheduler, faultInjection } from '../../../src/http/fault-injection/injector.js';
import { liveSnapshots } from '../../../src/http/live.js';
import { testDeps } from '../../helpers/app-deps.js';

const cfg = (env: Record<string, string>) => loadConfig({ env: { NODE_ENV: 'test', ...env } }).config;

/**
 * Records the delays the stage asks for instead of waiting them out: each one fires on the next turn of
 * the event loop (or when the test says, with `hold`), so no test measures time.
 */
function delays(opts: { hold?: boolean } = {}) {
  const asked: number[] = [];
  const pending: { fire: () => void; cancelled: boolean }[] = [];
  const schedule: DelayScheduler = (fn, ms) => {
    asked.push(ms);
    const entry = { fire: fn, cancelled: false };
    pending.push(entry);
    if (!opts.hold) setImmediate(() => entry.cancelled || fn());
    return () => {
      entry.cancelled = true;
    };
  };
  return { asked, pending, schedule };
}

/** Resolves once `cond` holds, checking every few milliseconds; gives up after 2 s. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`not seen within 2 s: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Test deps whose fault delays are recorded (see delays()). */
function recordingDeps(env: Record<string, string> = {}, opts: { hold?: boolean } = {}) {
  const d = delays(opts);
  const deps = testDeps(env);
  deps.scheduleDelay = d.schedule;
  return { deps, ...d };
}

/** A raw request, resolving with the status or with the socket error when no answer came. */
async function rawGet(
  app: http.RequestListener,
  path: string,
  headers: Record<string, string>,
): Promise<{ status?: number | undefined; error?: string }> {
  const server = http.createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
        res.resume();
        resolve({ status: res.statusCode });
      });
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    });
  } finally {
    server.close();
  }
}

describe('fault injection middleware', () => {
  it('delays a request by X-Mock-Delay (fixed, uniform, lognormal) and then serves it', async () => {
    const { deps, asked } = recordingDeps();
    const app = createApp(deps);
    expect((await request(app).get('/__test/config').set('X-Mock-Delay', '200')).status).to.equal(200);
    expect((await request(app).get('/__test/config').set('X-Mock-Delay', 'uniform:150-160')).status).to.equal(200);
    // sigma 0: the median exactly.
    expect((await request(app).get('/__test/config').set('X-Mock-Delay', 'lognormal:120,0')).status).to.equal(200);
    expect(asked).to.have.length(3);
    expect(asked[0]).to.equal(200);
    expect(asked[1]).to.be.within(150, 160);
    expect(asked[2]).to.equal(120);
  });

  it('answers X-Mock-Error with the status and EMVCo code in the SPEC §8 envelope', async () => {
    const { deps, asked } = recordingDeps();
    const app = createApp(deps);
    const busy = await request(app).post('/__test/echo').set('X-Mock-Error', '503:405').send({ a: 1 });
    expect(busy.status).to.equal(503);
    expect(busy.headers['retry-after']).to.equal('1');
    expect(busy.body.errorDetails).to.include({ messageType: 'Erro', errorCode: '405', errorComponent: 'S' });
    expect(busy.body.error).to.match(/^Injected fault/);
    const bad = await request(app).get('/__test/config').set('X-Mock-Error', '500:305');
    expect(bad.status).to.equal(500);
    expect(bad.headers).to.not.have.property('retry-after');
    expect(bad.body.errorDetails.errorCode).to.equal('305');
    const slowBad = await request(app).get('/__test/config').set('X-Mock-Delay', '100').set('X-Mock-Error', '502');
    expect(slowBad.status).to.equal(502);
    expect(slowBad.body.errorDetails.errorCode).to.equal('405');
    expect(asked).to.deep.equal([100]);
  });

  it('drops the connection without an answer on X-Mock-Drop, and keeps serving', async () => {
    const app = createApp(testDeps());
    const dropped = await rawGet(app, '/__test/config', { 'X-Mock-Drop': 'true' });
    expect(dropped.status).to.equal(undefined);
    expect(dropped.error).to.be.oneOf(['ECONNRESET', 'socket hang up']);
    expect((await rawGet(app, '/__test/config', {})).status).to.equal(200);
  });

  it('refuses a malformed fault header with 400 naming it', async () => {
    const res = await request(createApp(testDeps())).get('/__test/config').set('X-Mock-Delay', 'soon');
    expect(res.status).to.equal(400);
    expect(res.body.errorDetails.errorCode).to.equal('203');
    expect(res.body.errorDetails.errorDetail).to.match(/X-Mock-Delay/);
  });

  it('ignores fault headers when faults.headersEnabled is false', async () => {
    const app = createApp(testDeps({ FAULT_HEADERS_ENABLED: 'false' }));
    expect((await request(app).get('/__test/config').set('X-Mock-Error', '503')).status).to.equal(200);
    expect((await request(app).get('/__test/config').set('X-Mock-Delay', 'soon')).status).to.equal(200);
    expect((await rawGet(app, '/__test/config', { 'X-Mock-Drop': 'true' })).status).to.equal(200);
  });

  it('never faults health, metrics or admin routes', async () => {
    const rules = JSON.stringify([{ route: '/*', error: { status: 503 } }]);
    const app = createApp(testDeps({ FAULT_RULES: rules }));
    expect((await request(app).get('/__test/config')).status).to.equal(503);
    expect((await request(app).get('/health').set('X-Mock-Error', '500')).status).to.equal(200);
    expect((await request(app).get('/health/ready')).status).to.equal(200);
    expect((await request(app).get('/metrics')).status).to.equal(200);
  });

  it('applies configured rules by route template, method and probability; headers take precedence', async () => {
    const rules = [
      { route: '/__test/:name', method: 'GET', error: { status: 502, errorCode: '405' } },
      { route: '/__test/echo', probability: 0, drop: true },
    ];
    const app = createApp(testDeps({ FAULT_RULES: JSON.stringify(rules) }));
    const res = await request(app).get('/__test/config');
    expect(res.status).to.equal(502);
    expect(res.body.errorDetails.errorCode).to.equal('405');
    for (let i = 0; i < 20; i++) expect((await request(app).post('/__test/echo').send({ i })).status).to.equal(200);
    expect((await request(app).get('/__test/config').set('X-Mock-Delay', '0')).status).to.equal(200);
  });

  it('follows rule changes of the live config (delay, then drop, then none)', async () => {
    const { deps, asked } = recordingDeps();
    const app = createApp(deps);
    expect((await request(app).get('/__test/config')).status).to.equal(200);
    deps.setConfig(cfg({ FAULT_RULES: JSON.stringify([{ route: '/__test/config', delay: { kind: 'fixed', ms: 150 } }]) }));
    expect((await request(app).get('/__test/config')).status).to.equal(200);
    expect(asked).to.deep.equal([150]);
    deps.setConfig(cfg({ FAULT_RULES: JSON.stringify([{ route: '/__test/*', drop: true }]) }));
    expect((await rawGet(app, '/__test/config', {})).status).to.equal(undefined);
    deps.setConfig(cfg({}));
    expect((await rawGet(app, '/__test/config', {})).status).to.equal(200);
  });

  it('caps delays at faults.maxDelayMs', async () => {
    const { deps, asked } = recordingDeps({ FAULT_MAX_DELAY_MS: '50' });
    const res = await request(createApp(deps)).get('/__test/config').set('X-Mock-Delay', '600000');
    expect(res.status).to.equal(200);
    expect(asked).to.deep.equal([50]);
  });

  it('does not run the handler of a request whose client left during the delay', async () => {
    const deps = testDeps();
    const d = delays({ hold: true });
    let handled = 0;
    const app = express();
    app.use(stageMiddleware(faultInjection({ logger: deps.logger, schedule: d.schedule }), liveSnapshots(deps.config)));
    app.get('/x', (_req, res) => {
      handled++;
      res.json({ ok: true });
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const arrived = once(server, 'request');
      const req = http.get({ host: '127.0.0.1', port, path: '/x', headers: { 'X-Mock-Delay': '1000' }, agent: false });
      req.on('error', () => {});
      await arrived;
      expect(d.asked).to.deep.equal([1000]);
      req.destroy();
      // The server sees the client go, and the delay is cancelled; firing it anyway must not run the handler.
      await until(() => d.pending[0]?.cancelled === true, 'the delay cancelled');
      for (const p of d.pending) if (!p.cancelled) p.fire();
      expect(handled).to.equal(0);
      expect((await rawGet(app, '/x', {})).status).to.equal(200);
      expect(handled).to.equal(1);
    } finally {
      server.close();
    }
  });
});
