// SPEC §19 with two instances on one Redis: a decoupled transaction authenticated on instance A, A killed
// (SIGKILL, primary and worker) before the completion is due, and instance B claims the due completion
// from Redis, completes the record and delivers the results push; nobody reads the transaction meanwhile.
// And a retry of the AReq to B queues that work again when A died between its record write and the queue.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { type RedisServer, requireRedis, startRedis } from '../../helpers/redis.js';
import { ROOT, type RunningServer, startServer } from '../../helpers/server.js';

const PAN = '4000400040004006';
const PREFIX = `due${randomUUID().slice(0, 8)}`;
// Both instances alike: the decoupled completion due 1.5 s after the AReq, a challenge timing out after 1 s.
let env: Record<string, string> = {};

describe('due work on two instances sharing one Redis (SPEC §19)', function () {
  this.timeout(60_000);
  let redis: RedisServer;
  let client: Redis;
  let a: RunningServer | undefined;
  let b: RunningServer | undefined;
  // Every instance any test started, stopped after all of them (a test that fails before its kill, or runs
  // alone under --grep, must not leave one running).
  const started: RunningServer[] = [];
  const start = async (e: Record<string, string>): Promise<RunningServer> => {
    const s = await startServer({ workers: 1, env: e });
    started.push(s);
    return s;
  };
  let receiver: http.Server;
  let pushUrl: string;
  const pushes: Record<string, unknown>[] = [];

  before(async function () {
    requireRedis(this);
    redis = await startRedis();
    client = new Redis(redis.url);
    receiver = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => {
        body += c;
      });
      req.on('end', () => {
        pushes.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    pushUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/results`;
    env = { REDIS_URL: redis.url, STORE_PREFIX: PREFIX, DECOUPLED_DELAY_MS: '1500', CHALLENGE_TIMEOUT_SECONDS: '1' };
    a = await start(env);
    b = await start(env);
  });
  after(async () => {
    await Promise.all(started.map((s) => s.stop()));
    client?.disconnect();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
    await redis?.close();
  });

  /** Versioning then authentication on `server`; returns the transaction ID, the ARes transStatus and the AReq sent. */
  async function authenticate(
    server: RunningServer,
    pan: string,
    decoupled: boolean,
  ): Promise<{ id: string; transStatus: string; body: string }> {
    const v = await fetch(server.url('/3ds/version'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cardNumber: pan }),
    });
    const id = ((await v.json()) as { threeDSServerTransID: string }).threeDSServerTransID;
    const areq = JSON.parse(readFileSync(path.join(ROOT, 'examples/authenticate-browser.json'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    const obj = (k: string) => areq[k] as Record<string, unknown>;
    obj('cardholderAccount').acctNumber = pan;
    obj('merchant').resultsResponseNotificationUrl = pushUrl;
    if (decoupled) obj('threeDSRequestor').threeDSRequestorDecReqInd = 'Y';
    const body = JSON.stringify({ ...areq, threeDSServerTransID: id });
    return { id, transStatus: await send(server, body), body };
  }

  /** POSTs an AReq body; returns the ARes transStatus. */
  async function send(server: RunningServer, body: string): Promise<string> {
    const res = await fetch(server.url('/3ds/authenticate'), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).to.equal(200);
    return ((await res.json()) as { transStatus: string }).transStatus;
  }

  const pushedFor = (id: string) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (pushes.some((p) => p.threeDSServerTransID === id)) resolve();
        else setTimeout(check, 20);
      };
      check();
    });

  it('B completes the decoupled transaction A authenticated and pushes its results after A is killed', async () => {
    const sa = a as RunningServer;
    const { id, transStatus } = await authenticate(sa, PAN, true);
    expect(transStatus).to.equal('D');

    // The completion is queued in Redis before the answer leaves A.
    const member = `decoupled|${id}|1`;
    expect(await client.zscore(`${PREFIX}:due`, member)).to.not.equal(null);
    // A dies, its worker with it (the server runs as its own process group).
    process.kill(-sa.pid, 'SIGKILL');
    await sa.exited;
    // A died before the completion was due: nothing pushed yet.
    expect(pushes.filter((p) => p.threeDSServerTransID === id)).to.have.length(0);
    await pushedFor(id);
    const push = pushes.find((p) => p.threeDSServerTransID === id) as Record<string, unknown>;
    expect(push).to.include({ threeDSServerTransID: id, transStatus: 'Y' });
    // Done work leaves the queue: the completion, and the push once delivered.
    const deadline = Date.now() + 5000;
    while ((await client.zcard(`${PREFIX}:due`)) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await client.zrange(`${PREFIX}:due`, '0', '-1')).to.deep.equal([]);
    // Exactly one delivery here: B completed it once (the CAS) and its push succeeded on the first try.
    expect(pushes.filter((p) => p.threeDSServerTransID === id)).to.have.length(1);
  });

  it('B times out the challenge A opened and pushes its results after A is killed', async () => {
    const a2 = await start(env);
    a = a2;
    const { id, transStatus } = await authenticate(a2, '4000400040004001', false);
    expect(transStatus).to.equal('C');
    expect(await client.zscore(`${PREFIX}:due`, `challenge|${id}|1`)).to.not.equal(null);
    process.kill(-a2.pid, 'SIGKILL');
    await a2.exited;
    await pushedFor(id);
    const push = pushes.find((p) => p.threeDSServerTransID === id) as Record<string, unknown>;
    expect(push).to.include({ threeDSServerTransID: id, transStatus: 'N' });
  });

  it("queues the completion again on a client's retry to B when A died between writing the record and queuing it", async () => {
    // Due 5 s after the AReq here: the kill and the retry must come before the completion is due, or B's read
    // would complete the record itself and the test would say nothing about the queue.
    const a3 = await start({ ...env, DECOUPLED_DELAY_MS: '5000' });
    a = a3;
    const { id, transStatus, body } = await authenticate(a3, PAN, true);
    expect(transStatus).to.equal('D');
    // As if A had died right after its record write: the completion never reached the queue.
    expect(await client.zrem(`${PREFIX}:due`, `decoupled|${id}|1`)).to.equal(1);
    process.kill(-a3.pid, 'SIGKILL');
    await a3.exited;
    // The client, which got no answer, sends the same AReq to the other instance: the first answer again,
    // and the completion queued from the record.
    expect(await send(b as RunningServer, body)).to.equal('D');
    const queued = await client.zscore(`${PREFIX}:due`, `decoupled|${id}|1`);
    expect(queued, 'the completion queued again by the retry').to.not.equal(null);
    expect(Number(queued), 'queued for when it is due, not done by the read').to.be.above(Date.now());
    await pushedFor(id);
    expect(pushes.find((p) => p.threeDSServerTransID === id)).to.include({ threeDSServerTransID: id, transStatus: 'Y' });
  });
});
