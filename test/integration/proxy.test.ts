// Two instances on one Redis behind the proxy compose's two-instances profile runs (SPEC §19): the
// committed deploy/nginx/nginx.conf with Debian's nginx in front of two built servers (2 workers each),
// both with PUBLIC_URL naming the proxy and TRUST_PROXY=1. A Hyperswitch-shaped checkout with a browser
// challenge runs through the proxy, its steps spread over both instances; the rate limit holds across
// the four workers of the two instances (a client's spoofed X-Forwarded-For changes nothing); and with
// one instance SIGKILLed, a challenge it took part in completes on the other and GETs keep answering.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  type AuthnResponse,
  browserChallenge,
  type Card,
  type ChallengeParams,
  checkout,
  HyperswitchNetceteraClient,
  type PreAuthn,
  readResultsWebhook,
} from '../helpers/hyperswitch-client.js';
import { type RunningNginx, requireNginx, startNginx } from '../helpers/nginx.js';
import { emptyRound, expectExact, hammer, type Limits, nextWindow } from '../helpers/rate-limit.js';
import { type RedisServer, requireRedis, startRedis } from '../helpers/redis.js';
import { freePort, type RunningServer, startServer, workerPids } from '../helpers/server.js';
import { type Receiver, startReceiver } from '../protocol/receiver.js';

const LIMITS: Limits = { max: 500, windowMs: 5000 };
const TOKEN = 'proxy-test-admin-token';
const CARD: Card = { number: '4000400040004001', expiryMonth: '11', expiryYear: '2029', cvc: '737', network: 'Visa' };

/** Requests an instance counted (its primary sums its workers), operator routes left out. */
async function flowRequests(server: RunningServer): Promise<number> {
  const text = await (await fetch(server.url('/metrics'))).text();
  let n = 0;
  for (const m of text.matchAll(/^http_requests_total\{([^}]*)\} (\d+)/gm)) {
    if (!/route="\/(metrics|health)/.test(m[1] as string)) n += Number(m[2]);
  }
  return n;
}

