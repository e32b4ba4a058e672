// docs/openapi.json against the built server (dist/main.js, a real primary and worker): what the
// in-process conformance test (test/http/routes/openapi.test.ts) cannot reach — GET /openapi.json as the
// worker serves it from dist/ (the committed file, ETag, 304), POST /admin/reload answered by the
// primary (200, and 422 for a broken file), the cluster-wide /metrics and readiness, /__admin over the
// primary's inspection and overrides, and the 3DS routes
// over the lean dispatcher with the real rate limiter — each answer validated against the document.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { OPENAPI_FILE, OpenApiValidator } from '../helpers/openapi.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { browserAReq } from '../protocol/helpers.js';

const TOKEN = 'openapi-integration-token';

describe('docs/openapi.json against the built server', function () {
  this.timeout(30_000);
  const validator = new OpenApiValidator();
  let server: RunningServer;
  let dir: string;
  const cfgFile = () => path.join(dir, 'extra.json');

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'm3ds-openapi-'));
    writeFileSync(cfgFile(), JSON.stringify({ http: { bodyLimitBytes: 65536 } }));
    server = await startServer({ workers: 1, env: { ADMIN_TOKEN: TOKEN }, args: ['--config', cfgFile()] });
  });

  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function call(method: string, p: string, init: { json?: unknown; headers?: Record<string, string> } = {}) {
    const res = await fetch(server.url(p), {
      method,
      headers: { ...(init.json !== undefined && { 'content-type': 'application/json' }), ...init.headers },
      ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
    });
    const text = await res.text();
    const problems = validator.check({ method, path: p, status: res.status, headers: res.headers, body: text });
    expect(problems, problems.join('\n')).to.deep.equal([]);
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
  }

  it('serves the committed document at GET /openapi.json with an ETag, and 304 to If-None-Match', async () => {
    const r = await call('GET', '/openapi.json');
    expect(r.status).to.equal(200);
    expect(r.text).to.equal(readFileSync(OPENAPI_FILE, 'utf8'));
    const etag = r.headers.get('etag') as string;
    expect(etag).to.match(/^W\//);
    const again = await call('GET', '/openapi.json', { headers: { 'if-none-match': etag } });
    expect(again.status).to.equal(304);
    expect(again.headers.get('etag')).to.equal(etag);
  });

  it('reloads through POST /admin/reload (200), refuses a broken file (422) and a missing token (401)', async () => {
    expect((await call('POST', '/admin/reload')).status).to.equal(401);
    writeFileSync(cfgFile(), JSON.stringify({ http: { bodyLimitBytes: 65000 } }));
    const ok = await call('POST', '/admin/reload', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).to.equal(200);
    expect(ok.json()).to.deep.include({ status: 'reloaded', changed: ['http.bodyLimitBytes'] });
    writeFileSync(cfgFile(), '{ not json');
    expect((await call('POST', '/admin/reload', { headers: { authorization: `Bearer ${TOKEN}` } })).status).to.equal(422);
    writeFileSync(cfgFile(), JSON.stringify({ http: { bodyLimitBytes: 65536 } }));
  });

  it('answers health, readiness and the cluster-wide metrics as documented', async () => {
    for (const p of ['/health', '/health/live', '/health/ready', '/metrics']) expect((await call('GET', p)).status, p).to.equal(200);
  });

  it("answers the admin API (/__admin) from the primary's inspection and overrides as documented", async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await call('GET', '/__admin/transactions?limit=5', { headers: auth })).status).to.equal(200);
    expect((await call('GET', '/__admin/overrides', { headers: auth })).status).to.equal(200);
    expect((await call('GET', '/__admin/overrides')).status).to.equal(401);
  });

  it('runs a frictionless flow and refuses bad requests over the lean dispatcher as documented', async () => {
    const v = await call('POST', '/3ds/version', { json: { cardNumber: '4000400040004000' } });
    expect(v.status).to.equal(200);
    const id = v.json().threeDSServerTransID as string;
    const a = await call('POST', '/3ds/authenticate', { json: browserAReq('4000400040004000', (b) => (b.threeDSServerTransID = id)) });
    expect(a.status).to.equal(200);
    expect((await call('POST', '/3ds/final', { json: { threeDSServerTransID: id } })).status).to.equal(200);
    expect((await call('POST', '/3ds/versioning', { json: { schemeId: 'Visa' } })).status).to.equal(400);
    expect((await call('POST', '/3ds/authentication', { json: {}, headers: { 'X-Mock-Error': '503' } })).status).to.equal(503);
    const res = await fetch(server.url('/3ds/version'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    const problems = validator.check({
      method: 'POST',
      path: '/3ds/version',
      status: res.status,
      headers: res.headers,
      body: await res.text(),
    });
    expect(res.status).to.equal(415);
    expect(problems).to.deep.equal([]);
  });
});
