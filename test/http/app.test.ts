// The HTTP pipeline of createApp through real sockets (supertest).
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import request from 'supertest';
import { createApp, pipeline } from '../../src/http/app.js';
import { testDeps } from '../helpers/app-deps.js';

describe('createApp pipeline', () => {
  it('declares its stages in order', () => {
    expect(pipeline(testDeps()).map((s) => s.name)).to.deep.equal([
      'request-id',
      'access-log',
      'http-metrics',
      'drain-guard',
      'rate-limit',
      'compression',
      'body-reader',
      'fault-injection',
    ]);
  });

  it('returns a made X-Request-ID, or the one given when sane', async () => {
    const app = createApp(testDeps());
    const made = await request(app).get('/health');
    expect(made.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
    const given = await request(app).get('/health').set('X-Request-ID', 'abc-123');
    expect(given.headers['x-request-id']).to.equal('abc-123');
    const insane = await request(app).get('/health').set('X-Request-ID', '<script>');
    expect(insane.headers['x-request-id']).to.not.equal('<script>');
  });

  it('answers /health in the existing shape, without x-powered-by or ETag', async () => {
    const res = await request(createApp(testDeps())).get('/health');
    expect(res.status).to.equal(200);
    expect(res.body).to.have.keys(['status', 'timestamp', 'service']);
    expect(res.body.status).to.equal('healthy');
    expect(res.headers).to.not.have.property('x-powered-by');
    expect(res.headers).to.not.have.property('etag');
  });

  it('reports not ready while the store is down or the worker drains', async () => {
    const deps = testDeps();
    let storeUp = false;
    deps.state.storeReady = () => storeUp;
    const app = createApp(deps);
    const down = await request(app).get('/health/ready');
    expect(down.status).to.equal(503);
    expect(down.body.checks.store).to.equal('down');
    storeUp = true;
    expect((await request(app).get('/health/ready')).status).to.equal(200);
    deps.state.draining = true;
    expect((await request(app).get('/health/ready')).status).to.equal(503);
    expect((await request(app).get('/health/live')).status).to.equal(200);
  });

  it('answers unknown routes with the JSON envelope', async () => {
    const res = await request(createApp(testDeps())).post('/no/such/route').send({});
    expect(res.status).to.equal(404);
    expect(res.headers['content-type']).to.match(/application\/json/);
    expect(res.body.errorDetails).to.include({ messageType: 'Erro', errorCode: '101', errorComponent: 'S' });
  });

  it('refuses bodies above the limit with 413, declared or streamed', async () => {
    const app = createApp(testDeps({ BODY_LIMIT_BYTES: '100' }));
    const declared = await request(app)
      .post('/__test/echo')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ x: 'y'.repeat(200) }));
    expect(declared.status).to.equal(413);
    expect(declared.body.errorDetails.errorCode).to.equal('203');
    const ok = await request(app).post('/__test/echo').send({ x: 1 });
    expect(ok.status).to.equal(200);
    expect(ok.body).to.deep.equal({ body: { x: 1 } });
  });

  it('refuses a body that grows past the limit without a Content-Length', async () => {
    const app = createApp(testDeps({ BODY_LIMIT_BYTES: '100' }));
    const server = http.createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { port, host: '127.0.0.1', method: 'POST', path: '/__test/echo', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write('{"pad":"' + 'y'.repeat(40) + '"}');
      req.end();
    });
    server.close();
    expect(status).to.equal(413);
  });

  it('refuses non-JSON on JSON routes with 415 and malformed JSON with 400/101', async () => {
    const app = createApp(testDeps());
    const form = await request(app).post('/__test/echo').type('form').send('a=1');
    expect(form.status).to.equal(415);
    const bad = await request(app).post('/__test/echo').set('content-type', 'application/json').send('{"a":');
    expect(bad.status).to.equal(400);
    expect(bad.body.errorDetails.errorCode).to.equal('101');
  });

  it('maps an unexpected error to 500 without internals and logs it', async () => {
    const deps = testDeps();
    const res = await request(createApp(deps)).get('/__test/throw');
    expect(res.status).to.equal(500);
    expect(JSON.stringify(res.body)).to.not.match(/deliberate|stack|at /);
    expect(deps.logLines.some((l) => l.includes('"request failed"') && l.includes('deliberate'))).to.equal(true);
  });

  it('serves with Connection: close while draining and 503 once closing', async () => {
    const deps = testDeps();
    const app = createApp(deps);
    deps.state.draining = true;
    const draining = await request(app).get('/health');
    expect(draining.status).to.equal(200);
    expect(draining.headers.connection).to.equal('close');
    deps.state.closing = true;
    const closing = await request(app).get('/health');
    expect(closing.status).to.equal(503);
    expect(closing.headers['retry-after']).to.equal('1');
    expect(closing.headers.connection).to.equal('close');
  });

  it('writes one access log line per request with the route template, and counts it', async () => {
    const deps = testDeps();
    const app = createApp(deps);
    await request(app).get('/health/ready');
    const line = deps.logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request');
    expect(line).to.include({ method: 'GET', route: '/health/ready', status: 200 });
    expect(line.requestId).to.be.a('string');
    const text = await deps.metrics.registry.metrics();
    expect(text).to.match(/http_requests_total\{method="GET",route="\/health\/ready",status_code="200"\} 1/);
  });
});
