// The flow driver of the benchmark: a separate Node process (forked once per bench run) that runs whole
// 3DS flows from `concurrency` loops over keep-alive connections, one request in flight per loop, and
// reports complete flows, per-step latency and every unexpected answer. A flow counts only when every
// step answered what that step expects (status, content type, the fields the next step needs); on the
// first unexpected answer all loops stop and the parent fails the scenario.
//
//   browser: version → authenticate (4001, C) → POST acsURL (trigger-otp) with creq → POST verify-otp
//            with the code → final (Y): the five requests of README's "By hand" challenge walkthrough.
//   app:     app AReq (deviceChannel 01, a challenge card, the SDK's ephemeral key) → the SDK verifies
//            acsSignedContent and derives the session key → CReq (opens the challenge) → CReq with the
//            code (final CRes, Y), both as JWE to POST /challenge, through the independent SDK of the tests.
//            The driver shares the server's cores, so the SDK's full check of acsSignedContent (x5c
//            certificate and JWS signature) runs on the first flow of every loop of a run, and later
//            flows only decode it; every CRes is still decrypted and checked, which only succeeds when
//            the server agreed the session key with this flow's own SDK key.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AcsSignedContent, TestSdk } from '../../test/helpers/sdk.js';

export interface DriverRequest {
  type: 'run';
  kind: 'browser' | 'app';
  /** http://127.0.0.1:port */
  base: string;
  seconds: number;
  concurrency: number;
}

