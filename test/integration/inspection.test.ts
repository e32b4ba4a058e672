// Inspection and overrides on the real cluster (SPEC §17), on the embedded store and on Redis: a flow's
// trail seen from either worker; an override set through one worker followed by the next transaction on
// the other; overrides kept across a worker SIGKILL and a full restart; the tokens; production without a
// token (no /__admin at all) and development without one (a generated token in the ready line).
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { type RedisServer, requireRedis, startRedis } from '../helpers/redis.js';
import { TestSdk } from '../helpers/sdk.js';
import { type RunningServer, startServer, workerPids } from '../helpers/server.js';
import { appAReq, browserAReq } from '../protocol/helpers.js';

const TOKEN = 'qa-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: answers are read loosely in assertions
  json: any;
}

/** One keep-alive connection: every request on it reaches the worker that accepted it. */
class Pinned {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  constructor(private readonly port: number) {}

  request(method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const form = typeof body === 'string';
    const payload = body === undefined ? undefined : form ? body : JSON.stringify(body);
    const h: Record<string, string> = { ...headers };
    if (payload !== undefined) h['content-type'] = form ? 'application/x-www-form-urlencoded' : 'application/json';
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: this.port, method, path: p, agent: this.agent, headers: h, timeout: 10_000 },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
          });
          res.on('end', () => {
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(payload);
    });
  }

  async pid(): Promise<number> {
    return (await this.request('GET', '/__test/config')).json.pid as number;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Two pinned connections that reach two different workers. */
async function pinnedPair(port: number): Promise<[Pinned, Pinned]> {
  const a = new Pinned(port);
  const pa = await a.pid();
  for (let i = 0; i < 50; i++) {
    const b = new Pinned(port);
    if ((await b.pid()) !== pa) return [a, b];
    b.close();
  }
  throw new Error('could not reach two different workers');
}

/** An AReq of the shared fixture for `pan`, without a results push (no merchant listens in these tests). */
function areq(pan: string) {
  return browserAReq(pan, (b) => {
    delete b.merchant.resultsResponseNotificationUrl;
  });
}

async function until<T>(fn: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const FLOW_KINDS = ['AReq', 'ARes', 'CReq', 'challenge', 'RReq', 'RRes', 'challenge', 'CRes'];

describe('inspection and overrides (integration)', function () {
  this.timeout(120_000);
  let server: RunningServer | undefined;
  let redis: RedisServer | undefined;
  let dataDir: string;
  const pinned: Pinned[] = [];

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'm3ds-inspect-'));
  });
  afterEach(async () => {
    for (const p of pinned.splice(0)) p.close();
    await server?.stop();
    server = undefined;
    await redis?.close();
    redis = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = (env: Record<string, string> = {}) =>
    startServer({
      workers: 2,
      env: {
        ACCESS_LOG: 'false',
        DATA_DIR: dataDir,
        ADMIN_TOKENS: JSON.stringify({ 'qa-alice': TOKEN }),
        ...(redis ? { REDIS_URL: redis.url } : {}),
        ...env,
      },
    });

  for (const backend of ['embedded', 'redis'] as const) {
    describe(backend, () => {
      beforeEach(async function () {
        if (backend === 'redis') {
          requireRedis(this);
          redis = await startRedis({ appendonly: false });
        }
      });

      it("shows a flow's trail from either worker, and an override set through one applies on the other", async () => {
        server = await start();
        const [a, b] = await pinnedPair(server.port);
        pinned.push(a, b);
        expect((await a.request('GET', '/__admin/transactions')).status).to.equal(401);
        expect((await a.request('GET', '/__admin/transactions', undefined, { authorization: 'Bearer nope-nope-nope' })).status).to.equal(
          401,
        );

        // A browser challenge whose steps alternate between the workers.
        const body = areq('4000400040004001');
        const id = body.threeDSServerTransID as string;
        const ares = await a.request('POST', '/3ds/authenticate', body);
        expect(ares.json.transStatus).to.equal('C');
        const creq = encodeURIComponent(ares.json.base64EncodedChallengeRequest as string);
        expect((await b.request('POST', '/processor/mock/acs/trigger-otp', `creq=${creq}&threeDSSessionData=s1`)).status).to.equal(200);
        await a.request('POST', '/processor/mock/acs/verify-otp', `threeDSServerTransID=${id}&challengeDataEntry=0000`);
        await b.request('POST', '/processor/mock/acs/verify-otp', `threeDSServerTransID=${id}&challengeDataEntry=1234`);

        for (const p of [a, b]) {
          const kinds = await until(
            async () => {
              const r = await p.request('GET', `/__admin/transactions/${id}`, undefined, AUTH);
              const k = (r.json?.trail ?? []).map((e: { kind: string }) => e.kind);
              return k.length >= FLOW_KINDS.length ? k : undefined;
            },
            5000,
            'the whole trail',
          );
          expect(kinds).to.deep.equal(FLOW_KINDS);
          const list = await p.request('GET', '/__admin/transactions?last4=4001&status=Y', undefined, AUTH);
          expect(list.json.items.map((s: { threeDSServerTransID: string }) => s.threeDSServerTransID)).to.include(id);
        }
        const detail = await b.request('GET', `/__admin/transactions/${id}`, undefined, AUTH);
        expect(detail.text).to.not.contain('4000400040004001');
        expect(detail.json.record).to.include({ stage: 'completed', final: true });

        // The override goes in through worker A; the very next transaction, on worker B, follows it.
        const put = await a.request('PUT', '/__admin/overrides/4001', { scenario: { transStatus: 'N', reason: '01' } }, AUTH);
        expect(put.status).to.equal(201);
        expect((await b.request('POST', '/3ds/authenticate', areq('4000400040004001'))).json.transStatus).to.equal('N');
        expect((await b.request('DELETE', '/__admin/overrides/4001', undefined, AUTH)).status).to.equal(200);
        expect((await a.request('POST', '/3ds/authenticate', areq('4000400040004001'))).json.transStatus).to.equal('C');
        const change = await server.waitForLog((l) => l.msg === 'admin change' && l.action === 'override.set');
        expect(change).to.include({ by: 'qa-alice', key: '4001' });
      });

      it('records an app challenge: each CReq and CRes as decrypted, the code withheld', async () => {
        server = await start();
        const sdk = new TestSdk({ enc: 'A128GCM' });
        const body = appAReq('4000400040004001', (b) => {
          b.sdkTransID = sdk.sdkTransID;
          b.sdkInformation = sdk.sdkInformation();
        });
        const a = await fetch(server.url('/3ds/authenticate'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        const ares = ((await a.json()) as { authenticationResponse: Record<string, string> }).authenticationResponse;
        await sdk.startChallenge({
          acsSignedContent: ares.acsSignedContent as string,
          acsTransID: ares.acsTransID as string,
          threeDSServerTransID: ares.threeDSServerTransID as string,
          messageVersion: ares.messageVersion as string,
        });
        const s = server;
        const send = async (fields: Record<string, unknown> = {}) => {
          const r = await fetch(s.url('/challenge'), {
            method: 'POST',
            headers: { 'content-type': 'application/jose' },
            body: await sdk.nextCReq(fields),
          });
          return sdk.decryptCRes(await r.text());
        };
        await send();
        expect((await send({ challengeDataEntry: '1234' })).transStatus).to.equal('Y');
        const id = body.threeDSServerTransID as string;
        const detail = await until(
          async () => {
            const r = await fetch(s.url(`/__admin/transactions/${id}`), { headers: AUTH });
            const j = (await r.json()) as { trail: { kind: string; message: Record<string, unknown> }[] };
            return j.trail.length >= 8 ? j : undefined;
          },
          5000,
          'the app trail',
        );
        expect(detail.trail.map((e) => e.kind)).to.deep.equal(['AReq', 'ARes', 'CReq', 'CRes', 'CReq', 'RReq', 'RRes', 'CRes']);
        expect(detail.trail[4]?.message).to.include({ messageType: 'CReq', challengeDataEntry: '(withheld)' });
        expect(detail.trail[7]?.message).to.include({ messageType: 'CRes', transStatus: 'Y', challengeCompletionInd: 'Y' });
        expect(JSON.stringify(detail)).to.not.contain('"1234"');
      });

      it('keeps overrides and the index across a worker SIGKILL, and overrides across a full restart', async () => {
        server = await start();
        const p = new Pinned(server.port);
        pinned.push(p);
        expect((await p.request('PUT', '/__admin/overrides/4000400040004002', { scenario: '4000' }, AUTH)).status).to.equal(201);
        const before = await p.request('POST', '/3ds/authenticate', areq('4000400040004002'));
        expect(before.json.transStatus).to.equal('Y');
        const earlier = before.json.threeDSServerTransID as string;

        const pids = await workerPids(server, 2);
        const victim = [...pids][0] as number;
        process.kill(victim, 'SIGKILL');
        const s = server;
        const replacement = await until(
          async () => {
            const now = await workerPids(s, 2, 500);
            const fresh = [...now].filter((x) => !pids.has(x));
            return now.size === 2 && fresh.length === 1 ? fresh[0] : undefined;
          },
          20_000,
          'a replacement worker',
        );
        // Fresh connections until the replacement answers an authentication: it follows the override.
        const onReplacement = await until(
          async () => {
            const res = await fetch(server?.url('/3ds/authenticate') ?? '', {
              method: 'POST',
              headers: { 'content-type': 'application/json', connection: 'close' },
              body: JSON.stringify(areq('4000400040004002')),
            });
            const json = (await res.json()) as { transStatus: string };
            return Number(res.headers.get('x-worker-pid')) === replacement ? json : undefined;
          },
          10_000,
          'an authentication on the replacement worker',
        );
        expect(onReplacement.transStatus).to.equal('Y');
        const listed = await fetch(server.url('/__admin/transactions?last4=4002'), { headers: AUTH });
        const ids = ((await listed.json()) as { items: { threeDSServerTransID: string }[] }).items.map((x) => x.threeDSServerTransID);
        expect(ids).to.include(earlier);

        // A full restart: the same data directory, or the same Redis.
        p.close();
        await server.stop();
        server = await start();
        const after = await fetch(server.url('/__admin/overrides'), { headers: AUTH });
        const kept = ((await after.json()) as { overrides: { key: string; setBy: string; scenario: { transStatus: string } }[] }).overrides;
        expect(kept.map((o) => [o.key, o.setBy, o.scenario.transStatus])).to.deep.equal([['4000400040004002', 'qa-alice', 'Y']]);
        const res = await fetch(server.url('/3ds/authenticate'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(areq('4000400040004002')),
        });
        expect(((await res.json()) as { transStatus: string }).transStatus).to.equal('Y');
      });
    });
  }

  it('serves no /__admin in production without a token, and serves it with one', async () => {
    // Production refuses to generate signing keys: a test-mode start generates them in the data directory first.
    server = await start();
    await server.stop();
    const prod = {
      NODE_ENV: 'production',
      SIGNING_KEY_PATH: path.join(dataDir, 'acs-signing-ps256.key.pem'),
      SIGNING_CERT_PATH: path.join(dataDir, 'acs-signing-ps256.crt.pem'),
    };
    server = await start({ ...prod, ADMIN_TOKENS: '{}' });
    const ready = await server.waitForLog((l) => l.msg === 'ready');
    expect(ready).to.not.have.property('adminToken');
    for (const h of [{}, AUTH]) {
      const res = await fetch(server.url('/__admin/transactions'), { headers: h });
      expect(res.status).to.equal(404);
      expect(((await res.json()) as { errorDetails: { errorCode: string } }).errorDetails.errorCode).to.equal('101');
    }
    await server.stop();
    server = await start(prod);
    expect((await fetch(server.url('/__admin/transactions'))).status).to.equal(401);
    expect((await fetch(server.url('/__admin/transactions'), { headers: AUTH })).status).to.equal(200);
  });

  it('in development without a token, generates one and prints it with the console URL in the ready line', async () => {
    server = await start({ NODE_ENV: 'development', ADMIN_TOKENS: '{}' });
    const ready = await server.waitForLog((l) => l.msg === 'ready');
    expect(ready.console).to.equal(`http://localhost:${server.port}/console`);
    const token = ready.adminToken as string;
    expect(token).to.match(/^[A-Za-z0-9_-]{32}$/);
    expect((await fetch(server.url('/__admin/transactions'))).status).to.equal(401);
    const ok = await fetch(server.url('/__admin/transactions'), { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).to.equal(200);
    // Both workers take it (they inherit it from the primary), and /admin/reload stays closed without a configured token.
    for (let i = 0; i < 6; i++) {
      const r = await fetch(server.url('/__admin/overrides'), { headers: { authorization: `Bearer ${token}`, connection: 'close' } });
      expect(r.status).to.equal(200);
    }
    expect((await fetch(server.url('/admin/reload'), { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).to.equal(
      404,
    );
  });
});
