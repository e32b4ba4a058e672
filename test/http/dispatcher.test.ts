// The lean adapter: exact method + path table, stages in order, errors in the SPEC §8 envelope, everything
// else and handed-over requests to the fallback (Express in the app), through real sockets.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { expect } from 'chai';
import request from 'supertest';
import { AppError } from '../../src/errors.js';
import { createDispatcher } from '../../src/http/dispatcher.js';
import { existingExchange, type NamedStage } from '../../src/http/exchange.js';
import { liveSnapshots } from '../../src/http/live.js';
import { sendJson } from '../../src/http/reply.js';
import type { FlowRoute } from '../../src/http/routes/flow-route.js';
import { testDeps } from '../helpers/app-deps.js';
import { startApp } from './routes/harness.js';

function setup(stages: NamedStage[]) {
  const deps = testDeps();
  const calls: string[] = [];
  const fallbackSaw: { path: string | undefined; passed: number | undefined }[] = [];
  const route: FlowRoute = {
    method: 'POST',
    path: '/flow',
    accepts: 'json',
    async handle(ex) {
      calls.push('handler');
      sendJson(ex, 200, { body: ex.body, route: ex.route });
    },
  };
  const fallback = (req: IncomingMessage, res: ServerResponse) => {
    fallbackSaw.push({ path: req.url, passed: existingExchange(req)?.passed });
    res.writeHead(299, { 'content-type': 'text/plain' }).end('fallback');
  };
  const dispatch = createDispatcher({ stages, routes: [route], fallback, live: liveSnapshots(deps.config), logger: deps.logger });
  return { dispatch, calls, fallbackSaw };
}

const recording = (name: string, calls: string[]): NamedStage => ({
  name,
  run: (_ex, next) => {
    calls.push(name);
    next();
  },
});

describe('lean dispatcher', () => {
  it('serves an exact POST from its table, running the stages in order, without the fallback', async () => {
    const calls: string[] = [];
    const s = setup([recording('a', calls), recording('b', calls)]);
    const res = await request(s.dispatch).post('/flow?x=1').send({ n: 1 });
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.equal('application/json; charset=utf-8');
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.body).to.deep.equal({ route: '/flow' });
    expect([...calls, ...s.calls]).to.deep.equal(['a', 'b', 'handler']);
    expect(s.fallbackSaw).to.deep.equal([]);
  });

  it('leaves other methods, other paths and loose spellings to the fallback', async () => {
    const s = setup([]);
    for (const [method, path] of [
      ['get', '/flow'],
      ['post', '/flow/'],
      ['post', '/FLOW'],
      ['post', '/other'],
    ] as const) {
      const res = await request(s.dispatch)[method](path);
      expect(res.status, `${method} ${path}`).to.equal(299);
    }
    expect(s.calls).to.deep.equal([]);
    expect(s.fallbackSaw.map((f) => f.passed)).to.deep.equal([undefined, undefined, undefined, undefined]);
  });

  it('answers a stage error in the SPEC §8 envelope and runs nothing after it', async () => {
    const calls: string[] = [];
    const failing: NamedStage = { name: 'fail', run: (_ex, next) => next(new AppError('RATE_LIMITED', 'slow down')) };
    const s = setup([failing, recording('after', calls)]);
    const res = await request(s.dispatch).post('/flow').send({});
    expect(res.status).to.equal(429);
    expect(res.headers['retry-after']).to.equal('1');
    expect(res.body.errorDetails.errorCode).to.equal('405');
    expect(calls).to.deep.equal([]);
    expect(s.calls).to.deep.equal([]);
  });

  it('gives the route its 415 for a body of another type', async () => {
    const s = setup([]);
    const res = await request(s.dispatch).post('/flow').set('content-type', 'text/plain').send('x');
    expect(res.status).to.equal(415);
    expect(res.body.errorDetails.errorCode).to.equal('101');
    expect(s.calls).to.deep.equal([]);
  });

  it('hands a request over from the stage that asks, telling the fallback which stages already ran', async () => {
    const calls: string[] = [];
    const handing: NamedStage = {
      name: 'hand',
      run: (ex) => {
        calls.push('hand');
        ex.handOff?.();
      },
    };
    const s = setup([recording('first', calls), handing, recording('never', calls)]);
    const res = await request(s.dispatch).post('/flow').send({});
    expect(res.status).to.equal(299);
    expect(calls).to.deep.equal(['first', 'hand']);
    expect(s.fallbackSaw).to.deep.equal([{ path: '/flow', passed: 1 }]);
  });

  it('in the app: flow routes answer the same through the table and through Express', async () => {
    const h = await startApp();
    const app = h.base;
    const lean = await request(app).post('/3ds/version').send({ cardNumber: '4000400040004000' });
    // A trailing slash misses the exact table; Express's matching serves it with the same handler.
    const viaExpress = await request(app).post('/3ds/version/').send({ cardNumber: '4000400040004000' });
    for (const res of [lean, viaExpress]) {
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal('application/json; charset=utf-8');
      expect(res.headers['x-content-type-options']).to.equal('nosniff');
      expect(res.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
      expect(res.body.cardRanges[0].startRange).to.equal('4000000000000000');
    }
    const bad = await request(app).post('/3ds/version').set('content-type', 'text/plain').send('x');
    const badViaExpress = await request(app).post('/3ds/version/').set('content-type', 'text/plain').send('x');
    expect(bad.status).to.equal(415);
    expect(badViaExpress.body).to.deep.equal(bad.body);
    await h.close();
  });
});
