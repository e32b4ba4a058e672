// HTTP scenarios: the built server as `npm start` runs it (all cores, embedded store, default config:
// info level with the access log, stdout to /dev/null) and the same with LOG_LEVEL=warn; the browser
// challenge flow on the embedded store and on Redis. Baselines measured in the same run: a bare
// node:http cluster serving the /3ds/version body, WireMock serving it as a static stub, and for the flow
// the naive design (same protocol steps, a Redis connection per store operation, no L1). Servers start
// when a scenario that needs them first runs.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {
  type BenchGroup,
  type BenchRedis,
  type CpuTarget,
  flowDriver,
  freePort,
  httpOk,
  lazy,
  type Measurement,
  metricValue,
  runWrk,
  type Scenario,
  ScenarioFailure,
  type ScenarioGroup,
  startBenchRedis,
  startProcess,
  stopProcess,
  type WrkTarget,
} from './harness.js';
import { startWireMock, type WireMock } from './wiremock.js';

const workerCount = () => String(os.availableParallelism());

/** Scenario names of the group, shared by --help/--only and the scenarios themselves. */
const NAMES = {
  bare: (workers: string) => `bare node:http cluster (${workers} workers)`,
  wiremock: 'WireMock static stub, POST /3ds/version',
  naiveFlow: 'naive browser-flow (node:http, Redis connection per store op, no L1)',
  health: 'GET /health [npm start, info log]',
  versionInfo: 'version: POST /3ds/version [npm start, info log]',
  versionWarn: 'version: POST /3ds/version [LOG_LEVEL=warn]',
  authInfo: 'authenticate: frictionless 4000, fresh IDs [npm start, info log]',
  authWarn: 'authenticate: frictionless 4000, fresh IDs [LOG_LEVEL=warn]',
  authGzip: 'authenticate: frictionless 4000, gzip from 1 KiB [LOG_LEVEL=warn]',
  flowEmbedded: 'browser-flow: 4001 challenge, 5 steps, embedded store [npm start, info log]',
  flowRedis: 'browser-flow: 4001 challenge, 5 steps, Redis [npm start, info log]',
};

const VERSION_BODY = JSON.stringify({ cardNumber: '4000400040004001' });
/** Loops of the flow driver: as many flows in flight as wrk keeps connections. */
const FLOW_CONCURRENCY = 32;

interface Server {
  port: number;
  proc: ChildProcess;
  cpu: CpuTarget;
}

