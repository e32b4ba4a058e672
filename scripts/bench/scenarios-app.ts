// App-challenge scenarios (issue 5): app AReqs that open a challenge — each signs acsSignedContent and
// makes a fresh P-256 key — against the signing ceiling of the same machine (bare signatures/s on every
// core). Server variants: PS256 with async node crypto (default), PS256 with signing offloaded to the
// Piscina pool, ES256; and the whole app challenge (app-flow: AReq, then two CReqs as JWE to POST
// /challenge, through the independent SDK of the tests) on the default variant. Event-loop delay p99
// comes from the server's own /metrics.
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import {
  type BenchGroup,
  flowDriver,
  freePort,
  httpOk,
  lazy,
  type Measurement,
  runWrk,
  type Scenario,
  ScenarioFailure,
  type ScenarioGroup,
  startProcess,
  stopProcess,
} from './harness.js';

/** Server variants and scenario names of the group, shared by --help/--only and the scenarios themselves. */
const VARIANTS: readonly { name: string; env: Record<string, string> }[] = [
  { name: 'PS256, async crypto (default)', env: { SIGNING_ALGORITHM: 'PS256' } },
  { name: 'PS256, signing in the Piscina pool', env: { SIGNING_ALGORITHM: 'PS256', POOL_OFFLOAD: 'sign,ecdh' } },
  { name: 'ES256, async crypto', env: { SIGNING_ALGORITHM: 'ES256' } },
];
const ceilingName = (alg: 'PS256' | 'ES256') => `signing ceiling ${alg} (all cores)`;
const variantName = (v: { name: string }) => `app AReq (challenge) ${v.name} [LOG_LEVEL=warn]`;
const APP_FLOW = 'app-flow: AReq + CReq (open) + CReq (code), JWE, PS256 async [LOG_LEVEL=warn]';

function sdkKey(): { kty: string; crv: string; x: string; y: string } {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string; y: string };
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
}

/** An app AReq that opens a challenge; "@ID@"/"@SDK@" become fresh UUIDs per request (scripts/bench/wrk-script.ts). */
function appAReq(): string {
  return JSON.stringify({
    threeDSServerTransID: '@ID@',
    deviceChannel: '01',
    messageCategory: '01',
    preferredProtocolVersion: '2.2.0',
    sdkTransID: '@SDK@',
    sdkInformation: {
      sdkAppID: '9063b12c-fcde-43c7-b28e-8d0af5520e8a',
      sdkReferenceNumber: '3DS_LOA_SDK_JTPL_020200_00788',
      sdkTransID: '@SDK@',
      sdkMaxTimeout: 5,
      sdkEphemPubKey: sdkKey(),
    },
    cardholderAccount: { acctNumber: '4000400040004001', cardExpiryDate: '2911' },
    purchase: { purchaseAmount: 4599, purchaseCurrency: '756', purchaseExponent: 2, purchaseDate: '20261121093000' },
    acquirer: { acquirerBin: '400551', acquirerMerchantId: 'MERCHANT-0001' },
    merchant: { mcc: '5411', merchantCountryCode: '756', merchantName: 'Test Shop', notificationURL: 'https://shop.example/notify' },
    deviceRenderOptions: { sdkInterface: '03', sdkUiType: ['01', '02', '03', '04', '05'] },
  });
}

/** Signatures/s with every core signing (one process per core, async crypto.sign, 32 in flight each). */
async function signingCeiling(alg: 'PS256' | 'ES256', seconds: number): Promise<Measurement> {
  const code = `
    const c = require('node:crypto');
    const { privateKey } = ${alg === 'PS256' ? "c.generateKeyPairSync('rsa', { modulusLength: 2048 })" : "c.generateKeyPairSync('ec', { namedCurve: 'P-256' })"};
    const opts = ${alg === 'PS256' ? '{ key: privateKey, padding: c.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }' : "{ key: privateKey, dsaEncoding: 'ieee-p1363' }"};
    const data = Buffer.alloc(900, 7); let n = 0; const stop = Date.now() + ${seconds * 1000};
    const loop = () => { if (Date.now() > stop) return; c.sign('sha256', data, opts, () => { n++; loop(); }); };
    for (let i = 0; i < 32; i++) loop();
    setTimeout(() => { process.stdout.write(String(n)); }, ${seconds * 1000 + 200});`;
  const cores = os.availableParallelism();
  const counts = await Promise.all(
    Array.from(
      { length: cores },
      () =>
        new Promise<number>((resolve) => {
          const p = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
          let out = '';
          p.stdout.on('data', (d: Buffer) => {
            out += d.toString();
          });
          p.on('exit', () => resolve(Number(out) || 0));
        }),
    ),
  );
  const total = counts.reduce((a, b) => a + b, 0);
  if (counts.some((c) => c === 0))
    throw new ScenarioFailure(`signing ceiling ${alg}: a signing process reported no signatures (${counts.join(', ')})`);
  return { requests: total, rps: total / seconds, p50ms: 0, p99ms: 0, cpuUsPerReq: 0 };
}

