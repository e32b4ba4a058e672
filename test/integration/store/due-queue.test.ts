// The shared due queue's scripts against a real redis-server (SPEC §19): a due job is claimed by one
// claimer only, comes back once its lease runs out, and DONE removes it only for the claim that holds it.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { createLogger } from '../../../src/logger.js';
import { DueQueue, dueMember, parseMember } from '../../../src/store/due-queue.js';
import { type RedisServer, requireRedis, startRedis } from '../../helpers/redis.js';

const logger = createLogger('silent');

describe('due queue (Redis)', function () {
  this.timeout(20000);
  let server: RedisServer;
  let a: Redis;
  let b: Redis;
  let clock: number;
  let prefix: string;
  const now = () => clock;
  const queue = (redis: Redis, over: Partial<ConstructorParameters<typeof DueQueue>[0]> = {}) =>
    new DueQueue({ redis, prefix, logger, now, leaseMs: 10_000, ...over });

  before(async function () {
    requireRedis(this);
    server = await startRedis();
    a = new Redis(server.url);
    b = new Redis(server.url);
  });
  after(async () => {
    a?.disconnect();
    b?.disconnect();
    await server?.close();
  });
  beforeEach(() => {
    clock = 1_000_000;
    prefix = `t${randomUUID().slice(0, 8)}`;
  });

  it('names jobs by kind, transaction ID and attempt', () => {
    const job = { kind: 'push', id: randomUUID(), attempt: 2 } as const;
    expect(parseMember(dueMember(job))).to.deep.equal(job);
    expect(parseMember('nonsense')).to.equal(undefined);
  });

  it('claims nothing before it is due', async () => {
    const q = queue(a);
    await q.schedule({ kind: 'decoupled', id: 'x', attempt: 1 }, clock + 100);
    expect(await q.claim()).to.deep.equal([]);
    clock += 100;
    expect((await q.claim()).map((j) => j.id)).to.deep.equal(['x']);
  });

  it('hands a due job to one claimer only, across two connections', async () => {
    const qa = queue(a);
    const qb = queue(b);
    const ids = Array.from({ length: 20 }, () => randomUUID());
    for (const id of ids) await qa.schedule({ kind: 'decoupled', id, attempt: 1 }, clock);
    const [ca, cb] = await Promise.all([qa.claim(7), qb.claim(100)]);
    const got = [...ca, ...cb].map((j) => j.id);
    expect(got).to.have.length(20);
    expect(new Set(got).size).to.equal(20);
    expect(await qa.claim()).to.deep.equal([]);
    expect(await qb.claim()).to.deep.equal([]);
  });

  it('gives a job back once its lease runs out, to another claimer', async () => {
    const qa = queue(a);
    const qb = queue(b);
    await qa.schedule({ kind: 'push', id: 'p', attempt: 1 }, clock);
    const [first] = await qa.claim();
    clock += 9_999;
    expect(await qb.claim()).to.deep.equal([]);
    clock += 1;
    const [second] = await qb.claim();
    expect(second?.member).to.equal(first?.member);
    expect(second?.token).to.be.greaterThan(first?.token ?? Number.POSITIVE_INFINITY);
    // The first claimer's lease is gone: its DONE leaves the job to the second one.
    expect(await qa.done(first as NonNullable<typeof first>)).to.equal(false);
    expect(await a.zcard(qa.key)).to.equal(1);
    expect(await qb.done(second as NonNullable<typeof second>)).to.equal(true);
    expect(await a.zcard(qa.key)).to.equal(0);
  });

  it('removes a job on completion, so it never comes back', async () => {
    const q = queue(a);
    await q.schedule({ kind: 'decoupled', id: 'd', attempt: 1 }, clock);
    const [job] = await q.claim();
    expect(await q.done(job as NonNullable<typeof job>)).to.equal(true);
    clock += 60_000;
    expect(await q.claim()).to.deep.equal([]);
  });

  it('does not reset a claimed job when it is scheduled again (NX)', async () => {
    const q = queue(a);
    const job = { kind: 'decoupled', id: 'n', attempt: 1 } as const;
    await q.schedule(job, clock);
    await q.claim();
    await q.schedule(job, clock);
    expect(await q.claim()).to.deep.equal([]);
  });

  it('runs claimed jobs through the poller and removes them when the handler succeeds', async () => {
    const qa = new DueQueue({ redis: a, prefix, logger, pollMs: 20 });
    const qb = new DueQueue({ redis: b, prefix, logger, pollMs: 20 });
    const ran: string[] = [];
    let failedOnce = false;
    const handler = async (j: { id: string }) => {
      if (j.id === 'flaky' && !failedOnce) {
        failedOnce = true;
        throw new Error('first run fails');
      }
      ran.push(j.id);
    };
    await qa.schedule({ kind: 'decoupled', id: 'one', attempt: 1 }, Date.now());
    await qa.schedule({ kind: 'decoupled', id: 'two', attempt: 1 }, Date.now());
    qa.start(handler);
    qb.start(handler);
    const deadline = Date.now() + 5000;
    while (ran.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await Promise.all([qa.stop(), qb.stop()]);
    expect(ran.sort()).to.deep.equal(['one', 'two']);
    expect(await a.zcard(qa.key)).to.equal(0);
  });
});
