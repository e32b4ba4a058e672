// Security headers: nosniff on JSON; the HTML set on pages without overwriting what a route chose (its
// CSP with a nonce above all); HSTS only behind an https public URL; never X-Frame-Options.
import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { loadConfig } from '../../../src/config/index.js';
import { createApp } from '../../../src/http/app.js';
import { securityHeaders } from '../../../src/http/middleware/security-headers.js';
import { testDeps } from '../../helpers/app-deps.js';

function appWith(deps: ReturnType<typeof testDeps>) {
  const app = express();
  app.use(securityHeaders({ config: deps.config }));
  app.get('/page', (_req, res) => {
    res.type('html').send('<!doctype html><p>page</p>');
  });
  app.get('/page-own-csp', (_req, res) => {
    res.setHeader('Content-Security-Policy', "default-src 'none'; script-src 'nonce-abc'; frame-ancestors *");
    res.setHeader('Referrer-Policy', 'same-origin');
    res.type('html').send('<!doctype html><p>page</p>');
  });
  app.get('/page-writehead', (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'self'" });
    res.end('<p>raw</p>');
  });
  app.get('/json', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/text', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  return app;
}

describe('security headers middleware', () => {
  it('puts the HTML set on a page that has none, and no X-Frame-Options or HSTS over http', async () => {
    const res = await request(appWith(testDeps())).get('/page');
    expect(res.headers).to.include({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cross-origin-resource-policy': 'cross-origin',
    });
    expect(res.headers['content-security-policy']).to.match(/default-src 'none'.*frame-ancestors \*/);
    expect(res.headers).to.not.have.property('x-frame-options');
    expect(res.headers).to.not.have.property('strict-transport-security');
  });

  it("keeps a page's own CSP and Referrer-Policy, set before or in writeHead", async () => {
    const app = appWith(testDeps());
    const own = await request(app).get('/page-own-csp');
    expect(own.headers['content-security-policy']).to.equal("default-src 'none'; script-src 'nonce-abc'; frame-ancestors *");
    expect(own.headers['referrer-policy']).to.equal('same-origin');
    expect(own.headers['x-content-type-options']).to.equal('nosniff');
    const raw = await request(app).get('/page-writehead');
    expect(raw.headers['content-security-policy']).to.equal("default-src 'self'");
    expect(raw.headers['cross-origin-resource-policy']).to.equal('cross-origin');
    expect(raw.text).to.equal('<p>raw</p>');
  });

  it('gives JSON nosniff only, and leaves other types alone', async () => {
    const app = appWith(testDeps());
    const json = await request(app).get('/json');
    expect(json.headers['x-content-type-options']).to.equal('nosniff');
    expect(json.headers).to.not.have.property('referrer-policy');
    expect(json.headers).to.not.have.property('content-security-policy');
    const text = await request(app).get('/text');
    expect(text.headers).to.not.have.property('x-content-type-options');
  });

  it('adds Strict-Transport-Security to pages when the public URL is https (live)', async () => {
    const deps = testDeps();
    const app = appWith(deps);
    expect((await request(app).get('/page')).headers).to.not.have.property('strict-transport-security');
    deps.setConfig(loadConfig({ env: { NODE_ENV: 'test', PUBLIC_URL: 'https://3ds.example.test' } }).config);
    expect((await request(app).get('/page')).headers['strict-transport-security']).to.match(/^max-age=\d+$/);
    expect((await request(app).get('/json')).headers).to.not.have.property('strict-transport-security');
  });

  it('is a stage of the pipeline: JSON answers of the app carry nosniff', async () => {
    const res = await request(createApp(testDeps())).post('/no/such/route').send({});
    expect(res.status).to.equal(404);
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
  });
});