async function loopDelayP99Ms(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('nodejs_eventloop_lag_p99_seconds '));
  return line ? Number(line.split(' ')[1]) * 1000 : Number.NaN;
}

async function appScenarios(root: string): Promise<ScenarioGroup> {
  const workers = String(os.availableParallelism());
  const procs: ChildProcess[] = [];
  const driver = flowDriver();
  const scenarios: Scenario[] = [
    { name: ceilingName('PS256'), short: 'PS256 ceiling', unit: 'sig', run: (s) => signingCeiling('PS256', s) },
    { name: ceilingName('ES256'), short: 'ES256 ceiling', unit: 'sig', run: (s) => signingCeiling('ES256', s) },
  ];
  const servers = VARIANTS.map((v) =>
    lazy(async () => {
      const port = await freePort();
      process.stderr.write(`starting the server (${v.name}) …\n`);
      const p = await startProcess(
        process.execPath,
        [path.join(root, 'dist/main.js')],
        {
          NODE_ENV: 'development',
          PORT: String(port),
          HOST: '127.0.0.1',
          WORKERS: workers,
          LOG_LEVEL: 'warn',
          PUBLIC_URL: `http://127.0.0.1:${port}`,
          ...v.env,
        },
        (pt) => httpOk(`http://127.0.0.1:${pt}/health/ready`),
        port,
        { cwd: root },
      );
      procs.push(p);
      return { port, cpu: { pids: [p.pid as number], primaryPid: p.pid as number } };
    }),
  );
  VARIANTS.forEach((v, i) => {
    const server = servers[i] as (typeof servers)[number];
    scenarios.push({
      name: variantName(v),
      baseline: [ceilingName(v.env.SIGNING_ALGORITHM === 'ES256' ? 'ES256' : 'PS256')],
      run: async (sec) => {
        const s = await server();
        await loopDelayP99Ms(s.port); // a scrape resets the server's event-loop delay histogram
        const m = await runWrk(
          { url: `http://127.0.0.1:${s.port}/3ds/authenticate`, body: appAReq(), bodyIncludes: '"transStatus":"C"' },
          sec,
          s.cpu,
        );
        m.extra = { eventLoopDelayP99ms: await loopDelayP99Ms(s.port) };
        return m;
      },
    });
  });
  // The whole app challenge on the default variant: one signature per flow, so flows/s ÷ signatures/s.
  const byDefault = servers[0] as (typeof servers)[number];
  scenarios.push({
    name: APP_FLOW,
    unit: 'flow',
    baseline: [ceilingName('PS256')],
    run: async (sec) => {
      const s = await byDefault();
      await loopDelayP99Ms(s.port);
      const m = await driver.run({ kind: 'app', base: `http://127.0.0.1:${s.port}`, seconds: sec, concurrency: 32 }, s.cpu);
      m.extra = { ...m.extra, eventLoopDelayP99ms: await loopDelayP99Ms(s.port) };
      return m;
    },
  });
  return {
    scenarios,
    async close() {
      await driver.close();
      for (const p of procs) await stopProcess(p);
    },
  };
}

export const APP_GROUP: BenchGroup = {
  name: 'app',
  description:
    'app AReqs that open a challenge (signed acsSignedContent, fresh P-256 key) per signing variant, and the whole app challenge (AReq + CReqs as JWE), against bare signatures/s on every core',
  needs: ['wrk'],
  scenarioNames: () => [ceilingName('PS256'), ceilingName('ES256'), ...VARIANTS.map(variantName), APP_FLOW],
  start: appScenarios,
};
