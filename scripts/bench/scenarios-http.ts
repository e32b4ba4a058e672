// HTTP scenarios: the server as users run it (all cores, embedded store, log level warn so the
// measurement is of the server rather than of a terminal), against a bare node:http cluster.
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { type BenchGroup, freePort, runWrk, type Scenario, type ScenarioGroup, startProcess, stopProcess } from './harness.js';
import { uniqueAReqLua } from './scenarios-app.js';

/** Scenario names of the group, shared by --help/--only and the scenarios themselves. */
const NAMES = {
  bare: (workers: string) => `bare node:http cluster (${workers} workers)`,
  health: 'mock GET /health',
  version: 'mock POST /3ds/version',
  authPlain: 'mock POST /3ds/authenticate (frictionless, no compression)',
  authGzip: 'mock POST /3ds/authenticate (frictionless, gzip from 1 KiB)',
};
const workerCount = () => String(os.availableParallelism());

const VERSION_BODY = JSON.stringify({ cardNumber: '4000400040004001' });

async function httpOk(url: string): Promise<boolean> {
  const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
  return r.ok;
}

async function httpScenarios(root: string): Promise<ScenarioGroup> {
  const workers = workerCount();
  const procs: ChildProcess[] = [];
  const barePort = await freePort();
  const mockPort = await freePort();
  const mock = await startProcess(
    process.execPath,
    [path.join(root, 'dist/main.js')],
    { NODE_ENV: 'development', PORT: String(mockPort), HOST: '127.0.0.1', WORKERS: workers, LOG_LEVEL: 'warn' },
    (p) => httpOk(`http://127.0.0.1:${p}/health/ready`),
    mockPort,
  );
  procs.push(mock);
  // The bare baseline serves the body our /3ds/version answers for the same card.
  const sample = await fetch(`http://127.0.0.1:${mockPort}/3ds/version`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: VERSION_BODY,
  })
    .then((r) => (r.ok ? r.text() : '{"status":"healthy"}'))
    .catch(() => '{"status":"healthy"}');
  const bare = await startProcess(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'scripts/bench/bare-server.ts')],
    { PORT: String(barePort), WORKERS: workers, BARE_BODY: sample },
    (p) => httpOk(`http://127.0.0.1:${p}/`),
    barePort,
  );
  procs.push(bare);
  const bareName = NAMES.bare(workers);
  const scenarios: Scenario[] = [
    {
      name: bareName,
      run: (s) => runWrk({ url: `http://127.0.0.1:${barePort}/`, method: 'POST', body: VERSION_BODY }, s, bare.pid as number),
    },
    {
      name: NAMES.health,
      baseline: [bareName],
      run: (s) => runWrk({ url: `http://127.0.0.1:${mockPort}/health` }, s, mock.pid as number),
    },
    {
      name: NAMES.version,
      baseline: [bareName],
      run: (s) => runWrk({ url: `http://127.0.0.1:${mockPort}/3ds/version`, method: 'POST', body: VERSION_BODY }, s, mock.pid as number),
    },
  ];
  // Compression on authenticate responses (issue 6): the same frictionless AReq with and without
  // Accept-Encoding; the response sizes are printed once, the throughput cost is the ratio.
  // The repository's sample AReq (examples/), plus the results URL the measured figures were taken with.
  const fixture = JSON.parse(readFileSync(path.join(root, 'examples/authenticate-browser.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  const areq = {
    ...fixture,
    threeDSServerTransID: '@ID@',
    cardholderAccount: { ...fixture.cardholderAccount, acctNumber: '4000400040004000' },
    merchant: { ...fixture.merchant, resultsResponseNotificationUrl: 'http://127.0.0.1:9901/3ds/results' },
  };
  delete (areq.cardholderAccount as Record<string, unknown>).cardSecurityCode;
  // A second server that compresses from 1 KiB, so the authenticate response (about 2.7 KB, below the
  // default 4 KiB threshold) is compressed and the cost and the saving can be read side by side.
  const gzPort = await freePort();
  const gz = await startProcess(
    process.execPath,
    [path.join(root, 'dist/main.js')],
    { NODE_ENV: 'development', PORT: String(gzPort), HOST: '127.0.0.1', WORKERS: workers, LOG_LEVEL: 'warn', COMPRESSION_THRESHOLD_BYTES: '1024' },
    (p) => httpOk(`http://127.0.0.1:${p}/health/ready`),
    gzPort,
  );
  procs.push(gz);
  const sizes: Record<string, number> = {};
  for (const [name, port, enc] of [['plain', mockPort, 'identity'], ['gzip', gzPort, 'gzip']] as const) {
    // node:http, not fetch: fetch decompresses, and the saving is what crosses the wire.
    const body = JSON.stringify({ ...areq, threeDSServerTransID: crypto.randomUUID() });
    const { bytes, encoding } = await new Promise<{ bytes: number; encoding: string }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/3ds/authenticate', headers: { 'content-type': 'application/json', 'accept-encoding': enc } },
        (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => {
            n += c.length;
          });
          res.on('end', () => resolve({ bytes: n, encoding: String(res.headers['content-encoding'] ?? 'identity') }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    sizes[name] = bytes;
    sizes[`${name}Encoding`] = encoding === 'gzip' ? 1 : 0;
  }
  process.stderr.write(`authenticate response on the wire: ${sizes.plain} bytes plain; ${sizes.gzip} bytes with gzip (content-encoding gzip: ${sizes.gzipEncoding === 1})\n`);
  const plainName = NAMES.authPlain;
  scenarios.push(
    { name: plainName, baseline: [bareName], run: (s) => runWrk({ url: `http://127.0.0.1:${mockPort}/3ds/authenticate`, lua: uniqueAReqLua(areq) }, s, mock.pid as number) },
    {
      name: NAMES.authGzip,
      baseline: [plainName],
      run: (s) => runWrk({ url: `http://127.0.0.1:${gzPort}/3ds/authenticate`, lua: uniqueAReqLua(areq, { 'Accept-Encoding': 'gzip' }) }, s, gz.pid as number),
    },
  );
  return {
    scenarios,
    async close() {
      for (const p of procs.reverse()) await stopProcess(p);
    },
  };
}

export const HTTP_GROUP: BenchGroup = {
  name: 'http',
  description: 'the server as npm start runs it (all cores, embedded store), load from wrk, against a bare node:http cluster',
  needs: ['wrk'],
  scenarioNames: () => [NAMES.bare(workerCount()), NAMES.health, NAMES.version, NAMES.authPlain, NAMES.authGzip],
  start: httpScenarios,
};