export interface DriverResult {
  flows: number;
  elapsedS: number;
  flow: { p50ms: number; p99ms: number };
  steps: Record<string, { count: number; p50ms: number; p99ms: number }>;
  unexpected: { step: string; why: string; sample?: string; count: number }[];
  /** This process's CPU during the run, microseconds. */
  driverCpuUs: number;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OTP = '1234';
const FORM = 'application/x-www-form-urlencoded';
const BROWSER_CARD = '4000400040004001';

class Unexpected extends Error {
  constructor(
    readonly step: string,
    readonly why: string,
    readonly sample?: string,
  ) {
    super(`${step}: ${why}`);
  }
}

interface Answer {
  status: number;
  type: string;
  body: string;
}

function send(agent: http.Agent, base: URL, method: string, urlPath: string, type: string | undefined, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (type) headers['content-type'] = type;
    if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
    const req = http.request({ agent, host: base.hostname, port: base.port, method, path: urlPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

function sampleOf(a: Answer): string {
  return `HTTP ${a.status} ${a.type}: ${a.body.slice(0, 240).replace(/\s+/g, ' ')}`;
}

/** One flow step's checks: status 200 and the content type, then `check` on the body. */
function expectAnswer<T>(step: string, a: Answer, type: string, check: (body: string) => T | undefined): T {
  if (a.status !== 200) throw new Unexpected(step, `HTTP ${a.status}, expected 200`, sampleOf(a));
  if (!a.type.startsWith(type)) throw new Unexpected(step, `content type ${a.type}, expected ${type}`, sampleOf(a));
  let v: T | undefined;
  try {
    v = check(a.body);
  } catch {
    v = undefined;
  }
  if (v === undefined) throw new Unexpected(step, 'the answer lacks what the flow expects next', sampleOf(a));
  return v;
}

type Json = Record<string, unknown>;
const json = (s: string) => JSON.parse(s) as Json;

/** Times one request of a step (the round trip only: building the request and reading the answer are not in it). */
type Timing = (step: string, request: () => Promise<Answer>) => Promise<Answer>;

function timing(lat: Map<string, number[]>): Timing {
  return async (step, request) => {
    let arr = lat.get(step);
    if (!arr) {
      arr = [];
      lat.set(step, arr);
    }
    const t0 = performance.now();
    const r = await request();
    arr.push(performance.now() - t0);
    return r;
  };
}

function browserFlow(agent: http.Agent, base: URL): (t: Timing) => Promise<void> {
  const areq = json(readFileSync(path.join(ROOT, 'examples/authenticate-browser.json'), 'utf8'));
  const versionBody = JSON.stringify({ cardNumber: BROWSER_CARD });
  const JSON_TYPE = 'application/json';
  return async (t) => {
    const v = await t('version', () => send(agent, base, 'POST', '/3ds/version', JSON_TYPE, versionBody));
    const id = expectAnswer('version', v, JSON_TYPE, (b) => {
      const r = json(b);
      return typeof r.threeDSServerTransID === 'string' && Array.isArray(r.cardRanges) && r.cardRanges.length === 1
        ? r.threeDSServerTransID
        : undefined;
    });
    const areqBody = JSON.stringify({ ...areq, threeDSServerTransID: id });
    const a = await t('authenticate', () => send(agent, base, 'POST', '/3ds/authenticate', JSON_TYPE, areqBody));
    const ares = expectAnswer('authenticate', a, JSON_TYPE, (b) => {
      const r = json(b);
      return r.transStatus === 'C' && typeof r.acsURL === 'string' && typeof r.base64EncodedChallengeRequest === 'string'
        ? { acsPath: new URL(r.acsURL).pathname, creq: r.base64EncodedChallengeRequest }
        : undefined;
    });
    const open = form({ creq: ares.creq, threeDSSessionData: `order-${id.slice(-12)}` });
    const page = await t('trigger-otp', () => send(agent, base, 'POST', ares.acsPath, FORM, open));
    expectAnswer('trigger-otp', page, 'text/html', (b) => (b.includes('name="challengeDataEntry"') ? true : undefined));
    const code = form({ threeDSServerTransID: id, challengeDataEntry: OTP });
    const done = await t('verify-otp', () => send(agent, base, 'POST', '/processor/mock/acs/verify-otp', FORM, code));
    expectAnswer('verify-otp', done, 'text/html', (b) => (b.includes('name="cres"') ? true : undefined));
    const finalBody = JSON.stringify({ threeDSServerTransID: id });
    const f = await t('final', () => send(agent, base, 'POST', '/3ds/final', JSON_TYPE, finalBody));
    expectAnswer('final', f, JSON_TYPE, (b) => (json(b).transStatus === 'Y' ? true : undefined));
  };
}

function appFlow(agent: http.Agent, base: URL, concurrency: number): (t: Timing) => Promise<void> {
  let fullChecks = concurrency;
  const template = json(readFileSync(path.join(ROOT, 'examples/authenticate-app.json'), 'utf8'));
  const JOSE = 'application/jose';
  return async (t) => {
    const sdk = new TestSdk();
    const body = { ...template, threeDSServerTransID: randomUUID(), sdkTransID: sdk.sdkTransID, sdkInformation: sdk.sdkInformation() };
    const areqBody = JSON.stringify(body);
    const a = await t('app AReq', () => send(agent, base, 'POST', '/3ds/authenticate', 'application/json', areqBody));
    const ares = expectAnswer('app AReq', a, 'application/json', (b) => {
      const r = json(b);
      const x = r.authenticationResponse as Json | undefined;
      return r.transStatus === 'C' && x && typeof x.acsSignedContent === 'string' ? x : undefined;
    });
    const ids = {
      acsSignedContent: ares.acsSignedContent as string,
      acsTransID: ares.acsTransID as string,
      threeDSServerTransID: ares.threeDSServerTransID as string,
      messageVersion: ares.messageVersion as string,
    };
    try {
      if (fullChecks > 0) {
        fullChecks--;
        await sdk.startChallenge(ids);
      } else {
        // As startChallenge, without verifying the signature and certificate again (see the file header).
        const signed = JSON.parse(Buffer.from(ids.acsSignedContent.split('.')[1] ?? '', 'base64url').toString('utf8')) as AcsSignedContent;
        if (signed.sdkEphemPubKey?.x !== sdk.ephemPubKey.x || signed.sdkEphemPubKey?.y !== sdk.ephemPubKey.y)
          throw new Error('acsSignedContent does not echo the SDK key');
        sdk.acsTransID = ids.acsTransID;
        sdk.threeDSServerTransID = ids.threeDSServerTransID;
        sdk.messageVersion = ids.messageVersion;
        sdk.sessionKey = sdk.deriveSessionKey(signed.acsEphemPubKey);
      }
    } catch (err) {
      throw new Unexpected('app AReq', `the SDK refused acsSignedContent: ${(err as Error).message}`);
    }
    const cres = async (step: string, fields: Json, check: (c: Json) => boolean) => {
      const creq = await sdk.nextCReq(fields);
      const r = await t(step, () => send(agent, base, 'POST', '/challenge', 'application/jose; charset=utf-8', creq));
      const jwe = expectAnswer(step, r, JOSE, (b) => b);
      let c: Json;
      try {
        c = await sdk.decryptCRes(jwe);
      } catch (err) {
        throw new Unexpected(step, `the SDK could not read the CRes: ${(err as Error).message}`);
      }
      if (!check(c)) throw new Unexpected(step, 'unexpected CRes', JSON.stringify(c).slice(0, 240));
    };
    await cres('CReq (open)', {}, (c) => c.messageType === 'CRes' && c.challengeCompletionInd === 'N');
    await cres('CReq (code)', { challengeDataEntry: OTP }, (c) => c.transStatus === 'Y' && c.challengeCompletionInd === 'Y');
  };
}

async function runFlows(req: DriverRequest): Promise<DriverResult> {
  const base = new URL(req.base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: req.concurrency });
  const lat = new Map<string, number[]>();
  const t = timing(lat);
  const flowLat: number[] = [];
  const unexpected = new Map<string, { step: string; why: string; sample?: string; count: number }>();
  const flow = req.kind === 'browser' ? browserFlow(agent, base) : appFlow(agent, base, req.concurrency);
  let stop = false;
  const stopAt = performance.now() + req.seconds * 1000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: req.concurrency }, async () => {
      while (!stop && performance.now() < stopAt) {
        const f0 = performance.now();
        try {
          await flow(t);
          flowLat.push(performance.now() - f0);
        } catch (err) {
          stop = true;
          const u = err instanceof Unexpected ? err : new Unexpected('(transport)', (err as Error).message);
          const key = `${u.step}|${u.why}`;
          const seen = unexpected.get(key);
          if (seen) seen.count++;
          else unexpected.set(key, { step: u.step, why: u.why, ...(u.sample !== undefined && { sample: u.sample }), count: 1 });
        }
      }
    }),
  );
  const elapsedS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;
  const figures = (xs: number[]) => {
    xs.sort((a, b) => a - b);
    return { count: xs.length, p50ms: q(xs, 0.5), p99ms: q(xs, 0.99) };
  };
  const f = figures(flowLat);
  return {
    flows: flowLat.length,
    elapsedS,
    flow: { p50ms: f.p50ms, p99ms: f.p99ms },
    steps: Object.fromEntries([...lat].map(([name, xs]) => [name, figures(xs)])),
    unexpected: [...unexpected.values()],
    driverCpuUs: cpu.user + cpu.system,
  };
}

process.on('message', (m: DriverRequest) => {
  if (m?.type !== 'run') return;
  runFlows(m).then(
    (r) => process.send?.(r),
    (err: Error) =>
      process.send?.({
        flows: 0,
        elapsedS: 0,
        flow: { p50ms: 0, p99ms: 0 },
        steps: {},
        unexpected: [{ step: '(driver)', why: err.message, count: 1 }],
        driverCpuUs: 0,
      } satisfies DriverResult),
  );
});
process.on('disconnect', () => process.exit(0));
