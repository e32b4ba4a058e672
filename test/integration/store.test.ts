// The store from outside (SPEC §7): read-your-writes across real worker processes, a Redis outage under
// load, a server started before its Redis, and a worker crash that must lose nothing.
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { freePort, type RedisServer, requireRedis, startRedis } from '../helpers/redis.js';
import { type RunningServer, startServer, workerPids } from '../helpers/server.js';

interface Answer {
  status: number;
  body: { n?: number; version?: number; worker?: number; missing?: boolean };
  ms: number;
}

/** One keep-alive connection: requests on it always reach the worker that accepted it. */
class Pinned {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  constructor(private readonly port: number) {}
  request(method: 'GET' | 'POST', path: string): Promise<Answer> {
    const t0 = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: this.port, method, path, agent: this.agent, timeout: 5000 }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          data += c;
        });
        res.on('end', () => {
          let body: Answer['body'] = {};
          try {
            body = JSON.parse(data) as Answer['body'];
          } catch {
            body = {};
          }
          resolve({ status: res.statusCode ?? 0, body, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end();
    });
  }
  close(): void {
    this.agent.destroy();
  }
}

/** Two pinned connections that reach two different workers. */
async function pinnedPair(port: number): Promise<[Pinned, Pinned]> {
  const a = new Pinned(port);
  const wa = (await a.request('GET', '/__test/store/none')).body.worker;
  for (let i = 0; i < 50; i++) {
    const b = new Pinned(port);
    const wb = (await b.request('GET', '/__test/store/none')).body.worker;
    if (wb !== wa) return [a, b];
    b.close();
  }
  throw new Error('could not reach two different workers');
}

describe('store (integration)', function () {
  this.timeout(120_000);
  let server: RunningServer | undefined;
  let redis: RedisServer | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
    await redis?.close();
    redis = undefined;
  });

  for (const backend of ['embedded', 'redis'] as const) {
    it(`reads its writes across workers (${backend}): zero stale reads over 10,000 tries`, async function () {
      if (backend === 'redis') {
        requireRedis(this);
        redis = await startRedis({ appendonly: false });
      }
      server = await startServer({ workers: 2, env: { ACCESS_LOG: 'false', ...(redis ? { REDIS_URL: redis.url } : {}) } });
      const [a, b] = await pinnedPair(server.port);
      let stale = 0;
      const tries = 10_000;
      for (let i = 0; i < tries; i++) {
        const id = `c${i % 50}`;
        const [writer, reader] = i % 2 === 0 ? [a, b] : [b, a];
        const w = await writer.request('POST', `/__test/store/${id}`);
        expect(w.status).to.equal(200);
        const r = await reader.request('GET', `/__test/store/${id}`);
        expect(r.body.worker).to.not.equal(w.body.worker);
        if (r.body.version !== w.body.version || r.body.n !== w.body.n) stale++;
      }
      a.close();
      b.close();
      expect(stale).to.equal(0);
    });
  }

  it('turns a Redis outage into fast 503s, recovers, and loses no acknowledged record', async function () {
    requireRedis(this);
    redis = await startRedis({ appendonly: true });
    server = await startServer({ workers: 2, env: { ACCESS_LOG: 'false', REDIS_URL: redis.url, STORE_BREAKER_OPEN_MS: '500' } });
    const client = new Pinned(server.port);
    const acked: string[] = [];
    for (let i = 0; i < 200; i++) {
      const r = await client.request('POST', `/__test/store/pre${i}`);
      expect(r.status).to.equal(200);
      acked.push(`pre${i}`);
    }
    await redis.kill('SIGKILL');
    // Under a request loop: find the first 503, then measure the answers while Redis stays down.
    const down: Answer[] = [];
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      const r = await client.request('POST', `/__test/store/down${down.length}`);
      if (r.status === 200) acked.push(`down${down.length}`);
      down.push(r);
      if (down.length > 300) break;
    }
    const refused = down.filter((r) => r.status === 503);
    expect(refused.length).to.be.greaterThan(100);
    const fast = refused.filter((r) => r.ms < 100).length;
    expect(fast / refused.length, `503s within 100 ms: ${fast}/${refused.length}`).to.be.at.least(0.95);
    const ready = await fetch(server.url('/health/ready'));
    expect(ready.status).to.equal(503);
    expect(ready.headers.get('retry-after')).to.equal('1');
    const res503 = await fetch(server.url('/__test/store/x'), { method: 'POST' });
    expect(res503.status).to.equal(503);
    expect(res503.headers.get('retry-after')).to.match(/^[0-9]+$/);
    expect(((await res503.json()) as { errorDetails: { errorCode: string } }).errorDetails.errorCode).to.equal('405');

    await redis.restart();
    const s = server;
    let readyAgain = false;
    for (let i = 0; i < 100 && !readyAgain; i++) {
      await sleep(100);
      const seen = new Set<number>();
      for (let j = 0; j < 6; j++) {
        const r = await fetch(s.url('/health/ready'), { headers: { connection: 'close' } });
        if (r.status === 200) seen.add(Number(r.headers.get('x-worker-id')));
      }
      readyAgain = seen.size === 2;
    }
    expect(readyAgain, 'both workers ready again').to.equal(true);
    for (const id of acked) {
      const r = await client.request('GET', `/__test/store/${id}`);
      expect(r.status, `record ${id}`).to.equal(200);
    }
    client.close();
  });

  it('starts while Redis is down, reports not ready, and becomes ready when Redis arrives', async function () {
    requireRedis(this);
    const port = await freePort();
    server = await startServer({ workers: 2, waitReady: false, env: { ACCESS_LOG: 'false', REDIS_URL: `redis://127.0.0.1:${port}` } });
    await server.waitForLog((l) => l.msg === 'workers serving; waiting for the store before reporting ready', 20_000);
    expect((await fetch(server.url('/health/ready'))).status).to.equal(503);
    expect((await fetch(server.url('/health/live'))).status).to.equal(200);
    redis = await startRedis({ port, appendonly: false });
    const s = server;
    let ok = false;
    for (let i = 0; i < 100 && !ok; i++) {
      await sleep(100);
      ok = (await fetch(s.url('/health/ready'))).status === 200;
    }
    expect(ok).to.equal(true);
    // The ready line comes when the store does, not before.
    const ready = await s.waitForLog((l) => l.msg === 'ready', 1000);
    expect(ready.pid).to.equal(s.pid);
    expect((await fetch(server.url('/__test/store/arrived'), { method: 'POST' })).status).to.equal(200);
  });

  it('loses nothing when a worker is killed with SIGKILL (embedded store lives in the primary)', async () => {
    server = await startServer({ workers: 2, env: { ACCESS_LOG: 'false' } });
    const client = new Pinned(server.port);
    for (let i = 0; i < 300; i++) expect((await client.request('POST', `/__test/store/k${i}`)).status).to.equal(200);
    client.close();
    const pids = await workerPids(server, 2);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    const s = server;
    let after = new Set<number>();
    for (let i = 0; i < 50 && after.size < 2; i++) {
      await sleep(100);
      after = await workerPids(s, 2, 500);
    }
    expect([...after].some((p) => pids.has(p))).to.equal(false);
    const reader = new Pinned(server.port);
    for (let i = 0; i < 300; i++) {
      const r = await reader.request('GET', `/__test/store/k${i}`);
      expect(r.status).to.equal(200);
      expect(r.body.n).to.equal(1);
    }
    reader.close();
  });
});
