// The fuzzer's generator (scripts/chaos/fuzz.ts): request i is a function of (seed, i) alone, every
// endpoint is covered, and the mutations the chaos run promises are actually produced.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { FUZZ_ENDPOINTS, type FuzzRequest, fuzzRequest, sweepRequests } from '../../../scripts/chaos/fuzz.js';
import { ROOT } from '../../helpers/server.js';

type Material = Parameters<typeof fuzzRequest>[2];

const json = (f: string) => JSON.parse(readFileSync(path.join(ROOT, f), 'utf8')) as Record<string, never>;
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Material as prepareMaterial() makes it, without a server (fixed IDs, a syntactically valid JWE). */
function material(): Material {
  return {
    version: json('examples/version.json'),
    browserAreq: json('examples/authenticate-browser.json'),
    appAreq: json('examples/authenticate-app.json'),
    netAreq: json('examples/netcetera-authentication-browser.json'),
    results: json('examples/results.json'),
    open: [1, 2].map((n) => ({
      id: id(n),
      acsTransID: id(100 + n),
      dsTransID: id(200 + n),
      creq: Buffer.from(JSON.stringify({ threeDSServerTransID: id(n), messageType: 'CReq' })).toString('base64url'),
      creqJson: {
        threeDSServerTransID: id(n),
        acsTransID: id(100 + n),
        messageType: 'CReq',
        messageVersion: '2.2.0',
        challengeWindowSize: '03',
      },
    })),
    done: [{ id: id(3), acsTransID: id(103), dsTransID: id(203) }],
    app: [
      { id: id(4), acsTransID: id(104), jwes: ['eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0..AAAAAAAAAAAAAAAA.BBBB.CCCCCCCCCCCCCCCCCCCCCC'] },
    ],
    cres: [Buffer.from('{"messageType":"CRes"}').toString('base64url')],
    pans: ['4000400040004001', '4000400040004012'],
    sdkKeys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }],
  };
}

const same = (a: FuzzRequest, b: FuzzRequest) =>
  a.endpoint === b.endpoint &&
  a.method === b.method &&
  a.path === b.path &&
  a.body.equals(b.body) &&
  JSON.stringify(a.headers) === JSON.stringify(b.headers);

describe('chaos fuzzer: request generation', () => {
  const m = material();
  const batch = Array.from({ length: 3000 }, (_, i) => fuzzRequest(7, i, m));

  it('makes request i from (seed, i) alone, whatever was generated before', () => {
    // UUIDs drawn at generation time (fresh transaction IDs) differ; everything else is fixed by the seed.
    const strip = (q: FuzzRequest) => ({
      ...q,
      body: Buffer.from(
        q.body.toString('latin1').replace(/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/gi, 'U'),
        'latin1',
      ),
    });
    for (const i of [0, 1, 17, 2999]) {
      expect(same(strip(fuzzRequest(7, i, m)), strip(batch[i] as FuzzRequest)), `request ${i}`).to.equal(true);
    }
    const other = Array.from({ length: 50 }, (_, i) => fuzzRequest(8, i, m));
    expect(other.filter((q, i) => same(q, batch[i] as FuzzRequest)).length).to.be.lessThan(10);
  });

  it('covers every endpoint', () => {
    expect(new Set(batch.map((q) => q.endpoint))).to.deep.equal(new Set(FUZZ_ENDPOINTS));
    expect(FUZZ_ENDPOINTS.length).to.be.at.least(14);
  });

  it('produces the promised mutations: prototype keys, broken JSON, broken forms, huge bodies, odd content types, bit-flipped JWEs', () => {
    const text = (q: FuzzRequest) => q.body.toString('latin1');
    const notJson = batch
      .filter((q) => q.headers['content-type']?.includes('json') && !q.path.includes('verify') && !q.path.includes('trigger'))
      .filter((q) => {
        try {
          JSON.parse(q.body.toString('utf8'));
          return false;
        } catch {
          return true;
        }
      });
    expect(batch.some((q) => text(q).includes('"__proto__"'))).to.equal(true);
    expect(batch.some((q) => text(q).includes('"constructor"'))).to.equal(true);
    expect(notJson.length, 'broken JSON bodies').to.be.greaterThan(50);
    expect(
      batch.some((q) => q.body.length > 64 * 1024),
      'bodies past the 64 KiB limit',
    ).to.equal(true);
    expect(
      batch.every((q) => q.body.length <= 200 * 1024),
      'no runaway body',
    ).to.equal(true);
    expect(
      batch.some((q) => q.path.includes('verify-otp') && text(q).includes('%zz')),
      'broken form escapes',
    ).to.equal(true);
    expect(batch.some((q) => q.headers['content-type'] === 'text/plain')).to.equal(true);
    const jwes = batch.filter((q) => q.endpoint === 'challenge (JWE)' && q.headers['content-type']?.startsWith('application/jo'));
    expect(new Set(jwes.map((q) => text(q))).size, 'distinct JWE mutations').to.be.greaterThan(50);
    expect(batch.some((q) => q.method !== 'POST')).to.equal(true);
  });

  it('sweeps every field of every JSON body with poisoned values and __proto__ keys', () => {
    const sweep = sweepRequests(m);
    const endpoints = new Set(sweep.map((q) => q.endpoint.replace('sweep: ', '')));
    expect([...endpoints].sort()).to.deep.equal(
      [
        'version',
        'authenticate (browser)',
        'authenticate (app)',
        'netcetera authentication',
        'netcetera versioning',
        'netcetera challenge-response',
        'results',
        'final',
        'trigger-otp',
        'verify-otp',
        'challenge (JWE)',
      ].sort(),
    );
    const browser = sweep.filter((q) => q.endpoint === 'sweep: authenticate (browser)').map((q) => q.body.toString('utf8'));
    // Every value of the browser AReq (a key's value: a string, number, boolean, null, array or object) is poisoned once.
    const values = JSON.stringify(m.browserAreq).match(/":/g)?.length ?? 0;
    expect(browser.filter((b) => b.includes('{"toString":null}')).length).to.be.at.least(values);
    expect(browser.some((b) => b.includes('"__proto__":null'))).to.equal(true);
    expect(sweep.every((q) => q.headers['content-type'] === 'application/json')).to.equal(true);
  });
});