describe('two instances on one Redis behind nginx (SPEC §19, deploy/nginx/nginx.conf)', function () {
  this.timeout(90_000);
  let redis: RedisServer | undefined;
  let a: RunningServer | undefined;
  let b: RunningServer | undefined;
  let proxy: RunningNginx | undefined;
  let shop: Receiver;
  let hooks: Receiver;
  let client: HyperswitchNetceteraClient;
  const pidsOf = new Map<string, Set<number>>();

  before(async function () {
    this.timeout(60_000);
    requireRedis(this);
    requireNginx(this);
    redis = await startRedis({ appendonly: false });
    shop = await startReceiver();
    hooks = await startReceiver();
    const [portA, portB] = [await freePort(), await freePort()];
    // nginx must know its port before the instances start: PUBLIC_URL names it. Start it on the ports
    // chosen for the instances; it answers 502 until they listen.
    proxy = await startNginxWhenReady([`127.0.0.1:${portA}`, `127.0.0.1:${portB}`], async (url) => {
      const env = {
        REDIS_URL: redis?.url ?? '',
        STORE_PREFIX: `proxy${randomUUID().slice(0, 8)}`,
        PUBLIC_URL: url,
        TRUST_PROXY: '1',
        ADMIN_TOKEN: TOKEN,
        RATE_LIMIT_MAX: String(LIMITS.max),
        RATE_LIMIT_WINDOW_MS: String(LIMITS.windowMs),
        ACCESS_LOG: 'false',
      };
      [a, b] = await Promise.all([
        startServer({ workers: 2, env: { ...env, PORT: String(portA) } }),
        startServer({ workers: 2, env: { ...env, PORT: String(portB) } }),
      ]);
    });
    pidsOf.set('a', await workerPids(a as RunningServer, 2));
    pidsOf.set('b', await workerPids(b as RunningServer, 2));
    client = new HyperswitchNetceteraClient(proxy.url(''));
  });

  after(async () => {
    await proxy?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await shop?.close();
    await hooks?.close();
    await redis?.close();
  });

  /** nginx first (its URL is the instances' PUBLIC_URL), then the instances; resolves once it reaches one. */
  async function startNginxWhenReady(upstreams: string[], startInstances: (url: string) => Promise<void>): Promise<RunningNginx> {
    const n = await startNginx(upstreams, { waitReady: false });
    try {
      await startInstances(n.url(''));
      await n.ready();
      return n;
    } catch (err) {
      await n.close();
      throw err;
    }
  }

  async function versioning(): Promise<PreAuthn> {
    const v = await client.versioning(CARD);
    if (v.read.kind !== 'ok') throw new Error(`versioning answered ${v.status}: ${JSON.stringify(v.body)}`);
    return v.read;
  }

  async function challenge(p: PreAuthn): Promise<ChallengeParams> {
    const input = checkout(p, CARD.number, {
      card: CARD,
      returnUrl: shop.url('/payments/return'),
      webhookUrl: hooks.url('/webhooks/netcetera'),
    });
    const r = await client.authentication(input);
    if (r.read.kind !== 'ok') throw new Error(`authentication answered ${r.status}: ${JSON.stringify(r.body)}`);
    const ares = r.read as AuthnResponse;
    if (ares.flow.type !== 'challenge') throw new Error(`expected a challenge, got ${JSON.stringify(ares)}`);
    return ares.flow.params;
  }

  async function completeAndCheck(p: PreAuthn, params: ChallengeParams): Promise<void> {
    const posted = await browserChallenge(params, '1234');
    expect(posted.action).to.equal(shop.url('/payments/return'));
    const cres = JSON.parse(Buffer.from(posted.fields.cres as string, 'base64url').toString('utf8'));
    expect(cres).to.include({ messageType: 'CRes', transStatus: 'Y', threeDSServerTransID: p.threeDSServerTransID });
    const deadline = Date.now() + 10_000;
    let hook: unknown;
    while (!hook && Date.now() < deadline) {
      hook = hooks.received.find(
        (r) => (r.body as { threeDSServerTransID?: string }).threeDSServerTransID === p.threeDSServerTransID,
      )?.body;
      if (!hook) await new Promise((r) => setTimeout(r, 25));
    }
    expect(hook, `results webhook for ${p.threeDSServerTransID}`).to.not.equal(undefined);
    expect(readResultsWebhook(hook)).to.include({ transStatus: 'Y', eci: '05' });
  }

  it('runs a browser challenge through the proxy: every URL names the proxy, the steps land on both instances', async () => {
    const [beforeA, beforeB] = [await flowRequests(a as RunningServer), await flowRequests(b as RunningServer)];
    const p = await versioning();
    const params = await challenge(p);
    expect(params.acsUrl?.startsWith(proxy?.url('/') ?? '-')).to.equal(true);
    await completeAndCheck(p, params);
    const [afterA, afterB] = [await flowRequests(a as RunningServer), await flowRequests(b as RunningServer)];
    // The admin API reads the shared Redis: the same trail whichever instance answers (round robin).
    const trails = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const res = await fetch((proxy as RunningNginx).url(`/__admin/transactions/${p.threeDSServerTransID}`), {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(res.status).to.equal(200);
      const detail = (await res.json()) as { trail: { kind: string }[] };
      trails.add(detail.trail.map((e) => e.kind).join(','));
    }
    expect(trails.size, [...trails].join(' | ')).to.equal(1);
    expect([...trails][0]).to.include('AReq');
    // versioning, authentication, ACS page, code submit: round robin gives each instance some of them.
    expect(afterA - beforeA, 'requests instance a served').to.be.at.least(1);
    expect(afterB - beforeB, 'requests instance b served').to.be.at.least(1);
  });

  it('holds the rate limit across both instances: max per window within 1%, whatever X-Forwarded-For a client sends', async () => {
    const url = (proxy as RunningNginx).url('/__test/config');
    // Loops 0-3 claim another address each; nginx appends the real one and TRUST_PROXY=1 takes that.
    const headersOf = (i: number) => ({
      ...(i % 2 === 0 ? { connection: 'close' } : {}),
      ...(i < 4 ? { 'x-forwarded-for': `203.0.113.${i + 1}` } : {}),
    });
    // The checkout above spent hits of the current window: spend the rest, then count whole windows.
    await hammer(url, Date.now(), emptyRound(), headersOf);
    const { startedAt, round } = await nextWindow(url, LIMITS);
    const first = await hammer(url, startedAt, round, headersOf);
    expectExact(first, LIMITS, 'first window');
    const served = (name: string) => [...(pidsOf.get(name) ?? [])].some((pid) => first.pids.has(pid));
    expect(served('a') && served('b'), 'workers of both instances served').to.equal(true);
    const next = await nextWindow(url, LIMITS);
    const second = await hammer(url, next.startedAt, next.round, headersOf);
    expectExact(second, LIMITS, 'second window');
  });

  it('loses nothing when an instance is SIGKILLed: a challenge it served completes on the other, GETs keep answering', async () => {
    await nextWindow((proxy as RunningNginx).url('/__test/config'), LIMITS);
    const victim = b as RunningServer;
    // A challenge in which the instance about to die served a step (round robin: within a few tries).
    let p: PreAuthn | undefined;
    let params: ChallengeParams | undefined;
    for (let i = 0; i < 5 && !params; i++) {
      const before = await flowRequests(victim);
      const v = await versioning();
      const c = await challenge(v);
      if ((await flowRequests(victim)) > before) [p, params] = [v, c];
    }
    if (!p || !params) throw new Error('instance b served no step of 5 challenges through the proxy');
    process.kill(-victim.pid, 'SIGKILL');
    await victim.exited;
    // Idempotent requests that meet the dead instance are passed to the live one (proxy_next_upstream).
    const answeredBy = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const res = await fetch((proxy as RunningNginx).url('/__test/config'), { signal: AbortSignal.timeout(5000) });
      expect(res.status).to.equal(200);
      answeredBy.add(((await res.json()) as { pid: number }).pid);
    }
    expect(
      [...answeredBy].every((pid) => pidsOf.get('a')?.has(pid)),
      'only instance a answers',
    ).to.equal(true);
    await completeAndCheck(p, params);
  });
});