async function httpScenarios(root: string): Promise<ScenarioGroup> {
  const workers = workerCount();
  const procs: ChildProcess[] = [];
  const closers: (() => Promise<void>)[] = [];
  const url = (port: number, p: string) => `http://127.0.0.1:${port}${p}`;

  /** dist/main.js as `npm start` runs it (NODE_ENV development, all cores), plus `env`. */
  const mock = (env: Record<string, string>, extraCpu: () => number[] = () => []) =>
    lazy(async (): Promise<Server> => {
      const port = await freePort();
      process.stderr.write(
        `starting the server (${
          Object.entries(env)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ') || 'npm start defaults'
        }) …\n`,
      );
      const proc = await startProcess(
        process.execPath,
        [path.join(root, 'dist/main.js')],
        { NODE_ENV: 'development', PORT: String(port), HOST: '127.0.0.1', ...env },
        (p) => httpOk(url(p, '/health/ready')),
        port,
        { cwd: root },
      );
      procs.push(proc);
      return { port, proc, cpu: { pids: [proc.pid as number, ...extraCpu()], primaryPid: proc.pid as number } };
    });
  const mockInfo = mock({});
  const mockWarn = mock({ LOG_LEVEL: 'warn' });
  const mockGzip = mock({ LOG_LEVEL: 'warn', COMPRESSION_THRESHOLD_BYTES: '1024' });
  const startRedis = lazy(async (): Promise<BenchRedis> => {
    const r = await startBenchRedis();
    closers.push(() => r.close());
    return r;
  });
  const mockRedis = lazy(async () => {
    const r = await startRedis();
    return mock({ REDIS_URL: r.url }, () => [r.pid])();
  });

  // The body our /3ds/version answers: the bare cluster and WireMock serve it.
  const versionSample = lazy(async () => {
    const s = await mockInfo();
    const r = await fetch(url(s.port, '/3ds/version'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: VERSION_BODY,
    });
    if (!r.ok) throw new Error(`POST /3ds/version answered ${r.status}`);
    return r.text();
  });
  const bare = lazy(async (): Promise<Server> => {
    const body = await versionSample();
    const port = await freePort();
    const proc = await startProcess(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'scripts/bench/bare-server.ts')],
      { PORT: String(port), WORKERS: workers, BARE_BODY: body },
      (p) => httpOk(url(p, '/')),
      port,
      { cwd: root },
    );
    procs.push(proc);
    return { port, proc, cpu: { pids: [proc.pid as number] } };
  });
  const wiremock = lazy(async (): Promise<WireMock> => {
    const body = await versionSample();
    process.stderr.write('starting WireMock …\n');
    const w = await startWireMock(root, { method: 'POST', url: '/3ds/version', body, contentType: 'application/json' });
    closers.push(() => w.close());
    return w;
  });
  const naive = lazy(async (): Promise<Server> => {
    const r = await startRedis();
    const port = await freePort();
    const proc = await startProcess(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'scripts/bench/naive-flow-server.ts')],
      { PORT: String(port), WORKERS: workers, REDIS_URL: r.url },
      async (p) => (await fetch(url(p, '/3ds/version'), { method: 'POST', body: VERSION_BODY, signal: AbortSignal.timeout(1000) })).ok,
      port,
      { cwd: root },
    );
    procs.push(proc);
    return { port, proc, cpu: { pids: [proc.pid as number, r.pid] } };
  });
  const driver = flowDriver();

  // The frictionless AReq: the repository's sample (examples/) with card 4000, a fresh ID per request,
  // and a results URL (nothing is pushed for a frictionless answer).
  const fixture = JSON.parse(readFileSync(path.join(root, 'examples/authenticate-browser.json'), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;
  const areq = {
    ...fixture,
    threeDSServerTransID: '@ID@',
    cardholderAccount: { ...fixture.cardholderAccount, acctNumber: '4000400040004000' },
    merchant: { ...fixture.merchant, resultsResponseNotificationUrl: 'http://127.0.0.1:9901/3ds/results' },
  };
  delete (areq.cardholderAccount as Record<string, unknown>).cardSecurityCode;
  const AREQ = JSON.stringify(areq);

  /** Frictionless authentications on `s`, checked against the server's own count of fresh Y outcomes. */
  const authenticate = async (s: Server, seconds: number, target: Omit<WrkTarget, 'url' | 'body'>): Promise<Measurement> => {
    const fresh = () => metricValue(s.port, 'threeds_transactions_total', { flow: 'browser', trans_status: 'Y' });
    const before = await fresh();
    const m = await runWrk({ url: url(s.port, '/3ds/authenticate'), body: AREQ, ...target }, seconds, s.cpu);
    const counted = (await fresh()) - before;
    // wrk stops with requests in flight: the server may count a few more than wrk did, never fewer.
    if (counted < m.requests) {
      throw new ScenarioFailure(
        `authenticate: wrk counted ${m.requests} answers but the server authenticated only ${counted} new transactions (replayed IDs?)`,
      );
    }
    return m;
  };

  let sizesShown = false;
  const showSizes = async () => {
    if (sizesShown) return;
    sizesShown = true;
    const sizes: string[] = [];
    for (const [name, s, enc] of [
      ['plain', await mockWarn(), 'identity'],
      ['gzip', await mockGzip(), 'gzip'],
    ] as const) {
      // node:http, not fetch: fetch decompresses, and the saving is what crosses the wire.
      const body = AREQ.replace('@ID@', crypto.randomUUID());
      const { bytes, encoding } = await new Promise<{ bytes: number; encoding: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port: s.port,
            method: 'POST',
            path: '/3ds/authenticate',
            headers: { 'content-type': 'application/json', 'accept-encoding': enc },
          },
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
      sizes.push(`${bytes} bytes ${name} (content-encoding ${encoding})`);
    }
    process.stderr.write(`authenticate response on the wire: ${sizes.join('; ')}\n`);
  };

  const bareName = NAMES.bare(workers);
  const bareFifth = { name: bareName, divisor: 5 };
  const scenarios: Scenario[] = [
    {
      name: bareName,
      short: 'bare',
      run: async (sec) => {
        const s = await bare();
        return runWrk({ url: url(s.port, '/'), method: 'POST', body: VERSION_BODY }, sec, s.cpu);
      },
    },
    {
      name: NAMES.wiremock,
      short: 'WireMock',
      // The JVM's JIT needs longer than node's to settle; a long-running WireMock is what users load.
      minWarmup: 5,
      run: async (sec) => {
        const w = await wiremock();
        return runWrk({ url: url(w.port, '/3ds/version'), method: 'POST', body: VERSION_BODY }, sec, { pids: [w.pid] });
      },
    },
    {
      name: NAMES.naiveFlow,
      short: 'naive flow',
      unit: 'flow',
      run: async (sec) => {
        const s = await naive();
        return driver.run({ kind: 'browser', base: url(s.port, ''), seconds: sec, concurrency: FLOW_CONCURRENCY }, s.cpu);
      },
    },
    {
      name: NAMES.health,
      baseline: [bareName],
      run: async (sec) => {
        const s = await mockInfo();
        return runWrk({ url: url(s.port, '/health') }, sec, s.cpu);
      },
    },
    ...(
      [
        [NAMES.versionInfo, mockInfo],
        [NAMES.versionWarn, mockWarn],
      ] as const
    ).map(
      ([name, server]): Scenario => ({
        name,
        baseline: [bareName, NAMES.wiremock],
        run: async (sec) => {
          const s = await server();
          return runWrk(
            { url: url(s.port, '/3ds/version'), method: 'POST', body: VERSION_BODY, bodyIncludes: '"cardRanges":[{' },
            sec,
            s.cpu,
          );
        },
      }),
    ),
    ...(
      [
        [NAMES.authInfo, mockInfo],
        [NAMES.authWarn, mockWarn],
      ] as const
    ).map(
      ([name, server]): Scenario => ({
        name,
        ...(name === NAMES.authWarn && { short: 'plain [warn]' }),
        baseline: [bareName],
        run: async (sec) => authenticate(await server(), sec, { bodyIncludes: '"transStatus":"Y"' }),
      }),
    ),
    {
      name: NAMES.authGzip,
      baseline: [NAMES.authWarn],
      run: async (sec) => {
        await showSizes();
        // Compressed bodies cannot be searched; the server's count of fresh Y outcomes checks them.
        return authenticate(await mockGzip(), sec, { headers: { 'Accept-Encoding': 'gzip' } });
      },
    },
    {
      name: NAMES.flowEmbedded,
      unit: 'flow',
      baseline: [bareFifth, NAMES.naiveFlow],
      run: async (sec) => {
        const s = await mockInfo();
        return driver.run({ kind: 'browser', base: url(s.port, ''), seconds: sec, concurrency: FLOW_CONCURRENCY }, s.cpu);
      },
    },
    {
      name: NAMES.flowRedis,
      unit: 'flow',
      baseline: [bareFifth, NAMES.naiveFlow],
      run: async (sec) => {
        const s = await mockRedis();
        return driver.run({ kind: 'browser', base: url(s.port, ''), seconds: sec, concurrency: FLOW_CONCURRENCY }, s.cpu);
      },
    },
  ];
  return {
    scenarios,
    async close() {
      await driver.close();
      for (const p of procs.reverse()) await stopProcess(p);
      for (const c of closers.reverse()) await c();
    },
  };
}

export const HTTP_GROUP: BenchGroup = {
  name: 'http',
  description:
    'the server as npm start runs it (all cores, embedded store, info access log) and with LOG_LEVEL=warn, single requests from wrk and the browser challenge flow from a Node driver (embedded store, Redis), against a bare node:http cluster, WireMock and the naive flow',
  needs: ['wrk', 'java', 'redis-server'],
  scenarioNames: () => [
    NAMES.bare(workerCount()),
    NAMES.wiremock,
    NAMES.naiveFlow,
    NAMES.health,
    NAMES.versionInfo,
    NAMES.versionWarn,
    NAMES.authInfo,
    NAMES.authWarn,
    NAMES.authGzip,
    NAMES.flowEmbedded,
    NAMES.flowRedis,
  ],
  start: httpScenarios,
};
