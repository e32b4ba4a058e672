// Compression only where it pays: large bodies of the configured types, never small ones, never for
// clients that accept no encoding; the settings follow the live config.
import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { loadConfig } from '../../../src/config/index.js';
import { createApp, stageMiddleware } from '../../../src/http/app.js';
import { liveSnapshots } from '../../../src/http/live.js';
import { responseCompression, typeListed } from '../../../src/http/middleware/compression.js';
import { testDeps } from '../../helpers/app-deps.js';

const cfg = (env: Record<string, string>) => loadConfig({ env: { NODE_ENV: 'test', ...env } }).config;

function appWith(deps: ReturnType<typeof testDeps>) {
  const app = express();
  app.use(stageMiddleware(responseCompression(), liveSnapshots(deps.config)));
  app.get('/json/:size', (req, res) => {
    res.json({ pad: 'x'.repeat(Number(req.params.size)) });
  });
  app.get('/html/:size', (req, res) => {
    res.type('html').send(`<!doctype html><p>${'y'.repeat(Number(req.params.size))}</p>`);
  });
  app.get('/text/:size', (req, res) => {
    res.type('text/plain').send('z'.repeat(Number(req.params.size)));
  });
  return app;
}

describe('compression middleware', () => {
  it('compresses a large JSON body for a client that accepts gzip, intact', async () => {
    const app = appWith(testDeps());
    const res = await request(app).get('/json/20000').set('Accept-Encoding', 'gzip');
    expect(res.status).to.equal(200);
    expect(res.headers['content-encoding']).to.equal('gzip');
    expect(res.headers.vary).to.match(/Accept-Encoding/i);
    expect(res.body.pad).to.have.length(20000);
  });

  it('compresses a large HTML page, and nothing of a type not listed', async () => {
    const app = appWith(testDeps());
    expect((await request(app).get('/html/20000').set('Accept-Encoding', 'gzip')).headers['content-encoding']).to.equal('gzip');
    expect((await request(app).get('/text/20000').set('Accept-Encoding', 'gzip')).headers).to.not.have.property('content-encoding');
  });

  it('leaves small bodies and clients without Accept-Encoding alone', async () => {
    const app = appWith(testDeps());
    const small = await request(app).get('/json/100').set('Accept-Encoding', 'gzip, br');
    expect(small.headers).to.not.have.property('content-encoding');
    expect(small.body.pad).to.have.length(100);
    const plain = await request(app).get('/json/20000').set('Accept-Encoding', 'identity');
    expect(plain.headers).to.not.have.property('content-encoding');
    expect(Number(plain.headers['content-length'])).to.be.above(20000);
  });

  it('follows threshold, types and enabled changes of the live config', async () => {
    const deps = testDeps();
    const app = appWith(deps);
    const enc = async (path: string) => (await request(app).get(path).set('Accept-Encoding', 'gzip')).headers['content-encoding'];
    expect(await enc('/json/10000')).to.equal('gzip');
    deps.setConfig(cfg({ COMPRESSION_THRESHOLD_BYTES: '100000' }));
    expect(await enc('/json/10000')).to.equal(undefined);
    expect(await enc('/json/200000')).to.equal('gzip');
    deps.setConfig(cfg({ COMPRESSION_TYPES: 'text/*' }));
    expect(await enc('/text/10000')).to.equal('gzip');
    expect(await enc('/json/10000')).to.equal(undefined);
    deps.setConfig(cfg({ COMPRESSION_ENABLED: 'false' }));
    expect(await enc('/html/10000')).to.equal(undefined);
  });

  it('is a stage of the pipeline: a large JSON answer of the app is compressed, a small one is not', async () => {
    const app = createApp(testDeps());
    const big = await request(app)
      .post('/__test/echo')
      .set('Accept-Encoding', 'gzip')
      .send({ pad: 'p'.repeat(10000) });
    expect(big.headers['content-encoding']).to.equal('gzip');
    expect(big.body.body.pad).to.have.length(10000);
    const small = await request(app).post('/__test/echo').set('Accept-Encoding', 'gzip').send({ pad: 'p' });
    expect(small.headers).to.not.have.property('content-encoding');
  });

  it('matches content types by MIME, with parameters and families', () => {
    expect(typeListed('application/json; charset=utf-8', ['application/json'])).to.equal(true);
    expect(typeListed('TEXT/HTML', ['text/html'])).to.equal(true);
    expect(typeListed('text/css', ['text/*'])).to.equal(true);
    expect(typeListed('application/jose', ['application/json'])).to.equal(false);
    expect(typeListed(undefined, ['application/json'])).to.equal(false);
  });
});
